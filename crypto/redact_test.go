package crypto_test

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/apisec-go/apisec/crypto"
	"github.com/apisec-go/apisec/crypto/password"
	"github.com/apisec-go/apisec/crypto/token"
)

// leaks reports whether out contains the secret in any usual encoding.
func leaks(out string, secret []byte) bool {
	for _, enc := range []string{
		string(secret), hex.EncodeToString(secret), strings.ToUpper(hex.EncodeToString(secret)),
		base64.StdEncoding.EncodeToString(secret), base64.RawURLEncoding.EncodeToString(secret),
		fmt.Sprint([]byte(secret)), fmt.Sprintf("%#v", []byte(secret)),
	} {
		if strings.Contains(out, enc) {
			return true
		}
	}
	// A run of the secret's decimal bytes also counts.
	return strings.Contains(out, fmt.Sprint(int(secret[3]), " ", int(secret[4]), " ", int(secret[5])))
}

// TestKeysAreNeverPrinted defends issue 9's rule that keys never reach a
// log or a debug print: Key and Secret redact themselves for every fmt
// verb, for slog (text and JSON) and for encoding/json.
func TestKeysAreNeverPrinted(t *testing.T) {
	secret := testSecret(0x61) // printable bytes, so %s would show them
	key := crypto.Key{ID: "k1", Secret: secret}
	keys := []crypto.Key{key}
	cfg := struct {
		Name string
		Keys []crypto.Key
	}{"cfg", keys}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T"} {
		for name, v := range map[string]any{"Key": key, "*Key": &key, "Secret": key.Secret, "[]Key": keys, "struct": cfg} {
			out := fmt.Sprintf(verb, v)
			if leaks(out, secret) {
				t.Errorf("fmt %s of %s leaks the secret: %s", verb, name, out)
			}
		}
	}
	if got := fmt.Sprint(key); got != "Key{ID:k1 Cipher:aes-256-gcm Secret:[REDACTED]}" {
		t.Errorf("fmt.Sprint(key) = %q", got)
	}
	var buf bytes.Buffer
	for _, h := range []slog.Handler{slog.NewJSONHandler(&buf, nil), slog.NewTextHandler(&buf, nil)} {
		slog.New(h).Info("loaded", "key", key, "secret", key.Secret, "keys", keys, "cfg", cfg)
	}
	if leaks(buf.String(), secret) || !strings.Contains(buf.String(), "k1") {
		t.Errorf("slog output leaks the secret or lost the id: %s", buf.String())
	}
	js, err := json.Marshal(cfg)
	if err != nil || leaks(string(js), secret) {
		t.Errorf("json.Marshal leaks the secret: %s %v", js, err)
	}
}

// TestTypesHoldingKeysNeverPrintThem: a Keyring, a token Signer and a
// password Hasher (its peppers) hold key material behind unexported
// fields; printing or logging one must not reach it. (fernet.Codec has
// its own test.)
func TestTypesHoldingKeysNeverPrintThem(t *testing.T) {
	secret := testSecret(0x61)
	keys := []crypto.Key{{ID: "k1", Secret: secret}}
	kr := mustRing(t, crypto.Config{Keys: keys})
	sg, err := token.New(token.Config{Keys: keys, Purpose: "p"})
	if err != nil {
		t.Fatal(err)
	}
	_ = sg.Sign([]byte("warm the pool"))
	ph, err := password.New(password.Config{Peppers: keys})
	if err != nil {
		t.Fatal(err)
	}
	vals := map[string]any{"*Keyring": kr, "*Signer": sg, "*Hasher": ph}
	var buf bytes.Buffer
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		for _, v := range vals {
			buf.WriteString(fmt.Sprintf(verb, v) + "\n")
		}
	}
	for _, h := range []slog.Handler{slog.NewJSONHandler(&buf, nil), slog.NewTextHandler(&buf, nil)} {
		for name, v := range vals {
			slog.New(h).Info("x", name, v)
		}
	}
	if leaks(buf.String(), secret) {
		t.Errorf("output leaks the secret:\n%s", buf.String())
	}
	if got, want := fmt.Sprint(ph), "password.Hasher{m=19456,t=2,p=1 Pepper:k1 Peppers:[REDACTED]}"; got != want {
		t.Errorf("fmt.Sprint(hasher) = %q, want %q", got, want)
	}
}

// TestParseErrorsNeverQuoteKeys: a malformed key list produces errors
// naming the item, never its content (the content may be a real key).
func TestParseErrorsNeverQuoteKeys(t *testing.T) {
	secret := "c2VjcmV0LWtleS1tYXRlcmlhbC10aGF0LW11c3Qtbm90LWxlYWs"
	for _, in := range []string{secret, "k1:" + secret + "!", "k1:aes:" + secret, "k1:a:b:" + secret, "bad id:" + secret} {
		_, err := crypto.ParseKeys(in)
		if err == nil || strings.Contains(err.Error(), secret[:20]) {
			t.Errorf("ParseKeys error %v quotes the input", err)
		}
	}
	for _, n := range []int{16, 31, 33} {
		_, err := crypto.New(crypto.Config{Keys: []crypto.Key{{ID: "a", Secret: bytes.Repeat([]byte("Zq"), n)[:n]}}})
		if err == nil || strings.Contains(err.Error(), "ZqZq") {
			t.Errorf("New error %v quotes the key", err)
		}
	}
}

func TestLogsDecryptFailure(t *testing.T) {
	var buf bytes.Buffer
	secret := testSecret(0x61)
	kr, err := crypto.New(crypto.Config{
		Keys:   []crypto.Key{{ID: "k1", Secret: secret}},
		Logger: slog.New(slog.NewJSONHandler(&buf, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	ct, _ := kr.Encrypt([]byte("PLAINTEXT-VALUE"), []byte("a"))
	if _, err := kr.Decrypt(ct, []byte("b")); err == nil {
		t.Fatal("decrypted with the wrong ad")
	}
	var rec map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
		t.Fatalf("log: %v: %s", err, buf.String())
	}
	if rec["msg"] != "crypt_decrypt_fail" || rec["level"] != "WARN" || rec["key_id"] != "k1" ||
		rec["reason"] != crypto.ErrAuthentication.Error() {
		t.Errorf("log record = %v", rec)
	}
	if strings.Contains(buf.String(), "PLAINTEXT") || leaks(buf.String(), secret) {
		t.Errorf("log leaks data: %s", buf.String())
	}
	buf.Reset()
	if _, err := kr.Decrypt([]byte{9, 9, 9}, nil); err == nil {
		t.Fatal("decrypted garbage")
	}
	if !strings.Contains(buf.String(), `"reason":"crypto: malformed ciphertext"`) {
		t.Errorf("malformed input not logged: %s", buf.String())
	}
}
