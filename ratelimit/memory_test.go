package ratelimit_test

import (
	"context"
	"net/http"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/apisec-go/apisec/internal/configtest"
	"github.com/apisec-go/apisec/internal/testclock"
	"github.com/apisec-go/apisec/ratelimit"
	"github.com/apisec-go/apisec/ratelimit/storetest"
)

func newMemory(t testing.TB, cfg ratelimit.MemoryConfig) *ratelimit.Memory {
	t.Helper()
	m, err := ratelimit.NewMemory(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close() })
	return m
}

func TestMemoryConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) ratelimit.Store {
		return newMemory(t, ratelimit.MemoryConfig{})
	})
}

// newClock starts an injected clock at a fixed instant.
func newClock() *testclock.Clock { return testclock.New(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)) }

func TestMemoryGCRARefill(t *testing.T) {
	m := newMemory(t, ratelimit.MemoryConfig{SweepInterval: -1})
	ps := []ratelimit.Policy{{Name: "p", Limit: 10, Window: 10 * time.Second, Burst: 10}}
	c := newClock()
	take := func(cost int) ratelimit.Decision {
		d, err := m.Take(context.Background(), "k", cost, c.Now(), ps)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	for i := range 10 {
		if d := take(1); !d.Allowed {
			t.Fatalf("request %d denied", i)
		}
	}
	d := take(1)
	if d.Allowed || d.States[0].RetryAfter != time.Second {
		t.Fatalf("11th = %+v, want denied, RetryAfter exactly 1s", d)
	}
	c.Add(999 * time.Millisecond)
	if take(1).Allowed {
		t.Fatal("admitted 1ms before a unit came back")
	}
	c.Add(time.Millisecond)
	if d := take(1); !d.Allowed || d.States[0].Remaining != 0 {
		t.Fatalf("at the refill instant = %+v, want allowed with 0 remaining", d)
	}
	c.Add(time.Hour)
	if d := take(0); d.States[0].Remaining != 10 || d.States[0].ResetAfter != 0 {
		t.Fatalf("after an idle hour = %+v, want 10 remaining (no more than the burst)", d)
	}
}

// Regression for golang/go#56287 and #71360: a clock that steps backwards
// must not refill a bucket or corrupt it.
func TestMemoryClockGoingBackwardsGrantsNothing(t *testing.T) {
	m := newMemory(t, ratelimit.MemoryConfig{SweepInterval: -1})
	for _, pol := range []ratelimit.Policy{
		{Name: "g", Limit: 5, Window: time.Minute},
		{Name: "s", Limit: 5, Window: time.Minute, Algorithm: ratelimit.SlidingWindow},
	} {
		ps := []ratelimit.Policy{pol}
		c := newClock()
		admitted := 0
		for i := range 50 {
			now := c.Now()
			if i%2 == 1 {
				now = now.Add(-time.Duration(i) * time.Minute) // wild backwards steps
			}
			d, err := m.Take(context.Background(), pol.Name, 1, now, ps)
			if err != nil {
				t.Fatal(err)
			}
			if d.Allowed {
				admitted++
			}
			if d.States[0].RetryAfter < 0 || d.States[0].ResetAfter < 0 || d.States[0].Remaining < 0 {
				t.Fatalf("%s: negative state %+v", pol.Name, d.States[0])
			}
		}
		if admitted != 5 {
			t.Errorf("%s: admitted %d with a clock jumping backwards, want 5", pol.Name, admitted)
		}
	}
}

func TestMemorySlidingWindowIsExact(t *testing.T) {
	m := newMemory(t, ratelimit.MemoryConfig{SweepInterval: -1})
	ps := []ratelimit.Policy{{Name: "s", Limit: 3, Window: 10 * time.Second, Algorithm: ratelimit.SlidingWindow}}
	c := newClock()
	var admittedAt []time.Time
	// One attempt every 100ms for 60s: never more than 3 in any 10s.
	for range 600 {
		d, err := m.Take(context.Background(), "k", 1, c.Now(), ps)
		if err != nil {
			t.Fatal(err)
		}
		if d.Allowed {
			admittedAt = append(admittedAt, c.Now())
		}
		c.Add(100 * time.Millisecond)
	}
	for i := 3; i < len(admittedAt); i++ {
		if gap := admittedAt[i].Sub(admittedAt[i-3]); gap < 10*time.Second {
			t.Fatalf("4 admissions within %v < window", gap)
		}
	}
	if len(admittedAt) != 18 {
		t.Errorf("admitted %d in 60s, want 18 (3 per 10s, exactly)", len(admittedAt))
	}
}

func TestMemoryMaxKeysEvictsLeastRecentlyUsed(t *testing.T) {
	m := newMemory(t, ratelimit.MemoryConfig{MaxKeys: 64 * 4, SweepInterval: -1})
	ps := []ratelimit.Policy{{Name: "p", Limit: 1, Window: time.Hour}}
	now := time.Now()
	if d, _ := m.Take(context.Background(), "hot", 1, now, ps); !d.Allowed {
		t.Fatal("hot key denied")
	}
	for i := range 10_000 {
		if _, err := m.Take(context.Background(), "k"+strconv.Itoa(i), 1, now, ps); err != nil {
			t.Fatal(err)
		}
		// A key in use all along (a peek is a use) is never the one evicted.
		if d, _ := m.Take(context.Background(), "hot", 0, now, ps); d.Allowed {
			t.Fatalf("after %d new keys the key in constant use was evicted", i+1)
		}
		if n := m.Len(); n > 64*4 {
			t.Fatalf("after %d keys Len = %d > MaxKeys", i+1, n)
		}
	}
	// The most recent key must still be limited; the first long gone.
	if d, _ := m.Take(context.Background(), "k9999", 1, now, ps); d.Allowed {
		t.Error("most recently used key was evicted")
	}
	if d, _ := m.Take(context.Background(), "k0", 1, now, ps); !d.Allowed {
		t.Error("least recently used key was kept past MaxKeys")
	}
}

// MaxKeys bounds each policy set on its own, as documented: a Limiter
// with one route keeps up to 2×MaxKeys keys in its Memory, and a flood on
// the route evicts none of the default set's keys.
func TestMemoryMaxKeysBoundsEachPolicySet(t *testing.T) {
	const maxKeys = 64 * 4
	m := newMemory(t, ratelimit.MemoryConfig{MaxKeys: maxKeys, SweepInterval: -1})
	ps := []ratelimit.Policy{{Name: "p", Limit: 1, Window: time.Hour}}
	h := newLimiter(t, ratelimit.Config{
		Policies: ps,
		Store:    m,
		Routes: []ratelimit.Route{{
			Name:     "login",
			Match:    func(r *http.Request) bool { return r.URL.Path == "/login" },
			Policies: []ratelimit.Policy{{Name: "login", Limit: 1, Window: time.Hour}},
		}},
	}).Handler(okHandler)
	// 4,000 addresses: enough to fill every shard of a set.
	flood := func(path string) {
		for i := range 4000 {
			if rec := get(h, "10.0."+strconv.Itoa(i/256)+"."+strconv.Itoa(i%256)+":1", path); rec.Code != http.StatusOK {
				t.Fatalf("%s, address %d: %d, want 200 (a new key)", path, i, rec.Code)
			}
		}
	}
	flood("/")
	if n := m.Len(); n > maxKeys {
		t.Fatalf("after flooding Config.Policies: Len = %d, want at most MaxKeys (%d)", n, maxKeys)
	}
	last := "10.0.15.159:1" // the default set's most recent key: resident
	flood("/login")
	if n := m.Len(); n <= maxKeys || n > 2*maxKeys {
		t.Errorf("after flooding the route too: Len = %d, want in (MaxKeys, 2×MaxKeys] = (%d, %d]", n, maxKeys, 2*maxKeys)
	}
	if rec := get(h, last, "/"); rec.Code != http.StatusTooManyRequests {
		t.Errorf("the default set's most recent key: %d, want 429: the route's flood evicted it", rec.Code)
	}
}

func TestMemoryPeekAndDenialDoNotMakeKeysResident(t *testing.T) {
	m := newMemory(t, ratelimit.MemoryConfig{SweepInterval: -1})
	ps := []ratelimit.Policy{{Name: "p", Limit: 1, Window: time.Hour}}
	for i := range 100 {
		_, _ = m.Take(context.Background(), "peek"+strconv.Itoa(i), 0, time.Now(), ps)
		_, _ = m.Take(context.Background(), "big"+strconv.Itoa(i), 2, time.Now(), ps)
	}
	if n := m.Len(); n != 0 {
		t.Errorf("Len = %d after peeks and impossible costs, want 0", n)
	}
}

func TestMemorySweepReturnsMemory(t *testing.T) {
	m := newMemory(t, ratelimit.MemoryConfig{SweepInterval: -1})
	ps := []ratelimit.Policy{{Name: "p", Limit: 10, Window: time.Minute}}
	c := newClock()
	base := heapAlloc()
	const keys = 200_000
	for i := range keys {
		_, _ = m.Take(context.Background(), "key-"+strconv.Itoa(i), 1, c.Now(), ps)
	}
	full := heapAlloc()
	if m.Len() != keys {
		t.Fatalf("Len = %d, want %d", m.Len(), keys)
	}
	// Not yet idle: nothing dropped.
	if n := m.Sweep(c.Now()); n != 0 {
		t.Fatalf("Sweep dropped %d busy keys", n)
	}
	c.Add(time.Minute / 10) // one unit back: every key is at full quota
	if n := m.Sweep(c.Now()); n != keys {
		t.Fatalf("Sweep dropped %d, want %d", n, keys)
	}
	after := heapAlloc()
	if m.Len() != 0 {
		t.Fatalf("Len = %d after sweeping", m.Len())
	}
	t.Logf("heap: base %d, with %d keys %d (%.1f B/key), after sweep %d", base, keys, full, float64(full-base)/keys, after)
	if perKey := float64(full-base) / keys; perKey > 64 {
		t.Errorf("%.1f bytes per key, want at most 64", perKey)
	}
	if after > base+(full-base)/20 {
		t.Errorf("heap after sweep = %d, want back near the baseline %d (full: %d)", after, base, full)
	}
	runtime.KeepAlive(m)
}

func heapAlloc() uint64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

func TestMemoryCloseStopsGoroutine(t *testing.T) {
	before := runtime.NumGoroutine()
	ms := make([]*ratelimit.Memory, 20)
	for i := range ms {
		m, err := ratelimit.NewMemory(ratelimit.MemoryConfig{SweepInterval: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		ms[i] = m
	}
	if runtime.NumGoroutine() < before+20 {
		t.Fatalf("expected 20 sweeper goroutines")
	}
	for _, m := range ms {
		_ = m.Close()
		_ = m.Close() // idempotent
	}
	// Close waits for each sweeper to signal its end; the runtime drops a
	// finished goroutine from the count a moment later, and other tests'
	// goroutines may be winding down too, so poll for a bounded time.
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		runtime.Gosched()
		time.Sleep(time.Millisecond) // polling the runtime's goroutine count, not a clock
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines 5s after Close, %d before", n, before)
	}
}

func TestMemoryConfigErrors(t *testing.T) {
	_, err := ratelimit.NewMemory(ratelimit.MemoryConfig{MaxKeys: 10, SweepInterval: time.Millisecond})
	want := []string{
		"ratelimit: MaxKeys: must be 0 or between 64 and 1073741824, got 10",
		"ratelimit: SweepInterval: must be at least 1s (or 0 for the default, or negative for none), got 1ms",
	}
	assertConfigErrors(t, err, want)
}

func assertConfigErrors(t *testing.T, err error, want []string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %q", want)
	}
	var got []string
	for _, ce := range configtest.Leaves[ratelimit.ConfigError](t, err) {
		got = append(got, ce.Error())
	}
	if len(got) != len(want) {
		t.Fatalf("errors:\n%q\nwant:\n%q", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("error %d = %q, want %q", i, got[i], want[i])
		}
	}
}
