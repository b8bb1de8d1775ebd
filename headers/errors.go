package headers

import "errors"

// ConfigError is one problem with a [Config], [HostConfig] or
// [ReportConfig]. New functions return every ConfigError found, joined with
// [errors.Join].
type ConfigError struct {
	Field  string // the Config field, e.g. "Headers[Referrer-Policy]"
	Reason string
}

func (e *ConfigError) Error() string { return "headers: " + e.Field + ": " + e.Reason }

// Request-time errors handed to an ErrorHandler. They are sentinels: compare
// them with [errors.Is].
var (
	// ErrUnknownHost means the Host header named a host outside the
	// allow-list.
	ErrUnknownHost = errors.New("headers: unknown host")
	// ErrMalformedHost means the Host header was missing or not a valid
	// host[:port].
	ErrMalformedHost = errors.New("headers: malformed host")
)
