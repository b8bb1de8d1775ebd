package token

import "errors"

// ConfigError reports one problem with a [Config]; [New] returns all of
// them joined with [errors.Join]. It never contains key material.
type ConfigError struct {
	Field  string // the offending Config field
	Reason string // what is wrong with it
}

func (e *ConfigError) Error() string { return "token: " + e.Field + ": " + e.Reason }

// Errors returned by [Signer.Verify]. Both mean "reject".
var (
	// ErrInvalid means the tag is malformed or does not match the message.
	ErrInvalid = errors.New("token: invalid signature")
	// ErrUnknownKey means the tag names a key id that is not configured.
	ErrUnknownKey = errors.New("token: signature key id not configured")
)
