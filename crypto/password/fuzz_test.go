package password_test

import (
	"errors"
	"testing"

	"github.com/apisec-go/apisec/crypto/password"
)

// FuzzVerify feeds arbitrary stored hashes to the PHC/bcrypt/scrypt
// parser. It must never panic, and the work it lets through is bounded:
// any hash it accepts stays within MaxMemoryKiB. The bounds are set low so
// that accepted inputs hash quickly.
func FuzzVerify(f *testing.F) {
	h, err := password.New(password.Config{MaxMemoryKiB: 19456, MaxIterations: 2, MaxParallelism: 2, MaxBcryptCost: 4})
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{
		"$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
		"$argon2i$v=19$m=256,t=2,p=2$c29tZXNhbHQ$T/XOJ2mh1/TIpJHfCdQan76Q5esCFVoT5MAeIM1Oq2E",
		"$argon2id$v=19$m=16,t=1,p=1,pepper=p1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
		"$argon2id$v=19$m=4194304,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
		"$2y$04$kK4vYFBTWsNAXLZA/qST2OghRHECmC1Y8EkokJXpd4XFkDIxWz5Ua",
		"$2b$31$kK4vYFBTWsNAXLZA/qST2OghRHECmC1Y8EkokJXpd4XFkDIxWz5Ua",
		"$scrypt$ln=4,r=8,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
		"$scrypt$ln=62,r=8,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
		"$scrypt$ln=37,r=1048576,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc", // 128·r·N = 2^64
		"", "$", "$argon2id$v=19$m=08,t=1,p=1$$", "$2", "$scrypt$ln=1,r=1,p=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA",
	} {
		f.Add(s, "password")
	}
	f.Fuzz(func(t *testing.T, hash, pw string) {
		kib, perr := password.ParsedMemoryKiB(h, hash)
		if perr == nil && kib > 19456 {
			t.Fatalf("accepted %q needing %d KiB", hash, kib)
		}
		err := h.Verify(ctx, hash, pw)
		if perr != nil && !errors.Is(err, perr) {
			t.Fatalf("parse said %v, Verify said %v", perr, err)
		}
		for _, known := range []error{nil, password.ErrMismatch, password.ErrMalformedHash, password.ErrHashTooCostly,
			password.ErrUnknownPepper, password.ErrPasswordTooLong} {
			if errors.Is(err, known) {
				_ = h.NeedsRehash(hash)
				return
			}
		}
		t.Fatalf("Verify(%q) = undocumented %v", hash, err)
	})
}
