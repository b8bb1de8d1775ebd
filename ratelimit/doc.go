// Package ratelimit limits how fast each client may call an API: a
// [Limiter] with several policies per key decided together (for example
// 10 per second and 1000 per hour), an in-process [Memory] store, a [Store]
// interface for shared stores (the redisstore package puts the counters in
// Redis or Redis Cluster), and net/http middleware that answers 429 with
// the IETF RateLimit header fields.
//
// # Threat model
//
// A rate limit protects capacity and slows credential stuffing, scraping and
// enumeration. It is only as good as its key and its arithmetic:
//
//   - Keys an attacker can rotate are no limit at all. The default key is
//     the client address from [clientip.FromRequest], which trusts
//     forwarding headers only from proxies named to a [clientip.Resolver];
//     IPv6 clients are grouped by /64, since one subscriber usually holds a
//     whole /64. [KeyByHeader] is for identifiers that were authenticated
//     first. A [KeyFunc] that finds nothing falls back to the client
//     address: no request is ever unlimited by accident.
//   - Counting must be exact under concurrency and across processes. Every
//     decision is one atomic step in the store: N concurrent requests
//     against a quota of L admit exactly L. A denied request consumes no
//     quota, so a flood cannot extend its own ban or starve the key's
//     legitimate owner of anything more than the flood's own share.
//   - Memory is bounded: the [Memory] store holds at most
//     [MemoryConfig.MaxKeys] keys per policy set, not in all (least
//     recently used evicted): [Config.Policies] and each [Route] are sets
//     of their own, so a Limiter with N routes holds up to (N+1)×MaxKeys
//     keys. It stores seeded hashes rather than the keys, and sweeps
//     idle keys, rebuilding its maps so the memory really returns. A sliding
//     window's memory is bounded by its Limit.
//   - Clocks: the in-memory store never lets time run backwards (a clock
//     step back cannot refill a bucket); the Redis store uses the Redis
//     server's clock, so skew between application servers cannot widen the
//     quota.
//   - A failing store must not become an outage you did not choose, nor a
//     slowdown: [Config.OnStoreError] picks FailClosed (the default, 503 +
//     Retry-After), FailOpen, or FailLocal (an in-process limiter), and a
//     circuit breaker stops calling a dead store after
//     [Config.BreakerThreshold] failures, probing it again after
//     [Config.BreakerCooldown]. Errors never reach the client.
//
// # Algorithms
//
// [GCRA] (the default) behaves as a token bucket of [Policy.Burst] tokens
// refilled at Limit per Window, in 8 bytes per key and policy. It admits up
// to Burst at once, so up to Limit+Burst in one window at its edge.
// [SlidingWindow] admits at most Limit in any interval of length Window,
// exactly, at the cost of one timestamp per admitted unit.
//
// # Place in the chain
//
// headers → cors → clientip → audit → ratelimit (by IP) → auth → ratelimit
// (by principal, [KeyByPrincipal]) → version → validate → handler.
//
// Limiting by address before authentication keeps floods cheap: a rejected
// request costs a map lookup, not a signature check. CORS preflights pass
// before the limiter, and audit sees every rejection. A second limiter
// after authentication gives each account its quota. For login endpoints,
// call [Limiter.Allow] with the account name as key, in addition to the
// per-address limit.
//
// # Response fields
//
// Every limited response carries, per draft-ietf-httpapi-ratelimit-headers
// (revision 11):
//
//	RateLimit-Policy: "burst";q=10;w=1, "daily";q=1000;w=86400
//	RateLimit: "burst";r=9;t=1, "daily";r=999;t=86400
//
// A denied request gets 429 with Retry-After (RFC 9110 §10.2.3, RFC 6585
// §4: the ceiling of the real wait, in seconds) and an RFC 9457 problem of
// type [QuotaExceededType] naming the violated policies. The obsolete
// X-RateLimit-* fields are sent only with [Config.LegacyHeaders].
//
// [RFC 6585]: https://www.rfc-editor.org/rfc/rfc6585
// [RFC 9110]: https://www.rfc-editor.org/rfc/rfc9110
// [RFC 9457]: https://www.rfc-editor.org/rfc/rfc9457
// [draft-ietf-httpapi-ratelimit-headers]: https://datatracker.ietf.org/doc/draft-ietf-httpapi-ratelimit-headers/
package ratelimit
