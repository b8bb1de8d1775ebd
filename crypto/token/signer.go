package token

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"hash"
	"strings"
	"sync"

	"github.com/apisec-go/apisec/crypto"
)

// Config configures a [Signer]. The zero value is invalid: a key is
// required. [New] copies the keys; mutating the Config afterwards has no
// effect.
type Config struct {
	_ [0]func()

	// Keys are the HMAC keys, 32 to 64 bytes each, with unique ids and
	// secrets (see [crypto.ParseKeys]; the Cipher field is ignored).
	// Required.
	Keys []crypto.Key
	// Primary is the id of the key new tags use. Empty means the first key.
	Primary string
	// Purpose is mixed into every tag, so Signers with the same keys but
	// different purposes (the empty purpose included) never accept each
	// other's tags. At most 255 bytes.
	Purpose string
}

type signKey struct {
	id   string
	pool sync.Pool // of hash.Hash, keyed HMACs reset before use
}

// Signer computes and verifies HMAC-SHA256 tags. Build it with [New]; the
// zero Signer is unusable. It is safe for concurrent use and immutable.
type Signer struct {
	primary *signKey
	byID    map[string]*signKey
	purpose []byte
}

// tagLen is the base64url length of a SHA-256 MAC.
const tagLen = 43

// New validates cfg and returns a Signer. All problems come back together,
// each a [*ConfigError] or [*crypto.ConfigError].
func New(cfg Config) (*Signer, error) {
	var errs []error
	if len(cfg.Keys) == 0 {
		errs = append(errs, &ConfigError{Field: "Keys", Reason: "at least one key is required"})
	}
	errs = append(errs, crypto.CheckKeys("Keys", cfg.Keys, 32, 64)...)
	if len(cfg.Purpose) > 255 {
		errs = append(errs, &ConfigError{Field: "Purpose", Reason: "longer than 255 bytes"})
	}
	s := &Signer{byID: make(map[string]*signKey, len(cfg.Keys))}
	for _, k := range cfg.Keys {
		secret := append([]byte(nil), k.Secret...)
		sk := &signKey{id: k.ID}
		sk.pool.New = func() any { return hmac.New(sha256.New, secret) }
		s.byID[k.ID] = sk
	}
	switch {
	case cfg.Primary != "":
		if s.primary = s.byID[cfg.Primary]; s.primary == nil {
			errs = append(errs, &ConfigError{Field: "Primary", Reason: "no key with this id in Keys"})
		}
	case len(cfg.Keys) > 0:
		s.primary = s.byID[cfg.Keys[0].ID]
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	// Always framed, the empty purpose as a single 0: otherwise a Signer
	// without a purpose, signing len ‖ purpose ‖ msg, would make a valid
	// tag of msg for that purpose.
	s.purpose = append([]byte{byte(len(cfg.Purpose))}, cfg.Purpose...)
	return s, nil
}

func (s *Signer) mac(k *signKey, msg []byte, dst []byte) []byte {
	h := k.pool.Get().(hash.Hash)
	h.Reset()
	h.Write(s.purpose)
	h.Write(msg)
	dst = h.Sum(dst)
	k.pool.Put(h)
	return dst
}

// Sign returns the tag of msg under the primary key, as
// "<key id>.<base64url HMAC-SHA256>".
func (s *Signer) Sign(msg []byte) string {
	var buf [sha256.Size]byte
	sum := s.mac(s.primary, msg, buf[:0])
	out := make([]byte, 0, len(s.primary.id)+1+tagLen)
	out = append(out, s.primary.id...)
	out = append(out, '.')
	out = base64.RawURLEncoding.AppendEncode(out, sum)
	return string(out)
}

// Verify checks a tag made by [Signer.Sign] (with this Signer's purpose)
// under any configured key. It returns nil, [ErrInvalid] or
// [ErrUnknownKey]. The comparison is constant-time.
func (s *Signer) Verify(msg []byte, tag string) error {
	id, enc, ok := strings.Cut(tag, ".")
	if !ok || len(enc) != tagLen || len(id) > crypto.MaxKeyIDLen {
		return ErrInvalid
	}
	k := s.byID[id]
	if k == nil {
		return ErrUnknownKey
	}
	var want [sha256.Size]byte
	if n, err := base64.RawURLEncoding.Strict().Decode(want[:], []byte(enc)); err != nil || n != sha256.Size {
		return ErrInvalid
	}
	var buf [sha256.Size]byte
	if !hmac.Equal(s.mac(k, msg, buf[:0]), want[:]) {
		return ErrInvalid
	}
	return nil
}
