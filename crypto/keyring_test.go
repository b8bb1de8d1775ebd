package crypto_test

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/apisec-go/apisec/crypto"
	"github.com/apisec-go/apisec/internal/configtest"
)

// testSecret returns a deterministic, valid 32-byte secret.
func testSecret(seed byte) []byte {
	b := make([]byte, crypto.KeySize)
	for i := range b {
		b[i] = seed + byte(i)
	}
	return b
}

func mustRing(t testing.TB, cfg crypto.Config) *crypto.Keyring {
	t.Helper()
	kr, err := crypto.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return kr
}

func twoKeys() []crypto.Key {
	return []crypto.Key{
		{ID: "k1", Secret: testSecret(0)},
		{ID: "x2", Cipher: crypto.XChaCha20Poly1305, Secret: testSecret(0x40)},
	}
}

// configErrors flattens a joined error into "Field: Reason" strings.
func configErrors(t *testing.T, err error) []string {
	t.Helper()
	var out []string
	for _, ce := range configtest.Leaves[crypto.ConfigError](t, err) {
		if !strings.HasPrefix(ce.Error(), "crypto: ") {
			t.Errorf("error %q lacks the package prefix", ce.Error())
		}
		out = append(out, ce.Field+": "+ce.Reason)
	}
	return out
}

func TestNewRejectsBadConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  crypto.Config
		want []string
	}{
		{"no keys", crypto.Config{}, []string{"Keys: at least one key is required; keys are never generated"}},
		{"short key", crypto.Config{Keys: []crypto.Key{{ID: "a", Secret: testSecret(1)[:16]}}},
			[]string{"Keys[0].Secret: is 16 bytes, want 32"}},
		{"missing secret", crypto.Config{Keys: []crypto.Key{{ID: "a"}}}, []string{"Keys[0].Secret: missing"}},
		{"all-zero key", crypto.Config{Keys: []crypto.Key{{ID: "a", Secret: make([]byte, 32)}}},
			[]string{"Keys[0].Secret: is one byte repeated (a placeholder, not a key)"}},
		{"bad id", crypto.Config{Keys: []crypto.Key{{ID: "a b", Secret: testSecret(1)}}},
			[]string{"Keys[0].ID: key id may only contain A-Z a-z 0-9 . _ -"}},
		{"empty id", crypto.Config{Keys: []crypto.Key{{Secret: testSecret(1)}}}, []string{"Keys[0].ID: key id is empty"}},
		{"long id", crypto.Config{Keys: []crypto.Key{{ID: strings.Repeat("a", 33), Secret: testSecret(1)}}},
			[]string{"Keys[0].ID: key id longer than 32 bytes"}},
		{"duplicate id and secret", crypto.Config{Keys: []crypto.Key{{ID: "a", Secret: testSecret(1)}, {ID: "a", Secret: testSecret(1)}}},
			[]string{"Keys[1].ID: duplicate key id a (also Keys[0])", "Keys[1].Secret: same secret as Keys[0]"}},
		{"unknown cipher", crypto.Config{Keys: []crypto.Key{{ID: "a", Cipher: 9, Secret: testSecret(1)}}},
			[]string{"Keys[0].Cipher: unknown cipher Cipher(9)"}},
		{"unknown primary", crypto.Config{Primary: "zz", Keys: twoKeys()}, []string{"Primary: no key with this id in Keys"}},
		{"every problem at once", crypto.Config{Primary: "zz", Keys: []crypto.Key{{ID: "", Secret: []byte{1}}}},
			[]string{"Keys[0].ID: key id is empty", "Keys[0].Secret: is 1 bytes, want 32", "Primary: no key with this id in Keys"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kr, err := crypto.New(tt.cfg)
			if kr != nil || err == nil {
				t.Fatalf("New succeeded, want errors %q", tt.want)
			}
			if got := configErrors(t, err); !slices.Equal(got, tt.want) {
				t.Errorf("errors\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestParseKeys(t *testing.T) {
	k := base64.StdEncoding.EncodeToString(testSecret(7))
	ku := base64.RawURLEncoding.EncodeToString(testSecret(0xf0)) // contains - or _
	tests := []struct {
		name    string
		in      string
		wantIDs []string
		wantErr []string
	}{
		{"one key", "k1:" + k, []string{"k1"}, nil},
		{"two keys, spaces, url-safe", " k2:" + ku + " , k1:" + strings.TrimRight(k, "="), []string{"k2", "k1"}, nil},
		{"with cipher", "x:xchacha20-poly1305:" + k, []string{"x"}, nil},
		{"empty", "", nil, []string{"keys: no key given (format id:base64key,...)"}},
		{"blank", "  ", nil, []string{"keys: no key given (format id:base64key,...)"}},
		{"no colon", k, nil, []string{"keys[0]: want id:base64key or id:cipher:base64key"}},
		{"bad base64", "k1:%%%%", nil, []string{"keys[0].Secret: not valid base64 (key k1)"}},
		{"bad cipher", "k1:des:" + k, nil, []string{"keys[0]: unknown cipher (want aes-256-gcm or xchacha20-poly1305)"}},
		{"bad id", "k 1:" + k, nil, []string{"keys[0].ID: key id may only contain A-Z a-z 0-9 . _ -"}},
		{"trailing comma", "k1:" + k + ",", nil, []string{"keys[1]: want id:base64key or id:cipher:base64key"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keys, err := crypto.ParseKeys(tt.in)
			if got := configErrors(t, err); !slices.Equal(got, tt.wantErr) {
				t.Fatalf("errors\n got %q\nwant %q", got, tt.wantErr)
			}
			var ids []string
			for _, k := range keys {
				ids = append(ids, k.ID)
			}
			if !slices.Equal(ids, tt.wantIDs) {
				t.Errorf("ids = %q, want %q", ids, tt.wantIDs)
			}
		})
	}
	keys, err := crypto.ParseKeys("a:" + k + ",b:xchacha20-poly1305:" + ku)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(keys[0].Secret, testSecret(7)) || !bytes.Equal(keys[1].Secret, testSecret(0xf0)) || keys[1].Cipher != crypto.XChaCha20Poly1305 {
		t.Errorf("parsed keys do not match the input")
	}
	if _, err := crypto.New(crypto.Config{Keys: keys}); err != nil {
		t.Errorf("New(ParseKeys(...)) = %v", err)
	}
}

func TestRoundTrip(t *testing.T) {
	for _, primary := range []string{"k1", "x2"} {
		kr := mustRing(t, crypto.Config{Keys: twoKeys(), Primary: primary})
		for _, size := range []int{0, 1, 15, 16, 1024, 100_000} {
			t.Run("primary="+primary+"/size="+itoa(size), func(t *testing.T) {
				pt := bytes.Repeat([]byte{0xa5}, size)
				ad := crypto.AssociatedData("users", "email", "42")
				ct, err := kr.Encrypt(pt, ad)
				if err != nil {
					t.Fatal(err)
				}
				if len(ct) != size+kr.Overhead() {
					t.Errorf("len(ct) = %d, want %d", len(ct), size+kr.Overhead())
				}
				if id, _ := kr.KeyID(ct); id != primary {
					t.Errorf("KeyID = %q, want %q", id, primary)
				}
				got, err := kr.Decrypt(ct, ad)
				if err != nil || !bytes.Equal(got, pt) {
					t.Fatalf("Decrypt = %x, %v", got, err)
				}
				ct2, _ := kr.Encrypt(pt, ad)
				if bytes.Equal(ct, ct2) {
					t.Error("two encryptions of one plaintext are identical: nonce reuse")
				}
				s, err := kr.EncryptString(string(pt), ad)
				if err != nil || strings.ContainsAny(s, "+/=") {
					t.Fatalf("EncryptString = %q, %v; want unpadded base64url", s, err)
				}
				gs, err := kr.DecryptString(s, ad)
				if err != nil || gs != string(pt) {
					t.Fatalf("DecryptString: %v", err)
				}
			})
		}
	}
}

// TestCiphertextFormatIsStable decrypts ciphertexts recorded from an
// earlier build: the documented format must never change silently.
func TestCiphertextFormatIsStable(t *testing.T) {
	kr := mustRing(t, crypto.Config{Keys: twoKeys()})
	ad := crypto.AssociatedData("users", "email", "42")
	for _, h := range []string{
		"01026b3139573d8f1a6b4ef2ec4b4f4adfe503a676c0a442d78dac9c071382fff42a218d351aae247d3f832156ce39a1ca",
		"01027832b7f9842d2e10f8e7e08bff0137bfb49b59f129f3370b0a4e04c6e44251f91603c1f194b475d2b129fd8f5ca13c9c97f6809a94bfce24748110",
	} {
		ct, _ := hex.DecodeString(h)
		got, err := kr.Decrypt(ct, ad)
		if err != nil || string(got) != "alice@example.com" {
			t.Errorf("Decrypt(%s…) = %q, %v", h[:12], got, err)
		}
	}
}

// TestRejectsCiphertextMovedToAnotherRecord defends the associated data
// binding (OWASP Cryptographic Storage Cheat Sheet): the encrypted e-mail
// of user 42 copied onto user 43's row must not decrypt.
func TestRejectsCiphertextMovedToAnotherRecord(t *testing.T) {
	kr := mustRing(t, crypto.Config{Keys: twoKeys()})
	ct, _ := kr.Encrypt([]byte("alice@example.com"), crypto.AssociatedData("users", "email", "42"))
	for name, ad := range map[string][]byte{
		"other row":    crypto.AssociatedData("users", "email", "43"),
		"other column": crypto.AssociatedData("users", "phone", "42"),
		"other table":  crypto.AssociatedData("admins", "email", "42"),
		"no ad":        nil,
		"shifted":      crypto.AssociatedData("users", "emai", "l42"),
	} {
		t.Run(name, func(t *testing.T) {
			if pt, err := kr.Decrypt(ct, ad); !errors.Is(err, crypto.ErrAuthentication) || pt != nil {
				t.Errorf("Decrypt = %q, %v; want nil, ErrAuthentication", pt, err)
			}
		})
	}
}

func TestAssociatedDataIsUnambiguous(t *testing.T) {
	pairs := [][2][]string{
		{{"ab", "c"}, {"a", "bc"}},
		{{"a", ""}, {"a"}},
		{{""}, {}},
		{{"a\x00\x00\x00\x01b"}, {"a", "b"}},
	}
	for _, p := range pairs {
		if bytes.Equal(crypto.AssociatedData(p[0]...), crypto.AssociatedData(p[1]...)) {
			t.Errorf("AssociatedData(%q) == AssociatedData(%q)", p[0], p[1])
		}
	}
}

// TestRejectsTamperedCiphertext flips every bit of a ciphertext in turn:
// none may decrypt.
func TestRejectsTamperedCiphertext(t *testing.T) {
	kr := mustRing(t, crypto.Config{Keys: twoKeys()})
	for _, id := range []string{"k1", "x2"} {
		t.Run("key="+id, func(t *testing.T) {
			kr := mustRing(t, crypto.Config{Keys: twoKeys(), Primary: id})
			ct, _ := kr.Encrypt([]byte("secret value"), []byte("ad"))
			for i := range len(ct) * 8 {
				bad := slices.Clone(ct)
				bad[i/8] ^= 1 << (i % 8)
				if pt, err := kr.Decrypt(bad, []byte("ad")); err == nil {
					t.Fatalf("bit %d flipped: decrypted to %q", i, pt)
				}
			}
			for n := range len(ct) {
				if _, err := kr.Decrypt(ct[:n], []byte("ad")); err == nil {
					t.Fatalf("truncated to %d bytes: decrypted", n)
				}
			}
		})
	}
	_ = kr
}

// TestKeyIDSelectsCipher: the cipher comes from the configured key, never
// from the ciphertext (RFC 8725 §3.1's lesson), so relabelling an
// XChaCha20 ciphertext with an AES key id only fails authentication.
func TestKeyIDSelectsCipher(t *testing.T) {
	keys := twoKeys()
	keys[1].ID = "k2" // same id length as k1
	kr := mustRing(t, crypto.Config{Keys: keys, Primary: "k2"})
	ct, _ := kr.Encrypt([]byte("v"), []byte("ad"))
	copy(ct[2:4], "k1")
	if _, err := kr.Decrypt(ct, []byte("ad")); !errors.Is(err, crypto.ErrAuthentication) {
		t.Errorf("relabelled ciphertext: err = %v, want ErrAuthentication", err)
	}
}

func TestDecryptErrors(t *testing.T) {
	kr := mustRing(t, crypto.Config{Keys: twoKeys()})
	other := mustRing(t, crypto.Config{Keys: []crypto.Key{{ID: "zz", Secret: testSecret(9)}}})
	sameID := mustRing(t, crypto.Config{Keys: []crypto.Key{{ID: "k1", Secret: testSecret(9)}}})
	fromOther, _ := other.Encrypt([]byte("x"), []byte("ad"))
	fromSameID, _ := sameID.Encrypt([]byte("x"), []byte("ad"))
	tests := []struct {
		name string
		ct   []byte
		want error
	}{
		{"empty", nil, crypto.ErrMalformed},
		{"version 0", []byte{0, 2, 'k', '1'}, crypto.ErrMalformed},
		{"envelope version", []byte{2, 2, 'k', '1'}, crypto.ErrMalformed},
		{"id length 0", []byte{1, 0, 'k'}, crypto.ErrMalformed},
		{"id length 33", append([]byte{1, 33}, bytes.Repeat([]byte("a"), 60)...), crypto.ErrMalformed},
		{"id runs past end", []byte{1, 9, 'k', '1'}, crypto.ErrMalformed},
		{"id with bad byte", append([]byte{1, 2, 'k', 0}, make([]byte, 40)...), crypto.ErrMalformed},
		{"no nonce", []byte{1, 2, 'k', '1'}, crypto.ErrMalformed},
		{"shorter than nonce and tag", append([]byte{1, 2, 'k', '1'}, make([]byte, 27)...), crypto.ErrMalformed},
		{"unknown key", fromOther, crypto.ErrUnknownKey},
		{"same id, other secret", fromSameID, crypto.ErrAuthentication},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pt, err := kr.Decrypt(tt.ct, []byte("ad"))
			if !errors.Is(err, tt.want) || pt != nil {
				t.Errorf("Decrypt = %q, %v; want %v", pt, err, tt.want)
			}
		})
	}
	for _, s := range []string{"", "!!!!", "AQJrMQ==", strings.Repeat("A", 100)} {
		if _, err := kr.DecryptString(s, nil); err == nil {
			t.Errorf("DecryptString(%q) succeeded", s)
		}
	}
}

func TestRotate(t *testing.T) {
	keys := twoKeys()
	old := mustRing(t, crypto.Config{Keys: keys[:1]})
	ad := crypto.AssociatedData("t", "c", "1")
	ct, _ := old.Encrypt([]byte("value"), ad)

	// The new key is prepended and becomes primary; the old one stays.
	kr := mustRing(t, crypto.Config{Keys: []crypto.Key{keys[1], keys[0]}})
	if kr.PrimaryID() != "x2" || !slices.Equal(kr.KeyIDs(), []string{"x2", "k1"}) {
		t.Fatalf("PrimaryID %q, KeyIDs %q", kr.PrimaryID(), kr.KeyIDs())
	}
	if pt, err := kr.Decrypt(ct, ad); err != nil || string(pt) != "value" {
		t.Fatalf("old ciphertext after adding a key: %q, %v", pt, err)
	}
	rot, rotated, err := kr.Rotate(ct, ad)
	if err != nil || !rotated {
		t.Fatalf("Rotate: rotated=%v, %v", rotated, err)
	}
	if id, _ := kr.KeyID(rot); id != "x2" {
		t.Errorf("rotated ciphertext under %q, want x2", id)
	}
	again, rotated, err := kr.Rotate(rot, ad)
	if err != nil || rotated || !bytes.Equal(again, rot) {
		t.Errorf("Rotate of a primary ciphertext: rotated=%v err=%v", rotated, err)
	}
	// Once every value is rotated the old key can go.
	only := mustRing(t, crypto.Config{Keys: keys[1:]})
	if pt, err := only.Decrypt(rot, ad); err != nil || string(pt) != "value" {
		t.Errorf("rotated value after dropping the old key: %q, %v", pt, err)
	}
	if _, err := only.Decrypt(ct, ad); !errors.Is(err, crypto.ErrUnknownKey) {
		t.Errorf("old value after dropping its key: %v, want ErrUnknownKey", err)
	}
}

// TestRotateDoesNotLaunderTamperedValues: rotation authenticates first.
func TestRotateDoesNotLaunderTamperedValues(t *testing.T) {
	keys := twoKeys()
	kr := mustRing(t, crypto.Config{Keys: keys, Primary: "x2"})
	old := mustRing(t, crypto.Config{Keys: keys[:1]})
	ct, _ := old.Encrypt([]byte("value"), []byte("ad"))
	ct[len(ct)-1] ^= 1
	if out, _, err := kr.Rotate(ct, []byte("ad")); !errors.Is(err, crypto.ErrAuthentication) || out != nil {
		t.Errorf("Rotate(tampered) = %x, %v", out, err)
	}
	ct[len(ct)-1] ^= 1
	if _, _, err := kr.Rotate(ct, []byte("other ad")); !errors.Is(err, crypto.ErrAuthentication) {
		t.Errorf("Rotate with wrong ad: %v", err)
	}
}

func TestEnvelope(t *testing.T) {
	keys := twoKeys()
	old := mustRing(t, crypto.Config{Keys: keys[:1]})
	kr := mustRing(t, crypto.Config{Keys: []crypto.Key{keys[1], keys[0]}})
	ad := crypto.AssociatedData("files", "body", "7")
	big := bytes.Repeat([]byte("0123456789abcdef"), 64<<10) // 1 MiB
	env, err := old.SealEnvelope(big, ad)
	if err != nil {
		t.Fatal(err)
	}
	if id, _ := old.KeyID(env); id != "k1" {
		t.Errorf("KeyID(envelope) = %q", id)
	}
	if got, err := kr.OpenEnvelope(env, ad); err != nil || !bytes.Equal(got, big) {
		t.Fatalf("OpenEnvelope: %v", err)
	}
	rot, rotated, err := kr.RotateEnvelope(env, ad)
	if err != nil || !rotated {
		t.Fatalf("RotateEnvelope: %v %v", rotated, err)
	}
	// The encrypted value is untouched: only the wrapped key changed.
	if !bytes.Equal(rot[len(rot)-len(big)-16:], env[len(env)-len(big)-16:]) {
		t.Error("RotateEnvelope re-encrypted the value")
	}
	if id, _ := kr.KeyID(rot); id != "x2" {
		t.Errorf("rotated envelope under %q", id)
	}
	if _, rotated, _ := kr.RotateEnvelope(rot, ad); rotated {
		t.Error("second RotateEnvelope rotated again")
	}
	newOnly := mustRing(t, crypto.Config{Keys: keys[1:]})
	if got, err := newOnly.OpenEnvelope(rot, ad); err != nil || !bytes.Equal(got, big) {
		t.Fatalf("rotated envelope with the new key only: %v", err)
	}
	if _, err := kr.OpenEnvelope(env, []byte("other")); !errors.Is(err, crypto.ErrAuthentication) {
		t.Errorf("wrong ad: %v", err)
	}
	bad := slices.Clone(env)
	bad[len(bad)-1] ^= 1
	if _, err := kr.OpenEnvelope(bad, ad); !errors.Is(err, crypto.ErrAuthentication) {
		t.Errorf("tampered body: %v", err)
	}
	// Rotation does not read the body, and does not launder it either.
	if badRot, _, err := kr.RotateEnvelope(bad, ad); err != nil {
		t.Errorf("RotateEnvelope of a tampered body: %v", err)
	} else if _, err := kr.OpenEnvelope(badRot, ad); !errors.Is(err, crypto.ErrAuthentication) {
		t.Errorf("tampered body after rotation: %v", err)
	}
	if _, _, err := kr.RotateEnvelope(env, []byte("other")); !errors.Is(err, crypto.ErrAuthentication) {
		t.Errorf("RotateEnvelope with the wrong ad: %v", err)
	}
	for _, e := range [][]byte{nil, {2}, {2, 0xff, 0xff}, {1, 2, 3}} {
		if _, err := kr.OpenEnvelope(e, ad); !errors.Is(err, crypto.ErrMalformed) {
			t.Errorf("OpenEnvelope(%x) = %v", e, err)
		}
	}
}

// TestWrappedDataKeyIsNotAnOrdinaryCiphertext: the wrapped data key is
// domain-separated, so Decrypt with the record's ad cannot reveal it.
func TestWrappedDataKeyIsNotAnOrdinaryCiphertext(t *testing.T) {
	kr := mustRing(t, crypto.Config{Keys: twoKeys()})
	ad := []byte("rec")
	env, _ := kr.SealEnvelope([]byte("v"), ad)
	n := int(env[1])<<8 | int(env[2])
	if dek, err := kr.Decrypt(env[3:3+n], ad); err == nil {
		t.Fatalf("wrapped data key decrypted with the record ad: %d bytes", len(dek))
	}
}

func TestNewEphemeral(t *testing.T) {
	a, err := crypto.NewEphemeral()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := crypto.NewEphemeral()
	ct, _ := a.Encrypt([]byte("x"), []byte("ad"))
	if pt, err := a.Decrypt(ct, []byte("ad")); err != nil || string(pt) != "x" {
		t.Fatalf("ephemeral round trip: %v", err)
	}
	if _, err := b.Decrypt(ct, []byte("ad")); err == nil {
		t.Error("two ephemeral keyrings share a key")
	}
	if a.PrimaryID() != "ephemeral" {
		t.Errorf("PrimaryID = %q", a.PrimaryID())
	}
}

func TestTooLarge(t *testing.T) {
	kr := mustRing(t, crypto.Config{Keys: twoKeys()})
	big := make([]byte, crypto.MaxPlaintextLen+1)
	if _, err := kr.Encrypt(big, []byte("ad")); !errors.Is(err, crypto.ErrTooLarge) {
		t.Errorf("Encrypt: %v", err)
	}
	if _, err := kr.EncryptString(string(big), []byte("ad")); !errors.Is(err, crypto.ErrTooLarge) {
		t.Errorf("EncryptString: %v", err)
	}
	if _, err := kr.SealEnvelope(big, []byte("ad")); !errors.Is(err, crypto.ErrTooLarge) {
		t.Errorf("SealEnvelope: %v", err)
	}
}

func TestConfigIsCopied(t *testing.T) {
	keys := twoKeys()
	kr := mustRing(t, crypto.Config{Keys: keys})
	ct, _ := kr.Encrypt([]byte("v"), []byte("ad"))
	clear(keys[0].Secret)
	keys[0].ID = "changed"
	if pt, err := kr.Decrypt(ct, []byte("ad")); err != nil || string(pt) != "v" {
		t.Errorf("mutating the config broke the keyring: %v", err)
	}
}

func TestAllocations(t *testing.T) {
	kr := mustRing(t, crypto.Config{Keys: twoKeys()})
	pt := make([]byte, 1024)
	ad := []byte("users/email/42")
	ct, _ := kr.Encrypt(pt, ad)
	if n := testing.AllocsPerRun(100, func() { _, _ = kr.Encrypt(pt, ad) }); n != 1 {
		t.Errorf("Encrypt allocates %v times, want 1", n)
	}
	if n := testing.AllocsPerRun(100, func() { _, _ = kr.Decrypt(ct, ad) }); n != 1 {
		t.Errorf("Decrypt allocates %v times, want 1", n)
	}
	bad := slices.Clone(ct)
	bad[0] = 9
	if n := testing.AllocsPerRun(100, func() { _, _ = kr.Decrypt(bad, ad) }); n != 0 {
		t.Errorf("Decrypt(malformed) allocates %v times, want 0", n)
	}
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}

// TestRequiresAssociatedData: encrypting without associated data is the
// mistake that lets a ciphertext be pasted onto any row, so it is refused
// unless explicitly allowed.
func TestRequiresAssociatedData(t *testing.T) {
	kr := mustRing(t, crypto.Config{Keys: twoKeys()})
	for _, ad := range [][]byte{nil, {}} {
		if ct, err := kr.Encrypt([]byte("v"), ad); !errors.Is(err, crypto.ErrNoAssociatedData) || ct != nil {
			t.Errorf("Encrypt(ad=%q) = %x, %v", ad, ct, err)
		}
		if s, err := kr.EncryptString("v", ad); !errors.Is(err, crypto.ErrNoAssociatedData) || s != "" {
			t.Errorf("EncryptString(ad=%q) = %q, %v", ad, s, err)
		}
		if env, err := kr.SealEnvelope([]byte("v"), ad); !errors.Is(err, crypto.ErrNoAssociatedData) || env != nil {
			t.Errorf("SealEnvelope(ad=%q) = %x, %v", ad, env, err)
		}
	}
	loose := mustRing(t, crypto.Config{Keys: twoKeys(), InsecureAllowNoAssociatedData: true})
	ct, err := loose.Encrypt([]byte("v"), nil)
	if err != nil {
		t.Fatal(err)
	}
	// A strict keyring still reads (and rotates) such values.
	if pt, err := kr.Decrypt(ct, nil); err != nil || string(pt) != "v" {
		t.Errorf("Decrypt(no ad) = %q, %v", pt, err)
	}
	env, _ := loose.SealEnvelope([]byte("v"), nil)
	if pt, err := kr.OpenEnvelope(env, nil); err != nil || string(pt) != "v" {
		t.Errorf("OpenEnvelope(no ad) = %q, %v", pt, err)
	}
}
