package version

import "errors"

// ConfigError is one problem [New] or [Negotiator.Route] found in a
// configuration. New joins every problem it finds with errors.Join, so
// callers can list them all, or pick one out with errors.As.
type ConfigError struct {
	Field  string // the Config field, e.g. "Versions[1].Sunset"
	Reason string
}

func (e *ConfigError) Error() string { return "version: " + e.Field + ": " + e.Reason }

// Request-time errors, returned by [Negotiator.Negotiate] and passed to
// [Config.ErrorHandler]. Compare with errors.Is.
var (
	// ErrMissing: the request names no version and Config.Default is
	// empty, so a version is required. Answered with 400.
	ErrMissing = errors.New("version: the request names no API version")

	// ErrUnsupported: a header, path segment or query parameter names a
	// version that is not configured, or cannot be read as a version.
	// Answered with 400 and the list of supported versions.
	ErrUnsupported = errors.New("version: unsupported API version")

	// ErrNotAcceptable: the Accept header asks for the vendor media type
	// only with versions that are not configured. Answered with 406.
	ErrNotAcceptable = errors.New("version: no acceptable API version in Accept")

	// ErrConflict: two sources (or two values of one source) name
	// different versions. Answered with 400.
	ErrConflict = errors.New("version: conflicting API versions in the request")

	// ErrMalformed: the version cannot be read unambiguously, for
	// instance when the escaped and decoded forms of the path disagree
	// about the version segment. Answered with 400.
	ErrMalformed = errors.New("version: ambiguous API version in the request")

	// ErrSunset: the version is past its sunset and is no longer served.
	// Answered with 410 pointing to the successor.
	ErrSunset = errors.New("version: API version is past its sunset")
)
