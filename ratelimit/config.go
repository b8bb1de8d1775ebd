package ratelimit

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"
)

// Limits on configuration values.
const (
	// MaxPolicies is the largest number of policies one key is checked
	// against (per route).
	MaxPolicies = 4
	// MaxLimit is the largest Limit or Burst of a policy.
	MaxLimit = 1_000_000_000
	// MaxSlidingLimit is the largest Limit of a [SlidingWindow] policy: an
	// exact sliding window remembers one timestamp per admitted unit.
	MaxSlidingLimit = 10_000
	// MaxWindow is the longest policy window.
	MaxWindow = 366 * 24 * time.Hour
	// MaxCost is the largest cost of one decision.
	MaxCost = 1_000_000
	// DefaultBreakerThreshold is the number of consecutive store failures
	// that opens the circuit breaker when [Config.BreakerThreshold] is 0.
	DefaultBreakerThreshold = 3
	// DefaultBreakerCooldown is how long the breaker stays open before one
	// probe request tries the store again, when [Config.BreakerCooldown] is 0.
	DefaultBreakerCooldown = 5 * time.Second
)

// Algorithm selects how a [Policy] counts.
type Algorithm int

const (
	// GCRA is the generic cell rate algorithm, equivalent to a token bucket
	// of [Policy.Burst] tokens refilled at Limit per Window, stored as one
	// timestamp per key. It is the zero value.
	GCRA Algorithm = iota
	// SlidingWindow admits at most Limit units in any interval of length
	// Window, counted exactly: one 8-byte timestamp per unit of Limit per
	// key, so Limit is capped at [MaxSlidingLimit].
	SlidingWindow
)

func (a Algorithm) String() string {
	switch a {
	case GCRA:
		return "gcra"
	case SlidingWindow:
		return "sliding-window"
	}
	return fmt.Sprintf("Algorithm(%d)", int(a))
}

// Policy is one quota: Limit units per Window for each key.
//
// A policy's Name appears in the RateLimit-Policy and RateLimit response
// headers (draft-ietf-httpapi-ratelimit-headers) and in the
// violated-policies member of a 429 response.
type Policy struct {
	_ [0]func()

	// Name identifies the policy in headers and problem responses: 1 to 64
	// characters from [A-Za-z0-9_.-]. It may be empty only when the policy
	// set has a single policy; it is then "default".
	Name string
	// Limit is the quota: units admitted per Window (1..MaxLimit).
	Limit int
	// Window is the period of the quota, a whole number of seconds between
	// one second and MaxWindow.
	Window time.Duration
	// Algorithm is GCRA (the zero value) or SlidingWindow.
	Algorithm Algorithm
	// Burst is, for GCRA, the bucket size: how many units may be spent at
	// once after a quiet period. 0 means Limit. SlidingWindow policies must
	// leave it 0.
	Burst int
}

// Interval is the time one unit of quota takes to come back: Window/Limit.
// It is 0 when Limit is not positive (the zero Policy, or one [New] would
// reject), rather than a division by zero.
func (p Policy) Interval() time.Duration {
	if p.Limit <= 0 {
		return 0
	}
	return p.Window / time.Duration(p.Limit)
}

// Capacity is the most units a key can spend at once: Burst for a GCRA
// policy (Limit when Burst is 0) and Limit for a sliding window.
func (p Policy) Capacity() int {
	if p.Algorithm == GCRA && p.Burst > 0 {
		return p.Burst
	}
	return p.Limit
}

// Equal reports whether p and q limit alike: the same Name, Limit, Window,
// Algorithm and Capacity (so Burst 0 equals Burst == Limit). Policy has no
// ==; a [Store] compares with Equal (for example through
// slices.EqualFunc) to find state it prepared for an earlier policy set.
func (p Policy) Equal(q Policy) bool {
	return p.Name == q.Name && p.Limit == q.Limit && p.Window == q.Window &&
		p.Algorithm == q.Algorithm && p.Capacity() == q.Capacity()
}

// FailurePolicy says what a [Limiter] does when its [Store] fails, times out
// or is behind an open circuit breaker, and when the caller's context ends
// before the store answers (which does not count as a store failure).
type FailurePolicy int

const (
	// FailClosed (the zero value) denies: the middleware answers 503 with
	// Retry-After. Safest, and an outage of the store is an outage of the
	// API.
	FailClosed FailurePolicy = iota
	// FailOpen admits every request while the store is unavailable.
	FailOpen
	// FailLocal decides with an in-memory limiter in this process, using
	// [Config.FallbackPolicies]. With N processes, up to N times the quota
	// may be admitted while the store is down.
	FailLocal
)

func (f FailurePolicy) String() string {
	switch f {
	case FailClosed:
		return "fail-closed"
	case FailOpen:
		return "fail-open"
	case FailLocal:
		return "fail-local"
	}
	return fmt.Sprintf("FailurePolicy(%d)", int(f))
}

// Route gives requests matched by Match their own policies and key space.
type Route struct {
	_ [0]func()

	// Name namespaces the route's keys in the store (required, unique,
	// 1 to 64 characters from [A-Za-z0-9_.-]).
	Name string
	// Match selects the requests of this route (required). Routes are tried
	// in order; requests no route matches use [Config.Policies].
	Match func(*http.Request) bool
	// Policies are the route's quotas (required, at most MaxPolicies).
	Policies []Policy
	// Cost overrides [Config.Cost] for this route.
	Cost func(*http.Request) int
}

// Config configures a [Limiter]. Only Policies is required; every other
// zero value is the safe default. [New] copies what it needs: mutating a
// Config (or its slices) after New has no effect.
type Config struct {
	_ [0]func()

	// Policies are the quotas every key is checked against, all decided
	// together: a request is admitted only when every policy admits it, and
	// a denied request consumes nothing. Required; at most MaxPolicies.
	Policies []Policy
	// Store holds the counters. Nil means a new in-memory store with the
	// default [MemoryConfig] (up to [DefaultMaxKeys] keys for Policies and
	// as many again for each of Routes), owned and closed by the Limiter.
	Store Store
	// Now is the clock given to the store (the Redis store uses the server's
	// clock instead). Nil means the monotonic clock, anchored to the wall
	// clock once: cheaper than time.Now and immune to wall-clock steps.
	Now func() time.Time

	// OnStoreError chooses what happens when the store fails. The zero
	// value is FailClosed.
	OnStoreError FailurePolicy
	// FallbackPolicies are the per-process quotas used with FailLocal. Nil
	// means Policies. Must be empty unless OnStoreError is FailLocal.
	FallbackPolicies []Policy
	// BreakerThreshold is how many consecutive store failures open the
	// circuit breaker (0 means DefaultBreakerThreshold). While open, the
	// store is not called and OnStoreError applies immediately.
	BreakerThreshold int
	// BreakerCooldown is how long the breaker stays open before a single
	// probe call tries the store again (0 means DefaultBreakerCooldown).
	BreakerCooldown time.Duration

	// Key derives the key of a request in [Limiter.Handler]. Nil means
	// [KeyByIP] with IPv6PrefixBits.
	Key KeyFunc
	// IPv6PrefixBits groups IPv6 clients for the default key: 0 means 64
	// (one key per /64, which one subscriber usually controls).
	IPv6PrefixBits int
	// Cost is the cost of a request, clamped to 0..MaxCost. Nil means 1. A
	// request of cost 0 is charged nothing but still refused while the
	// quota is exhausted.
	Cost func(*http.Request) int
	// Routes give some requests their own policies. Each route's keys are
	// counted apart, and a [Memory] store bounds them apart: each route
	// adds up to [MemoryConfig.MaxKeys] keys.
	Routes []Route
	// Exempt, when it returns true, lets a request through unlimited and
	// without headers.
	Exempt func(*http.Request) bool
	// ExemptPaths are URL paths (exact match, e.g. "/healthz") let through
	// unlimited.
	ExemptPaths []string

	// LegacyHeaders adds X-RateLimit-Limit, X-RateLimit-Remaining and
	// X-RateLimit-Reset for clients that predate the IETF fields.
	LegacyHeaders bool
	// NoResetJitter turns off the random extra second(s) added to the "t"
	// parameter of the RateLimit field (draft-ietf-httpapi-ratelimit-headers
	// §8.5), which keeps clients from retrying in lock step.
	NoResetJitter bool
	// DenyHandler replaces the problem+json body of a rejection. The
	// RateLimit and Retry-After headers are already set. err is a
	// *LimitError for 429s, or wraps ErrStoreUnavailable under FailClosed.
	DenyHandler func(w http.ResponseWriter, r *http.Request, err error)
	// Logger receives excess_rate_limit_exceeded events and store failures.
	// Nil means no logging.
	Logger *slog.Logger
}

// compilePolicies validates ps and returns a normalised copy.
func compilePolicies(field string, ps []Policy, errs *[]error) []Policy {
	if len(ps) == 0 {
		*errs = append(*errs, &ConfigError{Field: field, Reason: "at least one policy is required"})
		return nil
	}
	if len(ps) > MaxPolicies {
		*errs = append(*errs, &ConfigError{Field: field, Reason: fmt.Sprintf("at most %d policies, got %d", MaxPolicies, len(ps))})
		return nil
	}
	out := make([]Policy, len(ps))
	seen := make(map[string]bool, len(ps))
	for i, p := range ps {
		f := fmt.Sprintf("%s[%d]", field, i)
		bad := func(sub, reason string) {
			*errs = append(*errs, &ConfigError{Field: f + sub, Reason: reason})
		}
		if p.Name == "" && len(ps) == 1 {
			p.Name = "default"
		}
		switch {
		case p.Name == "":
			bad(".Name", "required when there is more than one policy")
		case !validName(p.Name):
			bad(".Name", fmt.Sprintf("%q: use 1 to 64 characters from A-Z a-z 0-9 _ . -", p.Name))
		case seen[p.Name]:
			bad(".Name", fmt.Sprintf("%q is used twice", p.Name))
		}
		seen[p.Name] = true
		switch p.Algorithm {
		case GCRA:
		case SlidingWindow:
			if p.Limit > MaxSlidingLimit {
				bad(".Limit", fmt.Sprintf("a sliding window counts at most %d, got %d; use GCRA for larger quotas", MaxSlidingLimit, p.Limit))
			}
			if p.Burst != 0 {
				bad(".Burst", "applies to GCRA only; leave it 0 for a sliding window")
			}
		default:
			bad(".Algorithm", "unknown "+p.Algorithm.String())
		}
		if p.Limit < 1 || p.Limit > MaxLimit {
			bad(".Limit", fmt.Sprintf("must be between 1 and %d, got %d", MaxLimit, p.Limit))
		}
		switch {
		case p.Window < time.Second || p.Window > MaxWindow:
			bad(".Window", fmt.Sprintf("must be between 1s and %v, got %v", MaxWindow, p.Window))
		case p.Window%time.Second != 0:
			bad(".Window", fmt.Sprintf("must be a whole number of seconds (it is advertised in seconds), got %v", p.Window))
		}
		if p.Burst < 0 || p.Burst > MaxLimit {
			bad(".Burst", fmt.Sprintf("must be between 0 and %d, got %d", MaxLimit, p.Burst))
		} else if p.Limit >= 1 && p.Window > 0 && float64(p.Window)/float64(p.Limit)*float64(p.Burst) > float64(10*MaxWindow) {
			bad(".Burst", "Burst × Window/Limit exceeds ten years")
		}
		if p.Algorithm == GCRA && p.Burst == 0 {
			p.Burst = p.Limit
		}
		out[i] = p
	}
	return out
}

func validName(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

func (c *Config) validate() ([]Policy, []Policy, []error) {
	var errs []error
	bad := func(field, reason string) { errs = append(errs, &ConfigError{Field: field, Reason: reason}) }
	pols := compilePolicies("Policies", c.Policies, &errs)
	var fallback []Policy
	switch c.OnStoreError {
	case FailClosed, FailOpen:
		if len(c.FallbackPolicies) > 0 {
			bad("FallbackPolicies", "only used with OnStoreError: FailLocal")
		}
	case FailLocal:
		if c.FallbackPolicies != nil {
			fallback = compilePolicies("FallbackPolicies", c.FallbackPolicies, &errs)
		}
	default:
		bad("OnStoreError", "unknown "+c.OnStoreError.String())
	}
	if c.BreakerThreshold < 0 || c.BreakerThreshold > 1000 {
		bad("BreakerThreshold", fmt.Sprintf("must be between 0 and 1000, got %d", c.BreakerThreshold))
	}
	if c.BreakerCooldown < 0 || c.BreakerCooldown > time.Hour {
		bad("BreakerCooldown", fmt.Sprintf("must be between 0 and 1h, got %v", c.BreakerCooldown))
	}
	switch {
	case c.IPv6PrefixBits < 0 || c.IPv6PrefixBits > 128:
		bad("IPv6PrefixBits", fmt.Sprintf("must be between 0 and 128, got %d", c.IPv6PrefixBits))
	case c.IPv6PrefixBits != 0 && c.Key != nil:
		bad("IPv6PrefixBits", "only applies to the default key; pass the bits to KeyByIP instead")
	}
	seenRoute := map[string]bool{}
	for i, rt := range c.Routes {
		f := fmt.Sprintf("Routes[%d]", i)
		switch {
		case !validName(rt.Name):
			bad(f+".Name", fmt.Sprintf("%q: use 1 to 64 characters from A-Z a-z 0-9 _ . -", rt.Name))
		case seenRoute[rt.Name]:
			bad(f+".Name", fmt.Sprintf("%q is used twice", rt.Name))
		}
		seenRoute[rt.Name] = true
		if rt.Match == nil {
			bad(f+".Match", "required")
		}
		compilePolicies(f+".Policies", rt.Policies, &errs)
	}
	for i, p := range c.ExemptPaths {
		if p == "" || p[0] != '/' {
			bad(fmt.Sprintf("ExemptPaths[%d]", i), fmt.Sprintf("%q: must be an absolute path starting with /", p))
		}
	}
	return pols, fallback, errs
}

func ceilSeconds(d time.Duration) int64 {
	if d <= 0 {
		return 0
	}
	s := int64(d / time.Second)
	if d%time.Second != 0 {
		s++
	}
	return s
}
