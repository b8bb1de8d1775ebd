package version

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/apisec-go/apisec/internal/httpsyntax"
)

// Source is a set of places a request may name its version, combined with
// |. When several are enabled they are read in this priority order:
// header, path, media type, query; if two of them name different versions
// the request is rejected with [ErrConflict].
type Source uint8

const (
	// SourceHeader reads the request header named by [Config.Header]
	// (default "API-Version"). It is the only source enabled when
	// [Config.Sources] is zero.
	SourceHeader Source = 1 << iota
	// SourcePath reads the path segment that follows [Config.PathPrefix]
	// ("/api/v2/users" with PathPrefix "/api") and strips it for the next
	// handler. See [Negotiator.Handler] for exactly what is stripped.
	SourcePath
	// SourceMediaType reads the version parameter of [Config.MediaType]
	// in the Accept header ("Accept: application/vnd.acme+json; version=2").
	SourceMediaType
	// SourceQuery reads the query parameter named by [Config.QueryParam]
	// (default "api-version").
	SourceQuery

	allSources = SourceHeader | SourcePath | SourceMediaType | SourceQuery
)

func (s Source) String() string {
	if s == 0 {
		return "none"
	}
	var parts []string
	for _, x := range []struct {
		s    Source
		name string
	}{{SourceHeader, "header"}, {SourcePath, "path"}, {SourceMediaType, "media type"}, {SourceQuery, "query"}} {
		if s&x.s != 0 {
			parts = append(parts, x.name)
			s &^= x.s
		}
	}
	if s != 0 {
		parts = append(parts, fmt.Sprintf("Source(%#x)", uint8(s)))
	}
	return strings.Join(parts, "|")
}

// Defaults used when the corresponding Config field is empty.
const (
	DefaultHeader     = "API-Version"
	DefaultQueryParam = "api-version"
)

// Version describes one supported API version and its retirement plan.
// Only Name is required; the zero value of every other field means the
// version is current, with no deprecation, sunset or links. [New] copies
// it: changing a Version afterwards has no effect.
type Version struct {
	// Name is a number ("1", "2", "1.1", at most three dot-separated
	// components without leading zeros) or a calendar date
	// ("2026-11-01"). Numbers compare numerically and dates
	// chronologically; one Config cannot mix the two.
	Name string

	// Deprecated, when set, is sent as "Deprecation: @<unix seconds>"
	// (RFC 9745) on every response of this version. It may lie in the
	// future to announce a deprecation. From that instant on, every use
	// is logged through Config.Logger.
	Deprecated time.Time

	// Sunset, when set, is sent as "Sunset: <IMF-fixdate>" (RFC 8594). It
	// must not be earlier than Deprecated. From that instant on, requests
	// for this version get 410 Gone unless KeepServingAfterSunset is set.
	Sunset time.Time

	// Link is the documentation of the deprecation and sunset: an https
	// URL or an absolute path. It is sent as Link rel="deprecation" when
	// Deprecated is set and rel="sunset" when Sunset is set, so it needs
	// at least one of them.
	Link string

	// Successor names the version clients should move to. It must be a
	// newer version of the same Config. The 410 response names it.
	Successor string

	// SuccessorLink is the documentation of the successor, an https URL
	// or an absolute path, sent as Link rel="successor-version"
	// (RFC 5829) and in the 410 response.
	SuccessorLink string

	// KeepServingAfterSunset keeps answering requests for this version
	// after Sunset, still with the Deprecation and Sunset headers, instead
	// of 410 Gone.
	KeepServingAfterSunset bool
}

// Config configures a [Negotiator]. Only Versions is required: the zero
// value of every other field reads the API-Version header, requires every
// request to name a version, and logs nothing.
type Config struct {
	_ [0]func() // forces keyed literals; Config is not comparable

	// Versions lists the supported versions, in any order. At least one.
	Versions []Version

	// Default is the version used for requests that name none. Empty
	// means a version is required: such requests get 400 ([ErrMissing]).
	Default string

	// Sources says where requests may name their version. Zero means
	// SourceHeader only.
	Sources Source

	// Header is the request header read by SourceHeader. Empty means
	// "API-Version". Setting it requires SourceHeader.
	Header string

	// ResponseHeader is the response header that echoes the chosen
	// version. Empty means the same name as Header ("API-Version").
	ResponseHeader string

	// PathPrefix is the base path in front of the version segment for
	// SourcePath: "/api" reads "/api/v2/...". Empty means the version is
	// the first segment ("/v2/..."). It must start with "/", not end with
	// "/", and hold only unreserved characters. Setting it requires
	// SourcePath.
	PathPrefix string

	// MediaType is the vendor media type whose "version" parameter
	// SourceMediaType reads in Accept, e.g. "application/vnd.acme+json".
	// Required with SourceMediaType, and only allowed with it.
	MediaType string

	// QueryParam is the query parameter read by SourceQuery. Empty means
	// "api-version". Setting it requires SourceQuery.
	QueryParam string

	// Now returns the current time, to decide whether a version is past
	// its deprecation or sunset. Nil means time.Now.
	Now func() time.Time

	// Logger receives "version_deprecated_use" (INFO) for each request to
	// a version past its deprecation date, "version_sunset_use" (WARN)
	// for each request to a version past its sunset (outcome "rejected",
	// or "served" with KeepServingAfterSunset), and
	// "input_validation_fail" (WARN) for each rejected request, with the
	// principal's subject and the client IP. Nil means no logging. The
	// deprecation event is one record per request, so owners can count
	// callers; sample or aggregate it in the slog.Handler if the volume
	// matters.
	Logger *slog.Logger

	// ErrorHandler, when set, answers rejected requests instead of the
	// built-in problem+json responses. err wraps one of ErrMissing,
	// ErrUnsupported, ErrNotAcceptable, ErrConflict, ErrMalformed or
	// ErrSunset; for ErrSunset, [FromContext] on r's context returns the
	// retired version. Vary and, for ErrSunset, Sunset and Link are set
	// before it runs.
	ErrorHandler func(w http.ResponseWriter, r *http.Request, err error)
}

// versionKey is a version in comparable form: up to three numeric
// components (missing ones are zero, so "2" and "2.0" are equal) or a
// year, month and day.
type versionKey struct {
	date bool
	n    [3]uint32
}

func (a versionKey) compare(b versionKey) int {
	for i := range a.n {
		if c := cmpUint(a.n[i], b.n[i]); c != 0 {
			return c
		}
	}
	return 0
}

func cmpUint(a, b uint32) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// parseName parses a configured version name strictly.
func parseName(s string) (versionKey, error) {
	if s == "" {
		return versionKey{}, errors.New("empty version name")
	}
	if k, ok := parseDate(s); ok {
		return k, nil
	}
	if looksLikeDate(s) {
		return versionKey{}, fmt.Errorf("%q is not a valid calendar date", s)
	}
	k, ok := parseNumber(s, true)
	if !ok {
		return versionKey{}, fmt.Errorf("%q is neither a number like \"2\" or \"1.1\" (at most three components, no leading zeros) nor a date like \"2026-11-01\"", s)
	}
	return k, nil
}

func (c *Config) compile() (*Negotiator, error) {
	var errs []error
	add := func(field, reason string) { errs = append(errs, &ConfigError{Field: field, Reason: reason}) }

	n := &Negotiator{
		sources:      c.Sources,
		now:          c.Now,
		logger:       c.Logger,
		errorHandler: c.ErrorHandler,
		prefix:       c.PathPrefix,
	}
	if n.sources == 0 {
		n.sources = SourceHeader
	}
	if n.now == nil {
		n.now = time.Now
	}
	if c.Sources&^allSources != 0 {
		add("Sources", "unknown source bits in "+c.Sources.String())
	}

	// Sources and their settings.
	n.header = DefaultHeader
	if c.Header != "" {
		if n.sources&SourceHeader == 0 {
			add("Header", "set, but Sources does not include SourceHeader")
		}
		if !validToken(c.Header) {
			add("Header", fmt.Sprintf("%q is not a valid header field name", c.Header))
		}
		n.header = c.Header
	}
	n.header = http.CanonicalHeaderKey(n.header)
	n.respHeader = n.header
	if c.ResponseHeader != "" {
		if !validToken(c.ResponseHeader) {
			add("ResponseHeader", fmt.Sprintf("%q is not a valid header field name", c.ResponseHeader))
		}
		n.respHeader = http.CanonicalHeaderKey(c.ResponseHeader)
	}
	if c.PathPrefix != "" {
		if n.sources&SourcePath == 0 {
			add("PathPrefix", "set, but Sources does not include SourcePath")
		}
		if reason := checkPrefix(c.PathPrefix); reason != "" {
			add("PathPrefix", reason)
		}
	}
	switch {
	case c.MediaType == "" && n.sources&SourceMediaType != 0:
		add("MediaType", "required with SourceMediaType")
	case c.MediaType != "" && n.sources&SourceMediaType == 0:
		add("MediaType", "set, but Sources does not include SourceMediaType")
	case c.MediaType != "" && !validMediaType(c.MediaType):
		add("MediaType", fmt.Sprintf("%q is not a media type like \"application/vnd.acme+json\" (no parameters)", c.MediaType))
	}
	n.mediaType = c.MediaType
	n.query = DefaultQueryParam
	if c.QueryParam != "" {
		if n.sources&SourceQuery == 0 {
			add("QueryParam", "set, but Sources does not include SourceQuery")
		}
		if !validQueryName(c.QueryParam) {
			add("QueryParam", fmt.Sprintf("%q must hold only letters, digits, '-', '_' and '.'", c.QueryParam))
		}
		n.query = c.QueryParam
	}

	// Versions.
	if len(c.Versions) == 0 {
		add("Versions", "at least one version is required")
	}
	byName := map[versionKey]int{}
	keys := make([]versionKey, len(c.Versions))
	okKeys := make([]bool, len(c.Versions))
	dates, numbers := 0, 0
	for i, v := range c.Versions {
		field := fmt.Sprintf("Versions[%d]", i)
		k, err := parseName(v.Name)
		if err != nil {
			add(field+".Name", err.Error())
			continue
		}
		if j, dup := byName[k]; dup {
			add(field+".Name", fmt.Sprintf("%q duplicates Versions[%d] (%q)", v.Name, j, c.Versions[j].Name))
			continue
		}
		byName[k] = i
		keys[i], okKeys[i] = k, true
		if k.date {
			dates++
		} else {
			numbers++
		}
	}
	if dates > 0 && numbers > 0 {
		add("Versions", "mixes dates and numbers, which cannot be ordered")
	}
	for i, v := range c.Versions {
		field := fmt.Sprintf("Versions[%d]", i)
		for _, t := range []struct {
			name string
			t    time.Time
		}{{"Deprecated", v.Deprecated}, {"Sunset", v.Sunset}} {
			if !t.t.IsZero() && (t.t.UTC().Year() < 1970 || t.t.UTC().Year() > 9999) {
				add(field+"."+t.name, "must lie between 1970 and 9999")
			}
		}
		if !v.Deprecated.IsZero() && !v.Sunset.IsZero() && v.Sunset.Before(v.Deprecated) {
			add(field+".Sunset", "is earlier than Deprecated; a version cannot be retired before it is deprecated (RFC 8594 §3)")
		}
		if v.Link != "" {
			if reason := checkLink(v.Link); reason != "" {
				add(field+".Link", reason)
			}
			if v.Deprecated.IsZero() && v.Sunset.IsZero() {
				add(field+".Link", "is only sent with Deprecated or Sunset; set one of them")
			}
		}
		if v.SuccessorLink != "" {
			if reason := checkLink(v.SuccessorLink); reason != "" {
				add(field+".SuccessorLink", reason)
			}
		}
		if v.KeepServingAfterSunset && v.Sunset.IsZero() {
			add(field+".KeepServingAfterSunset", "has no effect without Sunset")
		}
		if v.Successor != "" {
			sk, err := parseName(v.Successor)
			j, found := byName[sk]
			switch {
			case err != nil || !found:
				add(field+".Successor", fmt.Sprintf("%q is not one of Versions", v.Successor))
			case okKeys[i] && sk.date == keys[i].date && sk.compare(keys[i]) <= 0:
				add(field+".Successor", fmt.Sprintf("%q is not newer than %q", c.Versions[j].Name, v.Name))
			}
		}
	}
	if c.Default != "" {
		k, err := parseName(c.Default)
		if _, found := byName[k]; err != nil || !found {
			add("Default", fmt.Sprintf("%q is not one of Versions", c.Default))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}

	// Compile, oldest first.
	for i, v := range c.Versions {
		n.versions = append(n.versions, compileVersion(v, keys[i]))
	}
	slices.SortFunc(n.versions, func(a, b *compiled) int { return a.key.compare(b.key) })
	for i, cv := range n.versions {
		cv.index = i
		if cv.successor != "" {
			sk, _ := parseName(cv.successor)
			cv.successor = n.find(sk).name
		}
	}
	if c.Default != "" {
		k, _ := parseName(c.Default)
		n.def = n.find(k)
	}
	n.compileProblems()

	var vary []string
	if n.sources&SourceHeader != 0 {
		vary = append(vary, n.header)
	}
	if n.sources&SourceMediaType != 0 {
		vary = append(vary, "Accept")
	}
	n.vary = strings.Join(vary, ", ")
	return n, nil
}

// compileVersion precomputes the header values of one version.
func compileVersion(v Version, k versionKey) *compiled {
	// Both headers carry whole seconds; the instants that take effect are
	// truncated the same way, so behaviour matches what clients are told.
	cv := &compiled{
		name:          v.Name,
		key:           k,
		deprecated:    wholeSeconds(v.Deprecated),
		sunset:        wholeSeconds(v.Sunset),
		successor:     v.Successor,
		successorLink: v.SuccessorLink,
		keepServing:   v.KeepServingAfterSunset,
	}
	var links []string
	if !v.Deprecated.IsZero() {
		cv.deprecation = "@" + strconv.FormatInt(v.Deprecated.Unix(), 10)
		if v.Link != "" {
			links = append(links, "<"+v.Link+`>; rel="deprecation"`)
		}
	}
	if !v.Sunset.IsZero() {
		cv.sunsetValue = v.Sunset.UTC().Format(http.TimeFormat)
		if v.Link != "" {
			links = append(links, "<"+v.Link+`>; rel="sunset"`)
		}
	}
	if v.SuccessorLink != "" {
		links = append(links, "<"+v.SuccessorLink+`>; rel="successor-version"`)
	}
	cv.link = strings.Join(links, ", ")
	return cv
}

func wholeSeconds(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return time.Unix(t.Unix(), 0).UTC()
}

// validToken reports whether s is an RFC 9110 token (a header field name).
func validToken(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !httpsyntax.IsTokenChar(s[i]) {
			return false
		}
	}
	return true
}

func validMediaType(s string) bool {
	typ, sub, ok := strings.Cut(s, "/")
	return ok && validToken(typ) && validToken(sub) && typ != "*" && sub != "*"
}

func validQueryName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// checkPrefix returns why p is not a usable PathPrefix, or "".
func checkPrefix(p string) string {
	if p[0] != '/' {
		return fmt.Sprintf("%q must start with \"/\"", p)
	}
	if p == "/" {
		return `"/" is the root: leave PathPrefix empty instead`
	}
	if strings.HasSuffix(p, "/") {
		return fmt.Sprintf("%q must not end with \"/\"", p)
	}
	for _, seg := range strings.Split(p[1:], "/") {
		if seg == "" || seg == "." || seg == ".." {
			return fmt.Sprintf("%q has an empty, \".\" or \"..\" segment", p)
		}
		for i := 0; i < len(seg); i++ {
			c := seg[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~') {
				return fmt.Sprintf("%q may hold only unreserved characters (RFC 3986 §2.3) and \"/\"", p)
			}
		}
	}
	return ""
}

// checkLink returns why s cannot be sent inside a Link header's <...>, or
// "". Only https URLs and absolute paths are accepted, printable ASCII
// without '<', '>', '"', '\' or spaces, so the emitted header is always a
// valid RFC 8288 field.
func checkLink(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || c == '<' || c == '>' || c == '"' || c == '\\' {
			return "must be printable ASCII without spaces, '<', '>', '\"' or '\\' (percent-encode them)"
		}
	}
	u, err := url.Parse(s)
	if err != nil {
		return "is not a valid URL"
	}
	switch {
	case u.Scheme == "https" && u.Host != "" && u.User == nil:
		return ""
	case u.Scheme == "" && u.Host == "" && strings.HasPrefix(s, "/") && !strings.HasPrefix(s, "//"):
		return ""
	}
	return "must be an https URL without credentials, or an absolute path"
}
