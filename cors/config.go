package cors

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/apisec-go/apisec/internal/httpsyntax"
)

// Caps on Access-Control-Request-Headers, the one preflight header whose
// size a client chooses. A preflight that exceeds any of them fails with
// [ErrHeadersTooLarge] before its items are parsed, so a 1 MiB header costs
// no more than a short one. Browsers send one line of lowercase names, each
// non-safelisted header once; these caps leave ample room for that.
const (
	MaxRequestHeadersBytes = 4096 // total bytes over all field lines
	MaxRequestHeaders      = 64   // list items
	MaxRequestHeadersLines = 8    // field lines
)

// MaxMaxAge is the largest [Config.MaxAge] New accepts. Browsers cap the
// preflight cache lifetime further: Chromium at 7200 s (2 h), Firefox at
// 86400 s (24 h), WebKit at 600 s (10 min).
const MaxMaxAge = 86400 * time.Second

// Config configures a [Middleware].
//
// The zero value is not usable: [Config.Origins] is required, and New
// reports its absence. Every other zero field is the safest choice: no
// credentials, only CORS-safelisted methods and request headers, no exposed
// headers, no Access-Control-Max-Age (browsers then cache a preflight for
// 5 s), preflights answered with 204 and never passed on, no debug header,
// no logging.
//
// New copies what it needs: changing a Config (or the slices in it) after
// New has no effect on the Middleware; use [Middleware.Reconfigure].
type Config struct {
	_ [0]func() // forces keyed literals; Config is not comparable

	// Origins lists the origins allowed to read responses. Each entry is one
	// of:
	//   - a serialized origin, "https://app.example.com" or
	//     "http://localhost:3000": lowercase scheme and host, the port only
	//     when it is not the scheme's default, no path, no trailing slash;
	//   - a subdomain pattern, "https://*.example.com", matching one or more
	//     whole labels before example.com (never example.com itself, never
	//     "evilexample.com"); refused under a public suffix
	//     (see [PublicSuffixes]);
	//   - a port wildcard, "http://localhost:*", matching any port, including
	//     the default one; it combines with a subdomain pattern;
	//   - "null", only with DangerouslyAllowNullOrigin;
	//   - "*" alone, allowing every origin; never with Credentials.
	// Required.
	Origins []string

	// Methods lists the methods allowed beyond the CORS-safelisted GET, HEAD
	// and POST, which are always allowed. Names are case-sensitive except
	// DELETE, GET, HEAD, OPTIONS, POST and PUT, which browsers uppercase and
	// New normalizes. "*" alone allows every method. CONNECT, TRACE and
	// TRACK are refused.
	Methods []string

	// RequestHeaders lists the request headers allowed beyond the
	// CORS-safelisted ones, case-insensitively. "*" allows any header
	// except Authorization, which is allowed only when listed by name, as
	// the Fetch standard specifies. Forbidden request headers (Cookie, Host,
	// Sec-*, Proxy-*, ...) are refused: browsers never let scripts set them.
	RequestHeaders []string

	// ExposedHeaders lists the response headers scripts may read beyond the
	// CORS-safelisted ones. "*" exposes every header except Set-Cookie, and
	// only without Credentials (with credentials browsers read it as a
	// header named "*"), so New refuses that combination.
	ExposedHeaders []string

	// Credentials allows requests with cookies, TLS client certificates or
	// HTTP authentication (Access-Control-Allow-Credentials: true). It is
	// refused with Origins "*", and with plain-http origins other than
	// loopback unless InsecureAllowHTTPOriginsWithCredentials is set.
	Credentials bool

	// MaxAge is how long browsers may cache a successful preflight, in whole
	// seconds, at most [MaxMaxAge]. Zero sends no Access-Control-Max-Age
	// (browsers use 5 s); a negative value sends 0, disabling the cache.
	MaxAge time.Duration

	// PreflightStatus is the status of a successful preflight response:
	// 204 (the default when zero) or 200, for old clients that reject 204.
	PreflightStatus int

	// PreflightPassthrough passes successful preflights on to the next
	// handler, with the CORS headers already set, instead of answering
	// them. Failed preflights are always answered with 403.
	PreflightPassthrough bool

	// Debug adds a Cors-Debug header to a failed preflight's 403 response,
	// naming which check failed (origin, method, headers or size). The
	// values are fixed strings; they never echo the request. Off by default
	// because they help an attacker map the policy.
	Debug bool

	// VaryNonCORS adds Vary: Origin to responses to requests without an
	// Origin header too. The Fetch standard (§3.2.6, "CORS protocol and HTTP
	// caches") recommends it for cacheable resources: otherwise a response
	// cached after a navigation, without Access-Control-Allow-Origin, can be
	// served to a later fetch() and fail it. Off by default because API
	// responses are rarely cacheable and the header write costs about
	// 30 ns on every non-browser request; turn it on for cacheable GETs.
	// It has no effect with Origins "*", whose responses never vary.
	VaryNonCORS bool

	// DangerouslyAllowNullOrigin permits "null" in Origins. Sandboxed
	// iframes, data: URLs, file: pages and some redirects all send
	// Origin: null, so allowing it allows all of them.
	DangerouslyAllowNullOrigin bool

	// InsecureAllowHTTPOriginsWithCredentials permits plain-http (or ws)
	// origins together with Credentials. Anyone on the network path of such
	// an origin can inject a script into it and use the victim's cookies.
	// Loopback origins (localhost, 127.0.0.0/8, [::1]) do not need it.
	InsecureAllowHTTPOriginsWithCredentials bool

	// DenyHandler, when set, writes the response to a failed preflight
	// instead of the default 403 problem+json. err is one of
	// [ErrOriginNotAllowed], [ErrMethodNotAllowed], [ErrHeadersNotAllowed]
	// or [ErrHeadersTooLarge]. No CORS header has been set; the Cors-Debug
	// header has, when Debug is on.
	DenyHandler func(w http.ResponseWriter, r *http.Request, err error)

	// Logger receives a "malicious_cors" event (level [LevelCritical]) when
	// a request carrying credentials (a Cookie or Authorization header)
	// comes from an origin that is not allowed. Nil disables logging.
	Logger *slog.Logger
}

// LevelCritical is the slog level of the malicious_cors event: the OWASP
// Logging Vocabulary rates it CRITICAL, above slog.LevelError.
const LevelCritical = slog.LevelError + 4

// policy is a compiled Config. It is immutable once built.
type policy struct {
	anyOrigin   bool
	exact       []string            // serialized origins, scanned when few
	exactSet    map[string]struct{} // the same, when many
	patterns    []pattern
	credentials bool

	anyMethod bool
	methods   []string

	anyHeader bool
	allowAuth bool                // "authorization" listed by name
	headers   []string            // lowercase names, scanned when few
	headerSet map[string]struct{} // the same, when many

	acam, acah, aceh, acma string // precomputed response values; "" = omit
	varyActual, varyPref   string // "" = no Vary
	varyNonCORS            string // "" = no Vary on requests without Origin
	actualSlots            int    // header values an allowed actual request needs
	preflightSlots         int    // the same for a preflight, less its ACAH

	status      int
	passthrough bool
	debug       bool
	deny        func(http.ResponseWriter, *http.Request, error)
	logger      *slog.Logger
}

// maxHeaderName bounds configured request header names, so that matching
// can lowercase a requested name in a fixed stack buffer.
const maxHeaderName = 128

// headerScanMax is the number of allowed request headers up to which a
// case-insensitive linear scan beats lowercasing and a map lookup.
const headerScanMax = 8

// exactScanMax is the number of exact origins up to which a linear scan
// beats a map lookup (measured in bench_test.go).
const exactScanMax = 8

func (c *Config) compile() (*policy, error) {
	var errs []error
	add := func(field, reason string) { errs = append(errs, &ConfigError{Field: field, Reason: reason}) }
	p := &policy{
		credentials: c.Credentials,
		passthrough: c.PreflightPassthrough,
		debug:       c.Debug,
		deny:        c.DenyHandler,
		logger:      c.Logger,
	}

	// Origins.
	if len(c.Origins) == 0 {
		add("Origins", "at least one origin is required")
	}
	sawNull := false
	for i, s := range c.Origins {
		field := fmt.Sprintf("Origins[%d]", i)
		switch s {
		case "*":
			if len(c.Origins) > 1 {
				add(field, `"*" allows every origin and must be the only entry`)
			}
			if c.Credentials {
				add(field, `"*" cannot be combined with Credentials: it would let every site act with the user's cookies`)
			}
			p.anyOrigin = true
			continue
		case "null":
			sawNull = true
			if !c.DangerouslyAllowNullOrigin {
				add(field, `"null" is sent by sandboxed iframes, data: and file: pages of any site; set DangerouslyAllowNullOrigin to allow it`)
			}
			p.exact = append(p.exact, s)
			continue
		}
		po, err := parseOrigin(s)
		if err != nil {
			add(field, err.Error())
			continue
		}
		if c.Credentials && po.http && !po.loop && !c.InsecureAllowHTTPOriginsWithCredentials {
			add(field, quote(s)+" is plain http: with Credentials any network attacker could inject script into it; use https or set InsecureAllowHTTPOriginsWithCredentials")
		}
		if po.pattern != nil {
			p.patterns = append(p.patterns, *po.pattern)
		} else {
			p.exact = append(p.exact, po.exact)
		}
	}
	if c.DangerouslyAllowNullOrigin && !sawNull {
		add("DangerouslyAllowNullOrigin", `set but Origins does not list "null"`)
	}
	if c.InsecureAllowHTTPOriginsWithCredentials && !c.Credentials {
		add("InsecureAllowHTTPOriginsWithCredentials", "set without Credentials, where plain-http origins are already allowed")
	}
	if len(p.exact) > exactScanMax {
		p.exactSet = make(map[string]struct{}, len(p.exact))
		for _, o := range p.exact {
			p.exactSet[o] = struct{}{}
		}
	}

	// Methods.
	var acam []string
	for i, m := range c.Methods {
		field := fmt.Sprintf("Methods[%d]", i)
		if m == "*" {
			if len(c.Methods) > 1 {
				add(field, `"*" allows every method and must be the only entry`)
			}
			p.anyMethod = true
			continue
		}
		if !httpsyntax.IsToken(m) {
			add(field, quote(m)+" is not a valid method token")
			continue
		}
		switch strings.ToUpper(m) {
		case "CONNECT", "TRACE", "TRACK":
			add(field, quote(m)+" is a forbidden method; browsers never send it")
			continue
		case "DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT":
			m = strings.ToUpper(m)
		}
		if !containsStr(p.methods, m) {
			p.methods = append(p.methods, m)
			acam = append(acam, m)
		}
	}
	p.acam = strings.Join(acam, ", ")

	// Request headers.
	p.headerSet = make(map[string]struct{}, len(c.RequestHeaders))
	var acah []string
	for i, h := range c.RequestHeaders {
		field := fmt.Sprintf("RequestHeaders[%d]", i)
		if h == "*" {
			p.anyHeader = true
			continue
		}
		if !httpsyntax.IsToken(h) {
			add(field, quote(h)+" is not a valid header name")
			continue
		}
		if len(h) > maxHeaderName {
			add(field, "header name longer than 128 bytes")
			continue
		}
		lh := strings.ToLower(h)
		if isForbiddenRequestHeader(lh) {
			add(field, quote(h)+" is a forbidden request header; browsers never let scripts set it")
			continue
		}
		if lh == "authorization" {
			p.allowAuth = true
		}
		if _, dup := p.headerSet[lh]; !dup {
			p.headerSet[lh] = struct{}{}
			acah = append(acah, lh)
		}
	}
	p.acah = strings.Join(acah, ", ")
	p.headers = acah
	if len(acah) <= headerScanMax {
		p.headerSet = nil
	}

	// Exposed headers.
	var aceh []string
	for i, h := range c.ExposedHeaders {
		field := fmt.Sprintf("ExposedHeaders[%d]", i)
		if h == "*" {
			if c.Credentials {
				add(field, `"*" is read as a header named "*" on credentialed responses, so it would expose nothing; list the headers`)
				continue
			}
			aceh = append(aceh, "*")
			continue
		}
		if !httpsyntax.IsToken(h) {
			add(field, quote(h)+" is not a valid header name")
			continue
		}
		lh := strings.ToLower(h)
		if lh == "set-cookie" || lh == "set-cookie2" {
			add(field, quote(h)+" is never exposed by browsers")
			continue
		}
		if !containsStr(aceh, lh) {
			aceh = append(aceh, lh)
		}
	}
	p.aceh = strings.Join(aceh, ", ")

	// Max age.
	switch {
	case c.MaxAge > MaxMaxAge:
		add("MaxAge", fmt.Sprintf("%v exceeds %v; browsers cap it anyway (Chromium 2h, Firefox 24h, WebKit 10m)", c.MaxAge, MaxMaxAge))
	case c.MaxAge < 0:
		p.acma = "0"
	case c.MaxAge%time.Second != 0:
		add("MaxAge", fmt.Sprintf("%v is not a whole number of seconds", c.MaxAge))
	case c.MaxAge > 0:
		p.acma = strconv.FormatInt(int64(c.MaxAge/time.Second), 10)
	}

	// Preflight status.
	switch c.PreflightStatus {
	case 0:
		p.status = http.StatusNoContent
	case http.StatusOK, http.StatusNoContent:
		p.status = c.PreflightStatus
	default:
		add("PreflightStatus", fmt.Sprintf("must be 200 or 204, got %d", c.PreflightStatus))
	}

	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}

	// Vary: actual responses depend on Origin unless every origin gets "*".
	// Preflight responses also depend on the requested method and headers,
	// which decide between success and failure.
	if !p.anyOrigin {
		p.varyActual = "Origin"
		p.varyPref = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
		if c.VaryNonCORS {
			p.varyNonCORS = "Origin"
		}
	} else {
		p.varyPref = "Access-Control-Request-Method, Access-Control-Request-Headers"
	}
	p.actualSlots = 1
	if p.credentials {
		p.actualSlots++
	}
	if p.aceh != "" {
		p.actualSlots++
	}
	if p.varyActual != "" {
		p.actualSlots++
	}
	p.preflightSlots = 2 // ACAO and Vary
	if p.credentials {
		p.preflightSlots++
	}
	if p.anyMethod || p.acam != "" {
		p.preflightSlots++
	}
	if p.acma != "" {
		p.preflightSlots++
	}
	return p, nil
}

func containsStr(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// isForbiddenRequestHeader reports whether a lowercase name is a forbidden
// request header in the Fetch standard.
func isForbiddenRequestHeader(h string) bool {
	switch h {
	case "accept-charset", "accept-encoding", "access-control-request-headers",
		"access-control-request-method", "access-control-request-private-network",
		"connection", "content-length", "cookie", "cookie2", "date", "dnt", "expect",
		"host", "keep-alive", "origin", "referer", "set-cookie", "te", "trailer",
		"transfer-encoding", "upgrade", "via":
		return true
	}
	return strings.HasPrefix(h, "proxy-") || strings.HasPrefix(h, "sec-")
}
