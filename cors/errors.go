package cors

import "errors"

// ConfigError is one problem found by [New] or [Middleware.Reconfigure] in a
// [Config]. Both join every problem they find with errors.Join, so callers
// see the whole list at once; use errors.As to inspect them one by one.
// A ConfigError is a plain value: safe to share, never mutated by the
// package.
type ConfigError struct {
	Field  string // the Config field, e.g. "Origins[2]"
	Reason string
}

func (e *ConfigError) Error() string { return "cors: " + e.Field + ": " + e.Reason }

// Reasons a preflight request fails. A [Config.DenyHandler] receives one of
// them; they never carry request data, so they are safe to log or show.
var (
	// ErrOriginNotAllowed: the Origin header is missing from the allowed
	// origins, malformed, or sent more than once.
	ErrOriginNotAllowed = errors.New("cors: origin not allowed")
	// ErrMethodNotAllowed: Access-Control-Request-Method names a method that
	// is not allowed, or is not a valid method token.
	ErrMethodNotAllowed = errors.New("cors: method not allowed")
	// ErrHeadersNotAllowed: Access-Control-Request-Headers names a header
	// that is not allowed, or is not a valid list of header names.
	ErrHeadersNotAllowed = errors.New("cors: request headers not allowed")
	// ErrHeadersTooLarge: Access-Control-Request-Headers exceeds
	// [MaxRequestHeadersBytes], [MaxRequestHeaders] items or
	// [MaxRequestHeadersLines] field lines.
	ErrHeadersTooLarge = errors.New("cors: request headers list too large")
)

// debugReason is the Cors-Debug header value for a failure: fixed text, so
// nothing from the request is ever echoed.
func debugReason(err error) string {
	switch err {
	case ErrOriginNotAllowed:
		return "origin not allowed"
	case ErrMethodNotAllowed:
		return "method not allowed"
	case ErrHeadersNotAllowed:
		return "request headers not allowed"
	case ErrHeadersTooLarge:
		return "request headers list too large"
	}
	return "preflight failed"
}
