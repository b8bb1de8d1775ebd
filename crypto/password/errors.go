package password

import "errors"

// ConfigError reports one problem with a [Config]. [New] returns every
// problem it finds, joined with [errors.Join]. It never contains a key.
type ConfigError struct {
	Field  string // the offending Config field, such as "MemoryKiB"
	Reason string // what is wrong with it
}

func (e *ConfigError) Error() string { return "password: " + e.Field + ": " + e.Reason }

// Errors returned by [Hasher.Verify], [Hasher.VerifyDummy] and
// [Hasher.Hash]. Treat every non-nil error from Verify as "access denied";
// the distinctions are for logs and metrics, never for the client.
var (
	// ErrMismatch means the password does not match the hash.
	ErrMismatch = errors.New("password: password does not match")
	// ErrMalformedHash means the stored hash is not in a supported format.
	ErrMalformedHash = errors.New("password: malformed or unsupported hash")
	// ErrHashTooCostly means the stored hash asks for more memory, time or
	// lanes than the configured bounds allow; it was rejected without
	// hashing. Either the bounds are too low for legitimate hashes or the
	// row was tampered with.
	ErrHashTooCostly = errors.New("password: hash parameters exceed the configured bounds")
	// ErrUnknownPepper means the hash was peppered with a key id that is
	// not configured.
	ErrUnknownPepper = errors.New("password: hash names an unknown pepper key")
	// ErrPasswordTooLong means the password exceeds MaxPasswordBytes, or 72
	// bytes when checked against a bcrypt hash, which would otherwise
	// silently ignore the rest.
	ErrPasswordTooLong = errors.New("password: password too long")
	// ErrEmptyPassword is returned by Hash for an empty password.
	ErrEmptyPassword = errors.New("password: empty password")
	// ErrBusy means no hashing slot became free within MaxWait, or the
	// context ended while waiting. Answer 503 with Retry-After.
	ErrBusy = errors.New("password: too many hashes in progress")
)
