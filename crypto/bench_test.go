package crypto_test

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"slices"
	"testing"
	"time"

	"github.com/apisec-go/apisec/crypto"
	"golang.org/x/crypto/chacha20poly1305"
)

// BenchmarkAEAD compares the keyring with the raw AEAD it wraps, for a
// 1 KiB value. The baseline includes drawing the random nonce and
// allocating the output, which any correct use of the raw AEAD must do.
// Goal (issue 9): impl=keyring within 1.1x of impl=raw.
func BenchmarkAEAD(b *testing.B) {
	pt := make([]byte, 1024)
	ad := crypto.AssociatedData("users", "email", "42")
	for _, c := range []struct {
		name   string
		cipher crypto.Cipher
		raw    func([]byte) cipher.AEAD
	}{
		{"aes-256-gcm", crypto.AES256GCM, func(k []byte) cipher.AEAD {
			blk, _ := aes.NewCipher(k)
			g, _ := cipher.NewGCM(blk)
			return g
		}},
		{"xchacha20-poly1305", crypto.XChaCha20Poly1305, func(k []byte) cipher.AEAD {
			a, _ := chacha20poly1305.NewX(k)
			return a
		}},
	} {
		key := testSecret(1)
		kr, err := crypto.New(crypto.Config{Keys: []crypto.Key{{ID: "k1", Cipher: c.cipher, Secret: key}}})
		if err != nil {
			b.Fatal(err)
		}
		aead := c.raw(key)
		ns := aead.NonceSize()
		b.Run("cipher="+c.name+"/op=encrypt/impl=raw", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(pt)))
			for b.Loop() {
				out := make([]byte, ns, ns+len(pt)+16)
				_, _ = rand.Read(out)
				_ = aead.Seal(out, out[:ns], pt, ad)
			}
		})
		b.Run("cipher="+c.name+"/op=encrypt/impl=keyring", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(pt)))
			for b.Loop() {
				_, _ = kr.Encrypt(pt, ad)
			}
		})
		nonce := make([]byte, ns)
		rawCT := aead.Seal(nonce, nonce, pt, ad)
		ct, _ := kr.Encrypt(pt, ad)
		b.Run("cipher="+c.name+"/op=decrypt/impl=raw", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(pt)))
			for b.Loop() {
				if _, err := aead.Open(make([]byte, 0, len(pt)), rawCT[:ns], rawCT[ns:], ad); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("cipher="+c.name+"/op=decrypt/impl=keyring", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(pt)))
			for b.Loop() {
				if _, err := kr.Decrypt(ct, ad); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRejectMalformed: garbage is refused before any cryptography.
func BenchmarkRejectMalformed(b *testing.B) {
	kr, _ := crypto.New(crypto.Config{Keys: twoKeys()})
	in := []byte{1, 2, 'z', 'z', 0, 0, 0}
	b.ReportAllocs()
	for b.Loop() {
		_, _ = kr.Decrypt(in, nil)
	}
}

// BenchmarkEnvelope measures sealing and rotating a 1 MiB value: rotation
// re-wraps only the data key.
func BenchmarkEnvelope(b *testing.B) {
	keys := twoKeys()
	kr, _ := crypto.New(crypto.Config{Keys: keys})
	kr2, _ := crypto.New(crypto.Config{Keys: []crypto.Key{keys[1], keys[0]}})
	big := make([]byte, 1<<20)
	ad := []byte("files/body/7")
	env, _ := kr.SealEnvelope(big, ad)
	b.Run("op=seal/size=1MiB", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(big)))
		for b.Loop() {
			_, _ = kr.SealEnvelope(big, ad)
		}
	})
	b.Run("op=rotate/size=1MiB", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _, _ = kr2.RotateEnvelope(env, ad)
		}
	})
}

// BenchmarkAEADPaired runs the raw AEAD and the keyring in alternating
// blocks of 64 operations, swapping which goes first, and reports the
// median time per operation of each and their ratio. On a shared, noisy
// machine this pairing is what makes the 1.1x goal measurable: both sides
// see the same load. The metric keyring/raw is the one to read; ns/op
// there covers one pair of 64-operation blocks and is not comparable.
func BenchmarkAEADPaired(b *testing.B) {
	pt := make([]byte, 1024)
	ad := crypto.AssociatedData("users", "email", "42")
	key := testSecret(1)
	blk, _ := aes.NewCipher(key)
	gcm, _ := cipher.NewGCM(blk)
	xc, _ := chacha20poly1305.NewX(key)
	for _, c := range []struct {
		name   string
		cipher crypto.Cipher
		aead   cipher.AEAD
	}{{"aes-256-gcm", crypto.AES256GCM, gcm}, {"xchacha20-poly1305", crypto.XChaCha20Poly1305, xc}} {
		kr, _ := crypto.New(crypto.Config{Keys: []crypto.Key{{ID: "k1", Cipher: c.cipher, Secret: key}}})
		aead, ns := c.aead, c.aead.NonceSize()
		rawEnc := func() {
			out := make([]byte, ns, ns+len(pt)+16)
			_, _ = rand.Read(out)
			_ = aead.Seal(out, out[:ns], pt, ad)
		}
		krEnc := func() { _, _ = kr.Encrypt(pt, ad) }
		nonce := make([]byte, ns)
		rawCT := aead.Seal(nonce, nonce, pt, ad)
		ct, _ := kr.Encrypt(pt, ad)
		rawDec := func() { _, _ = aead.Open(make([]byte, 0, len(pt)), rawCT[:ns], rawCT[ns:], ad) }
		krDec := func() { _, _ = kr.Decrypt(ct, ad) }
		for _, op := range []struct {
			name      string
			raw, ours func()
		}{{"encrypt", rawEnc, krEnc}, {"decrypt", rawDec, krDec}} {
			b.Run("cipher="+c.name+"/op="+op.name, func(b *testing.B) {
				var rawT, oursT []float64
				block := func(f func()) float64 {
					t0 := time.Now()
					for range 64 {
						f()
					}
					return float64(time.Since(t0).Nanoseconds()) / 64
				}
				i := 0
				for b.Loop() {
					if i%2 == 0 {
						rawT = append(rawT, block(op.raw))
						oursT = append(oursT, block(op.ours))
					} else {
						oursT = append(oursT, block(op.ours))
						rawT = append(rawT, block(op.raw))
					}
					i++
				}
				r, o := median(rawT), median(oursT)
				b.ReportMetric(r, "raw-ns/op")
				b.ReportMetric(o, "keyring-ns/op")
				b.ReportMetric(o/r, "keyring/raw")
			})
		}
	}
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}
