package benchmarks

import (
	"context"
	stdaes "crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"testing"

	"github.com/alexedwards/argon2id"

	apicrypto "github.com/apisec-go/apisec/crypto"
	"github.com/apisec-go/apisec/crypto/password"
)

// BenchmarkPasswordVerify checks one password against one stored argon2id
// hash at the OWASP parameters (m=19456 KiB, t=2, p=1), the same PHC
// string for both implementations, and rejects a malformed stored hash.
// A hash claiming m=4 GiB is not run through the peer: it would allocate
// the 4 GiB; apisec refuses it before hashing (see crypto/password's
// BenchmarkRejectMalformed).
func BenchmarkPasswordVerify(b *testing.B) {
	ctx := context.Background()
	h, err := password.New(password.Config{})
	if err != nil {
		b.Fatal(err)
	}
	const pw = "correct horse battery staple"
	hash, err := h.Hash(ctx, pw)
	if err != nil {
		b.Fatal(err)
	}
	if ok, err := argon2id.ComparePasswordAndHash(pw, hash); !ok || err != nil {
		b.Fatalf("peer cannot read the hash: %v", err)
	}
	for _, sc := range []struct{ name, hash string }{
		{"owasp-argon2id", hash},
		{"malformed", "$argon2id$v=19$m=19456,t=2,p=1$not base64!$x"},
	} {
		b.Run("scenario="+sc.name+"/impl=apisec", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = h.Verify(ctx, sc.hash, pw)
			}
		})
		b.Run("scenario="+sc.name+"/impl=alexedwards-argon2id", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, _ = argon2id.ComparePasswordAndHash(pw, sc.hash)
			}
		})
	}
}

// BenchmarkFieldEncryption encrypts and decrypts a 1 KiB field with
// associated data, through the apisec keyring and through the standard
// library's AES-256-GCM used directly (random nonce prepended), the usual
// hand-rolled alternative.
func BenchmarkFieldEncryption(b *testing.B) {
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	kr, err := apicrypto.New(apicrypto.Config{Keys: []apicrypto.Key{{ID: "k1", Secret: key}}})
	if err != nil {
		b.Fatal(err)
	}
	blk, _ := stdaes.NewCipher(key)
	gcm, _ := cipher.NewGCM(blk)
	pt := make([]byte, 1024)
	ad := apicrypto.AssociatedData("users", "email", "42")
	stdSeal := func() []byte {
		out := make([]byte, 12, 12+len(pt)+16)
		_, _ = rand.Read(out)
		return gcm.Seal(out, out, pt, ad)
	}
	b.Run("scenario=encrypt-1KiB/impl=apisec", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = kr.Encrypt(pt, ad)
		}
	})
	b.Run("scenario=encrypt-1KiB/impl=stdlib-aes-gcm", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = stdSeal()
		}
	})
	ct, _ := kr.Encrypt(pt, ad)
	raw := stdSeal()
	b.Run("scenario=decrypt-1KiB/impl=apisec", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := kr.Decrypt(ct, ad); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("scenario=decrypt-1KiB/impl=stdlib-aes-gcm", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := gcm.Open(nil, raw[:12], raw[12:], ad); err != nil {
				b.Fatal(err)
			}
		}
	})
}
