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
)

// Config configures a [Store]. New copies it; later changes have no effect.
type Config struct {
	_ [0]func()

	// Client is the Redis connection: *redis.Client, *redis.ClusterClient,
	// a Sentinel failover client... anything that implements
	// redis.UniversalClient. Exactly one of Client and URL is required.
	Client redis.UniversalClient
	// URL, instead of Client, names a single Redis server
	// ("redis://[user:password@]host:port/db" or "rediss://..." for TLS);
	// the Store then owns the connection and [Store.Close] closes it.
	URL string
	// Prefix namespaces the keys: "{<Prefix>:<key>}". 1 to 64 printable
	// ASCII characters without braces or spaces; empty means DefaultPrefix.
	// Give each application (or limiter) sharing a Redis its own prefix.
	Prefix string
	// Timeout bounds each decision (0 means DefaultTimeout; at most 10s).
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
	if c.Timeout < 0 || c.Timeout > 10*time.Second {
		errs = append(errs, &ConfigError{Field: "Timeout", Reason: fmt.Sprintf("must be between 0 and 10s, got %v", c.Timeout)})
	}
	return errs
}
