package cors

import (
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"

	"github.com/apisec-go/apisec/internal/httpsyntax"
	"github.com/apisec-go/apisec/internal/problem"
)

// Canonical header names, so lookups never canonicalize at run time.
const (
	hOrigin = "Origin"
	hACRM   = "Access-Control-Request-Method"
	hACRH   = "Access-Control-Request-Headers"
	hACAO   = "Access-Control-Allow-Origin"
	hACAC   = "Access-Control-Allow-Credentials"
	hACAM   = "Access-Control-Allow-Methods"
	hACAH   = "Access-Control-Allow-Headers"
	hACMA   = "Access-Control-Max-Age"
	hACEH   = "Access-Control-Expose-Headers"
	hVary   = "Vary"
	hDebug  = "Cors-Debug"
)

// Middleware applies a CORS policy. Build one with [New]; the zero value is
// not usable. It is safe for concurrent use, including [Middleware.Reconfigure]
// while requests are served.
type Middleware struct {
	p atomic.Pointer[policy]
	// slab hands out fresh header values: see values.
	slab atomic.Pointer[slab]
}

// New compiles cfg into a Middleware. It reports every problem in cfg at
// once, joined with errors.Join, each a [*ConfigError].
func New(cfg Config) (*Middleware, error) {
	p, err := cfg.compile()
	if err != nil {
		return nil, err
	}
	m := &Middleware{}
	m.p.Store(p)
	return m, nil
}

// Reconfigure validates cfg and, if it is valid, replaces the policy
// atomically: each request sees either the old policy or the new one, never
// a mix. On error the current policy stays in force.
func (m *Middleware) Reconfigure(cfg Config) error {
	p, err := cfg.compile()
	if err != nil {
		return err
	}
	m.p.Store(p)
	return nil
}

// OriginAllowed reports whether the policy allows the serialized origin, as
// a browser would send it in the Origin header.
func (m *Middleware) OriginAllowed(origin string) bool { return m.p.Load().allowed(origin) }

// Handler wraps next with the CORS policy.
//
// Requests without an Origin header go straight to next, untouched unless
// [Config.VaryNonCORS] is set. Preflights (OPTIONS with Origin
// and Access-Control-Request-Method) are answered here and never reach next
// unless [Config.PreflightPassthrough] is set; a failed preflight gets 403
// and no CORS header. Other requests from an allowed origin get
// Access-Control-Allow-Origin, Access-Control-Allow-Credentials and
// Access-Control-Expose-Headers as configured; requests from other origins
// get none, and next decides what to do with them: CORS tells the browser
// whether a script may read a response, it does not stop the request.
func (m *Middleware) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := m.p.Load()
		origin, ok := r.Header[hOrigin]
		if !ok {
			if p.varyNonCORS != "" {
				m.addVary(w.Header(), p.varyNonCORS)
			}
			next.ServeHTTP(w, r)
			return
		}
		if r.Method == http.MethodOptions {
			if acrm, ok := r.Header[hACRM]; ok {
				m.preflight(p, w, r, origin, acrm, next)
				return
			}
		}
		m.actual(p, w, r, origin)
		next.ServeHTTP(w, r)
	})
}

func (p *policy) allowed(origin string) bool {
	if p.anyOrigin {
		return true
	}
	if p.exactSet != nil {
		if _, ok := p.exactSet[origin]; ok {
			return true
		}
	} else {
		for _, o := range p.exact {
			if o == origin {
				return true
			}
		}
	}
	if len(p.patterns) == 0 {
		return false
	}
	scheme, host, port, ok := splitOrigin(origin)
	if !ok {
		return false
	}
	for i := range p.patterns {
		if p.patterns[i].match(scheme, host, port) {
			return true
		}
	}
	return false
}

// originOK checks the Origin field lines: exactly one, and allowed.
func (p *policy) originOK(origin []string) bool {
	return len(origin) == 1 && p.allowed(origin[0])
}

func (m *Middleware) actual(p *policy, w http.ResponseWriter, r *http.Request, origin []string) {
	h := w.Header()
	if !p.originOK(origin) {
		if p.varyActual != "" {
			m.addVary(h, p.varyActual)
		}
		if p.logger != nil && (r.Header["Cookie"] != nil || r.Header["Authorization"] != nil) {
			p.logger.LogAttrs(r.Context(), LevelCritical, "malicious_cors",
				slog.String("origin", truncate(strings.Join(origin, ","), 256)),
				slog.String("method", truncate(r.Method, 32)),
				slog.String("path", truncate(r.URL.Path, 256)),
				slog.String("reason", "credentialed request from an origin that is not allowed"))
		}
		return
	}
	// One slot per header; the Vary slot goes unused when an outer
	// handler already set Vary.
	had := len(h) != 0 // checked before our own writes
	v := m.values(p.actualSlots)
	n := p.allowOrigin(h, v, origin[0])
	if p.aceh != "" {
		n = put(h, v, n, hACEH, p.aceh)
	}
	if p.varyActual != "" && !(had && varyExisting(h, p.varyActual)) {
		put(h, v, n, hVary, p.varyActual)
	}
}

func (m *Middleware) preflight(p *policy, w http.ResponseWriter, r *http.Request, origin, acrm []string, next http.Handler) {
	if !p.originOK(origin) {
		m.deny(p, w, r, ErrOriginNotAllowed)
		return
	}
	if len(acrm) != 1 || !p.methodAllowed(acrm[0]) {
		m.deny(p, w, r, ErrMethodNotAllowed)
		return
	}
	acrh := r.Header[hACRH]
	items, err := p.checkRequestHeaders(acrh)
	if err != nil {
		m.deny(p, w, r, err)
		return
	}

	k := p.preflightSlots
	if items > 0 {
		k++
	}
	h, v := w.Header(), m.values(k)
	had := len(h) != 0 // checked before our own writes
	n := p.allowOrigin(h, v, origin[0])
	if p.anyMethod {
		n = put(h, v, n, hACAM, acrm[0])
	} else if p.acam != "" {
		n = put(h, v, n, hACAM, p.acam)
	}
	if items > 0 {
		switch {
		case !p.anyHeader:
			n = put(h, v, n, hACAH, p.acah)
		case len(acrh) == 1:
			// Reflect the validated list: the wildcard cannot be sent, as
			// it means nothing on credentialed responses and never covers
			// Authorization.
			n = put(h, v, n, hACAH, acrh[0])
		default:
			n = put(h, v, n, hACAH, strings.Join(acrh, ","))
		}
	}
	if p.acma != "" {
		n = put(h, v, n, hACMA, p.acma)
	}
	if !(had && varyExisting(h, p.varyPref)) {
		put(h, v, n, hVary, p.varyPref)
	}
	if p.passthrough {
		next.ServeHTTP(w, r)
		return
	}
	w.WriteHeader(p.status)
}

func (p *policy) methodAllowed(m string) bool {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost:
		return true // CORS-safelisted: never needs listing
	}
	for _, a := range p.methods {
		if a == m {
			return true // configured methods are tokens
		}
	}
	return p.anyMethod && httpsyntax.IsToken(m) &&
		!asciiEqualFold(m, "CONNECT") && !asciiEqualFold(m, "TRACE") && !asciiEqualFold(m, "TRACK")
}

// forbiddenBody is the generic problem+json body of a failed preflight.
var forbiddenBody = problem.MustCompile(problem.Problem{
	Status: http.StatusForbidden,
	Detail: "The cross-origin request is not allowed.",
}).Body()

// deny answers a failed preflight: 403, no CORS header. The problem
// headers are written from fresh values here rather than by
// problem.Compiled.Write so that a rejected preflight allocates nothing.
func (m *Middleware) deny(p *policy, w http.ResponseWriter, r *http.Request, err error) {
	h := w.Header()
	if p.deny != nil {
		if p.debug {
			v := m.values(1)
			v[0] = debugReason(err)
			h[hDebug] = v
		}
		p.deny(w, r, err)
		return
	}
	k := 3
	if p.debug {
		k = 4
	}
	v := m.values(k)
	if p.debug {
		v[3] = debugReason(err)
		h[hDebug] = v[3:4:4]
	}
	v[0], v[1], v[2] = problem.ContentType, "nosniff", "no-store"
	h["Content-Type"] = v[0:1:1]
	h["X-Content-Type-Options"] = v[1:2:2]
	if _, ok := h["Cache-Control"]; !ok {
		h["Cache-Control"] = v[2:3:3]
	}
	w.WriteHeader(http.StatusForbidden)
	_, _ = w.Write(forbiddenBody)
}

// addVary adds one Vary value, keeping any already set by outer handlers.
func (m *Middleware) addVary(h http.Header, val string) {
	if len(h) == 0 || !varyExisting(h, val) {
		put(h, m.values(1), 0, hVary, val)
	}
}

// put sets key to val held in slot n of this response's fresh slots (see
// values), as a capacity-1 window, and returns the next free slot.
func put(h http.Header, v []string, n int, key, val string) int {
	v[n] = val
	h[key] = v[n : n+1 : n+1]
	return n + 1
}

// varyExisting appends val to a Vary an outer handler set and reports
// whether there was one. Callers skip it when the map was empty before
// their writes (the usual case when cors is the outermost middleware),
// which saves a lookup.
func varyExisting(h http.Header, val string) bool {
	old := h[hVary]
	if old == nil {
		return false
	}
	appendVary(h, old, val)
	return true
}

// allowOrigin writes Access-Control-Allow-Origin and, for credentialed
// policies, Access-Control-Allow-Credentials, from slot 0 on, and returns
// the next free slot.
func (p *policy) allowOrigin(h http.Header, v []string, origin string) int {
	if p.anyOrigin {
		origin = "*"
	}
	n := put(h, v, 0, hACAO, origin)
	if p.credentials {
		n = put(h, v, n, hACAC, "true")
	}
	return n
}

// appendVary appends to an existing Vary into a new backing array, so a
// slice an outer handler shares is never written to. "Vary: *" already
// covers everything.
func appendVary(h http.Header, old []string, val string) {
	for _, o := range old {
		if strings.TrimSpace(o) == "*" {
			return
		}
	}
	h[hVary] = append(old[:len(old):len(old)], val)
}

// Header values must never be shared between responses: a handler that
// edits w.Header()[k][0] in place would otherwise rewrite every later
// response (rs/cors#198). Allocating a fresh slice per value costs an
// allocation each; instead each response takes its own disjoint run of
// slots from a slab of slabLen strings, and every header gets a
// capacity-1 window on it, so neither an in-place edit nor an append can
// reach another header or another response. A slab is never reused once
// handed out: slots are claimed once and never returned. Cost, amortised:
// one 2 KiB block per slabLen/6 (21, preflights writing six values) to
// slabLen (128, one value) responses; TestAllocs pins the figures.
const slabLen = 128

type slab struct {
	buf [slabLen]string
	n   atomic.Int32 // slots handed out, possibly past slabLen
}

// values returns n fresh slots. Concurrent callers claim disjoint runs of
// the current slab with one atomic add; the caller that finds it full
// installs a new one.
func (m *Middleware) values(n int) []string {
	for {
		s := m.slab.Load()
		if s != nil {
			if end := int(s.n.Add(int32(n))); end <= slabLen {
				return s.buf[end-n : end : end]
			}
		}
		fresh := new(slab)
		fresh.n.Store(int32(n))
		if m.slab.CompareAndSwap(s, fresh) {
			return fresh.buf[0:n:n]
		}
	}
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
