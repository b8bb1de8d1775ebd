package crypto

import "errors"

// ConfigError reports one problem with a [Config], a [Key] or a key list
// given to [ParseKeys]. [New] returns every problem it finds, joined with
// [errors.Join]; use [errors.As] to inspect them. A ConfigError never
// contains key material.
type ConfigError struct {
	// Field names the offending field, such as "Keys[1].Secret" or "Primary".
	Field string
	// Reason says what is wrong with it.
	Reason string
}

func (e *ConfigError) Error() string {
	return "crypto: " + e.Field + ": " + e.Reason
}

// Errors returned when decrypting. They say what failed without revealing
// anything about the plaintext or the keys; the three are distinct so that
// operators can tell a missing key (ErrUnknownKey: a key was dropped from
// the ring too early) from corruption or tampering.
var (
	// ErrMalformed means the input is not a ciphertext of a supported
	// version: too short, an unknown version byte, a bad key id, or bad
	// base64.
	ErrMalformed = errors.New("crypto: malformed ciphertext")
	// ErrUnknownKey means the ciphertext names a key id that is not in the
	// keyring.
	ErrUnknownKey = errors.New("crypto: ciphertext key id not in keyring")
	// ErrAuthentication means the ciphertext, its associated data or its
	// key do not match: it was tampered with, moved to another record, or
	// encrypted under a different key with the same id.
	ErrAuthentication = errors.New("crypto: message authentication failed")
	// ErrNoAssociatedData is returned when encrypting with empty
	// associated data, unless [Config.InsecureAllowNoAssociatedData].
	ErrNoAssociatedData = errors.New("crypto: associated data required (see AssociatedData)")
	// ErrTooLarge means a plaintext or ciphertext exceeds the size the
	// format supports.
	ErrTooLarge = errors.New("crypto: value too large")
)
