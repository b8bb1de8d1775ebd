package fernet

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
)

const (
	version     = 0x80
	maxSkew     = 60 * time.Second // as Python's _MAX_CLOCK_SKEW
	headerLen   = 1 + 8 + aes.BlockSize
	macLen      = sha256.Size
	minTokenLen = headerLen + aes.BlockSize + macLen
)

const redacted = "[REDACTED]"

// Key is a Fernet key. It redacts itself in fmt, log/slog and JSON output.
// The zero Key is invalid.
type Key struct {
	sign, enc []byte
}

// ParseKey decodes a key as printed by Python's Fernet.generate_key():
// 32 bytes of base64url (padding optional).
func ParseKey(s string) (Key, error) {
	s = strings.TrimSpace(s)
	b, err := base64.RawURLEncoding.Strict().DecodeString(strings.TrimRight(s, "="))
	if err != nil || len(b) != 32 {
		return Key{}, ErrInvalidKey
	}
	return Key{sign: b[:16:16], enc: b[16:]}, nil
}

// String returns "[REDACTED]".
func (Key) String() string { return redacted }

// GoString returns "[REDACTED]".
func (Key) GoString() string { return redacted }

// Format writes "[REDACTED]" for every verb.
func (Key) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(redacted)) }

// LogValue returns "[REDACTED]".
func (Key) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalText returns "[REDACTED]".
func (Key) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// Config configures a [Codec]. The zero value is invalid: a key and a TTL
// (or InsecureSkipTTL) are required. [New] copies everything; mutating
// the Config afterwards has no effect.
type Config struct {
	_ [0]func()

	// Keys decrypt tokens, tried in order like Python's MultiFernet; the
	// first one encrypts. Required.
	Keys []Key
	// TTL is the maximum age of a token. Required unless InsecureSkipTTL.
	TTL time.Duration
	// InsecureSkipTTL accepts tokens of any age, as Python does with
	// ttl=None. Reasonable only for data at rest, never for tokens that
	// travel through clients. Tokens from the future are still refused.
	InsecureSkipTTL bool
	// AllowEncrypt enables [Codec.Encrypt].
	AllowEncrypt bool
	// MaxTokenBytes caps the encoded token length, checked before
	// decoding. Zero means 1 MiB.
	MaxTokenBytes int
	// Now returns the current time. Nil means time.Now.
	Now func() time.Time
	// Logger receives "crypt_decrypt_fail" (WARN) for rejected tokens.
	Logger *slog.Logger
}

// Codec decrypts and optionally encrypts Fernet tokens. Build it with
// [New]; the zero Codec is unusable. It is safe for concurrent use and
// immutable. Like [Key], it redacts its keys when formatted with fmt or
// logged with log/slog: only the number of keys and the settings show.
type Codec struct {
	keys     []key
	ttl      time.Duration
	skipTTL  bool
	allowEnc bool
	maxLen   int
	now      func() time.Time
	logger   *slog.Logger
}

type key struct {
	sign  []byte
	block cipher.Block
}

// String describes the Codec without its keys, for example
// "fernet.Codec{Keys:[REDACTED] NumKeys:1 TTL:1m0s AllowEncrypt:false}".
func (c Codec) String() string {
	ttl := c.ttl.String()
	if c.skipTTL {
		ttl = "none"
	}
	return "fernet.Codec{Keys:" + redacted + " NumKeys:" + strconv.Itoa(len(c.keys)) +
		" TTL:" + ttl + " AllowEncrypt:" + strconv.FormatBool(c.allowEnc) + "}"
}

// GoString is String: %#v must not print the keys either.
func (c Codec) GoString() string { return c.String() }

// Format writes String for every verb.
func (c Codec) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(c.String())) }

// LogValue logs the number of keys and the settings, never the keys.
func (c Codec) LogValue() slog.Value {
	return slog.GroupValue(slog.Int("keys", len(c.keys)), slog.Duration("ttl", c.ttl),
		slog.Bool("skip_ttl", c.skipTTL), slog.Bool("allow_encrypt", c.allowEnc))
}

// New validates cfg and returns a Codec, reporting every problem.
func New(cfg Config) (*Codec, error) {
	var errs []error
	bad := func(f, r string) { errs = append(errs, &ConfigError{Field: f, Reason: r}) }
	if len(cfg.Keys) == 0 {
		bad("Keys", "at least one key is required; keys are never generated")
	}
	c := &Codec{ttl: cfg.TTL, skipTTL: cfg.InsecureSkipTTL, allowEnc: cfg.AllowEncrypt,
		maxLen: cfg.MaxTokenBytes, now: cfg.Now, logger: cfg.Logger}
	for i, k := range cfg.Keys {
		if len(k.sign) != 16 || len(k.enc) != 16 {
			bad(fmt.Sprintf("Keys[%d]", i), "invalid key (use ParseKey)")
			continue
		}
		block, _ := aes.NewCipher(append([]byte(nil), k.enc...))
		c.keys = append(c.keys, key{sign: append([]byte(nil), k.sign...), block: block})
	}
	switch {
	case cfg.TTL < 0:
		bad("TTL", "negative")
	case cfg.TTL == 0 && !cfg.InsecureSkipTTL:
		bad("TTL", "required (or set InsecureSkipTTL for data at rest)")
	case cfg.TTL > 0 && cfg.InsecureSkipTTL:
		bad("InsecureSkipTTL", "set together with TTL")
	}
	if cfg.MaxTokenBytes < 0 {
		bad("MaxTokenBytes", "negative")
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if c.maxLen == 0 {
		c.maxLen = 1 << 20
	}
	if c.now == nil {
		c.now = time.Now
	}
	return c, nil
}

// Encrypt returns a Fernet token of plaintext under the first key, stamped
// with Config.Now, readable by Python's Fernet.decrypt. It returns
// [ErrEncryptDisabled] unless Config.AllowEncrypt is set.
func (c *Codec) Encrypt(plaintext []byte) (string, error) {
	if !c.allowEnc {
		return "", ErrEncryptDisabled
	}
	k := c.keys[0]
	pad := aes.BlockSize - len(plaintext)%aes.BlockSize
	n := headerLen + len(plaintext) + pad
	raw := make([]byte, n, n+macLen)
	raw[0] = version
	binary.BigEndian.PutUint64(raw[1:9], uint64(c.now().Unix()))
	iv := raw[9:headerLen]
	_, _ = rand.Read(iv)
	body := raw[headerLen:]
	copy(body, plaintext)
	for i := len(plaintext); i < len(body); i++ {
		body[i] = byte(pad)
	}
	cipher.NewCBCEncrypter(k.block, iv).CryptBlocks(body, body)
	mac := hmac.New(sha256.New, k.sign)
	mac.Write(raw)
	raw = mac.Sum(raw)
	return base64.URLEncoding.EncodeToString(raw), nil
}

// Decrypt authenticates a token under each key in turn, checks its age,
// and returns the plaintext. It returns [ErrInvalidToken] or [ErrExpired].
func (c *Codec) Decrypt(token string) ([]byte, error) {
	pt, err := c.decrypt(token)
	if err != nil && c.logger != nil {
		c.logger.LogAttrs(context.Background(), slog.LevelWarn, "crypt_decrypt_fail",
			slog.String("reason", err.Error()), slog.String("format", "fernet"))
	}
	return pt, err
}

func (c *Codec) decrypt(token string) ([]byte, error) {
	if len(token) > c.maxLen {
		return nil, ErrInvalidToken
	}
	enc := base64.URLEncoding.Strict()
	if !strings.HasSuffix(token, "=") && len(token)%4 != 0 {
		enc = base64.RawURLEncoding.Strict()
	}
	raw, err := enc.DecodeString(token)
	if err != nil || len(raw) < minTokenLen || raw[0] != version || (len(raw)-headerLen-macLen)%aes.BlockSize != 0 {
		return nil, ErrInvalidToken
	}
	signed, tag := raw[:len(raw)-macLen], raw[len(raw)-macLen:]
	var sum [sha256.Size]byte
	for _, k := range c.keys {
		mac := hmac.New(sha256.New, k.sign)
		mac.Write(signed)
		if !hmac.Equal(mac.Sum(sum[:0]), tag) {
			continue
		}
		ts := time.Unix(int64(binary.BigEndian.Uint64(raw[1:9])), 0)
		if binary.BigEndian.Uint64(raw[1:9]) > 1<<62 {
			return nil, ErrExpired
		}
		now := c.now()
		if ts.After(now.Add(maxSkew)) || (!c.skipTTL && ts.Add(c.ttl).Before(now)) {
			return nil, ErrExpired
		}
		body := signed[headerLen:]
		cipher.NewCBCDecrypter(k.block, raw[9:headerLen]).CryptBlocks(body, body)
		pad := int(body[len(body)-1])
		if pad == 0 || pad > aes.BlockSize {
			return nil, ErrInvalidToken
		}
		for _, b := range body[len(body)-pad:] {
			if int(b) != pad {
				return nil, ErrInvalidToken
			}
		}
		return body[:len(body)-pad], nil
	}
	return nil, ErrInvalidToken
}
