package redisstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/apisec-go/apisec/ratelimit"
)

// maxKeyLen is the longest key stored as is; longer keys are replaced by
// their SHA-256, so a client cannot make Redis keys arbitrarily large.
const maxKeyLen = 256

var errReply = errors.New("redisstore: unexpected reply from Redis")

// Store is a [ratelimit.Store] on Redis. It is safe for concurrent use and
// holds no lock of its own. There is no useful zero value: call [New].
type Store struct {
	client  redis.UniversalClient
	owned   bool
	prefix  string
	timeout time.Duration
}

var _ ratelimit.Store = (*Store)(nil)

// New validates cfg and returns a Store. It does not contact Redis, so it
// succeeds while Redis is down.
func New(cfg Config) (*Store, error) {
	if errs := cfg.validate(); len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	s := &Store{client: cfg.Client, prefix: cfg.Prefix, timeout: cfg.Timeout}
	if cfg.URL != "" {
		opt, _ := redis.ParseURL(cfg.URL) // validated
		s.client, s.owned = redis.NewClient(opt), true
	}
	if s.prefix == "" {
		s.prefix = DefaultPrefix
	}
	if s.timeout == 0 {
		s.timeout = DefaultTimeout
	}
	return s, nil
}

// keys returns the Redis keys of key: the hash, then one sorted set per
// policy (used by sliding windows only). They share the hash tag.
func (s *Store) keys(key string, ps []ratelimit.Policy) []string {
	if len(key) > maxKeyLen {
		sum := sha256.Sum256([]byte(key))
		key = "sha256:" + hex.EncodeToString(sum[:])
	}
	base := "{" + s.prefix + ":" + key + "}"
	keys := make([]string, 1+len(ps))
	keys[0] = base
	for i, p := range ps {
		keys[1+i] = base + ":" + p.Name
	}
	return keys
}

// Take implements [ratelimit.Store]. now is ignored: the Redis server's
// clock decides.
func (s *Store) Take(ctx context.Context, key string, cost int, _ time.Time, ps []ratelimit.Policy) (ratelimit.Decision, error) {
	var d ratelimit.Decision
	if cost < 0 || cost > ratelimit.MaxCost {
		return d, ratelimit.ErrInvalidCost
	}
	if len(ps) == 0 || len(ps) > ratelimit.MaxPolicies {
		return d, errors.New("redisstore: invalid policies")
	}
	args := make([]any, 2, 2+5*len(ps))
	args[0], args[1] = cost, len(ps)
	for _, p := range ps {
		alg := 0
		if p.Algorithm == ratelimit.SlidingWindow {
			alg = 1
		}
		args = append(args, alg, p.Limit, p.Window.Microseconds(), p.Capacity(), p.Name)
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	v, err := takeScript.Run(ctx, s.client, s.keys(key, ps), args...).Int64Slice()
	if err != nil {
		return d, err
	}
	if len(v) != 1+6*len(ps) {
		return d, errReply
	}
	d.Allowed = v[0] == 1
	for i := range ps {
		r := v[1+6*i : 7+6*i]
		st := ratelimit.PolicyState{
			Allowed:    r[0] == 1,
			Remaining:  int(r[1]),
			ResetAfter: time.Duration(r[2]) * time.Microsecond,
			RetryAfter: time.Duration(r[3]) * time.Microsecond,
		}
		if !d.Allowed && st.Allowed && cost > 0 {
			st.Remaining, st.ResetAfter = int(r[4]), time.Duration(r[5])*time.Microsecond
		}
		d.States[i] = st
	}
	return d, nil
}

// Reset implements [ratelimit.Store].
func (s *Store) Reset(ctx context.Context, key string, ps []ratelimit.Policy) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	return resetScript.Run(ctx, s.client, s.keys(key, ps)).Err()
}

// Close closes the connection the Store opened from [Config.URL]. A
// [Config.Client] passed in is left open.
func (s *Store) Close() error {
	if s.owned {
		return s.client.Close()
	}
	return nil
}

// String describes the store without secrets.
func (s *Store) String() string {
	return "redisstore(prefix=" + strconv.Quote(s.prefix) + ")"
}
