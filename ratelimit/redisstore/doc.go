// Package redisstore keeps [ratelimit] counters in Redis, so that every
// process of a service shares one quota per key.
//
// Each decision is one round trip: a Lua script, run with EVALSHA (EVAL
// once after a server restart or failover forgets it, on NOSCRIPT), that
// reads the Redis server's clock with TIME, evaluates every policy of the
// key and charges them all or none. Under load, decisions share round trips:
// at most [Config.Concurrency] are in flight, and those that arrive
// meanwhile go together in the next one, pipelined; concurrent decisions
// on the same key (an attacker hammering one address, a busy tenant) even
// share one script call, which decides their costs in order at one instant,
// exactly as back-to-back calls would. Nothing is read and then written from
// the client, so N processes racing on one key admit exactly the quota, and
// application servers with skewed clocks cannot widen it.
//
// All of a key's data lives under keys that start with the hash tag
// "{<prefix>:<key>}", so it sits in one Redis Cluster slot and the script
// touches a single node. [Config.Client] is any [redis.UniversalClient]:
// a single node, Sentinel, or Cluster.
//
// Every call has a short deadline ([Config.Timeout]) that holds whatever
// the client's timeouts; there is no process-wide lock. Build the client
// with ContextTimeoutEnabled: an idle decision then makes its round trip in
// the caller's goroutine, at the cost of a PING; without it, round trips run
// on goroutines of the store's so that the deadline still holds, which adds
// a goroutine hand-off to each idle decision. Pair the store with [ratelimit.Config.OnStoreError] to
// choose what happens when Redis is unreachable; the limiter's circuit
// breaker keeps a dead Redis from costing each request a timeout, and
// recovery is automatic. Requires Redis 5 or later (scripts that call TIME
// before writing use effects replication).
package redisstore
