package ratelimit_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/apisec-go/apisec/ratelimit"
)

type nopStore struct{}

func (nopStore) Take(context.Context, string, int, time.Time, []ratelimit.Policy) (ratelimit.Decision, error) {
	return ratelimit.Decision{Allowed: true}, nil
}
func (nopStore) Reset(context.Context, string, []ratelimit.Policy) error { return nil }

// headerWriter is a ResponseWriter that allocates nothing per request.
type headerWriter struct {
	h    http.Header
	code int
}

func (w *headerWriter) Header() http.Header         { return w.h }
func (w *headerWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *headerWriter) WriteHeader(code int)        { w.code = code }

func TestAllocations(t *testing.T) {
	if testing.CoverMode() != "" || raceEnabled {
		// The race detector makes sync.Pool drop a random quarter of what is
		// put back; .ci/run pins these counts in a run without it.
		t.Skip("allocation counts differ under -cover and -race")
	}
	ctx := context.Background()
	big := []ratelimit.Policy{{Name: "p", Limit: 1_000_000_000, Window: time.Second}}
	two := []ratelimit.Policy{{Name: "s", Limit: 1_000_000_000, Window: time.Second}, {Name: "h", Limit: 1_000_000_000, Window: time.Hour}}
	l := newLimiter(t, ratelimit.Config{Policies: big})
	if n := testing.AllocsPerRun(1000, func() { _, _ = l.Allow(ctx, "hot") }); n != 0 {
		t.Errorf("Limiter.Allow: %v allocs, want 0", n)
	}
	m := newMemory(t, ratelimit.MemoryConfig{})
	now := time.Now()
	_, _ = m.Take(ctx, "hot", 1, now, two)
	if n := testing.AllocsPerRun(1000, func() { _, _ = m.Take(ctx, "hot", 1, now, two) }); n != 0 {
		t.Errorf("Memory.Take with two policies: %v allocs, want 0", n)
	}

	h := newLimiter(t, ratelimit.Config{Policies: two}).Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	req := httptest.NewRequest("GET", "/", nil)
	req.RemoteAddr = "[2001:db8::1]:443"
	w := &headerWriter{h: http.Header{}}
	if n := testing.AllocsPerRun(1000, func() { clear(w.h); h.ServeHTTP(w, req) }); n != 1 {
		t.Errorf("middleware, allowed, with headers: %v allocs, want 1 (one block for the header values)", n)
	}
	deny := newLimiter(t, ratelimit.Config{Policies: []ratelimit.Policy{{Name: "p", Limit: 1, Window: time.Hour}}}).Handler(okHandler)
	deny.ServeHTTP(w, req)
	if n := testing.AllocsPerRun(1000, func() { clear(w.h); deny.ServeHTTP(w, req) }); n > 4 || w.code != 429 {
		t.Errorf("middleware, denied: %v allocs (status %d), want at most 4", n, w.code)
	}
}
