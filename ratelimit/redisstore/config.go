package redisstore

import (
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

const (
	// DefaultPrefix starts every Redis key when [Config.Prefix] is empty.
	DefaultPrefix = "ratelimit"
	// DefaultTimeout bounds each call when [Config.Timeout] is 0.
	DefaultTimeout = 100 * time.Millisecond
	// DefaultConcurrency is the number of round trips in flight when
	// [Config.Concurrency] is 0.
	DefaultConcurrency = 6
)

// Config configures a [Store]. New copies it; later changes have no effect.
type Config struct {
	_ [0]func()

	// Client is the Redis connection: *redis.Client, *redis.ClusterClient,
	// a Sentinel failover client... anything that implements
	// redis.UniversalClient. Exactly one of Client and URL is required.
	//
	// Set ContextTimeoutEnabled in its options: go-redis then applies
	// context deadlines to the socket, and a decision that finds Redis idle
	// makes its round trip in the caller's goroutine. Without it, the Store
	// still holds Timeout, by running round trips on goroutines of its own,
	// which costs a hand-off per idle decision (about 30 µs on loopback).
	Client redis.UniversalClient
	// URL, instead of Client, names a single Redis server
	// ("redis://[user:password@]host:port/db" or "rediss://..." for TLS);
	// the Store then owns the connection (with ContextTimeoutEnabled) and
	// [Store.Close] closes it.
	URL string
	// Prefix namespaces the keys: "{<Prefix>:<key>}". 1 to 64 printable
	// ASCII characters without braces or spaces; empty means DefaultPrefix.
	// Give each application (or limiter) sharing a Redis its own prefix.
	Prefix string
	// Concurrency is how many round trips to Redis the Store keeps in
	// flight at once (0 means DefaultConcurrency; at most 1024). Decisions
	// that arrive while all are busy go together, pipelined, in the next
	// one, and those among them for the same key share one script call.
	Concurrency int
	// Timeout bounds each decision (0 means DefaultTimeout; at most 10s),
	// whatever the client's own timeouts: past it, the caller gets an error
	// matching context.DeadlineExceeded.
	// Keep it short: a limiter waiting on a slow Redis slows every request.
	Timeout time.Duration
}

func (c *Config) validate() []error {
	var errs []error
	switch {
	case c.Client == nil && c.URL == "":
		errs = append(errs, &ConfigError{Field: "Client", Reason: "required (or URL)"})
	case c.Client != nil && c.URL != "":
		errs = append(errs, &ConfigError{Field: "URL", Reason: "set either Client or URL, not both"})
	case c.URL != "":
		if _, err := redis.ParseURL(c.URL); err != nil {
			// The URL may hold a password: never echo it.
			errs = append(errs, &ConfigError{Field: "URL", Reason: "not a valid redis:// or rediss:// URL"})
		}
	}
	if c.Prefix != "" {
		ok := len(c.Prefix) <= 64
		for i := 0; i < len(c.Prefix); i++ {
			if b := c.Prefix[i]; b <= ' ' || b >= 0x7f || b == '{' || b == '}' {
				ok = false
			}
		}
		if !ok {
			errs = append(errs, &ConfigError{Field: "Prefix", Reason: fmt.Sprintf("%q: use 1 to 64 printable ASCII characters without spaces or braces", c.Prefix)})
		}
	}
	if c.Concurrency < 0 || c.Concurrency > 1024 {
		errs = append(errs, &ConfigError{Field: "Concurrency", Reason: fmt.Sprintf("must be between 0 and 1024, got %d", c.Concurrency)})
	}
	if c.Timeout < 0 || c.Timeout > 10*time.Second {
		errs = append(errs, &ConfigError{Field: "Timeout", Reason: fmt.Sprintf("must be between 0 and 10s, got %v", c.Timeout)})
	}
	return errs
}
