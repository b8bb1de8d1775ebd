package redisstore_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/apisec-go/apisec/internal/redistest"
	"github.com/apisec-go/apisec/ratelimit"
	"github.com/apisec-go/apisec/ratelimit/redisstore"
)

// hammer runs goroutines × each concurrent Takes of cost 1 on key and
// returns the decisions.
func hammer(t *testing.T, s *redisstore.Store, key string, ps []ratelimit.Policy, goroutines, each int) []ratelimit.Decision {
	t.Helper()
	var mu sync.Mutex
	var out []ratelimit.Decision
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			for range each {
				d, err := s.Take(context.Background(), key, 1, time.Now(), ps)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				out = append(out, d)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return out
}

// Concurrent decisions on one hot key share round trips and scripts, and
// each still gets its own exact answer: the admitted ones report every
// remaining count from limit-1 down to 0 once, as sequential calls would.
func TestHotKeyDecisionsShareCallsAndStayExact(t *testing.T) {
	for _, mode := range clientModes {
		t.Run(mode.name, func(t *testing.T) {
			srv := redistest.Start(t)
			s, err := redisstore.New(redisstore.Config{Client: mode.client(t, srv.Addr), Prefix: "hot", Timeout: 2 * time.Second, Concurrency: 1})
			if err != nil {
				t.Fatal(err)
			}
			hotKeyExact(t, srv, s)
		})
	}
}

func hotKeyExact(t *testing.T, srv *redistest.Server, s *redisstore.Store) {
	const limit, goroutines, each = 100, 32, 20
	ps := []ratelimit.Policy{{Name: "hourly", Limit: limit, Window: time.Hour}}
	if _, err := s.Take(context.Background(), "warm", 1, time.Now(), ps); err != nil { // loads the script
		t.Fatal(err)
	}
	if _, err := srv.Do("CONFIG", "RESETSTAT"); err != nil {
		t.Fatal(err)
	}
	var remaining []int
	for _, d := range hammer(t, s, "k", ps, goroutines, each) {
		st := d.States[0]
		if d.Allowed {
			remaining = append(remaining, st.Remaining)
			if st.RetryAfter != 0 {
				t.Errorf("admitted with RetryAfter %v", st.RetryAfter)
			}
			continue
		}
		if st.Remaining != 0 || st.RetryAfter <= 0 || st.RetryAfter > time.Hour/limit+time.Millisecond {
			t.Errorf("denied: %+v; want 0 remaining and a wait of at most one emission interval", st)
		}
	}
	if len(remaining) != limit {
		t.Fatalf("admitted %d of %d, want exactly %d", len(remaining), goroutines*each, limit)
	}
	slices.Sort(remaining)
	for i, r := range remaining {
		if r != i {
			t.Fatalf("remaining counts of the admitted decisions %v, want 0..%d once each", remaining, limit-1)
		}
	}
	if n := commandCalls(t, srv, "evalsha"); n >= goroutines*each {
		t.Errorf("%d EVALSHA for %d concurrent decisions on one key, want them shared", n, goroutines*each)
	}
}

// Decisions on different keys in one round trip stay separate commands.
func TestPipelinedKeysStaySeparate(t *testing.T) {
	srv := redistest.Start(t)
	s, err := redisstore.New(redisstore.Config{Client: client(t, srv.Addr), Prefix: "sep", Timeout: 2 * time.Second, Concurrency: 1})
	if err != nil {
		t.Fatal(err)
	}
	ps := []ratelimit.Policy{{Name: "hourly", Limit: 5, Window: time.Hour}}
	var wg sync.WaitGroup
	var mu sync.Mutex
	admitted := map[string]int{}
	for k := range 8 {
		key := "k" + strconv.Itoa(k)
		wg.Go(func() {
			for _, d := range hammer(t, s, key, ps, 4, 5) {
				if d.Allowed {
					mu.Lock()
					admitted[key]++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	for k := range 8 {
		if n := admitted["k"+strconv.Itoa(k)]; n != 5 {
			t.Errorf("key k%d: admitted %d of 20, want exactly 5", k, n)
		}
	}
}

// After a restart or failover the server has no script: the pipelined
// commands that meet NOSCRIPT are sent again as EVAL, and nothing fails.
func TestNoscriptInsidePipeline(t *testing.T) {
	srv := redistest.Start(t)
	s, err := redisstore.New(redisstore.Config{Client: client(t, srv.Addr), Prefix: "ns", Timeout: 2 * time.Second, Concurrency: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, ps := range [][]ratelimit.Policy{
		{{Name: "gcra", Limit: 50, Window: time.Hour}},
		{{Name: "gcra", Limit: 50, Window: time.Hour}, {Name: "exact", Limit: 50, Window: time.Hour, Algorithm: ratelimit.SlidingWindow}},
	} {
		if _, err := s.Take(context.Background(), "warm", 1, time.Now(), ps); err != nil {
			t.Fatal(err)
		}
		if _, err := srv.Do("SCRIPT", "FLUSH"); err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, d := range hammer(t, s, "k"+strconv.Itoa(len(ps)), ps, 16, 5) {
			if d.Allowed {
				n++
			}
		}
		if n != 50 {
			t.Errorf("%d policies: admitted %d of 80, want exactly 50", len(ps), n)
		}
	}
}

// clientModes are the two ways the store runs round trips: on goroutines
// of its own when the client ignores context deadlines (go-redis's
// default), in the caller's goroutine when it applies them.
var clientModes = []struct {
	name   string
	client func(t testing.TB, addr string) redis.UniversalClient
}{
	{"client=default", func(t testing.TB, addr string) redis.UniversalClient {
		c := redis.NewClient(&redis.Options{Addr: addr, PoolSize: 32})
		t.Cleanup(func() { _ = c.Close() })
		return c
	}},
	{"client=ContextTimeoutEnabled", func(t testing.TB, addr string) redis.UniversalClient {
		c := redis.NewClient(&redis.Options{Addr: addr, PoolSize: 32, ContextTimeoutEnabled: true})
		t.Cleanup(func() { _ = c.Close() })
		return c
	}},
}

// Config.Timeout holds whatever the client: with go-redis defaults, which
// ignore context deadlines on the socket and would wait 3s, and with
// ContextTimeoutEnabled. A hung Redis costs a decision the timeout, not the
// client's ReadTimeout.
func TestTimeoutHolds(t *testing.T) {
	for _, mode := range clientModes {
		t.Run(mode.name, func(t *testing.T) { timeoutHolds(t, mode.client) })
	}
}

func timeoutHolds(t *testing.T, newClient func(testing.TB, string) redis.UniversalClient) {
	srv := redistest.Start(t)
	s, err := redisstore.New(redisstore.Config{Client: newClient(t, srv.Addr), Prefix: "to", Timeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ps := []ratelimit.Policy{{Name: "p", Limit: 10, Window: time.Hour}}
	if _, err := s.Take(context.Background(), "k", 1, time.Now(), ps); err != nil {
		t.Fatal(err)
	}
	// Redis holds every command for 2s, as a server stuck in a slow
	// command or a stalled network would.
	if _, err := srv.Do("CLIENT", "PAUSE", "2000", "ALL"); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = s.Take(context.Background(), "k", 1, time.Now(), ps)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Take on a paused Redis: %v, want a deadline error", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("Take waited %v with a 50ms timeout", d)
	}

	// A caller that gives up is let go too (at once when it waits in the
	// queue or on a round-trip goroutine; by the timeout when it makes the
	// round trip itself).
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := s.Take(ctx, "k", 1, time.Now(), ps); done <- err }()
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("canceled caller got %v", err)
		}
	case <-time.After(time.Second):
		t.Error("a canceled caller still waits on a paused Redis")
	}
	// Once Redis answers again, so does the store; Close waits for the
	// round trips left over from the pause.
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, err := s.Take(context.Background(), "k", 1, time.Now(), ps); err == nil {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("no recovery after the pause: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

// A decision whose caller gives up while it waits in the queue is never
// sent: it charges nothing and costs Redis nothing. Only the one already on
// the wire when Redis stalled is decided.
func TestAbandonedQueuedDecisionsAreNotSent(t *testing.T) {
	srv := redistest.Start(t)
	c := redis.NewClient(&redis.Options{Addr: srv.Addr}) // round trips on the store's goroutines
	t.Cleanup(func() { _ = c.Close() })
	s, err := redisstore.New(redisstore.Config{Client: c, Prefix: "ab", Timeout: 5 * time.Second, Concurrency: 1})
	if err != nil {
		t.Fatal(err)
	}
	ps := []ratelimit.Policy{{Name: "p", Limit: 10, Window: time.Hour}}
	if _, err := s.Take(context.Background(), "warm", 1, time.Now(), ps); err != nil { // loads the script
		t.Fatal(err)
	}
	if _, err := srv.Do("CONFIG", "RESETSTAT"); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Do("CLIENT", "PAUSE", "1000", "ALL"); err != nil {
		t.Fatal(err)
	}
	// The first takes the only slot and stalls on the wire; the next four
	// queue behind it, and their callers give up there.
	first := make(chan error, 1)
	go func() {
		d, err := s.Take(context.Background(), "k", 1, time.Now(), ps)
		if err == nil && !d.Allowed {
			err = errors.New("denied")
		}
		first <- err
	}()
	time.Sleep(50 * time.Millisecond) // let it take the slot first; not a clock under test
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			_, err := s.Take(ctx, "k", 1, time.Now(), ps)
			errs <- err
		})
	}
	time.Sleep(50 * time.Millisecond) // let them queue
	cancel()
	wg.Wait()
	close(errs)
	for err := range errs {
		if !errors.Is(err, context.Canceled) {
			t.Errorf("queued caller that gave up: %v, want context.Canceled", err)
		}
	}
	if err := <-first; err != nil {
		t.Errorf("the decision on the wire: %v, want admitted once Redis resumes", err)
	}
	if err := s.Close(); err != nil { // waits for the round trips to end
		t.Fatal(err)
	}
	if n := commandCalls(t, srv, "evalsha"); n != 1 {
		t.Errorf("%d EVALSHA, want 1: only the decision that was on the wire", n)
	}
	d, err := s.Take(context.Background(), "k", 1, time.Now(), ps)
	if err != nil || !d.Allowed || d.States[0].Remaining != 8 {
		t.Errorf("after the pause: %+v %v; want admitted with 8 remaining (the abandoned decisions charged nothing)", d, err)
	}
}
