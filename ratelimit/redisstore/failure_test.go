package redisstore_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apisec-go/apisec/internal/redistest"
	"github.com/apisec-go/apisec/internal/testclock"
	"github.com/apisec-go/apisec/ratelimit"
)

// The failure-policy requirements: New succeeds while Redis is
// down, a dead Redis costs no per-request timeout once the breaker opens,
// the configured policy is honoured, errors never reach the client, and
// recovery is automatic.
func TestRedisKilledAndRestarted(t *testing.T) {
	for _, tc := range []struct {
		name     string
		policy   ratelimit.FailurePolicy
		fallback []ratelimit.Policy
		// admitted during the outage, out of 20 attempts
		wantOutage int
		wantStatus int
	}{
		{"FailClosed", ratelimit.FailClosed, nil, 0, http.StatusServiceUnavailable},
		{"FailOpen", ratelimit.FailOpen, nil, 20, http.StatusOK},
		{"FailLocal", ratelimit.FailLocal, []ratelimit.Policy{{Name: "local", Limit: 3, Window: time.Hour}}, 3, http.StatusTooManyRequests},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := redistest.Start(t)
			c := client(t, srv.Addr)
			var trips atomic.Int64
			c.AddHook(countHook{&trips})
			clk := testclock.New(time.Now())
			srv.Stop()
			l, err := ratelimit.New(ratelimit.Config{
				Policies:         []ratelimit.Policy{{Name: "hourly", Limit: 5, Window: time.Hour}},
				Store:            newStore(t, c, tc.name),
				Now:              clk.Now,
				OnStoreError:     tc.policy,
				FallbackPolicies: tc.fallback,
				BreakerThreshold: 2,
				BreakerCooldown:  10 * time.Second,
			})
			if err != nil {
				t.Fatalf("New while Redis is down: %v", err)
			}
			h := l.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
			serve := func() *httptest.ResponseRecorder {
				rec := httptest.NewRecorder()
				req := httptest.NewRequest("GET", "/", nil)
				req.RemoteAddr = "192.0.2.7:1234"
				h.ServeHTTP(rec, req)
				return rec
			}

			// Outage: 20 requests, two of which reach Redis before the breaker opens.
			admitted := 0
			for range 20 {
				rec := serve()
				if rec.Code == http.StatusOK {
					admitted++
				}
				if body := rec.Body.String(); containsAny(body, "connect", "refused", "dial", "127.0.0.1", "redis") {
					t.Fatalf("error text leaked to the client: %s", body)
				}
			}
			if admitted != tc.wantOutage {
				t.Errorf("admitted %d of 20 during the outage, want %d", admitted, tc.wantOutage)
			}
			if n := trips.Load(); n != 2 {
				t.Errorf("%d calls reached the Redis client during the outage, want 2 (then the breaker is open)", n)
			}
			rec := serve()
			if rec.Code != tc.wantStatus {
				t.Errorf("status during the outage = %d, want %d", rec.Code, tc.wantStatus)
			}
			if tc.wantStatus != http.StatusOK && rec.Header().Get("Retry-After") == "" {
				t.Error("no Retry-After on a rejection during the outage")
			}
			res, err := l.Allow(context.Background(), "direct")
			if !errors.Is(err, ratelimit.ErrStoreUnavailable) || !res.Degraded {
				t.Errorf("Allow during outage = %+v, %v; want Degraded and ErrStoreUnavailable", res, err)
			}

			// Redis comes back; after the cooldown one probe closes the breaker.
			srv.Restart()
			clk.Add(11 * time.Second)
			admitted = 0
			for range 8 {
				if serve().Code == http.StatusOK {
					admitted++
				}
			}
			if admitted != 5 {
				t.Errorf("admitted %d of 8 after recovery, want the Redis quota of 5", admitted)
			}
			res, err = l.Allow(context.Background(), "direct")
			if err != nil || res.Degraded || !res.Allowed {
				t.Errorf("Allow after recovery = %+v, %v", res, err)
			}
		})
	}
}

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		for i := 0; i+len(sub) <= len(s); i++ {
			if s[i:i+len(sub)] == sub {
				return true
			}
		}
	}
	return false
}

// Concurrent traffic while Redis dies and returns: nothing panics, nothing
// beyond the quota is admitted from Redis, and the limiter recovers.
func TestRedisKilledUnderLoad(t *testing.T) {
	srv := redistest.Start(t)
	clk := testclock.New(time.Now())
	l, err := ratelimit.New(ratelimit.Config{
		Policies:         []ratelimit.Policy{{Name: "hourly", Limit: 50, Window: time.Hour}},
		Store:            newStore(t, client(t, srv.Addr), "load"),
		Now:              clk.Now,
		OnStoreError:     ratelimit.FailClosed,
		BreakerThreshold: 3,
		BreakerCooldown:  time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	var admitted, degraded atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				res, err := l.Allow(context.Background(), "hot")
				if res.Allowed {
					admitted.Add(1)
				}
				if err != nil {
					degraded.Add(1)
				}
			}
		})
	}
	for admitted.Load() < 20 {
		time.Sleep(time.Millisecond) // let real traffic flow, not waiting on a clock
	}
	srv.Stop()
	for degraded.Load() < 10 {
		time.Sleep(time.Millisecond)
	}
	srv.Restart() // empty: the restarted server has no data
	clk.Add(2 * time.Second)
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := l.Peek(context.Background(), "probe"); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("limiter did not recover after Redis restarted")
		}
		clk.Add(2 * time.Second)
		time.Sleep(10 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	// Before the kill at most 50; after the restart (fresh data) at most 50.
	if n := admitted.Load(); n > 100 {
		t.Errorf("admitted %d, want at most 100 (50 before, 50 after the data loss)", n)
	}
	if degraded.Load() == 0 {
		t.Error("no degraded decisions while Redis was down")
	}
}
