package ratelimit

import (
	"context"
	"time"
)

// Store keeps the counters of a [Limiter]. Implementations must be safe for
// concurrent use and must pass [github.com/apisec-go/apisec/ratelimit/storetest.Run].
//
// [Memory] keeps them in this process; the redisstore package shares them
// between processes through Redis.
type Store interface {
	// Take decides, atomically, whether cost units may be spent now by key
	// under every policy of policies (at most MaxPolicies, normalised by
	// New: names filled in, Burst set for GCRA). Only if every policy admits
	// the cost are they all charged; a denied call changes nothing. A cost
	// of 0 is a peek: it reports whether one unit would be admitted and
	// charges nothing.
	//
	// now is the caller's clock; a store with a clock of its own (a server)
	// may use that instead, but must never let time run backwards for a
	// key. A [Limiter] gives each policy set (each [Route]) its own key
	// space, so a store may either share or separate the counters of
	// different policy slices under one key.
	//
	// key is only valid during the call: a store that keeps it must copy
	// it (for example with strings.Clone). Implementations must not panic
	// and should honour ctx.
	Take(ctx context.Context, key string, cost int, now time.Time, policies []Policy) (Decision, error)
	// Reset forgets the counters of key under policies, so its full quota
	// is available again.
	Reset(ctx context.Context, key string, policies []Policy) error
}

// Decision is a store's answer: whether the cost was admitted, and the state
// of each policy, in the order of the policies given to [Store.Take].
type Decision struct {
	Allowed bool
	States  [MaxPolicies]PolicyState
}

// PolicyState is the state of one policy for one key after a decision.
type PolicyState struct {
	// Allowed reports whether this policy admitted the cost (on its own).
	Allowed bool
	// Remaining is the number of units that could still be spent at once
	// (after charging, if the decision was admitted).
	Remaining int
	// ResetAfter is the time until the policy's full quota is available
	// again.
	ResetAfter time.Duration
	// RetryAfter is, when Allowed is false, the time until the cost could
	// be admitted by this policy; 0 when Allowed.
	RetryAfter time.Duration
}
