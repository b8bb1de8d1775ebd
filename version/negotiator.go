package version

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/apisec-go/apisec/clientip"
	"github.com/apisec-go/apisec/internal/problem"
	"github.com/apisec-go/apisec/principal"
)

// Negotiator picks the API version of each request, announces its
// deprecation and sunset, and routes it. The zero value is not usable;
// create one with [New]. It is safe for concurrent use, and its
// configuration is fixed by New: changing the Config afterwards has no
// effect.
type Negotiator struct {
	versions     []*compiled // oldest first
	def          *compiled
	sources      Source
	header       string // canonical request header name
	respHeader   string // canonical response header name
	prefix       string
	mediaType    string
	query        string
	vary         string
	now          func() time.Time
	logger       *slog.Logger
	errorHandler func(http.ResponseWriter, *http.Request, error)

	// retireAt holds, sorted, the sunsets of the versions that stop being
	// served; rejects[k] are the bodies to send once k of them have
	// passed, so the supported list never names a retired version.
	retireAt  []time.Time
	rejects   []rejectSet
	conflict  *problem.Compiled
	malformed *problem.Compiled
}

type rejectSet struct {
	missing, unsupported, notAcceptable *problem.Compiled
}

// compiled is one configured version with its header values precomputed.
type compiled struct {
	name          string
	key           versionKey
	index         int
	deprecated    time.Time
	sunset        time.Time
	successor     string
	successorLink string
	keepServing   bool
	deprecation   string // "@<unix>", or ""
	sunsetValue   string // IMF-fixdate, or ""
	link          string // Link field value, or ""
	gone          *problem.Compiled
}

// New checks cfg and returns a Negotiator. Every problem is reported,
// joined, as [*ConfigError] values.
func New(cfg Config) (*Negotiator, error) {
	return cfg.compile()
}

// MustNew is like [New] but panics on a bad config. It is meant for
// package-level variables.
func MustNew(cfg Config) *Negotiator {
	n, err := New(cfg)
	if err != nil {
		panic(err)
	}
	return n
}

// Versions returns the names of the configured versions, oldest first.
func (n *Negotiator) Versions() []string {
	names := make([]string, len(n.versions))
	for i, cv := range n.versions {
		names[i] = cv.name
	}
	return names
}

func (n *Negotiator) find(k versionKey) *compiled {
	for _, cv := range n.versions {
		if cv.key == k {
			return cv
		}
	}
	return nil
}

func (n *Negotiator) compileProblems() {
	for _, cv := range n.versions {
		if !cv.sunset.IsZero() && !cv.keepServing {
			n.retireAt = append(n.retireAt, cv.sunset)
		}
	}
	slices.SortFunc(n.retireAt, func(a, b time.Time) int { return a.Compare(b) })
	for k := 0; k <= len(n.retireAt); k++ {
		var served []string
		for _, cv := range n.versions {
			if cv.sunset.IsZero() || cv.keepServing || !n.retiredBy(cv, k) {
				served = append(served, cv.name)
			}
		}
		if served == nil {
			served = []string{}
		}
		ext := map[string]any{"supported-versions": served}
		n.rejects = append(n.rejects, rejectSet{
			missing: problem.MustCompile(problem.Problem{Status: http.StatusBadRequest,
				Detail: "The request must name an API version.", Extensions: ext}),
			unsupported: problem.MustCompile(problem.Problem{Status: http.StatusBadRequest,
				Detail: "The requested API version is not supported.", Extensions: ext}),
			notAcceptable: problem.MustCompile(problem.Problem{Status: http.StatusNotAcceptable,
				Detail: "None of the API versions the Accept header asks for is supported.", Extensions: ext}),
		})
	}
	n.conflict = problem.MustCompile(problem.Problem{Status: http.StatusBadRequest,
		Detail: "The request names more than one API version."})
	n.malformed = problem.MustCompile(problem.Problem{Status: http.StatusBadRequest,
		Detail: "The API version in the request could not be read unambiguously."})
	for _, cv := range n.versions {
		if cv.sunset.IsZero() || cv.keepServing {
			continue
		}
		ext := map[string]any{"sunset": cv.sunsetValue}
		if cv.successor != "" {
			ext["successor-version"] = cv.successor
		}
		if cv.successorLink != "" {
			ext["successor-link"] = cv.successorLink
		}
		cv.gone = problem.MustCompile(problem.Problem{Status: http.StatusGone,
			Detail: "This API version has been retired.", Extensions: ext})
	}
}

// retiredBy reports whether cv's sunset is among the first k of retireAt.
func (n *Negotiator) retiredBy(cv *compiled, k int) bool {
	return k > 0 && !cv.sunset.After(n.retireAt[k-1])
}

// retired reports whether cv is no longer served at now.
func retired(cv *compiled, now time.Time) bool {
	return !cv.keepServing && !cv.sunset.IsZero() && !now.Before(cv.sunset)
}

func (n *Negotiator) rejectSet(now time.Time) rejectSet {
	k := 0
	for k < len(n.retireAt) && !now.Before(n.retireAt[k]) {
		k++
	}
	return n.rejects[k]
}

// pathMatch locates the version segment found by SourcePath: it spans
// Path[cut:end] and RawPath[cut:rawEnd], leading '/' included.
type pathMatch struct {
	ok          bool
	cut         int
	end, rawEnd int
}

// Negotiate returns the name of the version r asks for, or an error
// wrapping one of the Err values. For a version past its sunset it
// returns the name together with [ErrSunset]. It does not allocate,
// except to decode a percent-encoded query parameter or path segment.
func (n *Negotiator) Negotiate(r *http.Request) (string, error) {
	cv, _, err := n.negotiate(r)
	if err != nil {
		return "", err
	}
	if cv.gone != nil && retired(cv, n.now()) {
		return cv.name, ErrSunset
	}
	return cv.name, nil
}

func (n *Negotiator) negotiate(r *http.Request) (*compiled, pathMatch, error) {
	var (
		chosen *compiled
		pm     pathMatch
	)
	if n.sources&SourceHeader != 0 {
		if lines := r.Header[n.header]; len(lines) > 0 {
			cv, err := n.fromHeader(lines)
			if err != nil {
				return nil, pm, err
			}
			chosen = cv
		}
	}
	if n.sources&SourcePath != 0 && r.URL != nil {
		var (
			cv  *compiled
			err error
		)
		cv, pm, err = n.fromPath(r.URL)
		if err != nil {
			return nil, pathMatch{}, err
		}
		if cv != nil {
			if chosen != nil && chosen != cv {
				return nil, pathMatch{}, ErrConflict
			}
			chosen = cv
		}
	}
	// The query is read before Accept so that Accept alternatives can
	// agree with it, but its errors rank after those of Accept.
	var (
		qv   *compiled
		qerr error
	)
	if n.sources&SourceQuery != 0 && r.URL != nil && r.URL.RawQuery != "" {
		qv, qerr = n.fromQuery(r.URL.RawQuery)
	}
	if n.sources&SourceMediaType != 0 {
		if lines := r.Header["Accept"]; len(lines) > 0 {
			want := chosen
			if want == nil && qerr == nil {
				want = qv
			}
			acc := n.fromAccept(lines, want)
			switch {
			case acc.best != nil:
				chosen = acc.best
			case acc.named && acc.supported:
				return nil, pathMatch{}, ErrConflict
			case acc.named:
				return nil, pathMatch{}, ErrNotAcceptable
			}
		}
	}
	if qerr != nil {
		return nil, pathMatch{}, qerr
	}
	if qv != nil {
		if chosen != nil && chosen != qv {
			return nil, pathMatch{}, ErrConflict
		}
		chosen = qv
	}
	if chosen == nil {
		if n.def == nil {
			return nil, pathMatch{}, ErrMissing
		}
		chosen = n.def
	}
	return chosen, pm, nil
}

// fromHeader reads every field line and comma-separated element of the
// version header; all non-empty elements must name the same version.
func (n *Negotiator) fromHeader(lines []string) (*compiled, error) {
	var found *compiled
	for _, line := range lines {
		for more := true; more; {
			var elem string
			elem, line, more = strings.Cut(line, ",")
			if trimOWS(elem) == "" {
				continue
			}
			var err error
			if found, err = n.agree(found, elem); err != nil {
				return nil, err
			}
		}
	}
	return found, nil
}

// agree parses one more inbound value of a source that may repeat it: it
// must name a supported version, the same as found when found is set.
func (n *Negotiator) agree(found *compiled, value string) (*compiled, error) {
	k, ok := parseValue(value)
	if !ok {
		return nil, ErrUnsupported
	}
	cv := n.find(k)
	switch {
	case cv == nil:
		return nil, ErrUnsupported
	case found != nil && found != cv:
		return nil, ErrConflict
	}
	return cv, nil
}

// fromPath reads the segment after the path prefix. A segment that does
// not look like a version names none; one that does must be supported.
func (n *Negotiator) fromPath(u *url.URL) (*compiled, pathMatch, error) {
	p, cut := u.Path, len(n.prefix)
	if len(p) <= cut+1 || p[cut] != '/' || p[:cut] != n.prefix {
		return nil, pathMatch{}, nil
	}
	if !cleanPath(p[cut:]) {
		// "/api/v2/../v1" or "/api//v1" would name another version once
		// a proxy or router cleans it; refuse rather than guess.
		return nil, pathMatch{}, ErrMalformed
	}
	end := cut + 1
	for end < len(p) && p[end] != '/' {
		end++
	}
	seg := p[cut+1 : end]
	if !pathSegmentNamesVersion(seg) {
		return nil, pathMatch{}, nil
	}
	k, ok := parseValue(seg)
	if !ok || strings.ContainsAny(seg, "\" \t") {
		return nil, pathMatch{}, ErrUnsupported
	}
	cv := n.find(k)
	if cv == nil {
		return nil, pathMatch{}, ErrUnsupported
	}
	pm := pathMatch{ok: true, cut: cut, end: end}
	if rp := u.RawPath; rp != "" {
		// The escaped form must put the same segment at the same place,
		// or the handler and the negotiation would see different paths.
		if len(rp) <= cut+1 || rp[cut] != '/' || rp[:cut] != n.prefix {
			return nil, pathMatch{}, ErrMalformed
		}
		rawEnd := cut + 1
		for rawEnd < len(rp) && rp[rawEnd] != '/' {
			rawEnd++
		}
		rawSeg := rp[cut+1 : rawEnd]
		if rawSeg != seg {
			if dec, err := url.PathUnescape(rawSeg); err != nil || dec != seg {
				return nil, pathMatch{}, ErrMalformed
			}
		}
		pm.rawEnd = rawEnd
	}
	return cv, pm, nil
}

// cleanPath reports whether p, which starts with '/', has no empty
// segment (other than a trailing slash) and no "." or ".." segment.
func cleanPath(p string) bool {
	for p != "" {
		p = p[1:] // the '/'
		i := strings.IndexByte(p, '/')
		seg := p
		if i >= 0 {
			seg, p = p[:i], p[i:]
		} else {
			p = ""
		}
		if seg == "." || seg == ".." || (seg == "" && i >= 0) {
			return false
		}
	}
	return true
}

// Handler returns a handler that negotiates the version of each request
// and passes it to next, with the version available from [FromContext].
//
// On every response it adds Vary for the header sources in use. On
// success it sets the response header echoing the version and, when
// configured for that version, Deprecation, Sunset and Link, before next
// runs. A rejected request gets a problem+json response (or
// Config.ErrorHandler): 400 for a missing, unsupported, conflicting or
// ambiguous version, 406 when Accept asks only for unsupported versions,
// 410 Gone past the sunset. With SourcePath, a path under the prefix that
// is not clean (an empty, "." or ".." segment, encoded or not) is
// ambiguous: after cleaning it could name another version.
//
// With SourcePath, when the version comes from the path, next receives a
// shallow copy of the request whose URL.Path (and URL.RawPath, when set)
// lacks the version segment and its leading slash: with PathPrefix "/api",
// "/api/v2/users" becomes "/api/users", and "/api/v2" becomes "/api";
// without a prefix "/v2/users" becomes "/users" and "/v2" becomes "/".
// RequestURI, Pattern and path values set by an outer ServeMux are left as
// they were: they describe the original request. The incoming request is
// never modified.
func (n *Negotiator) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.serve(w, r, next, nil)
	})
}

// Route returns a handler that negotiates like [Negotiator.Handler] and
// dispatches each request to the handler of its version. Keys are version
// names as configured ("2"; "2.0" names the same version). Every
// configured version needs a handler (one handler may serve several
// versions); a missing, unknown, duplicated or nil entry is a
// [*ConfigError]. The map is copied.
func (n *Negotiator) Route(handlers map[string]http.Handler) (http.Handler, error) {
	routes := make([]http.Handler, len(n.versions))
	named := make([]bool, len(n.versions))
	var errs []error
	names := make([]string, 0, len(handlers))
	for name := range handlers {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		field := fmt.Sprintf("Route[%q]", name)
		k, err := parseName(name)
		var cv *compiled
		if err == nil {
			cv = n.find(k)
		}
		if cv == nil {
			errs = append(errs, &ConfigError{Field: field, Reason: "is not one of Versions"})
			continue
		}
		dup := named[cv.index]
		named[cv.index] = true
		switch {
		case dup:
			errs = append(errs, &ConfigError{Field: field, Reason: fmt.Sprintf("names version %q again", cv.name)})
		case handlers[name] == nil:
			errs = append(errs, &ConfigError{Field: field, Reason: "nil handler"})
		default:
			routes[cv.index] = handlers[name]
		}
	}
	for i, cv := range n.versions {
		if !named[i] {
			errs = append(errs, &ConfigError{Field: "Route", Reason: fmt.Sprintf("version %q has no handler", cv.name)})
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.serve(w, r, nil, routes)
	}), nil
}

type ctxKey struct{}

// FromContext returns the version name chosen for the request whose
// context is ctx, as configured ("2", "2026-11-01"). It reports false
// outside a [Negotiator.Handler] or [Negotiator.Route].
func FromContext(ctx context.Context) (string, bool) {
	cv, ok := ctx.Value(ctxKey{}).(*compiled)
	if !ok || cv == nil {
		return "", false
	}
	return cv.name, true
}

func (n *Negotiator) serve(w http.ResponseWriter, r *http.Request, next http.Handler, routes []http.Handler) {
	h := w.Header()
	// One backing array for every value this response gets; each header
	// receives a capacity-1 slice of it, so no slice is ever shared.
	vals := make([]string, 5)
	if n.vary != "" {
		vals[0] = n.vary
		addValue(h, "Vary", vals[0:1:1])
	}
	cv, pm, err := n.negotiate(r)
	if err != nil {
		n.reject(w, r, err)
		return
	}
	var now time.Time
	if !cv.deprecated.IsZero() || !cv.sunset.IsZero() {
		now = n.now()
	}
	if cv.deprecation != "" {
		vals[1] = cv.deprecation
		h["Deprecation"] = vals[1:2:2]
	}
	if cv.sunsetValue != "" {
		vals[2] = cv.sunsetValue
		h["Sunset"] = vals[2:3:3]
	}
	if cv.link != "" {
		vals[3] = cv.link
		addValue(h, "Link", vals[3:4:4])
	}
	ctx := context.WithValue(r.Context(), ctxKey{}, cv)
	pastSunset := !cv.sunset.IsZero() && !now.Before(cv.sunset)
	if pastSunset && !cv.keepServing {
		n.log(r, slog.LevelWarn, "version_sunset_use", cv, nil, "rejected")
		if n.errorHandler != nil {
			n.errorHandler(w, r.WithContext(ctx), ErrSunset)
			return
		}
		cv.gone.Write(w)
		return
	}
	vals[4] = cv.name
	h[n.respHeader] = vals[4:5:5]
	switch {
	case pastSunset:
		n.log(r, slog.LevelWarn, "version_sunset_use", cv, nil, "served")
	case !cv.deprecated.IsZero() && !now.Before(cv.deprecated):
		n.log(r, slog.LevelInfo, "version_deprecated_use", cv, nil, "served")
	}
	r2 := r.WithContext(ctx)
	if pm.ok {
		u := *r.URL
		u.Path = stripSegment(u.Path, pm.cut, pm.end)
		if u.RawPath != "" {
			u.RawPath = stripSegment(u.RawPath, pm.cut, pm.rawEnd)
		}
		r2.URL = &u
	}
	if routes != nil {
		next = routes[cv.index]
	}
	next.ServeHTTP(w, r2)
}

func stripSegment(p string, cut, end int) string {
	if s := p[:cut] + p[end:]; s != "" {
		return s
	}
	return "/"
}

// addValue adds v to the values of key, keeping values set earlier.
func addValue(h http.Header, key string, v []string) {
	if old := h[key]; len(old) > 0 {
		h[key] = append(old[:len(old):len(old)], v[0])
		return
	}
	h[key] = v
}

func (n *Negotiator) reject(w http.ResponseWriter, r *http.Request, err error) {
	n.log(r, slog.LevelWarn, "input_validation_fail", nil, err, "rejected")
	if n.errorHandler != nil {
		n.errorHandler(w, r, err)
		return
	}
	switch err {
	case ErrConflict:
		n.conflict.Write(w)
	case ErrMalformed:
		n.malformed.Write(w)
	default:
		set := n.rejectSet(n.now())
		switch err {
		case ErrMissing:
			set.missing.Write(w)
		case ErrNotAcceptable:
			set.notAcceptable.Write(w)
		default:
			set.unsupported.Write(w)
		}
	}
}

// log records a security event with who made the request: the
// principal's subject and method when authenticated, and the client IP.
// Only configured values (version names, dates) and fixed error texts are
// logged, never request data.
func (n *Negotiator) log(r *http.Request, level slog.Level, event string, cv *compiled, err error, outcome string) {
	if n.logger == nil || !n.logger.Enabled(r.Context(), level) {
		return
	}
	attrs := make([]slog.Attr, 0, 10)
	if cv != nil {
		attrs = append(attrs, slog.String("version", cv.name))
		if !cv.deprecated.IsZero() {
			attrs = append(attrs, slog.Time("deprecated_at", cv.deprecated))
		}
		if !cv.sunset.IsZero() {
			attrs = append(attrs, slog.Time("sunset_at", cv.sunset))
		}
		if cv.successor != "" {
			attrs = append(attrs, slog.String("successor", cv.successor))
		}
	}
	if err != nil {
		attrs = append(attrs, slog.String("reason", err.Error()))
	}
	if p, ok := principal.FromContext(r.Context()); ok {
		attrs = append(attrs, slog.String("subject", p.Subject), slog.String("auth_method", p.Method))
	}
	if ip := clientip.FromRequest(r); ip.IsValid() {
		attrs = append(attrs, slog.String("client_ip", ip.String()))
	}
	attrs = append(attrs, slog.String("method", r.Method), slog.String("outcome", outcome))
	n.logger.LogAttrs(r.Context(), level, event, attrs...)
}
