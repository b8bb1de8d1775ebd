package validate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/apisec-go/apisec/internal/httpsyntax"
	"github.com/apisec-go/apisec/internal/problem"
)

// Decoder reads and checks JSON request bodies. Build one with [New] and
// share it: it is safe for concurrent use, and it caches, per target type,
// the plan it decodes with. Changing the Config after New has no effect.
//
// [JSON], [Decode] and [Unmarshal] treat a nil *Decoder, or a zero
// Decoder{}, as one built from the zero Config; Decode and Unmarshal then
// build it per call, losing the plan cache, so pass a shared Decoder on hot
// paths.
type Decoder struct {
	maxBody      int64
	maxDepth     int
	allowUnknown bool
	logger       *slog.Logger
	errorHandler func(http.ResponseWriter, *http.Request, *RequestError)

	plans      sync.Map // reflect.Type -> *plan, or fallback{} for encoding/json
	states     sync.Pool
	rejections rejectionCache
}

// fallback marks a type decoded by encoding/json after the strict pre-scan.
type fallback struct{}

// New checks cfg and returns a Decoder. Every problem in cfg is reported
// at once, joined, each a [*ConfigError].
func New(cfg Config) (*Decoder, error) { return cfg.compile() }

// MustNew is like [New] but panics on a bad Config. It is meant for
// package-level variables.
func MustNew(cfg Config) *Decoder {
	d, err := New(cfg)
	if err != nil {
		panic(err.Error())
	}
	return d
}

func orDefault(d *Decoder) *Decoder {
	if d == nil || d.maxBody == 0 {
		return MustNew(Config{})
	}
	return d
}

// Decode reads r's body into a new T and validates it with rules (nil for
// none) and with T's Validate method, if T has one. On failure it writes the
// rejection (Config.ErrorHandler, or problem+json) and returns the
// [*RequestError]; the caller just returns:
//
//	reg, err := validate.Decode(w, r, dec, registrationRules)
//	if err != nil {
//		return // the client already has its 4xx
//	}
//
// Decode checks the body whatever the method; the middleware from [JSON]
// lets GET, HEAD and OPTIONS through.
func Decode[T any](w http.ResponseWriter, r *http.Request, d *Decoder, rules *RuleSet[T]) (*T, error) {
	d = orDefault(d)
	v, err := decodeRequest(r, d, rules)
	if err != nil {
		d.reject(w, r, err)
		return nil, err
	}
	return v, nil
}

// Unmarshal decodes and validates data as [Decode] does a request body,
// without HTTP: the Content-Type and size checks are the caller's. The error
// is a [*RequestError] or nil.
func Unmarshal[T any](ctx context.Context, d *Decoder, data []byte, rules *RuleSet[T]) (*T, error) {
	d = orDefault(d)
	if int64(len(data)) > d.maxBody {
		return nil, errTooLarge()
	}
	s := d.state()
	defer d.release(s)
	v := new(T)
	if err := d.decodeInto(s, data, reflect.ValueOf(v).Elem()); err != nil {
		return nil, err
	}
	if err := check(ctx, v, rules); err != nil {
		return nil, err
	}
	return v, nil
}

// Each rejection gets its own *RequestError, so an ErrorHandler that keeps
// or changes one cannot affect another request.
func errTooLarge() *RequestError {
	return &RequestError{Status: http.StatusRequestEntityTooLarge, Err: ErrBodyTooLarge}
}

func errMediaType() *RequestError {
	return &RequestError{Status: http.StatusUnsupportedMediaType, Err: ErrUnsupportedMediaType}
}

func decodeRequest[T any](r *http.Request, d *Decoder, rules *RuleSet[T]) (*T, *RequestError) {
	if !jsonContentType(r.Header["Content-Type"]) || !identityEncoding(r.Header["Content-Encoding"]) {
		return nil, errMediaType()
	}
	s := d.state()
	defer d.release(s)
	data, err := d.readBody(s, r)
	if err != nil {
		return nil, err
	}
	v := new(T)
	if err := d.decodeInto(s, data, reflect.ValueOf(v).Elem()); err != nil {
		return nil, err
	}
	if err := check(r.Context(), v, rules); err != nil {
		return nil, err
	}
	return v, nil
}

// check runs the rule set and then T's own Validate method.
func check[T any](ctx context.Context, v *T, rules *RuleSet[T]) *RequestError {
	var errs Errors
	if rules != nil {
		if err := rules.check(ctx, v, &errs); err != nil {
			return unavailable()
		}
	}
	var err error
	switch x := any(v).(type) {
	case interface{ ValidateContext(context.Context) error }:
		if !errs.Full() { // a full list would take nothing more
			err = x.ValidateContext(ctx)
		}
	case interface{ Validate() error }:
		if !errs.Full() {
			err = x.Validate()
		}
	}
	if err != nil {
		if errors.Is(err, ErrUnavailable) {
			return unavailable()
		}
		errs.Add("", err)
	}
	if len(errs) > 0 {
		return &RequestError{Status: http.StatusUnprocessableEntity, Err: ErrInvalid, Fields: errs}
	}
	return nil
}

func unavailable() *RequestError {
	return &RequestError{Status: http.StatusServiceUnavailable, Err: ErrUnavailable}
}

type bodyState struct {
	state
	buf []byte
}

// maxPooledBuffer keeps one huge body from pinning memory in the pool.
const maxPooledBuffer = 64 << 10

func (d *Decoder) state() *bodyState {
	if s, ok := d.states.Get().(*bodyState); ok {
		return s
	}
	return &bodyState{state: state{maxDepth: d.maxDepth, allowUnknown: d.allowUnknown}}
}

func (d *Decoder) release(s *bodyState) {
	if cap(s.buf) > maxPooledBuffer {
		s.buf = nil
	}
	if cap(s.scratch) > maxPooledBuffer {
		s.scratch = nil
	}
	s.reset(nil)
	d.states.Put(s)
}

// readBody reads the whole body into s.buf, never more than maxBody+1
// bytes, so memory is bounded by the cap whatever the client sends.
func (d *Decoder) readBody(s *bodyState, r *http.Request) ([]byte, *RequestError) {
	if r.ContentLength > d.maxBody {
		return nil, errTooLarge()
	}
	if r.Body == nil || r.Body == http.NoBody {
		return nil, emptyBody()
	}
	want := int(min(4<<10, d.maxBody+1))
	if r.ContentLength >= 0 {
		want = int(r.ContentLength) + 1 // room for the read that sees EOF
	}
	if cap(s.buf) < want {
		s.buf = make([]byte, 0, want)
	}
	buf := s.buf[:0]
	limit := int(d.maxBody) + 1
	for empty := 0; ; {
		if len(buf) == cap(buf) {
			// len(buf) <= maxBody here, so the buffer can still grow.
			n := min(max(2*cap(buf), 512), limit)
			buf = append(buf[:cap(buf)], make([]byte, n-cap(buf))...)[:len(buf)]
		}
		n, err := r.Body.Read(buf[len(buf):min(cap(buf), limit)])
		buf = buf[:len(buf)+n]
		if len(buf) >= limit {
			s.buf = buf
			return nil, errTooLarge()
		}
		if err == io.EOF {
			break
		}
		if n == 0 && err == nil {
			// io.Reader allows this now and then; a body that keeps doing
			// it would spin here forever (io.ErrNoProgress).
			if empty++; empty > 100 {
				err = io.ErrNoProgress
			}
		}
		if err != nil {
			s.buf = buf
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return nil, errTooLarge()
			}
			return nil, errRead()
		}
	}
	s.buf = buf
	return buf, nil
}

func emptyBody() *RequestError {
	return &RequestError{Status: http.StatusBadRequest, Err: ErrEmptyBody, Fields: Errors{{Code: CodeEmpty, Detail: "The request body is empty."}}}
}

func errRead() *RequestError {
	return &RequestError{Status: http.StatusBadRequest, Err: ErrSyntax, Fields: Errors{{Code: CodeSyntax, Detail: "The request body could not be read."}}}
}

func (d *Decoder) planFor(t reflect.Type) any {
	if p, ok := d.plans.Load(t); ok {
		return p
	}
	p, err := buildPlan(t, map[reflect.Type]*plan{})
	var v any = p
	if err != nil {
		v = fallback{}
	}
	v, _ = d.plans.LoadOrStore(t, v)
	return v
}

func (d *Decoder) decodeInto(s *bodyState, data []byte, v reflect.Value) *RequestError {
	s.reset(data)
	switch p := d.planFor(v.Type()).(type) {
	case *plan:
		return s.document(v, p)
	default:
		// Types the one-pass decoder does not cover: check everything
		// strictly first, then let encoding/json fill the value.
		if err := s.document(reflect.Value{}, nil); err != nil {
			return err
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		if !d.allowUnknown {
			dec.DisallowUnknownFields()
		}
		if err := dec.Decode(v.Addr().Interface()); err != nil {
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) {
				ptr := ""
				if te.Field != "" {
					ptr = "/" + strings.ReplaceAll(escapePointer(te.Field), ".", "/")
				}
				return &RequestError{Status: http.StatusUnprocessableEntity, Err: ErrType, Fields: Errors{{Pointer: ptr, Code: CodeType, Detail: detailType}}}
			}
			if strings.HasPrefix(err.Error(), "json: unknown field") {
				return &RequestError{Status: http.StatusBadRequest, Err: ErrUnknownField, Fields: Errors{{Code: CodeUnknownField, Detail: "The object has a member this endpoint does not accept."}}}
			}
			return &RequestError{Status: http.StatusUnprocessableEntity, Err: ErrType, Fields: Errors{{Code: CodeType, Detail: detailType}}}
		}
		return nil
	}
}

// jsonContentType accepts exactly one Content-Type field whose media type
// is application/json or application/<x>+json, with no charset parameter or
// charset=utf-8 (RFC 8259 §8.1: JSON exchanged between systems is UTF-8).
func jsonContentType(vals []string) bool {
	if len(vals) != 1 {
		return false
	}
	v := vals[0]
	mt, params, _ := strings.Cut(v, ";")
	mt = strings.TrimSpace(mt)
	sub, ok := cutPrefixFold(mt, "application/")
	if !ok {
		return false
	}
	if !strings.EqualFold(sub, "json") {
		base, ok := cutSuffixFold(sub, "+json")
		if !ok || base == "" || !httpsyntax.IsToken(base) {
			return false
		}
	}
	for params != "" {
		var p string
		p, params = cutParam(params)
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		name, val, ok := strings.Cut(p, "=")
		if !ok {
			return false
		}
		name = strings.TrimSpace(name)
		val = strings.TrimSpace(val)
		if !httpsyntax.IsToken(name) {
			return false
		}
		if strings.EqualFold(name, "charset") {
			if len(val) >= 2 && val[0] == '"' && val[len(val)-1] == '"' {
				val = val[1 : len(val)-1]
			}
			if !strings.EqualFold(val, "utf-8") {
				return false
			}
		}
	}
	return true
}

// identityEncoding accepts a body with no content coding. A compressed body
// is refused with 415 (RFC 9110 §15.5.16) rather than inflated: the size cap
// applies to what is read, and inflating would multiply it.
func identityEncoding(vals []string) bool {
	return len(vals) == 0 || len(vals) == 1 && strings.EqualFold(strings.TrimSpace(vals[0]), "identity")
}

// cutParam splits at the first ';' outside a quoted string.
func cutParam(s string) (string, string) {
	quoted := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && quoted:
			i++
		case c == '"':
			quoted = !quoted
		case c == ';' && !quoted:
			return s[:i], s[i+1:]
		}
	}
	return s, ""
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) < len(prefix) || !strings.EqualFold(s[:len(prefix)], prefix) {
		return s, false
	}
	return s[len(prefix):], true
}

func cutSuffixFold(s, suffix string) (string, bool) {
	if len(s) < len(suffix) || !strings.EqualFold(s[len(s)-len(suffix):], suffix) {
		return s, false
	}
	return s[:len(s)-len(suffix)], true
}

// Middleware decodes and validates the body of every request that has one
// into a *T, stores it in the request context for [FromContext], and
// rejects the rest. Build it with [JSON]. It is safe for concurrent use.
type Middleware[T any] struct {
	d     *Decoder
	rules *RuleSet[T]
}

// JSON returns a middleware that decodes request bodies into T with d (nil
// means a Decoder with the default Config) and validates them with rules
// (nil for none) and T's Validate method. GET, HEAD and OPTIONS requests
// pass through untouched, with no value in the context.
func JSON[T any](d *Decoder, rules *RuleSet[T]) *Middleware[T] {
	return &Middleware[T]{d: orDefault(d), rules: rules}
}

type ctxKey[T any] struct{}

// Handler wraps next. A zero Middleware uses the default Decoder and no
// rule set.
func (m *Middleware[T]) Handler(next http.Handler) http.Handler {
	d, rules := orDefault(m.d), m.rules
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			next.ServeHTTP(w, r)
			return
		}
		v, err := decodeRequest(r, d, rules)
		if err != nil {
			d.reject(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey[T]{}, v)))
	})
}

// FromContext returns the value the [JSON] middleware for T decoded.
func FromContext[T any](ctx context.Context) (*T, bool) {
	v, ok := ctx.Value(ctxKey[T]{}).(*T)
	return v, ok && v != nil
}

// WriteError sends the rejection for err as the Decoder would: through
// Config.ErrorHandler when set, else as problem+json, and logs it. Use it
// for the errors of [Params]. An error that is not a [*RequestError] is
// sent as a 500 without its text.
func (d *Decoder) WriteError(w http.ResponseWriter, r *http.Request, err error) {
	var re *RequestError
	if !errors.As(err, &re) {
		problem.Write(w, problem.Problem{Status: http.StatusInternalServerError})
		return
	}
	d.reject(w, r, re)
}

var (
	problem415 = problem.MustCompile(problem.Problem{Status: http.StatusUnsupportedMediaType,
		Detail: "The request body must be JSON: Content-Type application/json, UTF-8."})
	problem413 = problem.MustCompile(problem.Problem{Status: http.StatusRequestEntityTooLarge,
		Detail: "The request body is too large."})
	problem503 = problem.MustCompile(problem.Problem{Status: http.StatusServiceUnavailable,
		Detail: "The request could not be validated right now; try again later."})
)

func (d *Decoder) reject(w http.ResponseWriter, r *http.Request, err *RequestError) {
	if d.logger != nil {
		d.log(r, err)
	}
	if d.errorHandler != nil {
		d.errorHandler(w, r, err)
		return
	}
	switch err.Status {
	case http.StatusUnsupportedMediaType:
		problem415.Write(w)
	case http.StatusRequestEntityTooLarge:
		problem413.Write(w)
	case http.StatusServiceUnavailable:
		problem503.Write(w)
	default:
		detail := "The request body is not acceptable JSON."
		if err.Status == http.StatusUnprocessableEntity {
			detail = "The request is well-formed but some fields are invalid."
		}
		if errors.Is(err.Err, ErrInvalidParameter) {
			detail = "Some request parameters are invalid."
		}
		d.rejections.write(w, err, detail)
	}
}

// Rejection bodies are a function of the status, the detail and the field
// errors, and the same few recur (a missing email, an age out of range), so
// each Decoder keeps up to maxCachedRejections compiled bodies, evicting at
// random. Encoding a problem costs several times more than decoding the
// request; the cache is bounded in entries and key size, so varied input
// cannot grow it.
const (
	maxCachedRejections = 256
	maxRejectionKey     = 1024
)

type rejectionCache struct {
	mu   sync.RWMutex
	m    map[string]*problem.Compiled
	keys sync.Pool // *[]byte
}

func (c *rejectionCache) write(w http.ResponseWriter, err *RequestError, detail string) {
	kp, _ := c.keys.Get().(*[]byte)
	if kp == nil {
		kp = new([]byte)
	}
	key := appendRejectionKey((*kp)[:0], err, detail)
	*kp = key
	defer c.keys.Put(kp)
	cacheable := len(key) <= maxRejectionKey
	if cacheable {
		c.mu.RLock()
		compiled := c.m[string(key)]
		c.mu.RUnlock()
		if compiled != nil {
			compiled.Write(w)
			return
		}
	}
	p := problem.Problem{Status: err.Status, Detail: detail}
	if len(err.Fields) > 0 {
		p.Extensions = map[string]any{"errors": err.Fields}
	}
	compiled, cerr := problem.Compile(p)
	if cerr != nil {
		problem.Write(w, p) // cannot happen with Errors; Write falls back to a bare 500
		return
	}
	if cacheable {
		c.mu.Lock()
		if c.m == nil {
			c.m = make(map[string]*problem.Compiled)
		}
		if len(c.m) >= maxCachedRejections {
			// Evict an arbitrary entry (map order is random), so input
			// crafted to fill the cache cannot pin it against the errors
			// that really recur.
			for k := range c.m {
				delete(c.m, k)
				break
			}
		}
		c.m[string(key)] = compiled
		c.mu.Unlock()
	}
	compiled.Write(w)
}

func appendRejectionKey(b []byte, err *RequestError, detail string) []byte {
	// Every part is length-prefixed, so distinct errors never share a key.
	part := func(b []byte, s string) []byte {
		b = strconv.AppendInt(b, int64(len(s)), 10)
		b = append(b, ':')
		return append(b, s...)
	}
	b = strconv.AppendInt(b, int64(err.Status), 10)
	b = part(b, detail)
	for _, f := range err.Fields {
		b = part(b, f.Pointer)
		b = part(b, f.Parameter)
		b = part(b, f.Code)
		b = part(b, f.Detail)
		if len(b) > maxRejectionKey {
			break
		}
	}
	return b
}

// log emits input_validation_fail with where and why, never a value.
func (d *Decoder) log(r *http.Request, err *RequestError) {
	attrs := make([]slog.Attr, 3, 5)
	attrs[0] = slog.Int("status", err.Status)
	attrs[1] = slog.String("reason", err.Err.Error())
	attrs[2] = slog.String("method", r.Method)
	// The route pattern ("POST /users/{id}") says where without carrying
	// identifiers from the path. Routers that do not set it get no path at
	// all: a raw path can hold secrets (/reset/{token}), and audit's
	// handler or the router's own log can say where, redacted.
	if r.Pattern != "" {
		attrs = append(attrs, slog.String("route", r.Pattern))
	}
	if len(err.Fields) > 0 {
		fields := make([]string, len(err.Fields))
		for i, f := range err.Fields {
			where := f.Pointer
			if f.Parameter != "" {
				where = "parameter:" + f.Parameter
			}
			fields[i] = where + " " + f.Code
		}
		attrs = append(attrs, slog.Any("fields", fields))
	}
	d.logger.LogAttrs(r.Context(), slog.LevelWarn, "input_validation_fail", attrs...)
}
