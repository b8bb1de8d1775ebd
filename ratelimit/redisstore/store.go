package redisstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"strconv"
	"sync/atomic"
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
	cache   atomic.Pointer[encoded]
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

// keys returns the Redis keys of key: the state string, then one sorted
// set per sliding-window policy. They share the hash tag.
func (s *Store) keys(key string, ps []ratelimit.Policy, all bool) []string {
	if len(key) > maxKeyLen {
		sum := sha256.Sum256([]byte(key))
		key = "sha256:" + hex.EncodeToString(sum[:])
	}
	base := "{" + s.prefix + ":" + key + "}"
	keys := make([]string, 1, 1+len(ps))
	keys[0] = base
	for _, p := range ps {
		if all || p.Algorithm == ratelimit.SlidingWindow {
			keys = append(keys, base+":"+p.Name)
		}
	}
	return keys
}

// encoded is the script arguments describing a policy slice, boxed once.
type encoded struct {
	policies []ratelimit.Policy // a copy, to detect a changed slice
	args     []any              // cost placeholder, count, then 4 per policy
}

func (s *Store) encode(ps []ratelimit.Policy) []any {
	if e := s.cache.Load(); e != nil && samePolicies(e.policies, ps) {
		return e.args
	}
	args := make([]any, 2, 2+4*len(ps))
	args[1] = len(ps)
	for _, p := range ps {
		alg := 0
		if p.Algorithm == ratelimit.SlidingWindow {
			alg = 1
		}
		args = append(args, alg, p.Limit, p.Window.Microseconds(), p.Capacity())
	}
	s.cache.Store(&encoded{policies: slices.Clone(ps), args: args})
	return args
}

func samePolicies(a, b []ratelimit.Policy) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := &a[i], &b[i]
		if x.Name != y.Name || x.Limit != y.Limit || x.Window != y.Window || x.Algorithm != y.Algorithm || x.Capacity() != y.Capacity() {
			return false
		}
	}
	return true
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
	enc := s.encode(ps)
	args := make([]any, len(enc))
	copy(args, enc)
	args[0] = cost
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	script := takeScript
	if len(ps) == 1 && ps[0].Algorithm == ratelimit.GCRA {
		script = gcraScript
	}
	v, err := script.Run(ctx, s.client, s.keys(key, ps, false), args...).Int64Slice()
	if err != nil {
		return d, err
	}
	if script == gcraScript && len(v) == 4 {
		d.Allowed = v[0] == 1
		d.States[0] = ratelimit.PolicyState{
			Allowed:    d.Allowed,
			Remaining:  int(v[1]),
			ResetAfter: time.Duration(v[2]) * time.Microsecond,
			RetryAfter: time.Duration(v[3]) * time.Microsecond,
		}
		return d, nil
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
	return resetScript.Run(ctx, s.client, s.keys(key, ps, true)).Err()
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
