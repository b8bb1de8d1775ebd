package password_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apisec-go/apisec/crypto"
	"github.com/apisec-go/apisec/crypto/password"
	"github.com/apisec-go/apisec/internal/configtest"
)

var ctx = context.Background()

func mustHasher(t testing.TB, cfg password.Config) *password.Hasher {
	t.Helper()
	h, err := password.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return h
}

func pepper(id string, seed byte) crypto.Key {
	b := make([]byte, 32)
	for i := range b {
		b[i] = seed + byte(i)
	}
	return crypto.Key{ID: id, Secret: b}
}

func TestNewRejectsBadConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  password.Config
		want []string
	}{
		{"memory below OWASP", password.Config{MemoryKiB: 4096}, []string{"password: MemoryKiB: below the OWASP minimum of 19456 KiB"}},
		{"iterations below OWASP", password.Config{Iterations: 1}, []string{"password: Iterations: below the OWASP minimum of 2"}},
		{"salt", password.Config{SaltLen: 8}, []string{"password: SaltLen: must be 16 to 64 bytes"}},
		{"key", password.Config{KeyLen: 200}, []string{"password: KeyLen: must be 16 to 128 bytes"}},
		{"bounds below policy", password.Config{MemoryKiB: 65536, MaxMemoryKiB: 32768, Iterations: 4, MaxIterations: 3, Parallelism: 4, MaxParallelism: 2},
			[]string{
				"password: MaxMemoryKiB: below MemoryKiB: new hashes would not verify",
				"password: MaxIterations: below Iterations: new hashes would not verify",
				"password: MaxParallelism: below Parallelism: new hashes would not verify",
			}},
		{"max memory above 4 GiB", password.Config{MaxMemoryKiB: 5 << 20}, []string{"password: MaxMemoryKiB: above 4 GiB"}},
		{"bcrypt cost", password.Config{MaxBcryptCost: 40}, []string{"password: MaxBcryptCost: must be 4 to 31"}},
		{"password cap", password.Config{MaxPasswordBytes: 32}, []string{"password: MaxPasswordBytes: below 64 (NIST SP 800-63B)"}},
		{"negative limiter", password.Config{MaxConcurrent: -1, MaxWait: -time.Second},
			[]string{"password: MaxConcurrent: negative", "password: MaxWait: negative"}},
		{"short pepper", password.Config{Peppers: []crypto.Key{{ID: "p", Secret: []byte("0123456789")}}},
			[]string{"crypto: Peppers[0].Secret: is 10 bytes, want 32 to 64"}},
		{"duplicate pepper", password.Config{Peppers: []crypto.Key{pepper("p", 1), pepper("p", 1)}},
			[]string{"crypto: Peppers[1].ID: duplicate key id p (also Peppers[0])", "crypto: Peppers[1].Secret: same secret as Peppers[0]"}},
		{"unknown pepper", password.Config{Pepper: "p2", Peppers: []crypto.Key{pepper("p1", 1)}}, []string{"password: Pepper: no key with this id in Peppers"}},
		{"pepper without peppers", password.Config{Pepper: "p1"}, []string{"password: Pepper: no key with this id in Peppers"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := password.New(tt.cfg)
			if h != nil || err == nil {
				t.Fatal("New succeeded")
			}
			if got := configtest.Messages(err); !slices.Equal(got, tt.want) {
				t.Errorf("errors\n got %q\nwant %q", got, tt.want)
			}
			var ce1 *password.ConfigError
			var ce2 *crypto.ConfigError
			if !errors.As(err, &ce1) && !errors.As(err, &ce2) {
				t.Errorf("no typed ConfigError in %v", err)
			}
		})
	}
	if _, err := password.New(password.Config{}); err != nil {
		t.Errorf("zero Config: %v", err)
	}
}

func TestHashAndVerify(t *testing.T) {
	h := mustHasher(t, password.Config{})
	hash, err := h.Hash(ctx, "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q does not use the OWASP parameters", hash)
	}
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || len(parts[4]) != 22 || len(parts[5]) != 43 {
		t.Errorf("hash %q: want 16-byte salt and 32-byte hash, unpadded", hash)
	}
	if err := h.Verify(ctx, hash, "correct horse battery staple"); err != nil {
		t.Errorf("Verify(right password) = %v", err)
	}
	for _, wrong := range []string{"", "Correct horse battery staple"} {
		if err := h.Verify(ctx, hash, wrong); !errors.Is(err, password.ErrMismatch) {
			t.Errorf("Verify(%q) = %v, want ErrMismatch", wrong, err)
		}
	}
	other, _ := h.Hash(ctx, "correct horse battery staple")
	if other == hash {
		t.Error("two hashes of one password are equal: salt not random")
	}
	if h.NeedsRehash(hash) {
		t.Error("NeedsRehash(fresh hash) = true")
	}
	if _, err := h.Hash(ctx, ""); !errors.Is(err, password.ErrEmptyPassword) {
		t.Errorf("Hash(\"\") = %v", err)
	}
	if _, err := h.Hash(ctx, strings.Repeat("a", 1025)); !errors.Is(err, password.ErrPasswordTooLong) {
		t.Errorf("Hash(1025 bytes) = %v", err)
	}
	if err := h.Verify(ctx, hash, strings.Repeat("a", 1025)); !errors.Is(err, password.ErrPasswordTooLong) {
		t.Errorf("Verify(1025 bytes) = %v", err)
	}
}

func TestRaisedParameters(t *testing.T) {
	h := mustHasher(t, password.Config{MemoryKiB: 32768, Iterations: 3, Parallelism: 2, SaltLen: 24, KeyLen: 48})
	hash, err := h.Hash(ctx, "pw")
	if err != nil || !strings.HasPrefix(hash, "$argon2id$v=19$m=32768,t=3,p=2$") {
		t.Fatalf("Hash = %q, %v", hash, err)
	}
	if err := h.Verify(ctx, hash, "pw"); err != nil {
		t.Error(err)
	}
	// A hash at the OWASP minimum now needs a rehash.
	def := mustHasher(t, password.Config{})
	old, _ := def.Hash(ctx, "pw")
	if !h.NeedsRehash(old) {
		t.Error("NeedsRehash(weaker hash) = false")
	}
	if def.NeedsRehash(hash) {
		t.Error("NeedsRehash(stronger hash) = true")
	}
}

func TestNeedsRehash(t *testing.T) {
	h := mustHasher(t, password.Config{})
	const salt16, hash32 = "c29tZXNhbHRzb21lc2FsdA", "CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"
	tests := []struct {
		name, hash string
		want       bool
	}{
		{"policy", "$argon2id$v=19$m=19456,t=2,p=1$" + salt16 + "$" + hash32, false},
		{"stronger", "$argon2id$v=19$m=65536,t=3,p=4$" + salt16 + "$" + hash32, false},
		{"less memory", "$argon2id$v=19$m=19455,t=2,p=1$" + salt16 + "$" + hash32, true},
		{"fewer iterations", "$argon2id$v=19$m=47104,t=1,p=1$" + salt16 + "$" + hash32, true},
		{"short salt", "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$" + hash32, true},
		{"short hash", "$argon2id$v=19$m=19456,t=2,p=1$" + salt16 + "$IbsYWkAgxSvGM22a4KGihQ", true},
		{"argon2i", "$argon2i$v=19$m=19456,t=2,p=1$" + salt16 + "$" + hash32, true},
		{"bcrypt", "$2y$12$60F0YETvV0FUBQHRlttLMusDT7yQXtljCelQqtP2rWWxmzEmzd/06", true},
		{"scrypt", "$scrypt$ln=17,r=8,p=1$" + salt16 + "$" + hash32, true},
		{"peppered, no pepper configured", "$argon2id$v=19$m=19456,t=2,p=1,pepper=p1$" + salt16 + "$" + hash32, true},
		{"malformed", "$argon2id$", true},
		{"empty", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := h.NeedsRehash(tt.hash); got != tt.want {
				t.Errorf("NeedsRehash = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestRejectsMalformedHashes covers the PHC parser's strictness: nothing
// outside the documented grammar is accepted.
func TestRejectsMalformedHashes(t *testing.T) {
	h := mustHasher(t, password.Config{})
	const s, k = "c29tZXNhbHQ", "CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"
	for name, hash := range map[string]string{
		"empty":               "",
		"plain text":          "password",
		"md5 crypt":           "$1$saltsalt$qjXMvbEw8oaL.CzflDugX/",
		"argon2d":             "$argon2d$v=19$m=65536,t=2,p=1$" + s + "$" + k,
		"version 16":          "$argon2id$v=16$m=65536,t=2,p=1$" + s + "$" + k,
		"no version":          "$argon2id$m=65536,t=2,p=1$" + s + "$" + k,
		"params out of order": "$argon2id$v=19$t=2,m=65536,p=1$" + s + "$" + k,
		"missing p":           "$argon2id$v=19$m=65536,t=2$" + s + "$" + k,
		"repeated param":      "$argon2id$v=19$m=65536,t=2,p=1,p=1$" + s + "$" + k,
		"leading zero":        "$argon2id$v=19$m=065536,t=2,p=1$" + s + "$" + k,
		"sign":                "$argon2id$v=19$m=+65536,t=2,p=1$" + s + "$" + k,
		"zero t":              "$argon2id$v=19$m=65536,t=0,p=1$" + s + "$" + k,
		"zero p":              "$argon2id$v=19$m=65536,t=2,p=0$" + s + "$" + k,
		"m below 8p":          "$argon2id$v=19$m=15,t=2,p=2$" + s + "$" + k,
		"overflow":            "$argon2id$v=19$m=99999999999,t=2,p=1$" + s + "$" + k,
		"trailing comma":      "$argon2id$v=19$m=65536,t=2,p=1,$" + s + "$" + k,
		"unknown param":       "$argon2id$v=19$m=65536,t=2,p=1,x=1$" + s + "$" + k,
		"pepper on argon2i":   "$argon2i$v=19$m=65536,t=2,p=1,pepper=a$" + s + "$" + k,
		"empty pepper":        "$argon2id$v=19$m=65536,t=2,p=1,pepper=$" + s + "$" + k,
		"padded salt":         "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ=$" + k,
		"url-safe base64":     "$argon2id$v=19$m=256,t=2,p=1$" + s + "$nf65EOgLrQMR_uIPnA4rEsF5h7TKyQwu9U1bMCHGi_4",
		"salt too short":      "$argon2id$v=19$m=65536,t=2,p=1$c29tZQ$" + k,
		"hash too short":      "$argon2id$v=19$m=65536,t=2,p=1$" + s + "$CTFhFdXPJO1a",
		"extra field":         "$argon2id$v=19$m=65536,t=2,p=1$" + s + "$" + k + "$",
		"non-canonical b64":   "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHR$" + k,
		"huge":                "$argon2id$v=19$m=65536,t=2,p=1$" + strings.Repeat("A", 500) + "$" + k,
		"bcrypt short":        "$2y$05$kK4vYFBTWsNAXLZA/qST2OghRHECmC1Y8EkokJXpd4XFkDIxWz5U",
		"bcrypt cost 03":      "$2y$03$kK4vYFBTWsNAXLZA/qST2OghRHECmC1Y8EkokJXpd4XFkDIxWz5Ua",
		"bcrypt $2x$":         "$2x$05$kK4vYFBTWsNAXLZA/qST2OghRHECmC1Y8EkokJXpd4XFkDIxWz5Ua",
		"bcrypt bad alphabet": "$2y$05$kK4vYFBTWsNAXLZA+qST2OghRHECmC1Y8EkokJXpd4XFkDIxWz5Ua",
		"scrypt no p":         "$scrypt$ln=10,r=8$" + s + "$" + k,
		"scrypt ln 0":         "$scrypt$ln=0,r=8,p=1$" + s + "$" + k,
	} {
		t.Run(name, func(t *testing.T) {
			if err := h.Verify(ctx, hash, "password"); !errors.Is(err, password.ErrMalformedHash) {
				t.Errorf("Verify = %v, want ErrMalformedHash", err)
			}
		})
	}
}

// TestRejectsHashClaimingHugeMemory defends against a tampered row that
// asks for m = 4 GiB (issue 9): it is refused before any hashing, so it
// returns at once and allocates nothing.
func TestRejectsHashClaimingHugeMemory(t *testing.T) {
	h := mustHasher(t, password.Config{})
	const s, k = "c29tZXNhbHQ", "CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"
	for name, hash := range map[string]string{
		"argon2 m=4GiB":      "$argon2id$v=19$m=4194304,t=2,p=1$" + s + "$" + k,
		"argon2 m=max":       "$argon2id$v=19$m=4294967295,t=2,p=1$" + s + "$" + k,
		"argon2 t=1e9":       "$argon2id$v=19$m=19456,t=1000000000,p=1$" + s + "$" + k,
		"argon2 p=255":       "$argon2id$v=19$m=65536,t=2,p=255$" + s + "$" + k,
		"argon2i m=4GiB":     "$argon2i$v=19$m=4194304,t=2,p=1$" + s + "$" + k,
		"bcrypt cost 31":     "$2b$31$kK4vYFBTWsNAXLZA/qST2OghRHECmC1Y8EkokJXpd4XFkDIxWz5Ua",
		"scrypt N=2^30":      "$scrypt$ln=30,r=8,p=1$" + s + "$" + k,
		"scrypt r huge":      "$scrypt$ln=10,r=4000000,p=1$" + s + "$" + k,
		"scrypt 256MiB":      "$scrypt$ln=18,r=8,p=1$" + s + "$" + k,
		"scrypt ln overflow": "$scrypt$ln=62,r=8,p=1$" + s + "$" + k,
		// 128·r·N = 2^7·2^20·2^37 = 2^64 wraps a uint64 to 0.
		"scrypt 128rN wraps":  "$scrypt$ln=37,r=1048576,p=1$" + s + "$" + k,
		"scrypt 128rN > 2^64": "$scrypt$ln=40,r=1048576,p=1$" + s + "$" + k,
	} {
		t.Run(name, func(t *testing.T) {
			allocs := testing.AllocsPerRun(10, func() {
				if err := h.Verify(ctx, hash, "password"); !errors.Is(err, password.ErrHashTooCostly) {
					t.Errorf("Verify = %v, want ErrHashTooCostly", err)
				}
			})
			if allocs != 0 {
				t.Errorf("rejecting allocated %v times: work was done", allocs)
			}
		})
	}
	// The bounds are configurable: the same m=64 MiB hash passes a wider bound.
	wide := mustHasher(t, password.Config{MaxMemoryKiB: 1 << 16})
	if err := wide.Verify(ctx, "$argon2id$v=19$m=65536,t=2,p=1$"+s+"$"+k, "password"); err != nil {
		t.Errorf("reference hash under MaxMemoryKiB=65536: %v", err)
	}
	narrow := mustHasher(t, password.Config{MaxMemoryKiB: 32768})
	if err := narrow.Verify(ctx, "$argon2id$v=19$m=65536,t=2,p=1$"+s+"$"+k, "password"); !errors.Is(err, password.ErrHashTooCostly) {
		t.Errorf("m=65536 under MaxMemoryKiB=32768: %v", err)
	}
}

// TestBcryptNeverTruncates: bcrypt reads at most 72 bytes, so a password
// sharing its first 72 bytes with the real one would match. Verify refuses
// longer passwords instead (OWASP Password Storage Cheat Sheet).
func TestBcryptNeverTruncates(t *testing.T) {
	h := mustHasher(t, password.Config{})
	long := strings.Repeat("x", 72)
	// bcrypt of the 72 x's at cost 4, computed with x/crypto/bcrypt.
	hash := bcryptHash(t, long)
	if err := h.Verify(ctx, hash, long); err != nil {
		t.Fatalf("72-byte password: %v", err)
	}
	for _, extra := range []string{"y", "anything at all"} {
		if err := h.Verify(ctx, hash, long+extra); !errors.Is(err, password.ErrPasswordTooLong) {
			t.Errorf("73+ byte password sharing the first 72 bytes: %v, want ErrPasswordTooLong", err)
		}
	}
	nul := bcryptHash(t, "abc")
	if err := h.Verify(ctx, nul, "abc\x00def"); !errors.Is(err, password.ErrMismatch) {
		t.Errorf("password with NUL: %v", err)
	}
}

func TestPepper(t *testing.T) {
	t.Parallel()
	p1, p2 := pepper("p1", 1), pepper("p2", 2)
	h1 := mustHasher(t, password.Config{Peppers: []crypto.Key{p1}})
	hash, err := h1.Hash(ctx, "pw")
	if err != nil || !strings.HasPrefix(hash, "$argon2id$v=19$m=19456,t=2,p=1,pepper=p1$") {
		t.Fatalf("Hash = %q, %v", hash, err)
	}
	if err := h1.Verify(ctx, hash, "pw"); err != nil {
		t.Fatal(err)
	}
	// Without the pepper the hash is useless: a leaked table alone cannot
	// be attacked, and the verifier says why.
	none := mustHasher(t, password.Config{})
	if err := none.Verify(ctx, hash, "pw"); !errors.Is(err, password.ErrUnknownPepper) {
		t.Errorf("Verify without the pepper = %v", err)
	}
	// The peppered hash differs from an unpeppered one of the same password.
	stripped := strings.Replace(hash, ",pepper=p1", "", 1)
	if err := none.Verify(ctx, stripped, "pw"); !errors.Is(err, password.ErrMismatch) {
		t.Errorf("pepper id stripped from the hash: %v", err)
	}
	// Rotation: p2 becomes current, p1 still verifies and needs a rehash.
	h2 := mustHasher(t, password.Config{Peppers: []crypto.Key{p2, p1}})
	if err := h2.Verify(ctx, hash, "pw"); err != nil {
		t.Errorf("old pepper after rotation: %v", err)
	}
	if !h2.NeedsRehash(hash) {
		t.Error("NeedsRehash(hash under old pepper) = false")
	}
	newHash, _ := h2.Hash(ctx, "pw")
	if !strings.Contains(newHash, ",pepper=p2$") || h2.NeedsRehash(newHash) {
		t.Errorf("new hash %q", newHash)
	}
	// Unpeppered legacy hashes verify and need a rehash.
	legacy, _ := none.Hash(ctx, "pw")
	if err := h2.Verify(ctx, legacy, "pw"); err != nil || !h2.NeedsRehash(legacy) {
		t.Errorf("legacy hash: %v, NeedsRehash %v", err, h2.NeedsRehash(legacy))
	}
	// Swapping the pepper's secret under the same id fails.
	h3 := mustHasher(t, password.Config{Peppers: []crypto.Key{{ID: "p1", Secret: p2.Secret}}})
	if err := h3.Verify(ctx, hash, "pw"); !errors.Is(err, password.ErrMismatch) {
		t.Errorf("wrong pepper secret: %v", err)
	}
}

// TestVerifyDummyCostsAsMuchAsVerify defends against user enumeration by
// timing (OWASP Authentication Cheat Sheet): VerifyDummy does a full
// argon2id at the policy parameters, measured here as the same
// allocations as a real Verify, and it always denies.
func TestVerifyDummyCostsAsMuchAsVerify(t *testing.T) {
	h := mustHasher(t, password.Config{Peppers: []crypto.Key{pepper("p1", 1)}})
	hash, _ := h.Hash(ctx, "pw")
	if err := h.VerifyDummy(ctx, "pw"); !errors.Is(err, password.ErrMismatch) {
		t.Fatalf("VerifyDummy = %v", err)
	}
	real := allocatedBytes(func() { _ = h.Verify(ctx, hash, "wrong") })
	dummy := allocatedBytes(func() { _ = h.VerifyDummy(ctx, "wrong") })
	// argon2 allocates its m KiB of memory in one block; matching bytes
	// per call shows the dummy path pays for the same memory-hard work.
	if dummy < real*9/10 || dummy > real*11/10 {
		t.Errorf("VerifyDummy allocates %d B, Verify %d B", dummy, real)
	}
	if real < 19456*1024 {
		t.Errorf("Verify allocates %d B, less than m=19456 KiB", real)
	}
	if err := h.VerifyDummy(ctx, strings.Repeat("a", 2000)); !errors.Is(err, password.ErrPasswordTooLong) {
		t.Errorf("VerifyDummy(too long) = %v", err)
	}
}

// TestEarlyRejectsCostAsMuchAsVerifyDummy defends against learning
// which users still have bcrypt hashes by timing: a password that can never
// match a bcrypt hash (over 72 bytes, or with a NUL byte) is refused
// without running bcrypt, and that refusal must take as long as every
// other denial, so it does VerifyDummy's argon2id work first. Measured as
// allocated bytes (argon2 allocates its m KiB in one block), not time.
func TestEarlyRejectsCostAsMuchAsVerifyDummy(t *testing.T) {
	h := mustHasher(t, password.Config{})
	hash := bcryptHash(t, "abc")
	dummy := allocatedBytes(func() { _ = h.VerifyDummy(ctx, "wrong") })
	for _, tc := range []struct {
		name, pw string
		want     error
	}{
		{"over 72 bytes", strings.Repeat("x", 73), password.ErrPasswordTooLong},
		{"NUL byte", "abc\x00def", password.ErrMismatch},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			got := allocatedBytes(func() { err = h.Verify(ctx, hash, tc.pw) })
			if !errors.Is(err, tc.want) {
				t.Errorf("Verify = %v, want %v", err, tc.want)
			}
			if got < dummy*9/10 {
				t.Errorf("early reject allocates %d B, VerifyDummy %d B: it skipped the dummy work", got, dummy)
			}
		})
	}
	if dummy < 19456*1024 {
		t.Errorf("VerifyDummy allocates %d B, less than m=19456 KiB", dummy)
	}
	// Likewise a hash peppered with a key this Hasher lacks (a
	// misconfiguration, or a table restored from elsewhere): its refusal
	// must not mark which users have such hashes.
	peppered, _ := mustHasher(t, password.Config{Peppers: []crypto.Key{pepper("gone", 3)}}).Hash(ctx, "pw")
	var err error
	if got := allocatedBytes(func() { err = h.Verify(ctx, peppered, "pw") }); !errors.Is(err, password.ErrUnknownPepper) || got < dummy*9/10 {
		t.Errorf("unknown pepper: Verify = %v, allocates %d B, VerifyDummy %d B", err, got, dummy)
	}
}

// TestLimiterTurnsAwayFloods: with every slot busy, a call waits at most
// MaxWait (or until its context ends) and returns ErrBusy without hashing.
func TestLimiterTurnsAwayFloods(t *testing.T) {
	h := mustHasher(t, password.Config{MaxConcurrent: 2, MaxWait: time.Millisecond})
	hash, _ := h.Hash(ctx, "pw")
	release := password.HoldSlots(h, 2)
	if err := h.Verify(ctx, hash, "pw"); !errors.Is(err, password.ErrBusy) {
		t.Errorf("Verify with all slots held = %v", err)
	}
	if _, err := h.Hash(ctx, "pw"); !errors.Is(err, password.ErrBusy) {
		t.Errorf("Hash with all slots held = %v", err)
	}
	if err := h.VerifyDummy(ctx, "pw"); !errors.Is(err, password.ErrBusy) {
		t.Errorf("VerifyDummy with all slots held = %v", err)
	}
	// A cancelled context gives up at once, even with a long MaxWait.
	slow := mustHasher(t, password.Config{MaxConcurrent: 1, MaxWait: time.Hour})
	releaseSlow := password.HoldSlots(slow, 1)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := slow.Verify(cctx, hash, "pw"); !errors.Is(err, password.ErrBusy) {
		t.Errorf("Verify with a cancelled context = %v", err)
	}
	releaseSlow()
	release()
	if err := h.Verify(ctx, hash, "pw"); err != nil {
		t.Errorf("Verify after release = %v", err)
	}
	// A waiting call proceeds as soon as a slot frees.
	release = password.HoldSlots(slow, 1)
	done := make(chan error)
	go func() { done <- slow.Verify(ctx, hash, "pw") }()
	release()
	if err := <-done; err != nil {
		t.Errorf("waiting Verify = %v", err)
	}
}

// TestConcurrentUseIsBounded runs many verifications at once under -race.
func TestConcurrentUseIsBounded(t *testing.T) {
	t.Parallel()
	h := mustHasher(t, password.Config{MaxConcurrent: 2, MaxWait: time.Minute})
	hash, _ := h.Hash(ctx, "pw")
	errs := make(chan error, 4)
	for i := range 4 {
		go func() {
			pw := "pw"
			if i%2 == 1 {
				pw = "nope"
			}
			err := h.Verify(ctx, hash, pw)
			if i%2 == 1 && errors.Is(err, password.ErrMismatch) {
				err = nil
			}
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// TestBcryptVariants: $2a$, $2b$ and $2y$ name the same algorithm for
// passwords without non-ASCII quirks, and all three verify.
func TestBcryptVariants(t *testing.T) {
	h := mustHasher(t, password.Config{})
	base := bcryptHash(t, "hunter2hunter2") // $2a$04$...
	for _, v := range []string{"2a", "2b", "2y"} {
		t.Run(v, func(t *testing.T) {
			hash := "$" + v + base[3:]
			if err := h.Verify(ctx, hash, "hunter2hunter2"); err != nil {
				t.Errorf("Verify = %v", err)
			}
			if err := h.Verify(ctx, hash, "hunter2hunter3"); !errors.Is(err, password.ErrMismatch) {
				t.Errorf("wrong password: %v", err)
			}
		})
	}
}
