package crypto

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"log/slog"
	"slices"
	"strconv"
)

const (
	version1  = 0x01 // single ciphertext
	versionEn = 0x02 // envelope
	tagSize   = 16
)

// MaxPlaintextLen bounds a single plaintext, and so the work one call can
// be made to do: 64 MiB. Larger values belong in an envelope stored as
// chunks, or outside the database.
const MaxPlaintextLen = 64 << 20

// Keyring encrypts under its primary key and decrypts under any of its
// keys. Build it with [New]; a nil or zero Keyring is unusable. It is safe
// for concurrent use and immutable: rotating keys means building a new
// Keyring (for example on SIGHUP) and swapping it in.
type Keyring struct {
	primary   *ringKey
	byID      map[string]*ringKey
	ids       []string
	logger    *slog.Logger
	allowNoAD bool
}

// New validates cfg and returns a keyring. All problems are returned
// together, each a [*ConfigError]: no keys, a key that is not [KeySize]
// bytes, a repeated id or secret, a one-byte-repeated secret, an unknown
// cipher, or a Primary that names no key.
func New(cfg Config) (*Keyring, error) {
	return compile(cfg)
}

// NewEphemeral returns a keyring with one fresh random AES-256-GCM key that
// exists only in this process. Everything it encrypts becomes unreadable
// when the process exits, so it suits tests, demos and values that never
// outlive the process (such as short-lived state in memory). The key is
// never printed, logged or returned. Production data needs keys from
// configuration: use [ParseKeys] and [New].
func NewEphemeral() (*Keyring, error) {
	secret := make([]byte, KeySize)
	_, _ = rand.Read(secret) // crypto/rand.Read never fails (Go 1.24+)
	return New(Config{Keys: []Key{{ID: "ephemeral", Secret: secret}}})
}

// PrimaryID returns the id of the key new values are encrypted under.
func (kr *Keyring) PrimaryID() string { return kr.primary.id }

// KeyIDs returns the ids of all keys, in configuration order.
func (kr *Keyring) KeyIDs() []string { return slices.Clone(kr.ids) }

// Overhead returns how many bytes [Keyring.Encrypt] adds to a plaintext
// under the primary key.
func (kr *Keyring) Overhead() int {
	return len(kr.primary.header) + kr.primary.cipher.nonceSize() + tagSize
}

// Encrypt encrypts plaintext under the primary key, binding it to ad, the
// identity of the record and field the value belongs to (see
// [AssociatedData]). Empty ad is refused with [ErrNoAssociatedData] unless
// the keyring was configured with InsecureAllowNoAssociatedData. The
// result is a fresh slice in the documented format. It allocates once.
func (kr *Keyring) Encrypt(plaintext, ad []byte) ([]byte, error) {
	if err := kr.checkSeal(len(plaintext), ad); err != nil {
		return nil, err
	}
	return kr.seal(kr.primary, plaintext, ad), nil
}

func (kr *Keyring) checkSeal(n int, ad []byte) error {
	if len(ad) == 0 && !kr.allowNoAD {
		return ErrNoAssociatedData
	}
	if n > MaxPlaintextLen {
		return ErrTooLarge
	}
	return nil
}

func (kr *Keyring) seal(k *ringKey, plaintext, ad []byte) []byte {
	ns := k.cipher.nonceSize()
	out := make([]byte, len(k.header)+ns, len(k.header)+ns+len(plaintext)+tagSize)
	copy(out, k.header)
	nonce := out[len(k.header):]
	_, _ = rand.Read(nonce)
	return k.aead.Seal(out, nonce, plaintext, ad)
}

// Decrypt authenticates and decrypts a ciphertext made by
// [Keyring.Encrypt] under any key of the ring, with the same ad. It
// returns [ErrMalformed], [ErrUnknownKey] or [ErrAuthentication] on
// failure, and no plaintext at all unless authentication succeeded. It
// allocates once.
func (kr *Keyring) Decrypt(ciphertext, ad []byte) ([]byte, error) {
	k, nonce, body, err := kr.parse(ciphertext)
	if err != nil {
		kr.logFail(err, ciphertext)
		return nil, err
	}
	out, err := k.aead.Open(make([]byte, 0, len(body)-tagSize), nonce, body, ad)
	if err != nil {
		kr.logFail(ErrAuthentication, ciphertext)
		return nil, ErrAuthentication
	}
	return out, nil
}

// parse splits a version 1 ciphertext. It does constant work before the
// AEAD runs: a few bounds checks and one map lookup.
func (kr *Keyring) parse(ct []byte) (k *ringKey, nonce, body []byte, err error) {
	if len(ct) < 3 || ct[0] != version1 {
		return nil, nil, nil, ErrMalformed
	}
	n := int(ct[1])
	if n == 0 || n > MaxKeyIDLen || len(ct) < 2+n {
		return nil, nil, nil, ErrMalformed
	}
	k = kr.byID[string(ct[2:2+n])] // no allocation: the compiler optimises string(b) in a map index
	if k == nil {
		for _, c := range ct[2 : 2+n] {
			if !idByte(c) {
				return nil, nil, nil, ErrMalformed
			}
		}
		return nil, nil, nil, ErrUnknownKey
	}
	rest := ct[2+n:]
	ns := k.cipher.nonceSize()
	if len(rest) < ns+tagSize || len(rest)-ns-tagSize > MaxPlaintextLen {
		return nil, nil, nil, ErrMalformed
	}
	return k, rest[:ns], rest[ns:], nil
}

// KeyID returns the id of the key a ciphertext (or envelope) claims to be
// encrypted under, without authenticating it. Use it to find values that
// still need [Keyring.Rotate]; never to make a security decision.
func (kr *Keyring) KeyID(ciphertext []byte) (string, error) {
	if len(ciphertext) > 0 && ciphertext[0] == versionEn {
		wrapped, _, err := splitEnvelope(ciphertext)
		if err != nil {
			return "", err
		}
		ciphertext = wrapped
	}
	if len(ciphertext) < 3 || ciphertext[0] != version1 {
		return "", ErrMalformed
	}
	n := int(ciphertext[1])
	if n == 0 || n > MaxKeyIDLen || len(ciphertext) < 2+n {
		return "", ErrMalformed
	}
	id := ciphertext[2 : 2+n]
	if checkID(string(id)) != "" {
		return "", ErrMalformed
	}
	return string(id), nil
}

// Rotate re-encrypts a ciphertext under the primary key, keeping ad (empty
// ad is accepted here: rotation preserves whatever binding the value has). It
// authenticates first, so a tampered value is never laundered into a valid
// one. When the ciphertext is already under the primary key it is returned
// as is and rotated is false, so a rotation job can skip the write.
func (kr *Keyring) Rotate(ciphertext, ad []byte) (out []byte, rotated bool, err error) {
	k, _, _, err := kr.parse(ciphertext)
	if err != nil {
		kr.logFail(err, ciphertext)
		return nil, false, err
	}
	plaintext, err := kr.Decrypt(ciphertext, ad)
	if err != nil {
		return nil, false, err
	}
	defer clear(plaintext)
	if k == kr.primary {
		return ciphertext, false, nil
	}
	return kr.seal(kr.primary, plaintext, ad), true, nil
}

// EncryptString encrypts a string and returns the ciphertext as unpadded
// base64url, ready for a text column, a cookie or a URL.
func (kr *Keyring) EncryptString(plaintext string, ad []byte) (string, error) {
	if err := kr.checkSeal(len(plaintext), ad); err != nil {
		return "", err
	}
	k := kr.primary
	ns := k.cipher.nonceSize()
	raw := make([]byte, len(k.header)+ns, len(k.header)+ns+len(plaintext)+tagSize)
	copy(raw, k.header)
	nonce := raw[len(k.header):]
	_, _ = rand.Read(nonce)
	raw = k.aead.Seal(raw, nonce, []byte(plaintext), ad)
	return base64.RawURLEncoding.EncodeToString(raw), nil
}

// DecryptString reverses [Keyring.EncryptString].
func (kr *Keyring) DecryptString(ciphertext string, ad []byte) (string, error) {
	if len(ciphertext) > base64.RawURLEncoding.EncodedLen(MaxPlaintextLen+2+MaxKeyIDLen+24+tagSize) {
		kr.logFail(ErrMalformed, nil)
		return "", ErrMalformed
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(ciphertext)
	if err != nil {
		kr.logFail(ErrMalformed, nil)
		return "", ErrMalformed
	}
	pt, err := kr.Decrypt(raw, ad)
	if err != nil {
		return "", err
	}
	return string(pt), nil
}

func (kr *Keyring) logFail(reason error, ct []byte) {
	if kr.logger == nil {
		return
	}
	ctx := context.Background()
	if !kr.logger.Enabled(ctx, slog.LevelWarn) {
		return
	}
	id, _ := kr.KeyID(ct)
	kr.logger.LogAttrs(ctx, slog.LevelWarn, "crypt_decrypt_fail",
		slog.String("reason", reason.Error()), slog.String("key_id", id))
}

// AssociatedData encodes the parts that identify where a value is stored
// (for example table, column and primary key) into associated data for
// [Keyring.Encrypt]. Each part is length-prefixed, so ("ab", "c") and
// ("a", "bc") give different results and no choice of values can collide.
func AssociatedData(parts ...string) []byte {
	n := 0
	for _, p := range parts {
		n += 4 + len(p)
	}
	ad := make([]byte, 0, n)
	for _, p := range parts {
		l := uint32(len(p))
		ad = append(ad, byte(l>>24), byte(l>>16), byte(l>>8), byte(l))
		ad = append(ad, p...)
	}
	return ad
}

func itoa(i int) string { return strconv.Itoa(i) }
