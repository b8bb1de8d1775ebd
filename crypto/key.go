package crypto

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
)

// Cipher names an AEAD construction. The zero value is [AES256GCM].
type Cipher uint8

const (
	// AES256GCM is AES-256 in Galois/Counter Mode with a random 96-bit
	// nonce (NIST SP 800-38D). Hardware accelerated on amd64 and arm64.
	AES256GCM Cipher = iota
	// XChaCha20Poly1305 is ChaCha20-Poly1305 with a random 192-bit nonce
	// (golang.org/x/crypto/chacha20poly1305.NewX). Fast without AES
	// hardware, and no practical limit on messages per key.
	XChaCha20Poly1305
)

// String returns the name used in key specifications: "aes-256-gcm" or
// "xchacha20-poly1305".
func (c Cipher) String() string {
	switch c {
	case AES256GCM:
		return "aes-256-gcm"
	case XChaCha20Poly1305:
		return "xchacha20-poly1305"
	}
	return "Cipher(" + strconv.Itoa(int(c)) + ")"
}

func (c Cipher) valid() bool { return c == AES256GCM || c == XChaCha20Poly1305 }

func (c Cipher) nonceSize() int {
	if c == XChaCha20Poly1305 {
		return 24
	}
	return 12
}

// KeySize is the length in bytes of every keyring secret (256 bits).
const KeySize = 32

// MaxKeyIDLen is the longest key id, in bytes.
const MaxKeyIDLen = 32

const redacted = "[REDACTED]"

// Secret is key material. It redacts itself whenever it is formatted with
// package fmt (every verb, including %#v and %x), logged with log/slog or
// marshalled to JSON or text, so a stray log line or debug print cannot leak
// it. Read the bytes only where they are used.
type Secret []byte

// String returns "[REDACTED]".
func (Secret) String() string { return redacted }

// GoString returns "[REDACTED]".
func (Secret) GoString() string { return redacted }

// Format writes "[REDACTED]" for every verb.
func (Secret) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(redacted)) }

// LogValue returns "[REDACTED]".
func (Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalText returns "[REDACTED]"; it also covers JSON encoding.
func (Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// Key is a named secret. ID is public: it is written into every
// ciphertext, log line and error. Secret never is. Cipher is used by
// [Keyring] only; [github.com/apisec-go/apisec/crypto/password] peppers and
// [github.com/apisec-go/apisec/crypto/token] signers ignore it.
//
// A Key redacts its secret when formatted with package fmt or slog: it
// prints as "Key{ID:k1 Cipher:aes-256-gcm Secret:[REDACTED]}". The zero Key
// is invalid (no id, no secret). Keys are plain values: constructors copy
// the secret, so clearing or reusing the slice afterwards is safe.
type Key struct {
	ID     string
	Cipher Cipher
	Secret Secret
}

// String describes the key without its secret.
func (k Key) String() string {
	return "Key{ID:" + k.ID + " Cipher:" + k.Cipher.String() + " Secret:" + redacted + "}"
}

// GoString is String: %#v must not print the secret either.
func (k Key) GoString() string { return k.String() }

// Format writes String for every verb.
func (k Key) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(k.String())) }

// LogValue logs the id and cipher, never the secret.
func (k Key) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", k.ID), slog.String("cipher", k.Cipher.String()))
}

// ParseKeys parses a key list as found in an environment variable:
//
//	id:base64key[,id:base64key...]
//	id:cipher:base64key            (cipher is aes-256-gcm or xchacha20-poly1305)
//
// Keys are separated by commas; spaces around items are ignored. The key is
// standard or URL-safe base64, padded or not (what `openssl rand -base64 32`
// and Python's base64 produce). The first key is the primary when
// [Config.Primary] is empty. ParseKeys checks the syntax and returns every
// problem at once, each a [*ConfigError] that never quotes key material;
// lengths, duplicates and weak keys are checked by the constructor that
// receives the keys ([New] and its siblings), since they depend on the use.
//
// An empty or blank list is an error: a missing key is never replaced by a
// generated one.
func ParseKeys(s string) ([]Key, error) {
	if strings.TrimSpace(s) == "" {
		return nil, &ConfigError{Field: "keys", Reason: "no key given (format id:base64key,...)"}
	}
	var errs []error
	items := strings.Split(s, ",")
	keys := make([]Key, 0, len(items))
	for i, item := range items {
		field := "keys[" + strconv.Itoa(i) + "]"
		item = strings.TrimSpace(item)
		parts := strings.Split(item, ":")
		var k Key
		var b64 string
		switch len(parts) {
		case 2:
			k.ID, b64 = parts[0], parts[1]
		case 3:
			k.ID, b64 = parts[0], parts[2]
			switch parts[1] {
			case "aes-256-gcm":
				k.Cipher = AES256GCM
			case "xchacha20-poly1305":
				k.Cipher = XChaCha20Poly1305
			default:
				// The cipher name is not secret, but quoting user input in
				// an error is avoided on principle: it may be a misplaced key.
				errs = append(errs, &ConfigError{Field: field, Reason: "unknown cipher (want aes-256-gcm or xchacha20-poly1305)"})
				continue
			}
		default:
			errs = append(errs, &ConfigError{Field: field, Reason: "want id:base64key or id:cipher:base64key"})
			continue
		}
		if reason := checkID(k.ID); reason != "" {
			errs = append(errs, &ConfigError{Field: field + ".ID", Reason: reason})
			continue
		}
		secret, ok := decodeKey(b64)
		if !ok {
			errs = append(errs, &ConfigError{Field: field + ".Secret", Reason: "not valid base64 (key " + k.ID + ")"})
			continue
		}
		k.Secret = secret
		keys = append(keys, k)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return keys, nil
}

// decodeKey accepts standard or URL-safe base64, padded or not.
func decodeKey(s string) ([]byte, bool) {
	s = strings.TrimRight(s, "=")
	if s == "" {
		return nil, false
	}
	enc := base64.RawStdEncoding
	if strings.ContainsAny(s, "-_") {
		enc = base64.RawURLEncoding
	}
	b, err := enc.Strict().DecodeString(s)
	if err != nil {
		return nil, false
	}
	return b, true
}

// checkID returns why id is not a valid key id, or "".
func checkID(id string) string {
	if id == "" {
		return "key id is empty"
	}
	if len(id) > MaxKeyIDLen {
		return "key id longer than " + strconv.Itoa(MaxKeyIDLen) + " bytes"
	}
	for i := 0; i < len(id); i++ {
		if !idByte(id[i]) {
			return "key id may only contain A-Z a-z 0-9 . _ -"
		}
	}
	return ""
}

func idByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-'
}

// CheckKeys validates a key set the way [New] and its sibling packages do:
// every id valid, no id twice, no secret twice, every secret between
// minLen and maxLen bytes and not a run of one repeated byte (an all-zero
// key is the classic placeholder left in production). field prefixes the
// returned [*ConfigError] fields, for example "Keys" or "Peppers". It is
// exported for the sibling packages and for callers who validate keys
// before building anything.
func CheckKeys(field string, keys []Key, minLen, maxLen int) []error {
	var errs []error
	seenID := make(map[string]int, len(keys))
	for i, k := range keys {
		f := field + "[" + strconv.Itoa(i) + "]"
		if reason := checkID(k.ID); reason != "" {
			errs = append(errs, &ConfigError{Field: f + ".ID", Reason: reason})
		} else if j, dup := seenID[k.ID]; dup {
			errs = append(errs, &ConfigError{Field: f + ".ID", Reason: "duplicate key id " + k.ID + " (also " + field + "[" + strconv.Itoa(j) + "])"})
		} else {
			seenID[k.ID] = i
		}
		switch {
		case len(k.Secret) == 0:
			errs = append(errs, &ConfigError{Field: f + ".Secret", Reason: "missing"})
		case len(k.Secret) < minLen || len(k.Secret) > maxLen:
			want := strconv.Itoa(minLen)
			if maxLen != minLen {
				want += " to " + strconv.Itoa(maxLen)
			}
			errs = append(errs, &ConfigError{Field: f + ".Secret", Reason: "is " + strconv.Itoa(len(k.Secret)) + " bytes, want " + want})
		case isRepeated(k.Secret):
			errs = append(errs, &ConfigError{Field: f + ".Secret", Reason: "is one byte repeated (a placeholder, not a key)"})
		}
		for j := range i {
			if len(k.Secret) > 0 && bytes.Equal(k.Secret, keys[j].Secret) {
				errs = append(errs, &ConfigError{Field: f + ".Secret", Reason: "same secret as " + field + "[" + strconv.Itoa(j) + "]"})
				break
			}
		}
	}
	return errs
}

func isRepeated(b []byte) bool {
	for _, c := range b[1:] {
		if c != b[0] {
			return false
		}
	}
	return true
}
