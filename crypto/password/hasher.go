package password

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
	"golang.org/x/crypto/scrypt"
)

// Hasher hashes new passwords with argon2id and verifies stored hashes of
// the supported formats. Build it with [New]; the zero Hasher is unusable.
// It is safe for concurrent use; every method that hashes takes a slot of
// the concurrency limiter. Printed with fmt or logged with log/slog it
// shows its parameters and never its peppers.
type Hasher struct {
	pol    *policy
	slots  chan struct{}
	logger *slog.Logger

	dummyOnce sync.Once
	dummy     parsed
}

const redacted = "[REDACTED]"

// String describes the Hasher's parameters without its peppers, for
// example "password.Hasher{m=19456,t=2,p=1 Pepper:p1 Peppers:[REDACTED]}".
// A Hasher must never be printed field by field: %s and %d dereference
// its policy and would show the pepper bytes.
func (h *Hasher) String() string {
	pol := h.pol
	return "password.Hasher{m=" + strconv.FormatUint(uint64(pol.m), 10) +
		",t=" + strconv.FormatUint(uint64(pol.t), 10) + ",p=" + strconv.FormatUint(uint64(pol.p), 10) +
		" Pepper:" + pol.pepperID + " Peppers:" + redacted + "}"
}

// GoString is String.
func (h *Hasher) GoString() string { return h.String() }

// Format writes String for every verb.
func (h *Hasher) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(h.String())) }

// LogValue logs the parameters and the current pepper's id, never a pepper.
func (h *Hasher) LogValue() slog.Value {
	pol := h.pol
	return slog.GroupValue(slog.Uint64("m", uint64(pol.m)), slog.Uint64("t", uint64(pol.t)),
		slog.Uint64("p", uint64(pol.p)), slog.String("pepper", pol.pepperID))
}

// New validates cfg and returns a Hasher. All problems are returned
// together, each a [*ConfigError].
func New(cfg Config) (*Hasher, error) {
	pol, err := compile(cfg)
	if err != nil {
		return nil, err
	}
	return &Hasher{pol: pol, slots: make(chan struct{}, pol.conc), logger: cfg.Logger}, nil
}

// Hash returns a PHC string of an argon2id hash of password, with a fresh
// random salt and the configured parameters and pepper. It returns
// [ErrEmptyPassword], [ErrPasswordTooLong], or [ErrBusy] when the limiter
// has no free slot within MaxWait.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	pol := h.pol
	if password == "" {
		return "", ErrEmptyPassword
	}
	if len(password) > pol.maxPwd {
		return "", ErrPasswordTooLong
	}
	salt := make([]byte, pol.saltLen)
	_, _ = rand.Read(salt)
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	key := argon2.IDKey(h.input(password, pol.pepperID), salt, pol.t, pol.m, pol.p, uint32(pol.keyLen))
	h.release()
	var b strings.Builder
	b.Grow(64 + b64.EncodedLen(len(salt)+len(key)))
	b.WriteString("$argon2id$v=19$m=")
	b.WriteString(strconv.FormatUint(uint64(pol.m), 10))
	b.WriteString(",t=")
	b.WriteString(strconv.FormatUint(uint64(pol.t), 10))
	b.WriteString(",p=")
	b.WriteString(strconv.FormatUint(uint64(pol.p), 10))
	if pol.pepperID != "" {
		b.WriteString(",pepper=")
		b.WriteString(pol.pepperID)
	}
	b.WriteByte('$')
	b.WriteString(b64.EncodeToString(salt))
	b.WriteByte('$')
	b.WriteString(b64.EncodeToString(key))
	return b.String(), nil
}

// input returns what argon2 hashes: the password, or its HMAC under the
// pepper with the given id.
func (h *Hasher) input(password, pepperID string) []byte {
	if pepperID == "" {
		return []byte(password)
	}
	mac := hmac.New(sha256.New, h.pol.peppers[pepperID])
	mac.Write([]byte(password))
	return mac.Sum(nil)
}

// Verify reports whether password matches the stored hash: nil on a match,
// otherwise an error, and every error means "deny". The hash is parsed and
// its parameters checked against the configured bounds before any hashing,
// so a malformed or over-costly hash is rejected at once
// ([ErrMalformedHash], [ErrHashTooCostly]). Then it returns
// [ErrUnknownPepper], [ErrPasswordTooLong], [ErrBusy] or [ErrMismatch].
//
// Accepted formats: argon2id and argon2i PHC strings of version 19 (salt 8
// to 64 bytes, hash 16 to 128 bytes, standard base64 without padding,
// parameters in the order m, t, p, decimal without leading zeros); bcrypt
// $2a$, $2b$, $2y$; and scrypt written as
// $scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt>$<hash> with the same base64 and
// lengths, where the hash is scrypt(password, salt bytes, N, r, p,
// len(hash)). A password longer than 72 bytes never matches a bcrypt hash,
// since bcrypt would ignore the excess; nor does one containing a NUL
// byte, which C implementations treat as the end of the password. Both are
// refused only after the work of [Hasher.VerifyDummy], so their timing
// does not tell that the user still has a bcrypt hash; so is a hash
// peppered with a key this Hasher does not hold.
//
// After a successful Verify, call [Hasher.NeedsRehash] and store a fresh
// [Hasher.Hash] if it reports true.
func (h *Hasher) Verify(ctx context.Context, hash, password string) error {
	ph, err := h.pol.parse(hash)
	if err != nil {
		if errors.Is(err, ErrHashTooCostly) {
			h.log(ctx, "input_validation_fail", "stored password hash exceeds bounds")
		}
		return err
	}
	return h.verify(ctx, ph, password)
}

func (h *Hasher) verify(ctx context.Context, ph parsed, password string) error {
	if len(password) > h.pol.maxPwd {
		return ErrPasswordTooLong
	}
	switch ph.alg {
	case algBcrypt:
		// These passwords can never match, but answering at once would tell
		// a timing attacker which users still have bcrypt hashes: every
		// other denial costs an argon2id. Do VerifyDummy's work first.
		if len(password) > 72 {
			h.burn(ctx, password)
			return ErrPasswordTooLong
		}
		if strings.IndexByte(password, 0) >= 0 {
			h.burn(ctx, password)
			return ErrMismatch
		}
	case algArgon2id:
		if ph.pepper != "" {
			if _, ok := h.pol.peppers[ph.pepper]; !ok {
				h.burn(ctx, password) // the same cost as any other denial
				return ErrUnknownPepper
			}
		}
	}
	var salt, want []byte
	if ph.alg != algBcrypt {
		var err1, err2 error
		salt, err1 = b64.DecodeString(ph.salt)
		want, err2 = b64.DecodeString(ph.hash)
		if err1 != nil || err2 != nil { // non-canonical trailing bits
			return ErrMalformedHash
		}
	}
	if err := h.acquire(ctx); err != nil {
		return err
	}
	defer h.release()
	switch ph.alg {
	case algBcrypt:
		// The hash was fully validated by parse; bcrypt re-derives and
		// compares in constant time.
		if bcrypt.CompareHashAndPassword([]byte(ph.hash), []byte(password)) != nil {
			return ErrMismatch
		}
		return nil
	case algArgon2id:
		got := argon2.IDKey(h.input(password, ph.pepper), salt, ph.t, ph.m, ph.p, uint32(len(want)))
		return compare(got, want)
	case algArgon2i:
		got := argon2.Key([]byte(password), salt, ph.t, ph.m, ph.p, uint32(len(want)))
		return compare(got, want)
	default: // algScrypt
		got, err := scrypt.Key([]byte(password), salt, 1<<ph.ln, int(ph.r), int(ph.p), len(want))
		if err != nil {
			return ErrMalformedHash
		}
		return compare(got, want)
	}
}

func compare(got, want []byte) error {
	if subtle.ConstantTimeCompare(got, want) == 1 {
		return nil
	}
	return ErrMismatch
}

// VerifyDummy does the work of a Verify against a hash at the current
// parameters and pepper, and always returns [ErrMismatch] (or [ErrBusy],
// [ErrPasswordTooLong] as Verify would). Call it when the user does not
// exist, so that an attacker cannot enumerate accounts by timing logins.
func (h *Hasher) VerifyDummy(ctx context.Context, password string) error {
	if err := h.verify(ctx, h.dummyHash(), password); err != nil && !errors.Is(err, ErrMismatch) {
		return err
	}
	// The dummy hash is random, so a match is a 2^-256 event; deny anyway.
	return ErrMismatch
}

// dummyHash returns a random argon2id hash at the current parameters and
// pepper, made once.
func (h *Hasher) dummyHash() parsed {
	h.dummyOnce.Do(func() {
		pol := h.pol
		salt := make([]byte, pol.saltLen)
		key := make([]byte, pol.keyLen)
		_, _ = rand.Read(salt)
		_, _ = rand.Read(key)
		h.dummy = parsed{alg: algArgon2id, m: pol.m, t: pol.t, p: pol.p, pepper: pol.pepperID,
			salt: b64.EncodeToString(salt), hash: b64.EncodeToString(key)}
	})
	return h.dummy
}

// burn does VerifyDummy's work and discards the result: the caller has
// already decided to deny.
func (h *Hasher) burn(ctx context.Context, password string) {
	_ = h.verify(ctx, h.dummyHash(), password)
}

// NeedsRehash reports whether a stored hash should be replaced by a fresh
// [Hasher.Hash] after the next successful login: it is not argon2id, its
// memory, iterations, lanes, salt or hash length are below the current
// policy, it is peppered with another key than the current one (or not
// peppered while a pepper is configured), or it cannot be parsed at all.
func (h *Hasher) NeedsRehash(hash string) bool {
	ph, err := h.pol.parse(hash)
	if err != nil || ph.alg != algArgon2id {
		return true
	}
	pol := h.pol
	return ph.m < pol.m || ph.t < pol.t || ph.p < pol.p ||
		b64.DecodedLen(len(ph.salt)) < pol.saltLen || b64.DecodedLen(len(ph.hash)) < pol.keyLen ||
		ph.pepper != pol.pepperID
}

// acquire takes a hashing slot, waiting at most MaxWait and never past
// ctx's end.
func (h *Hasher) acquire(ctx context.Context) error {
	select {
	case h.slots <- struct{}{}:
		return nil
	default:
	}
	t := time.NewTimer(h.pol.wait)
	defer t.Stop()
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-t.C:
	case <-ctx.Done():
	}
	h.log(ctx, "excess_rate_limit_exceeded", "password hashing limiter full")
	return ErrBusy
}

func (h *Hasher) release() { <-h.slots }

func (h *Hasher) log(ctx context.Context, event, reason string) {
	if h.logger == nil {
		return
	}
	h.logger.LogAttrs(ctx, slog.LevelWarn, event, slog.String("reason", reason), slog.String("component", "password"))
}
