package token_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"testing"

	"github.com/apisec-go/apisec/crypto"
	"github.com/apisec-go/apisec/crypto/token"
)

func BenchmarkSigner(b *testing.B) {
	k := key("k1", 1)
	s, _ := token.New(token.Config{Keys: []crypto.Key{k}, Purpose: "p"})
	msg := make([]byte, 64)
	tag := s.Sign(msg)
	b.Run("op=verify/impl=raw-hmac", func(b *testing.B) {
		b.ReportAllocs()
		want := hmac.New(sha256.New, k.Secret).Sum(nil)
		for b.Loop() {
			m := hmac.New(sha256.New, k.Secret)
			m.Write(msg)
			_ = hmac.Equal(m.Sum(nil), want)
		}
	})
	b.Run("op=verify/impl=signer", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = s.Verify(msg, tag)
		}
	})
	b.Run("op=sign/impl=signer", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = s.Sign(msg)
		}
	})
	b.Run("op=random", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = token.Random()
		}
	})
}
