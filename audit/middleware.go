package audit

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/apisec-go/apisec/clientip"
	"github.com/apisec-go/apisec/principal"
)

// Middleware records one security-relevant event per request and makes
// the request's id, method, path, client address and user agent available
// to every log call made during the request (through a [Handler]).
//
// The event's message is its name (see [Config.SuccessLevel] for the
// mapping from status to event); its attributes are request_id, method,
// path, client_ip, user_agent, subject (when known), status, latency (ns),
// bytes (response body), and route when a ServeMux pattern is known. The
// query string, other headers and bodies are never logged.
//
// The writer handed to the next handler records status and size; it
// implements http.Flusher, http.Hijacker and io.ReaderFrom, and Unwrap for
// http.ResponseController. A request costs three allocations: the state
// (which embeds that writer), the request copy carrying the new context,
// and one string holding the generated id and the address.
//
// A Middleware is safe for concurrent use. Its configuration is fixed by
// [New]; changing the Config afterwards has no effect. The zero value is
// not usable: call New.
type Middleware struct {
	logger           *slog.Logger
	handlerAddsAttrs bool
	successLevel     slog.Level
	skip             func(*http.Request) bool
	header           string
	ignoreID         bool
	maxID            int
	maxPath          int
	maxUA            int
	now              func() time.Time
}

// New checks cfg and returns a Middleware. Every problem is reported,
// joined, as [*ConfigError] values.
func New(cfg Config) (*Middleware, error) {
	return cfg.compile()
}

// Attribute keys of the request event and of the request-scoped
// attributes a [Handler] adds.
const (
	KeyRequestID = "request_id"
	KeyMethod    = "method"
	KeyPath      = "path"
	KeyRoute     = "route"
	KeyClientIP  = "client_ip"
	KeyUserAgent = "user_agent"
	KeySubject   = "subject"
	KeyStatus    = "status"
	KeyLatency   = "latency"
	KeyBytes     = "bytes"
	KeyHijacked  = "hijacked"
	KeyPanic     = "panic"
)

// requestState is everything the middleware knows about one request. It
// is itself the request's context (it embeds the parent), so storing it
// costs no context.WithValue allocation, and it holds the response writer
// wrapper, so the whole request costs one allocation here.
//
// Its size matters: it is allocated per request, and the bytes a request
// allocates set how often the garbage collector runs. Values that are
// cheap to recompute (the method) are read from the request instead.
type requestState struct {
	context.Context
	rw      responseWriter
	req     *http.Request // the copy handed to next, with this context
	id      string
	path    string // sanitised and capped
	ua      string // sanitised and capped
	ip      string
	subject atomic.Pointer[string]
	hdr     [1]string
}

type stateKey struct{}

// Value returns the state itself for its own key and defers every other
// key to the parent context.
func (s *requestState) Value(key any) any {
	if _, ok := key.(stateKey); ok {
		return s
	}
	return s.Context.Value(key)
}

func stateFrom(ctx context.Context) *requestState {
	if s, ok := ctx.(*requestState); ok {
		return s
	}
	s, _ := ctx.Value(stateKey{}).(*requestState)
	return s
}

func (s *requestState) subjectName() string {
	if p := s.subject.Load(); p != nil {
		return *p
	}
	return ""
}

// RequestID returns the id the [Middleware] assigned to the request whose
// context is ctx, or "" outside one. Handlers can put it in error bodies
// so that users can quote it to support.
func RequestID(ctx context.Context) string {
	if s := stateFrom(ctx); s != nil {
		return s.id
	}
	return ""
}

// Identify records the subject of the principal that authentication put
// in the context, so that the request event names who made the request.
// Place it right after the authentication middleware (which runs inside
// the audit Middleware and so adds the principal to a context the
// Middleware never sees). Without a principal or outside a Middleware it
// does nothing. A Handler also reads the principal directly for log lines
// written where it is in the context.
func Identify(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p, ok := principal.FromContext(r.Context()); ok {
			if s := stateFrom(r.Context()); s != nil {
				s.subject.Store(&p.Subject)
			}
		}
		next.ServeHTTP(w, r)
	})
}

// Handler returns a handler that assigns the request id, echoes it on the
// response, runs next with the request attributes in its context, and
// then logs the outcome.
func (m *Middleware) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.serve(next, w, r)
	})
}

func (m *Middleware) serve(next http.Handler, w http.ResponseWriter, r *http.Request) {
	start := m.now()
	s := &requestState{Context: r.Context()}
	s.rw.w = w
	m.capture(s, r)
	s.hdr[0] = s.id
	// The slice is owned by this request alone (capacity 1, so an append
	// elsewhere copies it).
	w.Header()[m.header] = s.hdr[:1:1]

	r2 := r.WithContext(s)
	s.req = r2
	completed := false
	defer func() {
		if !completed {
			// next panicked: record it, then let the panic go on.
			m.log(s, r2, start, true)
		}
	}()
	next.ServeHTTP(&s.rw, r2)
	completed = true
	m.log(s, r2, start, false)
}

// capture fills in the request attributes. The id and the address text
// share one string allocation.
func (m *Middleware) capture(s *requestState, r *http.Request) {
	if r.URL != nil {
		s.path = sanitize(r.URL.Path, m.maxPath)
	}
	if ua := r.Header["User-Agent"]; len(ua) > 0 {
		s.ua = sanitize(ua[0], m.maxUA)
	}
	if p, ok := principal.FromContext(r.Context()); ok {
		s.subject.Store(&p.Subject)
	}
	addr := clientip.FromRequest(r)

	var buf [26 + 64]byte
	n := 0
	inbound := ""
	if !m.ignoreID {
		if v := r.Header[m.header]; len(v) == 1 && validRequestID(v[0], m.maxID) {
			inbound = v[0]
		}
	}
	if inbound == "" {
		n = appendRandomID(buf[:0])
	}
	idLen := n
	if addr.IsValid() {
		n = len(addr.AppendTo(buf[:n]))
	}
	all := string(buf[:n])
	if inbound != "" {
		s.id = inbound
	} else {
		s.id = all[:idLen]
	}
	s.ip = all[idLen:]
}

// validRequestID reports whether an inbound id is safe to log and echo:
// 1 to max bytes of letters, digits, '-', '_', '.' and ':'.
func validRequestID(id string, max int) bool {
	if id == "" || len(id) > max {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == ':') {
			return false
		}
	}
	return true
}

// maxMethodLength caps a logged method; real methods are short tokens.
const maxMethodLength = 32

// maxSubjectLength caps a logged principal subject.
const maxSubjectLength = 256

const idAlphabet = "0123456789abcdefghjkmnpqrstvwxyz" // Crockford base32, lower case

// appendRandomID appends 26 base32 characters (128 random bits minus 2)
// and returns the new length. Ids are unique, not secret: they come from
// the runtime's ChaCha8 generator, seeded by the operating system.
func appendRandomID(b []byte) int {
	hi, lo := rand.Uint64(), rand.Uint64()
	for i := 0; i < 13; i++ {
		b = append(b, idAlphabet[hi&31], idAlphabet[lo&31])
		hi >>= 5
		lo >>= 5
	}
	return len(b)
}

// Event names of the request event, by outcome.
const (
	EventRequest     = "http_request" // any outcome below that is not a security event
	EventServerError = "sys_error"    // 5xx, or a handler panic
)

// classify maps a status to the event name and level.
func (m *Middleware) classify(status int) (string, slog.Level, bool) {
	switch status {
	case http.StatusUnauthorized:
		return AuthnFail, slog.LevelWarn, true
	case http.StatusForbidden:
		return AuthzFail, LevelCritical, true
	case http.StatusTooManyRequests:
		return RateLimitExceeded, slog.LevelWarn, true
	case http.StatusBadRequest, http.StatusRequestEntityTooLarge,
		http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity:
		return InputValidationFail, slog.LevelWarn, true
	}
	if status >= 500 {
		return EventServerError, slog.LevelError, true
	}
	if status >= 400 {
		return EventRequest, max(m.successLevel, slog.LevelInfo), false
	}
	return EventRequest, m.successLevel, false
}

func (m *Middleware) log(s *requestState, r *http.Request, start time.Time, panicked bool) {
	status := int(s.rw.status)
	if status == 0 {
		status = http.StatusOK
		if panicked {
			status = http.StatusInternalServerError
		}
	}
	event, level, security := m.classify(status)
	if panicked {
		event, level, security = EventServerError, slog.LevelError, true
	}
	if !security && m.skip != nil && m.skip(r) {
		return
	}
	h := m.logger.Handler()
	if !h.Enabled(s, level) {
		return
	}
	// The route is known when a ServeMux routed before the Middleware, or
	// received the very request the Middleware passed on.
	route := r.Pattern
	now := m.now()
	// The record is built here rather than through Logger.LogAttrs: the
	// caller's program counter would always point at this line, so it is
	// not worth runtime.Callers.
	rec := slog.NewRecord(now, level, event, 0)
	var buf [12]slog.Attr
	a := buf[:0]
	ah, direct := h.(*Handler)
	if direct && len(ah.groups) == 0 && len(ah.held) == 0 {
		// Every attribute below is already clean: skip the Handler's
		// pass and go straight to its next handler.
		h = ah.next
		a = s.appendAttrs(a, sanitize(s.subjectName(), maxSubjectLength))
	} else if !m.handlerAddsAttrs {
		a = s.appendAttrs(a, sanitize(s.subjectName(), maxSubjectLength))
	}
	a = append(a,
		slog.Int(KeyStatus, status),
		slog.Duration(KeyLatency, now.Sub(start)),
		slog.Int64(KeyBytes, s.rw.bytes),
	)
	if route != "" {
		a = append(a, slog.String(KeyRoute, sanitize(route, m.maxPath)))
	}
	if s.rw.hijacked {
		a = append(a, slog.Bool(KeyHijacked, true))
	}
	if panicked {
		a = append(a, slog.Bool(KeyPanic, true))
	}
	rec.AddAttrs(a...)
	_ = h.Handle(s, rec) // like slog.Logger, ignore the handler's error
}

// appendAttrs appends the request-scoped attributes.
func (s *requestState) appendAttrs(a []slog.Attr, subject string) []slog.Attr {
	a = append(a,
		slog.String(KeyRequestID, s.id),
		slog.String(KeyMethod, sanitize(s.req.Method, maxMethodLength)),
		slog.String(KeyPath, s.path),
	)
	if s.ip != "" {
		a = append(a, slog.String(KeyClientIP, s.ip))
	}
	if s.ua != "" {
		a = append(a, slog.String(KeyUserAgent, s.ua))
	}
	if subject != "" {
		a = append(a, slog.String(KeySubject, subject))
	}
	return a
}
