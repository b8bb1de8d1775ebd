package headers

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/apisec-go/apisec/clientip"
	"github.com/apisec-go/apisec/internal/httpsyntax"
)

// Profile selects the set of default header values.
type Profile int

const (
	// ProfileAPI is for JSON and other non-HTML APIs (the default): a
	// Content-Security-Policy that allows nothing, no framing, no referrer,
	// same-origin resource and opener policies, no caching.
	ProfileAPI Profile = iota
	// ProfileHTML is for server-rendered pages: a strict nonce-based CSP
	// (script-src 'nonce-…' 'strict-dynamic', object-src 'none', base-uri
	// 'none', form-action 'self', frame-ancestors 'none') with a fresh nonce
	// per response, and otherwise the same headers as ProfileAPI.
	ProfileHTML
)

func (p Profile) String() string {
	switch p {
	case ProfileAPI:
		return "API"
	case ProfileHTML:
		return "HTML"
	}
	return "Profile(" + strconv.Itoa(int(p)) + ")"
}

// ProtoSource names the header a trusted proxy uses to say the client
// connected over HTTPS.
type ProtoSource int

const (
	// ProtoFromTLS trusts only the connection itself (r.TLS): the default.
	ProtoFromTLS ProtoSource = iota
	// ProtoFromXForwardedProto reads the right-most X-Forwarded-Proto value
	// when the direct peer is one of [Config.TrustedProxies].
	ProtoFromXForwardedProto
	// ProtoFromForwarded reads proto= in the last RFC 7239 Forwarded element
	// when the direct peer is one of [Config.TrustedProxies].
	ProtoFromForwarded
)

// Header names the package sets or manages.
const (
	HeaderCSP                 = "Content-Security-Policy"
	HeaderCSPReportOnly       = "Content-Security-Policy-Report-Only"
	HeaderContentTypeOptions  = "X-Content-Type-Options"
	HeaderFrameOptions        = "X-Frame-Options"
	HeaderReferrerPolicy      = "Referrer-Policy"
	HeaderCORP                = "Cross-Origin-Resource-Policy"
	HeaderCOOP                = "Cross-Origin-Opener-Policy"
	HeaderCOEP                = "Cross-Origin-Embedder-Policy"
	HeaderPermissionsPolicy   = "Permissions-Policy"
	HeaderCrossDomainPolicies = "X-Permitted-Cross-Domain-Policies"
	HeaderXSSProtection       = "X-Xss-Protection"
	HeaderCacheControl        = "Cache-Control"
	HeaderHSTS                = "Strict-Transport-Security"
)

// DefaultHSTSMaxAge is the HSTS max-age sent when [Config.HSTSMaxAge] is
// zero: two years, as OWASP and the preload list recommend.
const DefaultHSTSMaxAge = 2 * 365 * 24 * time.Hour

// minPreloadMaxAge is the preload list's minimum max-age (one year).
const minPreloadMaxAge = 365 * 24 * time.Hour

// maxHeaders bounds how many headers one response gets from the middleware.
const maxHeaders = 16

// denyAllPermissions turns off every powerful feature an API or a typical
// page does not need (OWASP Secure Headers Project).
const denyAllPermissions = "accelerometer=(), autoplay=(), camera=(), clipboard-read=(), " +
	"clipboard-write=(), display-capture=(), encrypted-media=(), fullscreen=(), " +
	"gamepad=(), geolocation=(), gyroscope=(), hid=(), idle-detection=(), " +
	"interest-cohort=(), keyboard-map=(), magnetometer=(), microphone=(), midi=(), " +
	"payment=(), picture-in-picture=(), publickey-credentials-get=(), " +
	"screen-wake-lock=(), serial=(), sync-xhr=(), usb=(), web-share=(), " +
	"xr-spatial-tracking=()"

// profileHeaders returns the profile's headers, HSTS and Cache-Control
// excepted (those are handled on their own).
func profileHeaders(p Profile) [][2]string {
	csp := "default-src 'none'; frame-ancestors 'none'"
	if p == ProfileHTML {
		csp = "default-src 'self'; script-src 'strict-dynamic'; style-src 'self'; " +
			"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
	}
	return [][2]string{
		{HeaderCSP, csp},
		{HeaderContentTypeOptions, "nosniff"},
		{HeaderFrameOptions, "DENY"},
		{HeaderReferrerPolicy, "no-referrer"},
		{HeaderCORP, "same-origin"},
		{HeaderCOOP, "same-origin"},
		{HeaderPermissionsPolicy, denyAllPermissions},
		{HeaderCrossDomainPolicies, "none"},
		{HeaderXSSProtection, "0"},
	}
}

// Config configures a [Middleware]. The zero value is the API profile:
// every header of the OWASP Secure Headers Project, HSTS on HTTPS
// connections, Cache-Control no-store, no redirect and no host check.
//
// New copies what it needs; changing a Config after New has no effect.
type Config struct {
	_ [0]func() // forces keyed literals; Config is not comparable

	// Profile picks the default values: ProfileAPI (zero) or ProfileHTML.
	Profile Profile

	// Headers overrides profile values or adds headers, keyed by header
	// name. Values are checked: Content-Security-Policy directive syntax and
	// keyword quoting, Referrer-Policy tokens, Permissions-Policy syntax,
	// and the known tokens of the other security headers. HSTS is set with
	// the HSTS fields; Server, X-Powered-By, Set-Cookie and framing headers
	// cannot be set here. A response gets at most 14 headers from the
	// middleware besides HSTS and Cache-Control, profile included.
	Headers map[string]string

	// Remove lists headers of the profile not to send, by name. Removing
	// Cache-Control leaves caching to the handler; removing
	// Strict-Transport-Security turns HSTS off.
	Remove []string

	// HSTSMaxAge is the Strict-Transport-Security max-age, in whole
	// seconds. Zero means DefaultHSTSMaxAge (two years).
	HSTSMaxAge time.Duration
	// HSTSExcludeSubDomains drops includeSubDomains (sent by default).
	HSTSExcludeSubDomains bool
	// HSTSPreload adds the preload token. It is an error unless max-age is
	// at least one year, includeSubDomains is on, and RedirectHTTPS is on:
	// the conditions of the browsers' preload list.
	HSTSPreload bool

	// RedirectHTTPS answers plain-HTTP requests with a redirect to the same
	// host and path over https. It requires AllowedHosts, so that a forged
	// Host header cannot turn the redirect into an open redirect.
	RedirectHTTPS bool
	// RedirectStatus is 308 (the zero value's choice: keeps the method and
	// body) or 301.
	RedirectStatus int
	// HTTPSPort is the port in the redirect target; zero means 443, which is
	// left out of the URL.
	HTTPSPort int

	// AllowedHosts, when set, rejects requests whose Host is not listed:
	// exact host names or IP literals ("api.example.com", "192.0.2.1",
	// "[2001:db8::1]"), or "*.example.com" for any name one or more labels
	// below example.com. Ports in the Host header are ignored.
	AllowedHosts []string
	// UnknownHostStatus is the status for a well-formed Host outside
	// AllowedHosts: 421 Misdirected Request (zero value) or 400. A malformed
	// Host is always 400.
	UnknownHostStatus int

	// TrustedProxies are the CIDRs or addresses of proxies allowed to say,
	// through ProtoSource, that the client used HTTPS. Used for HSTS and
	// the redirect only.
	TrustedProxies []string
	// ProtoSource names the header the trusted proxies set. It must be set
	// when TrustedProxies is, and TrustedProxies when it is.
	ProtoSource ProtoSource

	// CSPReportOnly sends the policy as Content-Security-Policy-Report-Only:
	// violations are reported, not blocked. Use it to trial a new policy.
	CSPReportOnly bool
	// CSPReportURI, when set, is appended to the policy as report-uri (an
	// absolute URL or a path, such as the one a [ReportHandler] serves).
	CSPReportURI string
	// DisableNonces stops inserting a per-response nonce into script-src and
	// style-src. Nonces are inserted whenever the policy has one of those
	// directives (as the HTML profile's does), except into a directive whose
	// only source is 'none': it stays 'none', since browsers ignore 'none'
	// beside any other source and a nonce would allow nonced scripts or
	// styles where none were.
	DisableNonces bool

	// InsecureAllowWeakValues accepts values that undo the protection of a
	// header: 'unsafe-inline', 'unsafe-eval' or wildcard script sources,
	// Referrer-Policy unsafe-url and no-referrer-when-downgrade.
	InsecureAllowWeakValues bool

	// ErrorHandler, if set, writes the response for a rejected Host instead
	// of the default problem+json. err is ErrUnknownHost or
	// ErrMalformedHost.
	ErrorHandler func(w http.ResponseWriter, r *http.Request, err error)

	// Logger receives an input_validation_fail event for each rejected
	// Host. Nil means no logging.
	Logger *slog.Logger
}

// compiled is what New builds from a Config.
type compiled struct {
	names     []string // canonical names of the static headers, in order
	values    []string // their values; cspIndex's value is rebuilt per response when nonced
	cspIndex  int      // index of the CSP header in names, or -1
	cspParts  []string // policy split where nonces go; len > 1 means nonced
	hsts      string   // Strict-Transport-Security value, "" when off
	cacheCtl  bool     // add Cache-Control: no-store when the handler set none
	redirect  int      // 0 when off, else the status
	httpsPort string   // ":8443" or ""
	hosts     *hostList
	hostDeny  int
	resolver  *clientip.Resolver
	proto     ProtoSource
	errorFn   func(http.ResponseWriter, *http.Request, error)
	logger    *slog.Logger
}

// forbidden are headers Config.Headers may not set, with the reason.
var forbidden = map[string]string{
	"Server":                      "is always removed",
	"X-Powered-By":                "is always removed",
	HeaderHSTS:                    "is set with HSTSMaxAge, HSTSExcludeSubDomains and HSTSPreload, on HTTPS responses only",
	HeaderCSPReportOnly:           "is set with CSPReportOnly",
	"Set-Cookie":                  "is per-response state, not a static header",
	"Location":                    "is per-response state, not a static header",
	"Content-Length":              "is framing, set by net/http",
	"Transfer-Encoding":           "is framing, set by net/http",
	"Connection":                  "is hop-by-hop",
	"Content-Type":                "depends on the body the handler writes",
	"Access-Control-Allow-Origin": "belongs to a CORS middleware",
}

// enumValues are the accepted values of single-token headers.
var enumValues = map[string][]string{
	HeaderContentTypeOptions:  {"nosniff"},
	HeaderFrameOptions:        {"DENY", "SAMEORIGIN"},
	HeaderCORP:                {"same-origin", "same-site", "cross-origin"},
	HeaderCOOP:                {"same-origin", "same-origin-allow-popups", "noopener-allow-popups", "unsafe-none"},
	HeaderCOEP:                {"require-corp", "credentialless", "unsafe-none"},
	HeaderCrossDomainPolicies: {"none", "master-only", "by-content-type", "by-ftp-filename", "all"},
	HeaderXSSProtection:       {"0"},
}

func (c *Config) compile() (*compiled, error) {
	var errs []error
	bad := func(field, reason string) { errs = append(errs, &ConfigError{Field: field, Reason: reason}) }

	switch c.Profile {
	case ProfileAPI, ProfileHTML:
	default:
		bad("Profile", "unknown profile "+c.Profile.String())
	}

	// Start from the profile, then apply Headers and Remove.
	type entry struct{ name, value string }
	var list []entry
	for _, kv := range profileHeaders(c.Profile) {
		list = append(list, entry{kv[0], kv[1]})
	}
	cacheCtl, hstsOn := true, true
	index := func(name string) int {
		return slices.IndexFunc(list, func(e entry) bool { return e.name == name })
	}

	removed := map[string]bool{}
	for i, name := range c.Remove {
		field := fmt.Sprintf("Remove[%d]", i)
		cn := http.CanonicalHeaderKey(name)
		switch {
		case !httpsyntax.IsToken(name):
			bad(field, strconv.Quote(name)+" is not a header name")
			continue
		case removed[cn]:
			bad(field, "duplicate "+cn)
			continue
		}
		removed[cn] = true
		switch {
		case cn == HeaderCacheControl:
			cacheCtl = false
		case cn == HeaderHSTS:
			hstsOn = false
		case index(cn) >= 0:
			list = slices.Delete(list, index(cn), index(cn)+1)
		default:
			bad(field, cn+" is not a header of the profile")
		}
	}

	keys := make([]string, 0, len(c.Headers))
	for k := range c.Headers {
		keys = append(keys, k)
	}
	slices.Sort(keys) // report errors in a stable order
	seen := map[string]bool{}
	for _, k := range keys {
		v := c.Headers[k]
		cn := http.CanonicalHeaderKey(k)
		field := "Headers[" + k + "]"
		if !httpsyntax.IsToken(k) {
			bad(field, "not a header name")
			continue
		}
		if seen[cn] {
			bad(field, "set twice under different spellings")
			continue
		}
		seen[cn] = true
		if why, ok := forbidden[cn]; ok {
			bad(field, cn+" "+why)
			continue
		}
		if removed[cn] {
			bad(field, cn+" is also listed in Remove")
			continue
		}
		if len(v) > maxValueLen || !validFieldValue(v) {
			bad(field, "empty, too long, or contains control characters or surrounding spaces")
			continue
		}
		if msgs := c.checkValue(cn, v); len(msgs) > 0 {
			for _, m := range msgs {
				bad(field, m)
			}
			continue
		}
		if cn == HeaderCacheControl {
			// An explicit Cache-Control is a static header; the no-store
			// default no longer applies.
			cacheCtl = false
		}
		if i := index(cn); i >= 0 {
			list[i].value = v
		} else {
			list = append(list, entry{cn, v})
		}
	}

	out := &compiled{cacheCtl: cacheCtl, cspIndex: -1, logger: c.Logger, errorFn: c.ErrorHandler}

	// The CSP: parse the final policy, add report-uri, place nonces.
	if i := index(HeaderCSP); i >= 0 {
		// A policy from Headers was checked above (and left out of the list
		// when wrong); the profiles' policies are valid.
		dirs, _ := parseCSP(list[i].value, true)
		if c.CSPReportURI != "" {
			if !validReportURI(c.CSPReportURI) || strings.ContainsAny(c.CSPReportURI, ",;") {
				bad("CSPReportURI", strconv.Quote(c.CSPReportURI)+" is not an absolute URL or a path")
			} else if slices.ContainsFunc(dirs, func(d cspDirective) bool { return d.name == "report-uri" }) {
				bad("CSPReportURI", "the policy already has a report-uri directive")
			} else {
				dirs = append(dirs, cspDirective{name: "report-uri", tokens: []string{c.CSPReportURI}})
			}
		}
		nonceIn := map[string]bool{}
		if !c.DisableNonces {
			for _, d := range dirs {
				// Never beside a lone 'none': browsers ignore 'none' when
				// other sources are listed, so the nonce would turn "no
				// script at all" into "nonced scripts allowed".
				if (d.name == "script-src" || d.name == "style-src") && !onlyNone(d.tokens) {
					nonceIn[d.name] = true
				}
			}
		} else {
			for _, d := range dirs {
				if d.name == "script-src" && slices.Contains(d.tokens, "'strict-dynamic'") &&
					!slices.ContainsFunc(d.tokens, func(t string) bool { _, ok := hashSource(t); return ok }) {
					bad("DisableNonces", "script-src 'strict-dynamic' needs a nonce or a hash source; without nonces no script can run")
				}
			}
		}
		out.cspParts = serializeCSP(dirs, nonceIn)
		list[i].value = strings.Join(out.cspParts, "")
		if c.CSPReportOnly {
			list[i].name = HeaderCSPReportOnly
		}
		out.cspIndex = i
	} else {
		if c.CSPReportOnly {
			bad("CSPReportOnly", "Content-Security-Policy is removed; there is no policy to report on")
		}
		if c.CSPReportURI != "" {
			bad("CSPReportURI", "Content-Security-Policy is removed; there is no policy to report on")
		}
	}

	// HSTS.
	switch {
	case c.HSTSMaxAge < 0:
		bad("HSTSMaxAge", "must not be negative")
	case c.HSTSMaxAge > 0 && c.HSTSMaxAge < time.Second:
		bad("HSTSMaxAge", "must be at least one second")
	}
	maxAge := c.HSTSMaxAge
	if maxAge == 0 {
		maxAge = DefaultHSTSMaxAge
	}
	if !hstsOn && (c.HSTSMaxAge != 0 || c.HSTSExcludeSubDomains || c.HSTSPreload) {
		bad("Remove", "Strict-Transport-Security is removed but HSTS fields are set")
	}
	if c.HSTSPreload {
		if maxAge < minPreloadMaxAge {
			bad("HSTSPreload", "preload needs HSTSMaxAge of at least one year (31536000 s)")
		}
		if c.HSTSExcludeSubDomains {
			bad("HSTSPreload", "preload needs includeSubDomains; unset HSTSExcludeSubDomains")
		}
		if !c.RedirectHTTPS {
			bad("HSTSPreload", "preload needs RedirectHTTPS: the preload list requires an HTTP to HTTPS redirect on the same host")
		}
	}
	if hstsOn {
		v := "max-age=" + strconv.FormatInt(int64(maxAge/time.Second), 10)
		if !c.HSTSExcludeSubDomains {
			v += "; includeSubDomains"
		}
		if c.HSTSPreload {
			v += "; preload"
		}
		out.hsts = v
	}

	// Hosts and redirect.
	hl, herrs := compileHosts("AllowedHosts", c.AllowedHosts)
	errs = append(errs, herrs...)
	if len(c.AllowedHosts) > 0 {
		out.hosts = hl
	}
	var err error
	if out.hostDeny, err = hostStatus("UnknownHostStatus", c.UnknownHostStatus); err != nil {
		errs = append(errs, err)
	}
	switch c.RedirectStatus {
	case 0, http.StatusPermanentRedirect:
		out.redirect = http.StatusPermanentRedirect
	case http.StatusMovedPermanently:
		out.redirect = http.StatusMovedPermanently
	default:
		bad("RedirectStatus", "must be 308 or 301, got "+strconv.Itoa(c.RedirectStatus))
	}
	if !c.RedirectHTTPS {
		out.redirect = 0
		if c.RedirectStatus != 0 {
			bad("RedirectStatus", "set without RedirectHTTPS")
		}
		if c.HTTPSPort != 0 {
			bad("HTTPSPort", "set without RedirectHTTPS")
		}
	} else if len(c.AllowedHosts) == 0 {
		bad("AllowedHosts", "required with RedirectHTTPS: without it a forged Host header makes the redirect an open redirect")
	}
	switch {
	case c.HTTPSPort < 0 || c.HTTPSPort > 65535:
		bad("HTTPSPort", "must be between 1 and 65535, got "+strconv.Itoa(c.HTTPSPort))
	case c.HTTPSPort != 0 && c.HTTPSPort != 443:
		out.httpsPort = ":" + strconv.Itoa(c.HTTPSPort)
	}

	// Proxies.
	switch c.ProtoSource {
	case ProtoFromTLS:
		if len(c.TrustedProxies) > 0 {
			bad("ProtoSource", "TrustedProxies is set but ProtoSource names no header; set ProtoFromXForwardedProto or ProtoFromForwarded")
		}
	case ProtoFromXForwardedProto, ProtoFromForwarded:
		if len(c.TrustedProxies) == 0 {
			bad("TrustedProxies", "required with ProtoSource: a header any client can send proves nothing")
		}
	default:
		bad("ProtoSource", "unknown source "+strconv.Itoa(int(c.ProtoSource)))
	}
	out.proto = c.ProtoSource
	if len(c.TrustedProxies) > 0 {
		res, err := clientip.New(clientip.Config{TrustedProxies: c.TrustedProxies})
		if err != nil {
			// Re-label clientip's errors with our field names.
			var ce *clientip.ConfigError
			for _, e := range unjoin(err) {
				if errors.As(e, &ce) {
					bad(ce.Field, ce.Reason)
				} else {
					bad("TrustedProxies", e.Error())
				}
			}
		}
		out.resolver = res
	}

	if n := len(list) + 2; n > maxHeaders {
		bad("Headers", fmt.Sprintf("at most %d headers in all, got %d", maxHeaders-2, len(list)))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	for _, e := range list {
		out.names = append(out.names, e.name)
		out.values = append(out.values, e.value)
	}
	return out, nil
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// checkValue checks the value of a known security header.
func (c *Config) checkValue(name, v string) []string {
	switch name {
	case HeaderCSP:
		_, probs := parseCSP(v, c.InsecureAllowWeakValues)
		return probs
	case HeaderReferrerPolicy:
		return checkReferrerPolicy(v, c.InsecureAllowWeakValues)
	case HeaderPermissionsPolicy:
		return checkPermissionsPolicy(v)
	case HeaderXSSProtection:
		if v != "0" {
			return []string{"only 0 is accepted: the XSS auditor that 1; mode=block enables was removed from browsers and could be abused to leak data (OWASP)"}
		}
	case HeaderFrameOptions:
		if strings.HasPrefix(strings.ToUpper(v), "ALLOW-FROM") {
			return []string{"ALLOW-FROM is obsolete and ignored by browsers; use the CSP frame-ancestors directive"}
		}
	}
	if allowed, ok := enumValues[name]; ok && !slices.Contains(allowed, v) {
		return []string{strconv.Quote(v) + " is not one of " + strings.Join(allowed, ", ")}
	}
	return nil
}
