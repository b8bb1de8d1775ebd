package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"github.com/apisec-go/apisec/ratelimit"
)

// Run runs the conformance suite. newStore is called once per subtest and
// may return the same store each time: every subtest uses keys of its own.
func Run(t *testing.T, newStore func(t *testing.T) ratelimit.Store) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			b := make([]byte, 8)
			_, _ = rand.Read(b)
			tc.fn(t, s, "storetest:"+tc.name+":"+hex.EncodeToString(b)+":")
		})
	}
}

func hourly(name string, limit int) ratelimit.Policy {
	return ratelimit.Policy{Name: name, Limit: limit, Window: time.Hour, Burst: limit}
}

func sliding(name string, limit int) ratelimit.Policy {
	return ratelimit.Policy{Name: name, Limit: limit, Window: time.Hour, Algorithm: ratelimit.SlidingWindow}
}

func take(t *testing.T, s ratelimit.Store, key string, cost int, ps []ratelimit.Policy) ratelimit.Decision {
	t.Helper()
	d, err := s.Take(context.Background(), key, cost, time.Now(), ps)
	if err != nil {
		t.Fatalf("Take(%q, cost %d): %v", key, cost, err)
	}
	return d
}

// admitN spends one unit at a time and returns how many were admitted.
func admitN(t *testing.T, s ratelimit.Store, key string, tries int, ps []ratelimit.Policy) int {
	t.Helper()
	n := 0
	for range tries {
		if take(t, s, key, 1, ps).Allowed {
			n++
		}
	}
	return n
}

var cases = []struct {
	name string
	fn   func(t *testing.T, s ratelimit.Store, prefix string)
}{
	{"FreshKeyHasFullQuota", func(t *testing.T, s ratelimit.Store, p string) {
		for _, pol := range []ratelimit.Policy{hourly("g", 7), sliding("s", 7)} {
			ps := []ratelimit.Policy{pol}
			d := take(t, s, p+pol.Name, 0, ps)
			if !d.Allowed || !d.States[0].Allowed || d.States[0].Remaining != 7 || d.States[0].RetryAfter != 0 {
				t.Errorf("%s: peek of a fresh key = %+v, want allowed with 7 remaining", pol.Name, d)
			}
		}
	}},
	{"AdmitsExactlyTheQuota", func(t *testing.T, s ratelimit.Store, p string) {
		for _, pol := range []ratelimit.Policy{hourly("g", 5), sliding("s", 5)} {
			ps := []ratelimit.Policy{pol}
			for i := range 5 {
				d := take(t, s, p+pol.Name, 1, ps)
				if !d.Allowed || d.States[0].Remaining != 4-i {
					t.Fatalf("%s: request %d = %+v, want allowed with %d remaining", pol.Name, i+1, d, 4-i)
				}
				if d.States[0].ResetAfter <= 0 || d.States[0].ResetAfter > time.Hour {
					t.Errorf("%s: ResetAfter = %v, want in (0, 1h]", pol.Name, d.States[0].ResetAfter)
				}
			}
			d := take(t, s, p+pol.Name, 1, ps)
			if d.Allowed || d.States[0].Allowed || d.States[0].Remaining != 0 {
				t.Fatalf("%s: request 6 = %+v, want denied with 0 remaining", pol.Name, d)
			}
			// GCRA: one unit returns after Window/Limit = 12m; sliding: after
			// the first admission leaves the window, ~1h.
			lo, hi := 11*time.Minute, time.Hour
			if pol.Algorithm == ratelimit.SlidingWindow {
				lo = 59 * time.Minute
			}
			if ra := d.States[0].RetryAfter; ra < lo || ra > hi {
				t.Errorf("%s: RetryAfter = %v, want in [%v, %v]", pol.Name, ra, lo, hi)
			}
		}
	}},
	{"DeniedRequestsConsumeNothing", func(t *testing.T, s ratelimit.Store, p string) {
		ps := []ratelimit.Policy{hourly("small", 5), sliding("large", 20)}
		if n := admitN(t, s, p+"k", 50, ps); n != 5 {
			t.Fatalf("admitted %d of 50, want 5", n)
		}
		d := take(t, s, p+"k", 0, ps)
		if got := d.States[1].Remaining; got != 15 {
			t.Errorf("after 45 denials the large policy has %d remaining, want 15: denied requests were charged", got)
		}
		if d.States[0].Remaining != 0 || d.Allowed {
			t.Errorf("peek = %+v, want denied by small", d)
		}
	}},
	{"AllPoliciesOrNothing", func(t *testing.T, s ratelimit.Store, p string) {
		ps := []ratelimit.Policy{hourly("a", 3), hourly("b", 10), sliding("c", 10)}
		d := take(t, s, p+"k", 4, ps)
		if d.Allowed || d.States[0].Allowed || !d.States[1].Allowed || !d.States[2].Allowed {
			t.Fatalf("cost 4 = %+v, want denied by a only", d)
		}
		if d.States[1].Remaining != 10 || d.States[2].Remaining != 10 {
			t.Errorf("denied decision reports b=%d c=%d remaining, want 10 and 10 (nothing charged)", d.States[1].Remaining, d.States[2].Remaining)
		}
		d = take(t, s, p+"k", 3, ps)
		if !d.Allowed || d.States[0].Remaining != 0 || d.States[1].Remaining != 7 || d.States[2].Remaining != 7 {
			t.Fatalf("cost 3 = %+v, want allowed with 0, 7, 7 remaining", d)
		}
	}},
	{"CostAboveCapacityIsDenied", func(t *testing.T, s ratelimit.Store, p string) {
		for _, pol := range []ratelimit.Policy{hourly("g", 5), sliding("s", 5)} {
			ps := []ratelimit.Policy{pol}
			d := take(t, s, p+pol.Name, 6, ps)
			if d.Allowed || d.States[0].RetryAfter <= 0 {
				t.Errorf("%s: cost 6 of 5 = %+v, want denied with a RetryAfter", pol.Name, d)
			}
			if d := take(t, s, p+pol.Name, 5, ps); !d.Allowed {
				t.Errorf("%s: cost 5 after the denied 6 = %+v, want allowed", pol.Name, d)
			}
		}
	}},
	{"PeekChargesNothing", func(t *testing.T, s ratelimit.Store, p string) {
		ps := []ratelimit.Policy{hourly("g", 4), sliding("s", 4)}
		for range 10 {
			take(t, s, p+"k", 0, ps)
		}
		if n := admitN(t, s, p+"k", 6, ps); n != 4 {
			t.Fatalf("admitted %d after 10 peeks, want 4", n)
		}
		d := take(t, s, p+"k", 0, ps)
		if d.Allowed || d.States[0].RetryAfter <= 0 || d.States[1].RetryAfter <= 0 {
			t.Errorf("peek of an exhausted key = %+v, want not allowed with RetryAfter", d)
		}
	}},
	{"BurstBelowLimit", func(t *testing.T, s ratelimit.Store, p string) {
		ps := []ratelimit.Policy{{Name: "smooth", Limit: 60, Window: time.Hour, Burst: 2}}
		if n := admitN(t, s, p+"k", 5, ps); n != 2 {
			t.Fatalf("admitted %d with Burst 2, want 2", n)
		}
	}},
	{"ResetRestoresQuota", func(t *testing.T, s ratelimit.Store, p string) {
		ps := []ratelimit.Policy{hourly("g", 3), sliding("s", 3)}
		admitN(t, s, p+"k", 3, ps)
		if err := s.Reset(context.Background(), p+"k", ps); err != nil {
			t.Fatal(err)
		}
		if n := admitN(t, s, p+"k", 5, ps); n != 3 {
			t.Fatalf("admitted %d after Reset, want 3", n)
		}
		if err := s.Reset(context.Background(), p+"never-seen", ps); err != nil {
			t.Errorf("Reset of an unknown key: %v", err)
		}
	}},
	{"KeysAreIndependent", func(t *testing.T, s ratelimit.Store, p string) {
		ps := []ratelimit.Policy{hourly("g", 2)}
		admitN(t, s, p+"a", 2, ps)
		for _, k := range []string{p + "b", p + "A", p + "a ", p + "a}", p + "{a}"} {
			if n := admitN(t, s, k, 3, ps); n != 2 {
				t.Errorf("key %q admitted %d, want its own 2", k, n)
			}
		}
	}},
	{"KeyIsNotRetained", func(t *testing.T, s ratelimit.Store, p string) {
		ps := []ratelimit.Policy{hourly("g", 2)}
		buf := []byte(p + "first")
		key := unsafe.String(unsafe.SliceData(buf), len(buf)) // as the middleware passes keys
		admitN(t, s, key, 2, ps)
		copy(buf[len(p):], "other")
		if n := admitN(t, s, p+"first", 1, ps); n != 0 {
			t.Errorf("the key's state changed when the caller reused its bytes: the store kept the key")
		}
		if n := admitN(t, s, p+"other", 2, ps); n != 2 {
			t.Errorf("key %q admitted %d, want 2", p+"other", n)
		}
	}},
	{"LongKeys", func(t *testing.T, s ratelimit.Store, p string) {
		ps := []ratelimit.Policy{hourly("g", 1)}
		long := p + string(make([]byte, 5000))
		if n := admitN(t, s, long, 2, ps); n != 1 {
			t.Errorf("5000-byte key admitted %d, want 1", n)
		}
		if n := admitN(t, s, long+"x", 2, ps); n != 1 {
			t.Errorf("a different long key admitted %d, want 1", n)
		}
	}},
	{"TimeNeverRunsBackwards", func(t *testing.T, s ratelimit.Store, p string) {
		// A clock stepped back (an NTP correction, a caller's skewed clock)
		// must not refill an exhausted key nor stretch its waits past the
		// window. A store on a server clock ignores now and passes as is.
		for _, pol := range []ratelimit.Policy{hourly("g", 5), sliding("s", 5)} {
			ps := []ratelimit.Policy{pol}
			now := time.Now()
			at := func(when time.Time, cost int) ratelimit.Decision {
				t.Helper()
				d, err := s.Take(context.Background(), p+pol.Name, cost, when, ps)
				if err != nil {
					t.Fatalf("%s: Take at %v: %v", pol.Name, when.Sub(now), err)
				}
				return d
			}
			for i := range 5 {
				if !at(now, 1).Allowed {
					t.Fatalf("%s: request %d denied, want the quota of 5", pol.Name, i+1)
				}
			}
			for _, cost := range []int{1, 0} {
				d := at(now.Add(-time.Hour), cost)
				st := d.States[0]
				if d.Allowed || st.Allowed || st.Remaining != 0 {
					t.Errorf("%s: cost %d an hour earlier than the exhaustion = %+v, want denied with 0 remaining: time ran backwards", pol.Name, cost, d)
				}
				if st.RetryAfter <= 0 || st.RetryAfter > pol.Window || st.ResetAfter <= 0 || st.ResetAfter > pol.Window {
					t.Errorf("%s: cost %d an hour earlier: RetryAfter %v, ResetAfter %v, want both in (0, %v]", pol.Name, cost, st.RetryAfter, st.ResetAfter, pol.Window)
				}
			}
			if d := at(now, 1); d.Allowed || d.States[0].Remaining != 0 {
				t.Errorf("%s: back at the time of exhaustion = %+v, want still denied", pol.Name, d)
			}
		}
	}},
	{"InvalidCost", func(t *testing.T, s ratelimit.Store, p string) {
		ps := []ratelimit.Policy{hourly("g", 1)}
		for _, c := range []int{-1, ratelimit.MaxCost + 1} {
			if _, err := s.Take(context.Background(), p+"k", c, time.Now(), ps); !errors.Is(err, ratelimit.ErrInvalidCost) {
				t.Errorf("cost %d: err = %v, want ErrInvalidCost", c, err)
			}
		}
	}},
	{"ExactUnderConcurrency", func(t *testing.T, s ratelimit.Store, p string) {
		for _, ps := range [][]ratelimit.Policy{
			{hourly("g", 37)},
			{sliding("s", 37)},
			{hourly("g", 50), sliding("s", 37)},
		} {
			var admitted atomic.Int64
			var wg sync.WaitGroup
			for range 16 {
				wg.Go(func() {
					for range 10 {
						d, err := s.Take(context.Background(), p+ps[len(ps)-1].Name+ps[0].Name, 1, time.Now(), ps)
						if err != nil {
							t.Error(err)
							return
						}
						if d.Allowed {
							admitted.Add(1)
						}
					}
				})
			}
			wg.Wait()
			if n := admitted.Load(); n != 37 {
				t.Errorf("%d policies: 160 concurrent requests admitted %d, want exactly 37", len(ps), n)
			}
		}
	}},
}
