package redisstore_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/apisec-go/apisec/internal/configtest"
	"github.com/apisec-go/apisec/internal/redistest"
	"github.com/apisec-go/apisec/ratelimit"
	"github.com/apisec-go/apisec/ratelimit/redisstore"
	"github.com/apisec-go/apisec/ratelimit/storetest"
)

func client(t testing.TB, addrs ...string) redis.UniversalClient {
	t.Helper()
	c := redis.NewUniversalClient(&redis.UniversalOptions{
		Addrs:        addrs,
		DialTimeout:  200 * time.Millisecond,
		ReadTimeout:  200 * time.Millisecond,
		WriteTimeout: 200 * time.Millisecond,
		MaxRetries:   -1,
		PoolSize:     32,
	})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func clusterClient(t testing.TB, addrs []string) redis.UniversalClient {
	t.Helper()
	c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs, ReadTimeout: time.Second, PoolSize: 32})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func newStore(t testing.TB, c redis.UniversalClient, prefix string) *redisstore.Store {
	t.Helper()
	s, err := redisstore.New(redisstore.Config{Client: c, Prefix: prefix, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestURL(t *testing.T) {
	srv := redistest.Start(t)
	s, err := redisstore.New(redisstore.Config{URL: "redis://" + srv.Addr + "/0"})
	if err != nil {
		t.Fatal(err)
	}
	ps := []ratelimit.Policy{{Name: "p", Limit: 1, Window: time.Hour}}
	if d, err := s.Take(context.Background(), "k", 1, time.Now(), ps); err != nil || !d.Allowed {
		t.Fatalf("%+v %v", d, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Take(context.Background(), "k", 1, time.Now(), ps); err == nil {
		t.Error("Take after Close succeeded: the owned client was not closed")
	}
}

func TestConformance(t *testing.T) {
	srv := redistest.Start(t)
	s := newStore(t, client(t, srv.Addr), "conf")
	storetest.Run(t, func(t *testing.T) ratelimit.Store { return s })
}

func TestClusterConformance(t *testing.T) {
	cl := redistest.StartCluster(t)
	s := newStore(t, clusterClient(t, cl.Addrs), "conf")
	storetest.Run(t, func(t *testing.T) ratelimit.Store { return s })
}

// exactAcross runs 8 limiters (each its own client, as 8 processes would
// have) against one key and checks that exactly the quota is admitted.
func exactAcross(t *testing.T, newClient func() redis.UniversalClient) {
	const limit, instances, perInstance = 100, 8, 60
	for _, alg := range []ratelimit.Algorithm{ratelimit.GCRA, ratelimit.SlidingWindow} {
		t.Run("algorithm="+alg.String(), func(t *testing.T) {
			var admitted atomic.Int64
			var wg sync.WaitGroup
			for range instances {
				l, err := ratelimit.New(ratelimit.Config{
					Policies: []ratelimit.Policy{{Name: "hourly", Limit: limit, Window: time.Hour, Algorithm: alg}},
					Store:    newStore(t, newClient(), "exact"),
				})
				if err != nil {
					t.Fatal(err)
				}
				for range 4 {
					wg.Go(func() {
						for range perInstance / 4 {
							res, err := l.Allow(context.Background(), "shared-"+alg.String())
							if err != nil {
								t.Error(err)
								return
							}
							if res.Allowed {
								admitted.Add(1)
							}
						}
					})
				}
			}
			wg.Wait()
			if n := admitted.Load(); n != limit {
				t.Errorf("%d instances, %d attempts: admitted %d, want exactly %d", instances, instances*perInstance, n, limit)
			}
		})
	}
}

func TestExactAcrossInstances(t *testing.T) {
	srv := redistest.Start(t)
	exactAcross(t, func() redis.UniversalClient { return client(t, srv.Addr) })
}

func TestExactAcrossInstancesOnCluster(t *testing.T) {
	cl := redistest.StartCluster(t)
	exactAcross(t, func() redis.UniversalClient { return clusterClient(t, cl.Addrs) })
}

func commandCalls(t *testing.T, srv *redistest.Server, cmd string) int {
	t.Helper()
	info, err := srv.Do("INFO", "commandstats")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(info, "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "cmdstat_"+cmd+":calls="); ok {
			n, _ := strconv.Atoi(rest[:strings.IndexByte(rest, ',')])
			return n
		}
	}
	return 0
}

// Performance contract: one round trip and one EVALSHA per decision, never
// more. (Concurrent decisions share them: see
// TestHotKeyDecisionsShareCallsAndStayExact.)
func TestOneEvalshaPerDecision(t *testing.T) {
	srv := redistest.Start(t)
	c := client(t, srv.Addr)
	var trips atomic.Int64
	c.AddHook(countHook{&trips})
	s := newStore(t, c, "stats")
	for _, tc := range []struct {
		name string
		ps   []ratelimit.Policy
	}{
		{"single GCRA policy", []ratelimit.Policy{{Name: "second", Limit: 10, Window: time.Second, Burst: 10}}},
		{"three policies", []ratelimit.Policy{
			{Name: "second", Limit: 10, Window: time.Second, Burst: 10},
			{Name: "hour", Limit: 1000, Window: time.Hour, Burst: 1000},
			{Name: "exact", Limit: 100, Window: time.Minute, Algorithm: ratelimit.SlidingWindow},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Load the script once (the first call gets NOSCRIPT and falls
			// back to EVAL), then count.
			if _, err := s.Take(context.Background(), "warm", 1, time.Now(), tc.ps); err != nil {
				t.Fatal(err)
			}
			if _, err := srv.Do("CONFIG", "RESETSTAT"); err != nil {
				t.Fatal(err)
			}
			const decisions = 50
			trips.Store(0)
			for i := range decisions {
				if _, err := s.Take(context.Background(), "k"+strconv.Itoa(i%5), 1, time.Now(), tc.ps); err != nil {
					t.Fatal(err)
				}
			}
			if n := commandCalls(t, srv, "evalsha"); n != decisions {
				t.Errorf("EVALSHA calls = %d for %d decisions, want exactly %d", n, decisions, decisions)
			}
			if n := commandCalls(t, srv, "eval"); n != 0 {
				t.Errorf("EVAL calls = %d, want 0 once the script is loaded", n)
			}
			if n := trips.Load(); n != decisions {
				t.Errorf("client round trips = %d for %d decisions, want %d", n, decisions, decisions)
			}
		})
	}
}

// countHook counts the commands and pipelines a client sends.
type countHook struct{ n *atomic.Int64 }

func (h countHook) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h countHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		h.n.Add(1)
		return next(ctx, cmd)
	}
}
func (h countHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		h.n.Add(1)
		return next(ctx, cmds)
	}
}

func TestNoscriptFallbackAfterScriptFlush(t *testing.T) {
	srv := redistest.Start(t)
	s := newStore(t, client(t, srv.Addr), "flush")
	ps := []ratelimit.Policy{{Name: "p", Limit: 2, Window: time.Hour}}
	if d, err := s.Take(context.Background(), "k", 1, time.Now(), ps); err != nil || !d.Allowed {
		t.Fatal(d, err)
	}
	if _, err := srv.Do("SCRIPT", "FLUSH"); err != nil {
		t.Fatal(err)
	}
	d, err := s.Take(context.Background(), "k", 1, time.Now(), ps)
	if err != nil || !d.Allowed || d.States[0].Remaining != 0 {
		t.Fatalf("after SCRIPT FLUSH: %+v, %v; want allowed with 0 remaining", d, err)
	}
}

func TestKeysShareOneHashTag(t *testing.T) {
	srv := redistest.Start(t)
	c := client(t, srv.Addr)
	s := newStore(t, c, "app")
	ps := []ratelimit.Policy{
		{Name: "g", Limit: 5, Window: time.Hour},
		{Name: "s", Limit: 5, Window: time.Hour, Algorithm: ratelimit.SlidingWindow},
	}
	if _, err := s.Take(context.Background(), "user:{42}", 1, time.Now(), ps); err != nil {
		t.Fatal(err)
	}
	keys, err := c.Keys(context.Background(), "*").Result()
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(keys)
	if want := []string{"{app:user:{42}}", "{app:user:{42}}:s"}; !slices.Equal(keys, want) {
		t.Fatalf("keys = %q, want %q", keys, want)
	}
	for _, k := range keys {
		ttl, err := c.PTTL(context.Background(), k).Result()
		if err != nil || ttl <= 0 || ttl > time.Hour+2*time.Second {
			t.Errorf("%s: TTL = %v, %v; want expiry within the window", k, ttl, err)
		}
	}
}

func TestKeysShareOneClusterSlot(t *testing.T) {
	cl := redistest.StartCluster(t)
	c := clusterClient(t, cl.Addrs).(*redis.ClusterClient)
	for _, key := range []string{"ip:192.0.2.1", "user:{42}", "a}b", "{", "}"} {
		base := "{ratelimit:" + key + "}"
		var slots []int64
		for _, k := range []string{base, base + ":burst", base + ":daily"} {
			n, err := c.ClusterKeySlot(context.Background(), k).Result()
			if err != nil {
				t.Fatal(err)
			}
			slots = append(slots, n)
		}
		if slots[0] != slots[1] || slots[0] != slots[2] {
			t.Errorf("key %q: slots %v, want one slot", key, slots)
		}
	}
	// And the store works on it with keys like these (a CROSSSLOT error
	// would fail the script).
	s := newStore(t, c, "")
	ps := []ratelimit.Policy{
		{Name: "burst", Limit: 5, Window: time.Hour},
		{Name: "daily", Limit: 5, Window: time.Hour, Algorithm: ratelimit.SlidingWindow},
	}
	for _, key := range []string{"a}b", "{", "}", "x{y}z"} {
		if d, err := s.Take(context.Background(), key, 1, time.Now(), ps); err != nil || !d.Allowed {
			t.Errorf("key %q: %+v, %v", key, d, err)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  redisstore.Config
		want []string
	}{
		{"missing client", redisstore.Config{}, []string{"redisstore: Client: required (or URL)"}},
		{"client and URL", redisstore.Config{Client: redis.NewClient(&redis.Options{}), URL: "redis://127.0.0.1:1"}, []string{"redisstore: URL: set either Client or URL, not both"}},
		{"bad URL hides its password", redisstore.Config{URL: "http://user:s3cret@host/"}, []string{"redisstore: URL: not a valid redis:// or rediss:// URL"}},
		{"everything wrong", redisstore.Config{Client: redis.NewClient(&redis.Options{}), Prefix: "a{b}", Timeout: -time.Second, Concurrency: -1},
			[]string{
				`redisstore: Prefix: "a{b}": use 1 to 64 printable ASCII characters without spaces or braces`,
				"redisstore: Concurrency: must be between 0 and 1024, got -1",
				"redisstore: Timeout: must be between 0 and 10s, got -1s",
			}},
		{"prefix with space", redisstore.Config{Client: redis.NewClient(&redis.Options{}), Prefix: "a b", Timeout: time.Minute, Concurrency: 1025},
			[]string{
				`redisstore: Prefix: "a b": use 1 to 64 printable ASCII characters without spaces or braces`,
				"redisstore: Concurrency: must be between 0 and 1024, got 1025",
				"redisstore: Timeout: must be between 0 and 10s, got 1m0s",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := redisstore.New(tt.cfg)
			if err == nil {
				t.Fatal("no error")
			}
			errs := configtest.Leaves[redisstore.ConfigError](t, err)
			if len(errs) != len(tt.want) {
				t.Fatalf("errors = %v, want %q", errs, tt.want)
			}
			for i, e := range errs {
				if e.Error() != tt.want[i] {
					t.Errorf("error %d = %v, want %q", i, e, tt.want[i])
				}
			}
		})
	}
}
