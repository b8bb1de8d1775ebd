package password

import (
	"errors"
	"log/slog"
	"runtime"
	"time"

	"github.com/apisec-go/apisec/crypto"
)

// OWASP Password Storage Cheat Sheet minimums for argon2id, and the
// defaults used for a zero Config.
const (
	DefaultMemoryKiB   = 19456
	DefaultIterations  = 2
	DefaultParallelism = 1
	DefaultSaltLen     = 16
	DefaultKeyLen      = 32
)

// Config configures a [Hasher]. The zero value is valid and gives the OWASP
// argon2id parameters with safe verification bounds. [New] copies what it
// needs: mutating the Config afterwards has no effect.
type Config struct {
	_ [0]func()

	// MemoryKiB, Iterations and Parallelism are the argon2id parameters of
	// new hashes. Zero means 19456 KiB, 2 and 1 (OWASP). They may be raised
	// but not lowered below those values.
	MemoryKiB   uint32
	Iterations  uint32
	Parallelism uint8

	// SaltLen and KeyLen are the salt and hash lengths of new hashes, in
	// bytes. Zero means 16 and 32; at least 16 each, at most 64 and 128.
	SaltLen int
	KeyLen  int

	// Bounds on stored hashes, checked before any work. A stored hash
	// outside them is rejected with ErrHashTooCostly.
	//
	// MaxMemoryKiB bounds argon2 m and scrypt's 128·N·r bytes. Zero means
	// 131072 (128 MiB, enough for OWASP scrypt N=2^17, r=8 and for
	// argon2-cffi's default m=65536), or MemoryKiB if that is larger.
	MaxMemoryKiB uint32
	// MaxIterations bounds argon2 t. Zero means 10, or Iterations if larger.
	MaxIterations uint32
	// MaxParallelism bounds argon2 p and scrypt p. Zero means 8.
	MaxParallelism uint8
	// MaxBcryptCost bounds the bcrypt cost. Zero means 14 (about a second).
	MaxBcryptCost int

	// MaxPasswordBytes caps the length of a password given to Hash or
	// Verify. Zero means 1024. At least 64 (NIST SP 800-63B).
	MaxPasswordBytes int

	// Peppers are optional secret keys (32 to 64 bytes, unique ids and
	// secrets, see [crypto.ParseKeys]); the password is replaced by
	// HMAC-SHA256(pepper, password) before argon2id, and the key id is
	// written into the hash. Keep the peppers of existing hashes until
	// NeedsRehash has moved them to the current one.
	Peppers []crypto.Key
	// Pepper is the id of the pepper new hashes use. Empty means the first
	// of Peppers (or no pepper if there are none).
	Pepper string

	// MaxConcurrent caps the hashes (Hash, Verify, VerifyDummy) computed
	// at once; each holds up to MemoryKiB (or MaxMemoryKiB) of memory.
	// Zero means runtime.GOMAXPROCS(0) at the time of New: hashing is CPU
	// bound, so more only adds memory.
	MaxConcurrent int
	// MaxWait is how long a call waits for a free slot before ErrBusy.
	// Zero means 5s. The context's deadline applies as well.
	MaxWait time.Duration

	// Logger receives "excess_rate_limit_exceeded" (WARN) when the limiter
	// turns a call away and "input_validation_fail" (WARN) when a stored
	// hash is out of bounds. Never a password or a hash. Nil: no logging.
	Logger *slog.Logger
}

type policy struct {
	m, t       uint32
	p          uint8
	saltLen    int
	keyLen     int
	maxM, maxT uint32
	maxP       uint8
	maxBcrypt  int
	maxPwd     int
	conc       int
	wait       time.Duration
	peppers    map[string][]byte
	pepperID   string // "" when no pepper
}

func compile(cfg Config) (*policy, error) {
	var errs []error
	bad := func(field, reason string) { errs = append(errs, &ConfigError{Field: field, Reason: reason}) }
	p := &policy{
		m: orU32(cfg.MemoryKiB, DefaultMemoryKiB), t: orU32(cfg.Iterations, DefaultIterations),
		p: cfg.Parallelism, saltLen: orInt(cfg.SaltLen, DefaultSaltLen), keyLen: orInt(cfg.KeyLen, DefaultKeyLen),
		maxP: cfg.MaxParallelism, maxBcrypt: orInt(cfg.MaxBcryptCost, 14),
		maxPwd: orInt(cfg.MaxPasswordBytes, 1024), conc: orInt(cfg.MaxConcurrent, runtime.GOMAXPROCS(0)),
		wait: cfg.MaxWait,
	}
	if p.p == 0 {
		p.p = DefaultParallelism
	}
	if p.maxP == 0 {
		p.maxP = 8
	}
	if p.wait == 0 {
		p.wait = 5 * time.Second
	}
	p.maxM = cfg.MaxMemoryKiB
	if p.maxM == 0 {
		p.maxM = max(131072, p.m)
	}
	p.maxT = cfg.MaxIterations
	if p.maxT == 0 {
		p.maxT = max(10, p.t)
	}
	if p.m < DefaultMemoryKiB {
		bad("MemoryKiB", "below the OWASP minimum of 19456 KiB")
	}
	if p.t < DefaultIterations {
		bad("Iterations", "below the OWASP minimum of 2")
	}
	if p.saltLen < 16 || p.saltLen > 64 {
		bad("SaltLen", "must be 16 to 64 bytes")
	}
	if p.keyLen < 16 || p.keyLen > 128 {
		bad("KeyLen", "must be 16 to 128 bytes")
	}
	if p.maxM < p.m {
		bad("MaxMemoryKiB", "below MemoryKiB: new hashes would not verify")
	}
	if p.maxM > 4<<20 {
		bad("MaxMemoryKiB", "above 4 GiB")
	}
	if p.maxT < p.t {
		bad("MaxIterations", "below Iterations: new hashes would not verify")
	}
	if p.maxP < p.p {
		bad("MaxParallelism", "below Parallelism: new hashes would not verify")
	}
	if p.maxBcrypt < 4 || p.maxBcrypt > 31 {
		bad("MaxBcryptCost", "must be 4 to 31")
	}
	if p.maxPwd < 64 {
		bad("MaxPasswordBytes", "below 64 (NIST SP 800-63B)")
	}
	if p.conc < 0 {
		bad("MaxConcurrent", "negative")
	}
	if p.wait < 0 {
		bad("MaxWait", "negative")
	}
	errs = append(errs, crypto.CheckKeys("Peppers", cfg.Peppers, 32, 64)...)
	p.peppers = make(map[string][]byte, len(cfg.Peppers))
	for _, k := range cfg.Peppers {
		p.peppers[k.ID] = append([]byte(nil), k.Secret...)
	}
	switch {
	case cfg.Pepper != "":
		if _, ok := p.peppers[cfg.Pepper]; !ok {
			bad("Pepper", "no key with this id in Peppers")
		}
		p.pepperID = cfg.Pepper
	case len(cfg.Peppers) > 0:
		p.pepperID = cfg.Peppers[0].ID
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return p, nil
}

func orU32(v, def uint32) uint32 {
	if v == 0 {
		return def
	}
	return v
}

func orInt(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}
