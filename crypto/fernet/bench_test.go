package fernet_test

import (
	"testing"
	"time"

	"github.com/apisec-go/apisec/crypto/fernet"
)

func BenchmarkDecrypt(b *testing.B) {
	c, _ := fernet.New(fernet.Config{Keys: []fernet.Key{mustKey(b, specKey)}, TTL: time.Minute, Now: at(specNow)})
	b.Run("token=spec", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.Decrypt(specToken); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("token=malformed", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = c.Decrypt("gAAAAA")
		}
	})
}
