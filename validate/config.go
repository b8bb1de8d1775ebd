package validate

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
)

// Defaults used when the corresponding Config field is zero.
const (
	DefaultMaxBodyBytes = 1 << 20 // 1 MiB
	DefaultMaxDepth     = 32
)

// Upper bounds New accepts, so a typo cannot switch the caps off.
const (
	maxMaxBodyBytes = 1 << 30
	maxMaxDepth     = 1000
)

// Config configures a [Decoder]. The zero value is the strict default:
// bodies up to 1 MiB, nesting up to 32 levels, unknown fields rejected, no
// logging, problem+json rejections.
type Config struct {
	_ [0]func() // forces keyed literals; Config is not comparable

	// MaxBodyBytes caps the request body. Zero means DefaultMaxBodyBytes
	// (1 MiB); at most 1 GiB. A larger body gets 413 without being read
	// past the cap.
	MaxBodyBytes int64

	// MaxDepth caps how deeply arrays and objects nest. Zero means
	// DefaultMaxDepth (32); at most 1000.
	MaxDepth int

	// InsecureAllowUnknownFields accepts (and ignores) object members that
	// the target type does not declare. Off by default: silently ignored
	// members hide client bugs and mass-assignment attempts, and let two
	// parsers disagree about what a body says. Duplicate keys are rejected
	// even when this is on.
	InsecureAllowUnknownFields bool

	// Logger receives an input_validation_fail event (WARN) for every
	// rejected body, with JSON Pointers, parameter names and codes only,
	// never values, and the method and route pattern (r.Pattern) but never
	// the raw path, which can hold secrets. Nil means no logging.
	Logger *slog.Logger

	// ErrorHandler, when set, writes the response for a rejected request
	// instead of the default problem+json. It receives the typed error;
	// use errors.Is with the Err... sentinels to tell the causes apart.
	ErrorHandler func(w http.ResponseWriter, r *http.Request, err *RequestError)
}

func (c *Config) compile() (*Decoder, error) {
	var errs []error
	d := &Decoder{
		maxBody:      c.MaxBodyBytes,
		maxDepth:     c.MaxDepth,
		allowUnknown: c.InsecureAllowUnknownFields,
		logger:       c.Logger,
		errorHandler: c.ErrorHandler,
	}
	switch {
	case c.MaxBodyBytes < 0 || c.MaxBodyBytes > maxMaxBodyBytes:
		errs = append(errs, &ConfigError{Field: "MaxBodyBytes", Reason: fmt.Sprintf("must be between 0 (default %d) and %d, got %d", DefaultMaxBodyBytes, maxMaxBodyBytes, c.MaxBodyBytes)})
	case c.MaxBodyBytes == 0:
		d.maxBody = DefaultMaxBodyBytes
	}
	switch {
	case c.MaxDepth < 0 || c.MaxDepth > maxMaxDepth:
		errs = append(errs, &ConfigError{Field: "MaxDepth", Reason: fmt.Sprintf("must be between 0 (default %d) and %d, got %d", DefaultMaxDepth, maxMaxDepth, c.MaxDepth)})
	case c.MaxDepth == 0:
		d.maxDepth = DefaultMaxDepth
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return d, nil
}
