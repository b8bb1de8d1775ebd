package password_test

import (
	"context"
	"testing"

	"github.com/apisec-go/apisec/crypto/password"
	"golang.org/x/crypto/argon2"
)

// BenchmarkHash measures one argon2id hash at the default (OWASP)
// parameters, through the Hasher and through x/crypto/argon2 directly.
// On the 2-core amd64 reference machine: about 20 ms per hash (doc.go).
func BenchmarkHash(b *testing.B) {
	h, err := password.New(password.Config{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.Run("impl=raw-argon2id", func(b *testing.B) {
		b.ReportAllocs()
		salt := make([]byte, 16)
		for b.Loop() {
			_ = argon2.IDKey([]byte("correct horse battery staple"), salt, 2, 19456, 1, 32)
		}
	})
	b.Run("impl=hasher/op=hash", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := h.Hash(ctx, "correct horse battery staple"); err != nil {
				b.Fatal(err)
			}
		}
	})
	hash, _ := h.Hash(ctx, "correct horse battery staple")
	b.Run("impl=hasher/op=verify", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := h.Verify(ctx, hash, "correct horse battery staple"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=hasher/op=verify-dummy", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = h.VerifyDummy(ctx, "correct horse battery staple")
		}
	})
}

// BenchmarkRejectMalformed shows that a malformed or over-costly stored
// hash is refused without hashing, in constant time (issue 9): compare
// with the milliseconds of BenchmarkHash.
func BenchmarkRejectMalformed(b *testing.B) {
	h, _ := password.New(password.Config{})
	ctx := context.Background()
	for _, c := range []struct{ name, hash string }{
		{"garbage", "not a hash"},
		{"m=4GiB", "$argon2id$v=19$m=4194304,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"},
		{"bad-param-order", "$argon2id$v=19$t=2,m=19456,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"},
		{"bcrypt-cost-31", "$2b$31$kK4vYFBTWsNAXLZA/qST2OghRHECmC1Y8EkokJXpd4XFkDIxWz5Ua"},
	} {
		b.Run("hash="+c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := h.Verify(ctx, c.hash, "password"); err == nil {
					b.Fatal("accepted")
				}
			}
		})
	}
}
