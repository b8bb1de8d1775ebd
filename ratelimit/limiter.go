package ratelimit

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"
)

// Limiter decides whether a key may spend quota, under one or more
// policies decided together, and is also the HTTP middleware
// ([Limiter.Handler]).
//
// A Limiter is safe for concurrent use. Its configuration is fixed by [New];
// mutating the [Config] afterwards has no effect. There is no useful zero
// value: call New.
type Limiter struct {
	now       func() time.Time
	nanos     func() int64 // the same clock in Unix nanoseconds
	mem       *Memory      // Store, when it is a *Memory: called directly
	store     Store
	ownsStore bool
	onError   FailurePolicy
	local     *Memory // FailLocal only
	breaker   breaker
	logger    *slog.Logger

	def    *policySet
	routes []*policySet

	key         KeyFunc
	cost        func(*http.Request) int
	exempt      func(*http.Request) bool
	exemptPaths []string
	legacy      bool
	jitter      bool
	deny        func(http.ResponseWriter, *http.Request, error)
}

// Result is the outcome of one decision.
type Result struct {
	// Allowed reports whether the cost was admitted (and charged).
	Allowed bool
	// Limit is the quota of the binding policy: the one with the fewest
	// units remaining.
	Limit int
	// Remaining is the fewest units remaining under any policy.
	Remaining int
	// ResetAfter is the time until the binding policy's full quota is back.
	ResetAfter time.Duration
	// RetryAfter is, when not Allowed, the time after which the same cost
	// could be admitted (the longest wait of the violated policies); 0 when
	// Allowed.
	RetryAfter time.Duration
	// Degraded reports that the store could not decide and the result
	// follows [Config.OnStoreError].
	Degraded bool

	policies []Policy
	states   [MaxPolicies]PolicyState
}

// PolicyResult is the state of one policy within a [Result].
type PolicyResult struct {
	Name   string
	Limit  int
	Window time.Duration
	PolicyState
}

// NumPolicies returns the number of policies the decision covered (0 when
// the store could not decide and the failure policy was FailOpen or
// FailClosed).
func (r Result) NumPolicies() int { return len(r.policies) }

// Policy returns the state of the i-th policy, in configuration order.
func (r Result) Policy(i int) PolicyResult {
	p := r.policies[i]
	return PolicyResult{Name: p.Name, Limit: p.Limit, Window: p.Window, PolicyState: r.states[i]}
}

// policySet is one set of policies with its key namespace and precomputed
// response material.
type policySet struct {
	name     string // "" for Config.Policies; Route.Name otherwise
	prefix   string // key namespace: "" or "r:<name>:"
	policies []Policy
	fallback *policySet // FailLocal only
	tab      *table     // this set's table in Limiter.mem, if any
	localTab *table     // this set's table in Limiter.local, if any
	match    func(*http.Request) bool
	cost     func(*http.Request) int
	wire     wire
}

// New validates cfg and returns a Limiter, or every configuration problem
// joined with [errors.Join] (each a *[ConfigError]). New never contacts the
// store, so it succeeds while a remote store is down.
func New(cfg Config) (*Limiter, error) {
	pols, fallback, errs := cfg.validate()
	now, nanos := cfg.Now, func() int64 { return cfg.Now().UnixNano() }
	if now == nil {
		now, nanos = monotonicClock()
	}
	var mem *Memory
	if cfg.Store == nil && len(errs) == 0 {
		var err error
		if mem, err = NewMemory(MemoryConfig{Now: now}); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	l := &Limiter{
		now:         now,
		nanos:       nanos,
		store:       cfg.Store,
		onError:     cfg.OnStoreError,
		logger:      cfg.Logger,
		key:         cfg.Key,
		cost:        cfg.Cost,
		exempt:      cfg.Exempt,
		exemptPaths: append([]string(nil), cfg.ExemptPaths...),
		legacy:      cfg.LegacyHeaders,
		jitter:      !cfg.NoResetJitter,
		deny:        cfg.DenyHandler,
	}
	if mem != nil {
		l.store, l.ownsStore = mem, true
	}
	l.mem, _ = l.store.(*Memory)
	if l.key == nil {
		l.key = KeyByIP(cfg.IPv6PrefixBits)
	}
	l.breaker.threshold = int32(cfg.BreakerThreshold)
	if l.breaker.threshold == 0 {
		l.breaker.threshold = DefaultBreakerThreshold
	}
	l.breaker.cooldown = int64(cfg.BreakerCooldown)
	if l.breaker.cooldown == 0 {
		l.breaker.cooldown = int64(DefaultBreakerCooldown)
	}
	if cfg.OnStoreError == FailLocal {
		if mem != nil {
			l.local = mem // the primary store is already local
		} else {
			local, err := NewMemory(MemoryConfig{Now: now})
			if err != nil {
				return nil, err
			}
			l.local = local
		}
	}
	l.def = l.newSet("", pols, cfg.Cost, nil)
	if l.local != nil && fallback != nil {
		l.def.fallback = l.newSet("", fallback, cfg.Cost, nil)
	}
	for _, rt := range cfg.Routes {
		var errs []error
		ps := compilePolicies("", rt.Policies, &errs) // validated above
		cost := rt.Cost
		if cost == nil {
			cost = cfg.Cost
		}
		l.routes = append(l.routes, l.newSet(rt.Name, ps, cost, rt.Match))
	}
	for _, set := range append([]*policySet{l.def}, l.routes...) {
		var err error
		if l.mem != nil {
			if set.tab, err = l.mem.table(set.policies); err != nil {
				_ = l.Close()
				return nil, err // a shared Memory used with too many policy sets
			}
		}
		if l.local != nil {
			if set.fallback.localTab, err = l.local.table(set.fallback.policies); err != nil {
				_ = l.Close()
				return nil, err
			}
		}
	}
	return l, nil
}

// MustNew is like [New] but panics on a configuration error. Use it only
// for package-level variables with constant configurations.
func MustNew(cfg Config) *Limiter {
	l, err := New(cfg)
	if err != nil {
		panic(err)
	}
	return l
}

func (l *Limiter) newSet(name string, ps []Policy, cost func(*http.Request) int, match func(*http.Request) bool) *policySet {
	s := &policySet{name: name, policies: ps, cost: cost, match: match}
	if name != "" {
		s.prefix = "r:" + name + ":"
	}
	s.fallback = s
	s.wire = compileWire(ps)
	return s
}

// Close releases the store the Limiter created for itself (and the local
// fallback store), stopping their goroutines. A store passed in
// [Config.Store] is left open. Close is idempotent.
func (l *Limiter) Close() error {
	if l.ownsStore {
		if c, ok := l.store.(io.Closer); ok {
			_ = c.Close()
		}
	}
	if l.local != nil {
		_ = l.local.Close()
	}
	return nil
}

// Allow is AllowN with a cost of 1.
func (l *Limiter) Allow(ctx context.Context, key string) (Result, error) {
	return l.take(ctx, l.def, key, 1)
}

// AllowN decides whether key may spend cost units now under every policy
// of [Config.Policies], and charges them only if so.
//
// A non-nil error is either ErrInvalidCost or ErrEmptyKey (nothing was
// decided and the Result is not Allowed), or wraps ErrStoreUnavailable: the
// store failed and the Result follows [Config.OnStoreError]
// (Result.Degraded is set). Always check Result.Allowed.
func (l *Limiter) AllowN(ctx context.Context, key string, cost int) (Result, error) {
	return l.take(ctx, l.def, key, cost)
}

// Peek reports the state of key without charging anything: Allowed tells
// whether one unit would be admitted now.
func (l *Limiter) Peek(ctx context.Context, key string) (Result, error) {
	return l.take(ctx, l.def, key, 0)
}

// Reset gives key its full quota back under [Config.Policies] (for
// example after a successful login).
func (l *Limiter) Reset(ctx context.Context, key string) error {
	if key == "" {
		return ErrEmptyKey
	}
	err := l.store.Reset(ctx, key, l.def.policies)
	if l.local != nil && l.local != l.store {
		_ = l.local.Reset(ctx, key, l.def.fallback.policies)
	}
	if err != nil {
		return errors.Join(ErrStoreUnavailable, err)
	}
	return nil
}

var errStoreClosed = errors.Join(ErrStoreUnavailable, errors.New("ratelimit: circuit breaker open"))

func (l *Limiter) take(ctx context.Context, set *policySet, key string, cost int) (Result, error) {
	var r Result
	err := l.decide(ctx, set, key, cost, &r)
	return r, err
}

// decide fills r in place: a Result is a few hundred bytes, and copying it
// around costs more than the decision itself.
func (l *Limiter) decide(ctx context.Context, set *policySet, key string, cost int, r *Result) error {
	if cost < 0 || cost > MaxCost {
		return ErrInvalidCost
	}
	if key == "" {
		return ErrEmptyKey
	}
	n := l.nanos()
	if set.tab != nil {
		// Our own in-memory store: no interface call, nothing copied.
		r.Allowed = l.mem.take(set.tab, key, cost, n, &r.states)
		set.aggregate(r)
		return nil
	}
	now := time.Unix(0, n)
	var storeErr error
	if ok, probe := l.breaker.allow(now); ok {
		d, err := l.store.Take(ctx, key, cost, now, set.policies)
		if err == nil {
			l.breaker.success(l, ctx)
			r.Allowed, r.states = d.Allowed, d.States
			set.aggregate(r)
			return nil
		}
		if cerr := ctx.Err(); cerr != nil {
			// The caller gave up: not the store's fault, and whether the
			// store works is still unknown. Count neither a failure nor a
			// success, but free the probe so that the next call probes.
			if probe {
				l.breaker.probing.Store(false)
			}
			storeErr = errors.Join(ErrStoreUnavailable, cerr)
		} else {
			l.breaker.failure(l, ctx, now, err)
			storeErr = errors.Join(ErrStoreUnavailable, err)
		}
	} else {
		storeErr = errStoreClosed
	}
	r.Degraded = true
	switch l.onError {
	case FailOpen:
		r.Allowed = true
		return storeErr
	case FailLocal:
		fb := set.fallback
		r.Allowed = l.local.take(fb.localTab, key, cost, n, &r.states)
		fb.aggregate(r)
		return storeErr
	}
	r.RetryAfter = l.breaker.retryAfter(now)
	return storeErr
}

// aggregate sets r's summary fields from r.Allowed and r.states.
func (s *policySet) aggregate(r *Result) {
	r.policies = s.policies
	bind := 0
	for i := range s.policies {
		st := &r.states[i]
		if st.Remaining < r.states[bind].Remaining {
			bind = i
		}
		if !st.Allowed && st.RetryAfter > r.RetryAfter {
			r.RetryAfter = st.RetryAfter
		}
	}
	r.Limit = s.policies[bind].Limit
	r.Remaining = r.states[bind].Remaining
	r.ResetAfter = r.states[bind].ResetAfter
	if r.Allowed {
		r.RetryAfter = 0
	}
}

// breaker is a consecutive-failure circuit breaker with a single half-open
// probe.
type breaker struct {
	threshold int32
	cooldown  int64
	failures  atomic.Int32
	openUntil atomic.Int64 // Unix ns; 0 when closed
	probing   atomic.Bool
}

// allow reports whether the store may be called now, and whether the call
// is the half-open probe, which the caller must end with success, failure
// or, when its outcome is unknown, by clearing probing.
func (b *breaker) allow(now time.Time) (ok, probe bool) {
	until := b.openUntil.Load()
	if until == 0 {
		return true, false
	}
	if now.UnixNano() < until {
		return false, false
	}
	ok = b.probing.CompareAndSwap(false, true) // one probe at a time
	return ok, ok
}

func (b *breaker) success(l *Limiter, ctx context.Context) {
	if b.failures.Load() != 0 {
		b.failures.Store(0)
	}
	if b.openUntil.Load() != 0 {
		b.openUntil.Store(0)
		b.probing.Store(false)
		if l.logger != nil {
			l.logger.LogAttrs(ctx, slog.LevelInfo, "sys_monitor_enabled",
				slog.String("component", "ratelimit"), slog.String("reason", "store recovered"))
		}
	}
}

func (b *breaker) failure(l *Limiter, ctx context.Context, now time.Time, err error) {
	until := now.UnixNano() + b.cooldown
	if b.probing.Load() {
		b.openUntil.Store(until) // the probe failed: stay open
		b.probing.Store(false)
		return
	}
	if b.failures.Add(1) < b.threshold {
		if l.logger != nil {
			l.logger.LogAttrs(ctx, slog.LevelWarn, "ratelimit_store_error",
				slog.String("component", "ratelimit"), slog.String("error", err.Error()))
		}
		return
	}
	if b.openUntil.CompareAndSwap(0, until) && l.logger != nil {
		l.logger.LogAttrs(ctx, slog.LevelError, "sys_monitor_disabled",
			slog.String("component", "ratelimit"),
			slog.String("reason", "store unavailable, circuit breaker open"),
			slog.String("on_store_error", l.onError.String()),
			slog.Duration("cooldown", time.Duration(b.cooldown)),
			slog.String("error", err.Error()))
	}
}

func (b *breaker) retryAfter(now time.Time) time.Duration {
	if until := b.openUntil.Load(); until != 0 {
		if d := time.Duration(until - now.UnixNano()); d > time.Second {
			return d
		}
	}
	return time.Second
}

// monotonicClock returns a clock that reads only the monotonic clock: a
// wall-clock reading taken once plus the monotonic time elapsed since.
// It is cheaper than time.Now (one clock read instead of two) and never
// steps backwards when the wall clock is adjusted.
func monotonicClock() (func() time.Time, func() int64) {
	base := time.Now()
	unix := base.UnixNano()
	return func() time.Time { return base.Add(time.Since(base)) },
		func() int64 { return unix + int64(time.Since(base)) }
}
