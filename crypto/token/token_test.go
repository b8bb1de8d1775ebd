package token_test

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/apisec-go/apisec/crypto"
	"github.com/apisec-go/apisec/crypto/token"
	"github.com/apisec-go/apisec/internal/configtest"
)

func key(id string, seed byte) crypto.Key {
	b := make([]byte, 32)
	for i := range b {
		b[i] = seed + byte(i)
	}
	return crypto.Key{ID: id, Secret: b}
}

func mustSigner(t testing.TB, cfg token.Config) *token.Signer {
	t.Helper()
	s, err := token.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestRandom(t *testing.T) {
	b64url := regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)
	b32 := regexp.MustCompile(`^[A-Z2-7]{26}$`)
	seen := map[string]bool{}
	for range 1000 {
		r, x := token.Random(), token.Text()
		if !b64url.MatchString(r) || !b32.MatchString(x) {
			t.Fatalf("Random() = %q, Text() = %q", r, x)
		}
		if seen[r] || seen[x] {
			t.Fatal("repeated token")
		}
		seen[r], seen[x] = true, true
	}
}

func TestEqual(t *testing.T) {
	a := token.Random()
	for _, tt := range []struct {
		a, b string
		want bool
	}{
		{a, a, true}, {a, strings.Clone(a), true}, {"", "", true},
		{a, a[:42], false}, {a, a + "x", false}, {a, "", false}, {"abc", "abd", false},
	} {
		if got := token.Equal(tt.a, tt.b); got != tt.want {
			t.Errorf("Equal(%q, %q) = %v", tt.a, tt.b, got)
		}
	}
	if n := testing.AllocsPerRun(100, func() { _ = token.Equal(a, a) }); n != 0 {
		t.Errorf("Equal allocates %v times", n)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  token.Config
		want []string
	}{
		{"no keys", token.Config{}, []string{"token: Keys: at least one key is required"}},
		{"short key", token.Config{Keys: []crypto.Key{{ID: "a", Secret: []byte("short")}}}, []string{"crypto: Keys[0].Secret: is 5 bytes, want 32 to 64"}},
		{"duplicate id", token.Config{Keys: []crypto.Key{key("a", 1), key("a", 2)}}, []string{"crypto: Keys[1].ID: duplicate key id a (also Keys[0])"}},
		{"unknown primary", token.Config{Keys: []crypto.Key{key("a", 1)}, Primary: "b"}, []string{"token: Primary: no key with this id in Keys"}},
		{"long purpose", token.Config{Keys: []crypto.Key{key("a", 1)}, Purpose: strings.Repeat("p", 256)}, []string{"token: Purpose: longer than 255 bytes"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := token.New(tt.cfg)
			if s != nil || err == nil {
				t.Fatal("New succeeded")
			}
			if got := configtest.Messages(err); !slices.Equal(got, tt.want) {
				t.Errorf("errors\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestSignVerify(t *testing.T) {
	s := mustSigner(t, token.Config{Keys: []crypto.Key{key("k1", 1)}, Purpose: "email-verify"})
	msg := []byte("user=42&email=alice@example.com&exp=1767225600")
	tag := s.Sign(msg)
	if !regexp.MustCompile(`^k1\.[A-Za-z0-9_-]{43}$`).MatchString(tag) {
		t.Fatalf("tag = %q", tag)
	}
	if err := s.Verify(msg, tag); err != nil {
		t.Fatalf("Verify = %v", err)
	}
	if s.Sign(msg) != tag {
		t.Error("Sign is not deterministic")
	}
	tests := []struct {
		name string
		msg  []byte
		tag  string
		want error
	}{
		{"other message", []byte("user=43&email=alice@example.com&exp=1767225600"), tag, token.ErrInvalid},
		{"empty tag", msg, "", token.ErrInvalid},
		{"no dot", msg, strings.Replace(tag, ".", "", 1), token.ErrInvalid},
		{"truncated", msg, tag[:len(tag)-1], token.ErrInvalid},
		{"extended", msg, tag + "A", token.ErrInvalid},
		{"padded", msg, tag + "=", token.ErrInvalid},
		{"standard base64", msg, "k1." + strings.Repeat("+", 43), token.ErrInvalid},
		{"unknown key", msg, "k9" + tag[2:], token.ErrUnknownKey},
		{"long key id", msg, strings.Repeat("k", 40) + tag[2:], token.ErrInvalid},
		{"last char non-canonical", msg, tag[:len(tag)-1] + flipLow(tag[len(tag)-1]), token.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := s.Verify(tt.msg, tt.tag); !errors.Is(err, tt.want) {
				t.Errorf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
}

// flipLow changes a base64url character into another one that decodes to
// the same 6 bits' top 4, to probe strict decoding of the last character.
func flipLow(c byte) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	i := strings.IndexByte(alphabet, c)
	return string(alphabet[i^1])
}

// TestTagsDoNotCrossPurposes: a tag made for one purpose is refused by a
// Signer with the same key and another purpose (e-mail link reused as a
// password-reset link).
func TestTagsDoNotCrossPurposes(t *testing.T) {
	k := []crypto.Key{key("k1", 1)}
	verify := mustSigner(t, token.Config{Keys: k, Purpose: "email-verify"})
	reset := mustSigner(t, token.Config{Keys: k, Purpose: "password-reset"})
	none := mustSigner(t, token.Config{Keys: k})
	msg := []byte("user=42")
	if err := reset.Verify(msg, verify.Sign(msg)); !errors.Is(err, token.ErrInvalid) {
		t.Errorf("cross-purpose tag: %v", err)
	}
	if err := none.Verify(msg, verify.Sign(msg)); !errors.Is(err, token.ErrInvalid) {
		t.Errorf("purpose tag on a purpose-less signer: %v", err)
	}
}

// TestPurposeLessSignerCannotForgePurposeTags: a Signer without a purpose
// signs whatever message it is given, so if it hashed the bare message an
// attacker who gets it to sign len(purpose) ‖ purpose ‖ msg would hold a
// valid tag for msg under that purpose. The empty purpose is framed too.
func TestPurposeLessSignerCannotForgePurposeTags(t *testing.T) {
	k := []crypto.Key{key("k1", 1)}
	none := mustSigner(t, token.Config{Keys: k})
	reset := mustSigner(t, token.Config{Keys: k, Purpose: "password-reset"})
	msg := []byte("user=42")
	forged := none.Sign(append([]byte("\x0epassword-reset"), msg...))
	if err := reset.Verify(msg, forged); !errors.Is(err, token.ErrInvalid) {
		t.Errorf("no-purpose tag of the framed message verifies under the purpose: %v", err)
	}
	forged = reset.Sign(msg[1:])
	if err := none.Verify(append([]byte("\x0epassword-reset"), msg[1:]...), forged); !errors.Is(err, token.ErrInvalid) {
		t.Errorf("purpose tag verifies on the no-purpose signer: %v", err)
	}
}

// TestTagFormatIsStable pins the MAC input, HMAC-SHA256(key, len(purpose)
// ‖ purpose ‖ msg) with len one byte (0 without a purpose), so a change
// that would invalidate every issued tag cannot pass unnoticed.
func TestTagFormatIsStable(t *testing.T) {
	k := key("k1", 1)
	msg := []byte("user=42")
	for _, purpose := range []string{"", "email-verify"} {
		m := hmac.New(sha256.New, k.Secret)
		m.Write([]byte{byte(len(purpose))})
		m.Write([]byte(purpose))
		m.Write(msg)
		want := "k1." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
		if got := mustSigner(t, token.Config{Keys: []crypto.Key{k}, Purpose: purpose}).Sign(msg); got != want {
			t.Errorf("purpose %q: Sign = %s, want %s", purpose, got, want)
		}
	}
}

func TestKeyRotation(t *testing.T) {
	old := mustSigner(t, token.Config{Keys: []crypto.Key{key("k1", 1)}})
	both := mustSigner(t, token.Config{Keys: []crypto.Key{key("k2", 2), key("k1", 1)}})
	msg := []byte("m")
	if err := both.Verify(msg, old.Sign(msg)); err != nil {
		t.Errorf("old tag after rotation: %v", err)
	}
	if tag := both.Sign(msg); !strings.HasPrefix(tag, "k2.") {
		t.Errorf("new tag %q not under the new key", tag)
	}
	if err := old.Verify(msg, both.Sign(msg)); !errors.Is(err, token.ErrUnknownKey) {
		t.Errorf("new tag on the old signer: %v", err)
	}
	swapped := mustSigner(t, token.Config{Keys: []crypto.Key{{ID: "k1", Secret: key("x", 9).Secret}}})
	if err := swapped.Verify(msg, old.Sign(msg)); !errors.Is(err, token.ErrInvalid) {
		t.Errorf("same id, other secret: %v", err)
	}
}

func TestSignerAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under -race (sync.Pool drops items)")
	}
	s := mustSigner(t, token.Config{Keys: []crypto.Key{key("k1", 1)}, Purpose: "p"})
	msg := make([]byte, 64)
	_, _ = rand.Read(msg)
	tag := s.Sign(msg)
	if n := testing.AllocsPerRun(100, func() { _ = s.Verify(msg, tag) }); n > 1 {
		t.Errorf("Verify allocates %v times, want at most 1", n)
	}
	if n := testing.AllocsPerRun(100, func() { _ = s.Sign(msg) }); n > 3 {
		t.Errorf("Sign allocates %v times, want at most 3", n)
	}
}

func TestSignerConcurrentUse(t *testing.T) {
	s := mustSigner(t, token.Config{Keys: []crypto.Key{key("k1", 1)}})
	done := make(chan bool)
	for i := range 8 {
		go func() {
			ok := true
			for j := range 200 {
				m := []byte{byte(i), byte(j)}
				ok = ok && s.Verify(m, s.Sign(m)) == nil
			}
			done <- ok
		}()
	}
	for range 8 {
		if !<-done {
			t.Error("concurrent Sign/Verify failed")
		}
	}
}

func FuzzVerify(f *testing.F) {
	s, _ := token.New(token.Config{Keys: []crypto.Key{key("k1", 1)}})
	good := s.Sign([]byte("m"))
	for _, tag := range []string{good, "", ".", "k1.", "k1." + strings.Repeat("A", 43), "k9" + good[2:], good + "="} {
		f.Add([]byte("m"), tag)
	}
	f.Fuzz(func(t *testing.T, msg []byte, tag string) {
		err := s.Verify(msg, tag)
		if err == nil && (tag != s.Sign(msg)) {
			t.Fatalf("accepted a tag %q that Sign did not produce", tag)
		}
		if err != nil && !errors.Is(err, token.ErrInvalid) && !errors.Is(err, token.ErrUnknownKey) {
			t.Fatalf("undocumented error %v", err)
		}
	})
}
