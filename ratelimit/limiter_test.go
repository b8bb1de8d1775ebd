package ratelimit_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apisec-go/apisec/ratelimit"
)

// switchStore is a Memory that can be taken down, and that fails, as a
// remote store does, when the caller's context is done.
type switchStore struct {
	mem   *ratelimit.Memory
	down  atomic.Bool
	calls atomic.Int64
}

func (s *switchStore) Take(ctx context.Context, key string, cost int, now time.Time, ps []ratelimit.Policy) (ratelimit.Decision, error) {
	s.calls.Add(1)
	if s.down.Load() {
		return ratelimit.Decision{}, errBroken
	}
	if err := ctx.Err(); err != nil {
		return ratelimit.Decision{}, err
	}
	return s.mem.Take(ctx, key, cost, now, ps)
}

func (s *switchStore) Reset(ctx context.Context, key string, ps []ratelimit.Policy) error {
	return s.mem.Reset(ctx, key, ps)
}

func newSwitchStore(t *testing.T) *switchStore {
	return &switchStore{mem: newMemory(t, ratelimit.MemoryConfig{SweepInterval: -1})}
}

func cancelledContext() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

// The half-open probe of a store that has recovered, made by a caller that
// gives up, must not leave the breaker open for good: its outcome is
// unknown, so the next call probes again.
func TestCancelledProbeDoesNotKeepBreakerOpen(t *testing.T) {
	for _, policy := range []ratelimit.FailurePolicy{ratelimit.FailClosed, ratelimit.FailOpen, ratelimit.FailLocal} {
		t.Run(policy.String(), func(t *testing.T) {
			store := newSwitchStore(t)
			clk := newClock()
			l := newLimiter(t, ratelimit.Config{
				Policies: []ratelimit.Policy{{Name: "p", Limit: 5, Window: time.Hour}},
				Store:    store, Now: clk.Now, OnStoreError: policy,
				BreakerThreshold: 1, BreakerCooldown: 10 * time.Second,
			})
			store.down.Store(true)
			_, _ = l.Allow(context.Background(), "k") // opens the breaker
			_, _ = l.Allow(context.Background(), "k")
			if n := store.calls.Load(); n != 1 {
				t.Fatalf("store called %d times, want 1 (then the breaker is open)", n)
			}
			store.down.Store(false)
			clk.Add(11 * time.Second)
			res, err := l.Allow(cancelledContext(), "k") // the probe
			if n := store.calls.Load(); n != 2 {
				t.Fatalf("store called %d times after the cooldown, want the probe (2)", n)
			}
			if !errors.Is(err, ratelimit.ErrStoreUnavailable) || !errors.Is(err, context.Canceled) || !res.Degraded {
				t.Errorf("cancelled probe = %+v, %v; want Degraded, ErrStoreUnavailable and context.Canceled", res, err)
			}
			res, err = l.Allow(context.Background(), "k")
			if n := store.calls.Load(); n != 3 {
				t.Errorf("store called %d times, want 3: the cancelled probe kept the breaker from probing again", n)
			}
			if err != nil || res.Degraded || !res.Allowed || res.Remaining != 4 {
				t.Errorf("after the cancelled probe = %+v, %v; want allowed by the store with 4 remaining", res, err)
			}
		})
	}
}

// A request whose context ends before the store answers gets the
// configured failure policy, like any other undecided request, and does
// not count against the store.
func TestCancelledRequestFollowsFailurePolicy(t *testing.T) {
	ps := []ratelimit.Policy{{Name: "p", Limit: 3, Window: time.Hour}}
	for _, tt := range []struct {
		policy     ratelimit.FailurePolicy
		wantCode   int
		wantHeader string // RateLimit-Policy
	}{
		{ratelimit.FailClosed, http.StatusServiceUnavailable, ""},
		{ratelimit.FailOpen, http.StatusOK, ""},
		{ratelimit.FailLocal, http.StatusOK, `"p";q=3;w=3600`},
	} {
		t.Run(tt.policy.String(), func(t *testing.T) {
			store := newSwitchStore(t)
			l := newLimiter(t, ratelimit.Config{
				Policies: ps, Store: store, Now: newClock().Now, OnStoreError: tt.policy,
				BreakerThreshold: 1,
			})
			h := l.Handler(okHandler)
			req := httptest.NewRequestWithContext(cancelledContext(), "GET", "/", nil)
			req.RemoteAddr = "192.0.2.1:1"
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.wantCode {
				t.Errorf("cancelled request: %d, want %d", rec.Code, tt.wantCode)
			}
			if got := rec.Header().Get("RateLimit-Policy"); got != tt.wantHeader {
				t.Errorf("RateLimit-Policy = %q, want %q", got, tt.wantHeader)
			}
			if rec.Code == http.StatusServiceUnavailable && rec.Header().Get("Retry-After") == "" {
				t.Error("503 without Retry-After")
			}
			// With a threshold of 1, a failure counted against the store
			// would have opened the breaker.
			if rec := get(h, "192.0.2.1:1", "/"); rec.Code != http.StatusOK || store.calls.Load() != 2 {
				t.Errorf("next request: %d after %d store calls, want 200 from the store (2 calls)", rec.Code, store.calls.Load())
			}
		})
	}
}
