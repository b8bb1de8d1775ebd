package crypto_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/apisec-go/apisec/crypto"
)

// FuzzDecrypt feeds arbitrary bytes to the ciphertext and envelope
// decoders: they must never panic, must fail with one of the documented
// errors, and must never return a plaintext for anything but what the
// keyring produced.
func FuzzDecrypt(f *testing.F) {
	kr, err := crypto.New(crypto.Config{Keys: twoKeys()})
	if err != nil {
		f.Fatal(err)
	}
	ad := []byte("ad")
	ct, _ := kr.Encrypt([]byte("seed"), ad)
	env, _ := kr.SealEnvelope([]byte("seed"), ad)
	x := mustRing(f, crypto.Config{Keys: twoKeys(), Primary: "x2"})
	xct, _ := x.Encrypt([]byte("seed"), ad)
	for _, s := range [][]byte{ct, env, xct, nil, {1}, {1, 2, 'k', '1'}, {2, 0, 0}, {2, 0xff, 0xff}, {1, 33}, ct[:len(ct)-1]} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		for _, fn := range []func([]byte, []byte) ([]byte, error){kr.Decrypt, kr.OpenEnvelope} {
			pt, err := fn(in, ad)
			if err == nil {
				if !bytes.Equal(pt, []byte("seed")) {
					t.Fatalf("forged plaintext %q", pt)
				}
				continue
			}
			if pt != nil || !(errors.Is(err, crypto.ErrMalformed) || errors.Is(err, crypto.ErrUnknownKey) || errors.Is(err, crypto.ErrAuthentication)) {
				t.Fatalf("undocumented failure: %q, %v", pt, err)
			}
		}
		_, _ = kr.KeyID(in)
		_, _, _ = kr.Rotate(in, ad)
		_, _, _ = kr.RotateEnvelope(in, ad)
		_, _ = kr.DecryptString(string(in), ad)
	})
}

// FuzzParseKeys: the key-list parser never panics, and what it accepts,
// New either accepts or rejects with ConfigErrors.
func FuzzParseKeys(f *testing.F) {
	for _, s := range []string{"k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", "a:b", "", ",", "a:xchacha20-poly1305:AA", "::", "k1:-_-_"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		keys, err := crypto.ParseKeys(s)
		if err != nil {
			if keys != nil {
				t.Fatal("keys returned with an error")
			}
			return
		}
		if len(keys) == 0 {
			t.Fatal("no keys and no error")
		}
		if _, err := crypto.New(crypto.Config{Keys: keys}); err != nil {
			var ce *crypto.ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("New: %v", err)
			}
		}
	})
}
