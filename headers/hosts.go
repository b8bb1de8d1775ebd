package headers

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"

	"github.com/apisec-go/apisec/internal/problem"
)

// maxHostLen caps the Host header we look at (RFC 1035 names are at most
// 253 bytes; add room for a port).
const maxHostLen = 260

// hostList matches a Host header against exact names and "*." suffixes.
type hostList struct {
	exact    map[string]struct{}
	suffixes []string // ".example.com" for "*.example.com"
}

func compileHosts(field string, hosts []string) (*hostList, []error) {
	hl := &hostList{exact: map[string]struct{}{}}
	var errs []error
	for i, h := range hosts {
		f := fmt.Sprintf("%s[%d]", field, i)
		if h != strings.ToLower(h) {
			errs = append(errs, &ConfigError{Field: f, Reason: fmt.Sprintf("%q must be lowercase", h)})
			continue
		}
		if rest, ok := strings.CutPrefix(h, "*."); ok {
			if !isDNSName(rest) || !strings.Contains(rest, ".") {
				errs = append(errs, &ConfigError{Field: f, Reason: fmt.Sprintf("%q: a wildcard needs a registrable name with at least two labels after \"*.\"", h)})
				continue
			}
			hl.suffixes = append(hl.suffixes, "."+rest)
			continue
		}
		name, ok := normalizeHost(h)
		if !ok || name != h && "["+name+"]" != h {
			errs = append(errs, &ConfigError{Field: f, Reason: fmt.Sprintf("%q is not a host name or IP literal without port", h)})
			continue
		}
		if _, dup := hl.exact[name]; dup {
			errs = append(errs, &ConfigError{Field: f, Reason: fmt.Sprintf("duplicate %q", h)})
			continue
		}
		hl.exact[name] = struct{}{}
	}
	return hl, errs
}

// allowed returns r's normalized Host and whether it is well formed and
// allowed; a nil list allows nothing.
func (hl *hostList) allowed(r *http.Request) (string, bool) {
	if hl == nil {
		return "", false
	}
	name, ok := normalizeHost(r.Host)
	return name, ok && hl.match(name)
}

// match reports whether the normalized host is allowed.
func (hl *hostList) match(name string) bool {
	if _, ok := hl.exact[name]; ok {
		return true
	}
	for _, s := range hl.suffixes {
		if len(name) > len(s) && strings.HasSuffix(name, s) {
			return true
		}
	}
	return false
}

func isDNSName(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for s != "" {
		label := s
		if i := strings.IndexByte(s, '.'); i >= 0 {
			label, s = s[:i], s[i+1:]
			if s == "" {
				return false // empty last label
			}
		} else {
			s = ""
		}
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for j := 0; j < len(label); j++ {
			c := label[j]
			if !(c >= 'a' && c <= 'z' || isDigit(c) || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// normalizeHost parses a Host header value: drops a valid port and one
// trailing dot, lowercases a name, and unbrackets an IPv6 literal. It
// returns false for anything else (userinfo, paths, bad ports, zones).
func normalizeHost(h string) (string, bool) {
	if h == "" || len(h) > maxHostLen {
		return "", false
	}
	if h[0] == '[' {
		end := strings.IndexByte(h, ']')
		if end < 0 || !validHostPort(h[end+1:]) {
			return "", false
		}
		a, err := netip.ParseAddr(h[1:end])
		if err != nil || !a.Is6() || a.Zone() != "" {
			return "", false
		}
		return a.String(), true
	}
	if i := strings.LastIndexByte(h, ':'); i >= 0 {
		if !validHostPort(h[i:]) {
			return "", false
		}
		h = h[:i]
	}
	h = strings.TrimSuffix(h, ".")
	if strings.IndexByte(h, ':') >= 0 {
		return "", false // an IPv6 literal must be bracketed
	}
	if looksIPv4(h) {
		// Only dotted digits reach the parser: its errors allocate.
		a, err := netip.ParseAddr(h)
		if err != nil {
			return "", false
		}
		return a.String(), true
	}
	lower := h
	for i := 0; i < len(h); i++ {
		if c := h[i]; c >= 'A' && c <= 'Z' {
			lower = strings.ToLower(h)
			break
		}
	}
	if !isDNSName(lower) {
		return "", false
	}
	return lower, true
}

func looksIPv4(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) && s[i] != '.' {
			return false
		}
	}
	return s != ""
}

func validHostPort(p string) bool {
	if p == "" {
		return true
	}
	if p[0] != ':' || len(p) < 2 || len(p) > 6 {
		return false
	}
	for i := 1; i < len(p); i++ {
		if !isDigit(p[i]) {
			return false
		}
	}
	return true
}

func hostStatus(field string, s int) (int, error) {
	switch s {
	case 0, http.StatusMisdirectedRequest:
		return http.StatusMisdirectedRequest, nil
	case http.StatusBadRequest:
		return http.StatusBadRequest, nil
	}
	return 0, &ConfigError{Field: field, Reason: fmt.Sprintf("must be 421 or 400, got %d", s)}
}

var (
	problemMisdirected = problem.MustCompile(problem.Problem{
		Status: http.StatusMisdirectedRequest,
		Detail: "This server does not serve the requested host.",
	})
	problemUnknownHost400 = problem.MustCompile(problem.Problem{
		Status: http.StatusBadRequest,
		Detail: "This server does not serve the requested host.",
	})
	problemMalformedHost = problem.MustCompile(problem.Problem{
		Status: http.StatusBadRequest,
		Detail: "The Host header is missing or malformed.",
	})
)

// checkHost returns nil when r.Host is allowed, else ErrUnknownHost or
// ErrMalformedHost, and the normalized host.
func checkHost(hl *hostList, r *http.Request) (string, error) {
	name, ok := normalizeHost(r.Host)
	if !ok {
		return "", ErrMalformedHost
	}
	if !hl.match(name) {
		return name, ErrUnknownHost
	}
	return name, nil
}

func rejectHost(w http.ResponseWriter, r *http.Request, err error, status int,
	fn func(http.ResponseWriter, *http.Request, error), logger *slog.Logger) {
	if logger != nil {
		reason := "unknown host"
		if err == ErrMalformedHost {
			reason = "malformed host"
		}
		// The Host value is attacker-chosen: log a bounded, quoted copy.
		host := r.Host
		if len(host) > 64 {
			host = host[:64]
		}
		logger.LogAttrs(r.Context(), slog.LevelWarn, "input_validation_fail",
			slog.String("component", "headers"),
			slog.String("reason", reason),
			slog.String("host", fmt.Sprintf("%q", host)))
	}
	if fn != nil {
		fn(w, r, err)
		return
	}
	switch {
	case err == ErrMalformedHost:
		problemMalformedHost.Write(w)
	case status == http.StatusBadRequest:
		problemUnknownHost400.Write(w)
	default:
		problemMisdirected.Write(w)
	}
}

// HostConfig configures a [HostGuard]. Its zero value lacks the required
// AllowedHosts; NewHostGuard copies what it needs, so later changes have no
// effect.
type HostConfig struct {
	_ [0]func() // forces keyed literals; HostConfig is not comparable

	// AllowedHosts is required: exact host names or IP literals, or
	// "*.example.com" patterns, as in [Config.AllowedHosts].
	AllowedHosts []string
	// UnknownHostStatus is 421 (zero value) or 400. A malformed Host is
	// always 400.
	UnknownHostStatus int
	// ErrorHandler, if set, writes the rejection instead of the default
	// problem+json; err is ErrUnknownHost or ErrMalformedHost.
	ErrorHandler func(w http.ResponseWriter, r *http.Request, err error)
	// Logger receives input_validation_fail for each rejection; nil means
	// no logging.
	Logger *slog.Logger
}

// HostGuard rejects requests whose Host header is not in an allow-list. It
// defends against Host header injection: password-reset links, cache keys
// and redirects built from a forged Host. The zero value is not usable; call
// [NewHostGuard]. A HostGuard is safe for concurrent use.
type HostGuard struct {
	hosts  *hostList
	status int
	errFn  func(http.ResponseWriter, *http.Request, error)
	logger *slog.Logger
}

// NewHostGuard checks cfg and returns a HostGuard. Changing cfg afterwards
// has no effect.
func NewHostGuard(cfg HostConfig) (*HostGuard, error) {
	hl, errs := compileHosts("AllowedHosts", cfg.AllowedHosts)
	if len(cfg.AllowedHosts) == 0 {
		errs = append(errs, &ConfigError{Field: "AllowedHosts", Reason: "required: list the host names this server answers for"})
	}
	status, err := hostStatus("UnknownHostStatus", cfg.UnknownHostStatus)
	if err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return &HostGuard{hosts: hl, status: status, errFn: cfg.ErrorHandler, logger: cfg.Logger}, nil
}

// Check returns nil when r's Host is allowed, else ErrUnknownHost or
// ErrMalformedHost.
func (g *HostGuard) Check(r *http.Request) error {
	_, err := checkHost(g.hosts, r)
	return err
}

// Handler rejects requests for unknown hosts and passes the rest to next.
func (g *HostGuard) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := checkHost(g.hosts, r); err != nil {
			rejectHost(w, r, err, g.status, g.errFn, g.logger)
			return
		}
		next.ServeHTTP(w, r)
	})
}
