package ratelimit

import (
	"errors"
	"strings"
)

// ConfigError reports one problem with a [Config], a [Policy] or a
// [MemoryConfig]. [New] and [NewMemory] return every problem at once, joined
// with [errors.Join]; use [errors.As] to inspect them.
type ConfigError struct {
	Field  string // the offending field, e.g. "Policies[1].Window"
	Reason string
}

func (e *ConfigError) Error() string { return "ratelimit: " + e.Field + ": " + e.Reason }

// ErrStoreUnavailable is returned (wrapped) by [Limiter.AllowN] and friends
// when the [Store] failed or timed out, or while the circuit breaker is open.
// The [Result] returned alongside it still follows [Config.OnStoreError].
var ErrStoreUnavailable = errors.New("ratelimit: store unavailable")

// ErrInvalidCost is returned when a cost is negative or larger than
// [MaxCost].
var ErrInvalidCost = errors.New("ratelimit: cost out of range")

// ErrEmptyKey is returned when the key passed to [Limiter.AllowN] is empty.
var ErrEmptyKey = errors.New("ratelimit: empty key")

// LimitError is the error a [Config.DenyHandler] receives when a request
// exceeded at least one policy. It carries the decision.
type LimitError struct {
	Result Result
}

func (e *LimitError) Error() string {
	var b strings.Builder
	b.WriteString("ratelimit: quota exceeded")
	sep := ": "
	for i := range e.Result.NumPolicies() {
		if ps := e.Result.Policy(i); !ps.Allowed {
			b.WriteString(sep)
			b.WriteString(ps.Name)
			sep = ", "
		}
	}
	return b.String()
}
