package fernet_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apisec-go/apisec/crypto/fernet"
	"github.com/apisec-go/apisec/internal/configtest"
	"github.com/apisec-go/apisec/internal/testenv"
)

// Test vector from the Fernet specification (github.com/fernet/spec,
// verify.json): made at 1985-10-26T01:20:00-07:00, checked one second later.
const (
	specKey   = "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4="
	specToken = "gAAAAAAdwJ6wAAECAwQFBgcICQoLDA0ODy021cpGVWKZ_eEwCGM4BLLF_5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4IwqDA=="
)

var specNow = time.Unix(499162801, 0)

func mustKey(t testing.TB, s string) fernet.Key {
	t.Helper()
	k, err := fernet.ParseKey(s)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func at(ts time.Time) func() time.Time { return func() time.Time { return ts } }

func mustCodec(t testing.TB, cfg fernet.Config) *fernet.Codec {
	t.Helper()
	c, err := fernet.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestSpecVector(t *testing.T) {
	c := mustCodec(t, fernet.Config{Keys: []fernet.Key{mustKey(t, specKey)}, TTL: time.Minute, Now: at(specNow)})
	pt, err := c.Decrypt(specToken)
	if err != nil || string(pt) != "hello" {
		t.Fatalf("Decrypt = %q, %v", pt, err)
	}
}

func TestTTL(t *testing.T) {
	key := mustKey(t, specKey)
	made := time.Unix(499162800, 0)
	tests := []struct {
		name string
		now  time.Time
		ttl  time.Duration
		skip bool
		want error
	}{
		{"fresh", made.Add(time.Second), time.Minute, false, nil},
		{"at the TTL", made.Add(time.Minute), time.Minute, false, nil},
		{"expired", made.Add(time.Minute + time.Second), time.Minute, false, fernet.ErrExpired},
		{"years later with InsecureSkipTTL", made.AddDate(40, 0, 0), 0, true, nil},
		{"from 60s in the future", made.Add(-60 * time.Second), time.Minute, false, nil},
		{"from 61s in the future", made.Add(-61 * time.Second), time.Minute, false, fernet.ErrExpired},
		{"future even with InsecureSkipTTL", made.Add(-time.Hour), 0, true, fernet.ErrExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustCodec(t, fernet.Config{Keys: []fernet.Key{key}, TTL: tt.ttl, InsecureSkipTTL: tt.skip, Now: at(tt.now)})
			pt, err := c.Decrypt(specToken)
			if !errors.Is(err, tt.want) || (err == nil) != (string(pt) == "hello") {
				t.Errorf("Decrypt = %q, %v; want %v", pt, err, tt.want)
			}
		})
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	key := mustKey(t, specKey)
	tests := []struct {
		name string
		cfg  fernet.Config
		want []string
	}{
		{"zero", fernet.Config{}, []string{
			"fernet: Keys: at least one key is required; keys are never generated",
			"fernet: TTL: required (or set InsecureSkipTTL for data at rest)"}},
		{"zero key", fernet.Config{Keys: []fernet.Key{{}}, TTL: time.Minute}, []string{"fernet: Keys[0]: invalid key (use ParseKey)"}},
		{"negative TTL", fernet.Config{Keys: []fernet.Key{key}, TTL: -1}, []string{"fernet: TTL: negative"}},
		{"TTL and skip", fernet.Config{Keys: []fernet.Key{key}, TTL: time.Minute, InsecureSkipTTL: true}, []string{"fernet: InsecureSkipTTL: set together with TTL"}},
		{"negative max", fernet.Config{Keys: []fernet.Key{key}, TTL: time.Minute, MaxTokenBytes: -1}, []string{"fernet: MaxTokenBytes: negative"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := fernet.New(tt.cfg)
			if c != nil || err == nil {
				t.Fatal("New succeeded")
			}
			var got []string
			for _, ce := range configtest.Leaves[fernet.ConfigError](t, err) {
				got = append(got, ce.Error())
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("errors\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestParseKey(t *testing.T) {
	for _, s := range []string{"", "short", specKey[:40], specKey + "AAAA", strings.ReplaceAll(specKey, "_", "/"), "!" + specKey[1:]} {
		if _, err := fernet.ParseKey(s); !errors.Is(err, fernet.ErrInvalidKey) {
			t.Errorf("ParseKey(%q) = %v", s, err)
		}
	}
	for _, s := range []string{specKey, strings.TrimRight(specKey, "="), " " + specKey + "\n"} {
		if _, err := fernet.ParseKey(s); err != nil {
			t.Errorf("ParseKey(%q) = %v", s, err)
		}
	}
}

// TestKeysAreNeverPrinted: fernet keys redact themselves like crypto.Key.
func TestKeysAreNeverPrinted(t *testing.T) {
	key := mustKey(t, specKey)
	raw, _ := base64.URLEncoding.DecodeString(specKey)
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("k", "key", key, "cfg", fernet.Config{Keys: []fernet.Key{key}})
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x", "%q"} {
		buf.WriteString(fmt.Sprintf(verb, key))
		buf.WriteString(fmt.Sprintf(verb, fernet.Config{Keys: []fernet.Key{key}}))
	}
	out := buf.String()
	for _, secret := range []string{specKey[:20], fmt.Sprintf("%x", raw[:8]), fmt.Sprint(raw[:4])[1:12]} {
		if strings.Contains(out, secret) {
			t.Fatalf("key material %q in output: %s", secret, out)
		}
	}
}

// TestCodecNeverPrintsItsKeys: a Codec holds the signing and encryption
// keys; printing or logging it (a debug print, slog.Any("codec", c)) must
// show neither, in any usual rendering of the bytes.
func TestCodecNeverPrintsItsKeys(t *testing.T) {
	raw, _ := base64.URLEncoding.DecodeString(specKey)
	c := mustCodec(t, fernet.Config{Keys: []fernet.Key{mustKey(t, specKey)}, TTL: time.Minute, AllowEncrypt: true})
	var out strings.Builder
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		for _, v := range []any{c, *c, []*fernet.Codec{c}, struct{ C *fernet.Codec }{c}} {
			out.WriteString(fmt.Sprintf(verb, v) + "\n")
		}
	}
	var buf bytes.Buffer
	for _, h := range []slog.Handler{slog.NewJSONHandler(&buf, nil), slog.NewTextHandler(&buf, nil)} {
		slog.New(h).Info("loaded", "codec", c, slog.Any("value", *c))
	}
	out.WriteString(buf.String())
	for _, half := range [][]byte{raw[:16], raw[16:]} {
		for _, secret := range []string{
			fmt.Sprint(half)[1:20], fmt.Sprintf("%#v", half)[8:30], fmt.Sprintf("%x", half[:6]),
			base64.StdEncoding.EncodeToString(half)[:12], base64.URLEncoding.EncodeToString(half)[:12], specKey[:12],
			fmt.Sprint(int(half[3]), " ", int(half[4]), " ", int(half[5])),
		} {
			if strings.Contains(out.String(), secret) {
				t.Fatalf("key material %q in output:\n%s", secret, out.String())
			}
		}
	}
	if got, want := fmt.Sprint(c), "fernet.Codec{Keys:[REDACTED] NumKeys:1 TTL:1m0s AllowEncrypt:true}"; got != want {
		t.Errorf("fmt.Sprint(codec) = %q, want %q", got, want)
	}
	if !strings.Contains(buf.String(), "ttl") {
		t.Errorf("log lost the non-secret settings: %s", buf.String())
	}
}

func TestEncryptRoundTripAndRotation(t *testing.T) {
	oldKey, newKey := mustKey(t, specKey), mustKey(t, base64.URLEncoding.EncodeToString(bytes.Repeat([]byte{7, 9}, 16)))
	now := time.Unix(1_800_000_000, 0)
	old := mustCodec(t, fernet.Config{Keys: []fernet.Key{oldKey}, TTL: time.Hour, AllowEncrypt: true, Now: at(now)})
	both := mustCodec(t, fernet.Config{Keys: []fernet.Key{newKey, oldKey}, TTL: time.Hour, AllowEncrypt: true, Now: at(now)})
	for _, size := range []int{0, 1, 15, 16, 17, 1000} {
		pt := bytes.Repeat([]byte{'a'}, size)
		tok, err := old.Encrypt(pt)
		if err != nil || !strings.HasPrefix(tok, "gAAAAA") {
			t.Fatalf("Encrypt: %q, %v", tok, err)
		}
		if got, err := both.Decrypt(tok); err != nil || !bytes.Equal(got, pt) {
			t.Errorf("size %d: old token through [new, old]: %v", size, err)
		}
		if got, err := old.Decrypt(strings.TrimRight(tok, "=")); err != nil || !bytes.Equal(got, pt) {
			t.Errorf("size %d: unpadded token: %v", size, err)
		}
	}
	tok, _ := both.Encrypt([]byte("x"))
	if _, err := old.Decrypt(tok); !errors.Is(err, fernet.ErrInvalidToken) {
		t.Errorf("new-key token on the old codec: %v", err)
	}
	ro := mustCodec(t, fernet.Config{Keys: []fernet.Key{oldKey}, TTL: time.Hour})
	if _, err := ro.Encrypt([]byte("x")); !errors.Is(err, fernet.ErrEncryptDisabled) {
		t.Errorf("Encrypt without AllowEncrypt: %v", err)
	}
}

// TestRejectsTamperedTokens flips every bit of the decoded spec token: the
// HMAC is checked before decryption, so none decrypts and none reaches the
// padding check (no padding oracle).
func TestRejectsTamperedTokens(t *testing.T) {
	c := mustCodec(t, fernet.Config{Keys: []fernet.Key{mustKey(t, specKey)}, TTL: time.Minute, Now: at(specNow)})
	raw, _ := base64.URLEncoding.DecodeString(specToken)
	for i := range len(raw) * 8 {
		bad := slices.Clone(raw)
		bad[i/8] ^= 1 << (i % 8)
		if pt, err := c.Decrypt(base64.URLEncoding.EncodeToString(bad)); !errors.Is(err, fernet.ErrInvalidToken) {
			t.Fatalf("bit %d: %q, %v", i, pt, err)
		}
	}
	for _, tok := range []string{"", "gAAAAA", specToken[:len(specToken)-4], specToken + "AAAA", strings.ReplaceAll(specToken, "_", "/"),
		specToken[:len(specToken)-3] + "B==", strings.Repeat("A", 2<<20)} {
		if _, err := c.Decrypt(tok); !errors.Is(err, fernet.ErrInvalidToken) {
			t.Errorf("Decrypt(%.20q…) = %v", tok, err)
		}
	}
}

func TestMaxTokenBytes(t *testing.T) {
	c := mustCodec(t, fernet.Config{Keys: []fernet.Key{mustKey(t, specKey)}, TTL: time.Minute, Now: at(specNow), MaxTokenBytes: 100})
	if _, err := c.Decrypt(specToken); err != nil {
		t.Fatalf("%d-byte token under a 100-byte cap: %v", len(specToken), err)
	}
	c = mustCodec(t, fernet.Config{Keys: []fernet.Key{mustKey(t, specKey)}, TTL: time.Minute, Now: at(specNow), MaxTokenBytes: 99})
	if _, err := c.Decrypt(specToken); !errors.Is(err, fernet.ErrInvalidToken) {
		t.Errorf("%d-byte token under a 99-byte cap: %v", len(specToken), err)
	}
}

func TestLogsFailures(t *testing.T) {
	var buf bytes.Buffer
	c := mustCodec(t, fernet.Config{Keys: []fernet.Key{mustKey(t, specKey)}, TTL: time.Minute, Now: at(specNow.Add(time.Hour)),
		Logger: slog.New(slog.NewJSONHandler(&buf, nil))})
	if _, err := c.Decrypt(specToken); !errors.Is(err, fernet.ErrExpired) {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"msg":"crypt_decrypt_fail"`) || strings.Contains(buf.String(), specToken[:20]) {
		t.Errorf("log = %s", buf.String())
	}
}

// python runs a script with /usr/bin/python3 and python3-cryptography.
func python(t *testing.T, script string, args ...string) string {
	t.Helper()
	return testenv.Python(t, "cryptography.fernet", "python3-cryptography", script, args...)
}

// TestInteropWithPythonCryptography: tokens made by Python's Fernet
// decrypt here with the TTL enforced, and ours decrypt in Python.
func TestInteropWithPythonCryptography(t *testing.T) {
	made := int64(1_800_000_000)
	out := python(t, `
import sys
from cryptography.fernet import Fernet
key = Fernet.generate_key()
f = Fernet(key)
t = int(sys.argv[1])
print(key.decode())
print(f.encrypt_at_time(b"from python \xe2\x9c\x93", t).decode())
print(f.encrypt_at_time(b"", t).decode())
`, strconv.FormatInt(made, 10))
	lines := strings.Split(out, "\n")
	if len(lines) != 3 {
		t.Fatalf("python output %q", out)
	}
	key := mustKey(t, lines[0])
	c := mustCodec(t, fernet.Config{Keys: []fernet.Key{key}, TTL: time.Minute, AllowEncrypt: true, Now: at(time.Unix(made+30, 0))})
	if pt, err := c.Decrypt(lines[1]); err != nil || string(pt) != "from python ✓" {
		t.Errorf("Decrypt(python token) = %q, %v", pt, err)
	}
	if pt, err := c.Decrypt(lines[2]); err != nil || len(pt) != 0 {
		t.Errorf("Decrypt(python empty token) = %q, %v", pt, err)
	}
	late := mustCodec(t, fernet.Config{Keys: []fernet.Key{key}, TTL: time.Minute, Now: at(time.Unix(made+61, 0))})
	if _, err := late.Decrypt(lines[1]); !errors.Is(err, fernet.ErrExpired) {
		t.Errorf("python token past TTL: %v", err)
	}

	ours, err := c.Encrypt([]byte("from go ✓"))
	if err != nil {
		t.Fatal(err)
	}
	got := python(t, `
import sys
from cryptography.fernet import Fernet, InvalidToken
f = Fernet(sys.argv[1].encode())
now = int(sys.argv[3])
print(f.decrypt_at_time(sys.argv[2].encode(), 60, now + 10).decode())
try:
    f.decrypt_at_time(sys.argv[2].encode(), 60, now + 120)
    print("accepted")
except InvalidToken:
    print("expired")
`, lines[0], ours, strconv.FormatInt(made+30, 10))
	if got != "from go ✓\nexpired" {
		t.Errorf("python on our token: %q", got)
	}
}

func FuzzDecrypt(f *testing.F) {
	c, err := fernet.New(fernet.Config{Keys: []fernet.Key{mustKey(f, specKey)}, TTL: time.Minute, Now: at(specNow)})
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{specToken, strings.TrimRight(specToken, "="), "", "gAAAAA==", specToken[:90], "====", "gA"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, tok string) {
		pt, err := c.Decrypt(tok)
		if err == nil && string(pt) != "hello" {
			t.Fatalf("forged plaintext %q from %q", pt, tok)
		}
		if err != nil && !errors.Is(err, fernet.ErrInvalidToken) && !errors.Is(err, fernet.ErrExpired) {
			t.Fatalf("undocumented error %v", err)
		}
	})
}
