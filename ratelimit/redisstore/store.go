package redisstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math"
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

// Store is a [ratelimit.Store] on Redis. It is safe for concurrent use.
// Each decision holds one mutex for a short critical section, to claim
// a round-trip slot or join the queue for one, and a round trip that ends
// takes it again to hand its slot on; the mutex is never held across I/O.
// There is no useful zero value: call [New].
type Store struct {
	client  redis.UniversalClient
	owned   bool
	prefix  string
	timeout time.Duration
	cache   atomic.Pointer[encoded]
	batch   batcher
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
		opt.ContextTimeoutEnabled = true
		s.client, s.owned = redis.NewClient(opt), true
	}
	if s.prefix == "" {
		s.prefix = DefaultPrefix
	}
	if s.timeout == 0 {
		s.timeout = DefaultTimeout
	}
	s.batch = batcher{client: s.client, timeout: s.timeout, max: cfg.Concurrency, maxBatch: 128, inline: honorsDeadlines(s.client)}
	if s.batch.max == 0 {
		s.batch.max = DefaultConcurrency
	}
	return s, nil
}

// honorsDeadlines reports whether c applies context deadlines to its
// socket reads and writes, so a call made with a deadline cannot outlast it.
func honorsDeadlines(c redis.UniversalClient) bool {
	switch c := c.(type) {
	case *redis.Client:
		return c.Options().ContextTimeoutEnabled
	case *redis.ClusterClient:
		return c.Options().ContextTimeoutEnabled
	case *redis.Ring:
		return c.Options().ContextTimeoutEnabled
	}
	return false
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
	// script is gcraScript for a single GCRA policy (gcra), else
	// takeScript; args are its arguments, with a placeholder for the cost
	// at costAt: takeScript's (cost, count, then 4 per policy) or
	// gcraScript's (T, tau, cost).
	script    *redis.Script
	args      []any
	costAt    int
	gcra      bool
	t, tau, e float64 // gcra: as the script computes them, µs
	window    time.Duration
	burst     int
}

func (s *Store) encode(ps []ratelimit.Policy) *encoded {
	if e := s.cache.Load(); e != nil && slices.EqualFunc(e.policies, ps, ratelimit.Policy.Equal) {
		return e
	}
	e := &encoded{policies: slices.Clone(ps), script: takeScript}
	if len(ps) == 1 && ps[0].Algorithm == ratelimit.GCRA {
		p := ps[0]
		win, lim, burst := float64(p.Window.Microseconds()), float64(p.Limit), p.Capacity()
		e.script, e.costAt, e.gcra, e.window, e.burst = gcraScript, 2, true, p.Window, burst
		e.t, e.tau = win/lim, float64(burst)*win/lim
		e.e = 1
		if e.t < 100 {
			e.e = e.t / 100
		}
		// The shortest decimal form that reads back as the same float64,
		// so the script computes with exactly the values gcraState uses;
		// the cost goes last.
		e.args = []any{strconv.FormatFloat(e.t, 'g', -1, 64), strconv.FormatFloat(e.tau, 'g', -1, 64), 0}
	} else {
		e.args = make([]any, 2, 2+4*len(ps))
		e.args[1] = len(ps)
		for _, p := range ps {
			alg := 0
			if p.Algorithm == ratelimit.SlidingWindow {
				alg = 1
			}
			e.args = append(e.args, alg, p.Limit, p.Window.Microseconds(), p.Capacity())
		}
	}
	s.cache.Store(e)
	return e
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
	c := getCall()
	c.script, c.keys = enc.script, s.keys(key, ps, false)
	c.args = slices.Clone(enc.args)
	c.args[enc.costAt] = cost
	if enc.gcra {
		c.gcra = enc // calls for the same key may share a script call
	}
	cmd, err := s.batch.do(ctx, c)
	if err != nil {
		return d, err // c may still be in a round trip: not recycled
	}
	if enc.gcra {
		r, err := c.n, c.err
		putCall(c)
		if err != nil {
			return d, err
		}
		d.States[0] = enc.gcraState(r, cost)
		d.Allowed = d.States[0].Allowed
		return d, nil
	}
	putCall(c)
	v, err := cmd.Int64Slice()
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

// gcraState works out a policy's state from gcraScript's reply r, with the
// script's arithmetic: r is the arrival-time offset in ns, rounded up (so
// Remaining is never overstated nor a wait understated), after the charge
// when r > 0 and before it, as -1 - offset, otherwise.
func (e *encoded) gcraState(r int64, cost int) ratelimit.PolicyState {
	charged := r >= 0
	if !charged {
		r = -1 - r
	}
	x := float64(r) / 1000 // µs
	st := ratelimit.PolicyState{
		Allowed:    charged,
		Remaining:  int(math.Floor((e.tau - x + e.e) / e.t)),
		ResetAfter: time.Duration(r),
	}
	switch {
	case charged:
	case cost == 0:
		st.Allowed = st.Remaining >= 1
		if !st.Allowed {
			st.RetryAfter = usToDuration(x + e.t - e.tau)
		}
	case cost > e.burst:
		st.RetryAfter = e.window
	default:
		st.RetryAfter = usToDuration(x + float64(cost)*e.t - e.tau)
	}
	return st
}

// usToDuration converts µs to a Duration, rounding up to the ns.
func usToDuration(us float64) time.Duration {
	return time.Duration(math.Ceil(us * 1000))
}

// Reset implements [ratelimit.Store].
func (s *Store) Reset(ctx context.Context, key string, ps []ratelimit.Policy) error {
	c := getCall()
	c.script, c.keys = resetScript, s.keys(key, ps, true)
	cmd, err := s.batch.do(ctx, c)
	if err != nil {
		return err
	}
	putCall(c)
	return cmd.Err()
}

// Close waits for the round trips in flight (each bounded by the client's
// own timeouts) and closes the connection the Store opened from
// [Config.URL]. A [Config.Client] passed in is left open.
func (s *Store) Close() error {
	s.batch.wait()
	if s.owned {
		return s.client.Close()
	}
	return nil
}

// String describes the store without secrets.
func (s *Store) String() string {
	return "redisstore(prefix=" + strconv.Quote(s.prefix) + ")"
}
