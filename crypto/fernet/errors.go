package fernet

import "errors"

// ConfigError reports one problem with a [Config]; [New] returns all of
// them joined with [errors.Join]. It never contains key material.
type ConfigError struct {
	Field  string // the offending Config field
	Reason string // what is wrong with it
}

func (e *ConfigError) Error() string { return "fernet: " + e.Field + ": " + e.Reason }

var (
	// ErrInvalidToken means the token is malformed, too large, or fails
	// authentication under every configured key. No detail is given, as
	// in Python's InvalidToken.
	ErrInvalidToken = errors.New("fernet: invalid token")
	// ErrExpired means an authentic token is older than the TTL, or
	// stamped too far in the future.
	ErrExpired = errors.New("fernet: token expired or not yet valid")
	// ErrEncryptDisabled is returned by Encrypt unless AllowEncrypt is set.
	ErrEncryptDisabled = errors.New("fernet: encryption not enabled (Config.AllowEncrypt)")
	// ErrInvalidKey is returned by ParseKey. The key is never quoted.
	ErrInvalidKey = errors.New("fernet: key must be 32 bytes of base64url")
)
