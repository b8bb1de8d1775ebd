package ratelimit

import (
	"context"
	"log/slog"
	"math/bits"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"unsafe"

	"github.com/apisec-go/apisec/internal/problem"
)

// Header names, pre-canonicalised (textproto.CanonicalMIMEHeaderKey).
const (
	hdrPolicy     = "Ratelimit-Policy"
	hdrRateLimit  = "Ratelimit"
	hdrRetryAfter = "Retry-After"
	hdrXLimit     = "X-Ratelimit-Limit"
	hdrXRemaining = "X-Ratelimit-Remaining"
	hdrXReset     = "X-Ratelimit-Reset"
)

// QuotaExceededType is the problem type of a 429 response (IANA HTTP Problem
// Types registry).
const QuotaExceededType = "https://iana.org/assignments/http-problem-types#quota-exceeded"

const maxKeyBuf = 4096

var keyPool = sync.Pool{New: func() any { b := make([]byte, 0, 128); return &b }}

// headerBlock is the memory of one response's rate-limit fields: the
// values, and the bytes of the RateLimit value when they fit (they do for
// all but very long policy names). smallBlock is the same for the common
// response: admitted, without legacy fields, with a short RateLimit value.
type headerBlock struct {
	vals [6]string
	text [160]byte
}

type smallBlock struct {
	vals [2]string
	text [48]byte
}

// wire is the precomputed response material of a policy set.
type wire struct {
	policyHeader string              // the RateLimit-Policy field value
	exceeded     []*problem.Compiled // 429 bodies, indexed by the bit set of violated policies
}

var unavailable = problem.MustCompile(problem.Problem{
	Status: http.StatusServiceUnavailable,
	Detail: "The service is temporarily unable to check its rate limits. Retry later.",
})

func compileWire(ps []Policy) wire {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('"')
		b.WriteString(p.Name) // validName: no quote or backslash to escape
		b.WriteString(`";q=`)
		b.WriteString(strconv.Itoa(p.Limit))
		b.WriteString(";w=")
		b.WriteString(strconv.FormatInt(ceilSeconds(p.Window), 10))
	}
	w := wire{policyHeader: b.String(), exceeded: make([]*problem.Compiled, 1<<len(ps))}
	for mask := range w.exceeded {
		names := make([]string, 0, bits.OnesCount(uint(mask)))
		for i, p := range ps {
			if mask&(1<<i) != 0 {
				names = append(names, p.Name)
			}
		}
		w.exceeded[mask] = problem.MustCompile(problem.Problem{
			Type:       QuotaExceededType,
			Title:      "Request cannot be satisfied as assigned quota has been exceeded",
			Status:     http.StatusTooManyRequests,
			Detail:     "Too many requests. Retry after the number of seconds in the Retry-After header.",
			Extensions: map[string]any{"violated-policies": names},
		})
	}
	return w
}

// Handler returns middleware that charges each request to its key (see
// [Config.Key], [Config.Routes], [Config.Cost]) and answers 429 Too Many
// Requests (problem+json of type quota-exceeded, with violated-policies and
// Retry-After) when a policy is exhausted, or 503 with Retry-After when the
// store is unavailable under FailClosed. Every limited response carries the
// RateLimit-Policy and RateLimit fields of
// draft-ietf-httpapi-ratelimit-headers.
//
// The request is passed on unchanged.
func (l *Limiter) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.serve(w, r, next)
	})
}

func (l *Limiter) isExempt(r *http.Request) bool {
	for _, p := range l.exemptPaths {
		if r.URL.Path == p {
			return true
		}
	}
	return l.exempt != nil && l.exempt(r)
}

func (l *Limiter) serve(w http.ResponseWriter, r *http.Request, next http.Handler) {
	if l.isExempt(r) {
		next.ServeHTTP(w, r)
		return
	}
	set := l.def
	for _, s := range l.routes {
		if s.match(r) {
			set = s
			break
		}
	}
	cost := 1
	if set.cost != nil {
		cost = min(max(set.cost(r), 0), MaxCost)
	}
	bp := keyPool.Get().(*[]byte)
	buf := appendKey(append((*bp)[:0], set.prefix...), l.key, r)
	// buf is memory of ours (appendKey copies a key function's own slice).
	// The store must not keep the key (see Store.Take), so the pooled bytes
	// can back it for the duration of the call.
	key := unsafe.String(unsafe.SliceData(buf), len(buf))
	var res Result
	err := l.decide(r.Context(), set, key, cost, &res)
	var logKey string
	if !res.Allowed && l.logger != nil {
		logKey = strings.Clone(key)
	}
	if cap(buf) <= maxKeyBuf {
		*bp = buf[:0]
		keyPool.Put(bp)
	}

	l.writeHeaders(w.Header(), set, &res)
	if res.Allowed {
		next.ServeHTTP(w, r)
		return
	}
	if res.NumPolicies() == 0 {
		// FailClosed: the store could not decide.
		if l.deny != nil {
			l.deny(w, r, err)
			return
		}
		unavailable.Write(w)
		return
	}
	mask := 0
	for i := range res.NumPolicies() {
		if !res.states[i].Allowed {
			mask |= 1 << i
		}
	}
	if l.logger != nil {
		l.logDenied(r.Context(), set, &res, mask, logKey, cost)
	}
	if l.deny != nil {
		l.deny(w, r, &LimitError{Result: res})
		return
	}
	fb := set
	if res.Degraded {
		fb = set.fallback
	}
	fb.wire.exceeded[mask].Write(w)
}

func (l *Limiter) logDenied(ctx context.Context, set *policySet, res *Result, mask int, key string, cost int) {
	violated := make([]string, 0, bits.OnesCount(uint(mask)))
	for i := range res.NumPolicies() {
		if mask&(1<<i) != 0 {
			violated = append(violated, res.policies[i].Name)
		}
	}
	attrs := []slog.Attr{
		slog.String("key", key),
		slog.Any("violated_policies", violated),
		slog.Int("cost", cost),
		slog.Duration("retry_after", res.RetryAfter),
	}
	if set.name != "" {
		attrs = append(attrs, slog.String("route", set.name))
	}
	if res.Degraded {
		attrs = append(attrs, slog.Bool("degraded", true))
	}
	l.logger.LogAttrs(ctx, slog.LevelWarn, "excess_rate_limit_exceeded", attrs...)
}

func (l *Limiter) writeHeaders(h http.Header, set *policySet, res *Result) {
	np := res.NumPolicies()
	if np == 0 {
		// No decision from any store: nothing true to advertise but the wait.
		if !res.Allowed {
			h[hdrRetryAfter] = []string{strconv.FormatInt(max(ceilSeconds(res.RetryAfter), 1), 10)}
		}
		return
	}
	if res.Degraded {
		set = set.fallback
	}
	size := 2
	if !res.Allowed {
		size++
	}
	if l.legacy {
		size += 3
	}
	var tmp [MaxPolicies * 112]byte // room for MaxPolicies items of 64-byte names
	buf := tmp[:0]
	for i := range np {
		if i > 0 {
			buf = append(buf, ", "...)
		}
		st := &res.states[i]
		buf = append(buf, '"')
		buf = append(buf, res.policies[i].Name...)
		buf = append(buf, `";r=`...)
		buf = strconv.AppendInt(buf, int64(max(st.Remaining, 0)), 10)
		buf = append(buf, ";t="...)
		t := ceilSeconds(st.ResetAfter)
		if l.jitter && t >= 10 {
			t += rand.Int64N(t/10 + 1) // never earlier: jitter only adds
		}
		buf = strconv.AppendInt(buf, t, 10)
	}
	// One allocation holds every value and the bytes of the RateLimit
	// value; each value gets a slice with its own capacity, so no slice is
	// shared between fields. The block's bytes are never written again, so
	// they can back the string.
	var vals []string
	if size == 2 && len(buf) <= len(smallBlock{}.text) {
		blk := new(smallBlock)
		vals = blk.vals[:]
		vals[1] = unsafe.String(&blk.text[0], copy(blk.text[:], buf))
	} else {
		blk := new(headerBlock)
		vals = blk.vals[:size]
		if n := copy(blk.text[:], buf); n == len(buf) {
			vals[1] = unsafe.String(&blk.text[0], n)
		} else {
			vals[1] = string(buf) // long policy names: one more allocation
		}
	}
	vals[0] = set.wire.policyHeader
	h[hdrPolicy] = vals[0:1:1]
	h[hdrRateLimit] = vals[1:2:2]
	i := 2
	if !res.Allowed {
		vals[i] = strconv.FormatInt(max(ceilSeconds(res.RetryAfter), 1), 10)
		h[hdrRetryAfter] = vals[i : i+1 : i+1]
		i++
	}
	if l.legacy {
		vals[i] = strconv.Itoa(res.Limit)
		vals[i+1] = strconv.Itoa(max(res.Remaining, 0))
		vals[i+2] = strconv.FormatInt(ceilSeconds(res.ResetAfter), 10)
		h[hdrXLimit] = vals[i : i+1 : i+1]
		h[hdrXRemaining] = vals[i+1 : i+2 : i+2]
		h[hdrXReset] = vals[i+2 : i+3 : i+3]
	}
}
