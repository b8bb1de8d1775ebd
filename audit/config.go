package audit

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/textproto"
	"time"
)

// Defaults and limits of [Config].
const (
	DefaultRequestIDHeader    = "X-Request-ID"
	DefaultMaxRequestIDLength = 64
	DefaultMaxPathLength      = 256
	DefaultMaxUserAgentLength = 256
	maxLengthLimit            = 8192
)

// Config configures the request [Middleware]. Only Logger is required;
// every other zero field means the documented default.
type Config struct {
	_ [0]func() // forces keyed literals; Config is not comparable

	// Logger receives one event per request. Required. Give it a
	// [Handler] (directly, not wrapped by another handler) so that the
	// request attributes are added once and every other log line written
	// during the request carries them too; with any other handler the
	// middleware adds them to its own event only.
	Logger *slog.Logger

	// SuccessLevel is the level of the event for a request whose outcome
	// is not a security event (2xx, 3xx, and 4xx not listed below). The
	// zero value is slog.LevelInfo; slog.LevelDebug usually turns them off.
	// Other 4xx are logged at no less than Info, because a detector counts
	// them. Security outcomes are logged at their own level whatever this
	// is: 401 authn_fail and 400/413/415/422 input_validation_fail and 429
	// excess_rate_limit_exceeded at Warn, 403 authz_fail at
	// [LevelCritical], 5xx sys_error at Error.
	SuccessLevel slog.Level

	// Skip, if set, suppresses the event of requests it returns true for
	// (health checks) unless the outcome is a security event or 5xx.
	Skip func(*http.Request) bool

	// RequestIDHeader names the request id header read and echoed.
	// Default DefaultRequestIDHeader.
	RequestIDHeader string

	// IgnoreInboundRequestID makes the middleware always generate the
	// request id. By default an inbound id is kept when it is 1 to
	// MaxRequestIDLength bytes of letters, digits, '-', '_', '.' and ':'
	// (so that a proxy's id correlates across services); anything else is
	// replaced. Set it when clients talk to the service directly and
	// should not choose ids that appear in your logs.
	IgnoreInboundRequestID bool

	// MaxRequestIDLength caps an accepted inbound id; default
	// DefaultMaxRequestIDLength, at most 128.
	MaxRequestIDLength int

	// MaxPathLength and MaxUserAgentLength cap, in bytes, what is logged
	// of the path and the User-Agent; defaults DefaultMaxPathLength and
	// DefaultMaxUserAgentLength, at most 8192. Longer values are cut and
	// marked "...[truncated]".
	MaxPathLength      int
	MaxUserAgentLength int

	// Now returns the current time; time.Now when nil. Tests inject it.
	Now func() time.Time
}

func (c *Config) compile() (*Middleware, error) {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, &ConfigError{Field: field, Reason: fmt.Sprintf(format, args...)})
	}
	m := &Middleware{
		logger:       c.Logger,
		successLevel: c.SuccessLevel,
		skip:         c.Skip,
		header:       DefaultRequestIDHeader,
		ignoreID:     c.IgnoreInboundRequestID,
		maxID:        orDefault(c.MaxRequestIDLength, DefaultMaxRequestIDLength),
		maxPath:      orDefault(c.MaxPathLength, DefaultMaxPathLength),
		maxUA:        orDefault(c.MaxUserAgentLength, DefaultMaxUserAgentLength),
		now:          c.Now,
	}
	if c.Logger == nil {
		bad("Logger", "is required")
	} else if _, ok := c.Logger.Handler().(*Handler); ok {
		m.handlerAddsAttrs = true
	}
	if c.RequestIDHeader != "" {
		if !validHeaderName(c.RequestIDHeader) {
			bad("RequestIDHeader", "%q is not a valid header field name", c.RequestIDHeader)
		}
		m.header = c.RequestIDHeader
	}
	m.header = textproto.CanonicalMIMEHeaderKey(m.header)
	if c.MaxRequestIDLength < 0 || c.MaxRequestIDLength > 128 {
		bad("MaxRequestIDLength", "must be between 0 and 128, got %d", c.MaxRequestIDLength)
	}
	if c.MaxPathLength < 0 || c.MaxPathLength > maxLengthLimit {
		bad("MaxPathLength", "must be between 0 and %d, got %d", maxLengthLimit, c.MaxPathLength)
	}
	if c.MaxUserAgentLength < 0 || c.MaxUserAgentLength > maxLengthLimit {
		bad("MaxUserAgentLength", "must be between 0 and %d, got %d", maxLengthLimit, c.MaxUserAgentLength)
	}
	if m.now == nil {
		m.now = time.Now
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return m, nil
}

func orDefault(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

func validHeaderName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return s != ""
}

// Defaults and limits of [HandlerConfig].
const (
	DefaultMaxValueLength = 4096
	maxValueLengthLimit   = 1 << 20
)

// HandlerConfig configures a [Handler].
type HandlerConfig struct {
	_ [0]func()

	// Next receives the cleaned records: usually slog.NewJSONHandler over
	// os.Stdout, a file, or a [Chain]; or a [Detector] in front of one.
	// Required.
	Next slog.Handler

	// SensitiveKeys adds keys to [DefaultSensitiveKeys]. Entries are
	// compared ignoring case and punctuation ("X-Session-Token" equals
	// "xsessiontoken"); see DefaultSensitiveKeys for how keys match.
	SensitiveKeys []string

	// DangerouslyAllowKeys lists exact keys (any case) whose values are
	// never redacted because of their name, for keys such as "token_count"
	// that a sensitive word matches by accident. Values that look like
	// credentials are still redacted.
	DangerouslyAllowKeys []string

	// MaxValueLength caps each string value, message and key in bytes;
	// default DefaultMaxValueLength, at most 1 MiB.
	MaxValueLength int
}

func (c *HandlerConfig) compile() (*Handler, error) {
	var errs []error
	if c.Next == nil {
		errs = append(errs, &ConfigError{Field: "Next", Reason: "is required"})
	}
	for i, s := range c.SensitiveKeys {
		if normalizeEntry(s) == "" {
			errs = append(errs, &ConfigError{Field: fmt.Sprintf("SensitiveKeys[%d]", i), Reason: fmt.Sprintf("%q has no letter or digit", s)})
		}
	}
	for i, s := range c.DangerouslyAllowKeys {
		if s == "" {
			errs = append(errs, &ConfigError{Field: fmt.Sprintf("DangerouslyAllowKeys[%d]", i), Reason: "is empty"})
		}
	}
	if c.MaxValueLength < 0 || c.MaxValueLength > maxValueLengthLimit {
		errs = append(errs, &ConfigError{Field: "MaxValueLength", Reason: fmt.Sprintf("must be between 0 and %d, got %d", maxValueLengthLimit, c.MaxValueLength)})
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	core := &handlerCore{
		keys: newKeyMatcher(c.SensitiveKeys, c.DangerouslyAllowKeys),
		max:  orDefault(c.MaxValueLength, DefaultMaxValueLength),
	}
	return &Handler{core: core, next: c.Next}, nil
}
