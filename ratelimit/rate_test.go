package ratelimit_test

import (
	"testing"
	"time"

	"github.com/apisec-go/apisec/ratelimit"
)

var rateCases = []struct {
	in     string
	limit  int
	window time.Duration
	ok     bool
}{
	{"10/s", 10, time.Second, true},
	{"100/m", 100, time.Minute, true},
	{"5/m", 5, time.Minute, true},
	{"1000/h", 1000, time.Hour, true},
	{"5000/d", 5000, 24 * time.Hour, true},
	{"5/15m", 5, 15 * time.Minute, true},
	{"20/30s", 20, 30 * time.Second, true},
	{"1/sec", 1, time.Second, true},
	{"3/min", 3, time.Minute, true},
	{"3/minute", 3, time.Minute, true},
	{"7/hour", 7, time.Hour, true},
	{"9/day", 9, 24 * time.Hour, true},
	{"1000000000/s", 1_000_000_000, time.Second, true},
	{"1/366d", 1, 366 * 24 * time.Hour, true},
	{"", 0, 0, false},
	{"10", 0, 0, false},
	{"/s", 0, 0, false},
	{"0/s", 0, 0, false},
	{"-1/s", 0, 0, false},
	{"+1/s", 0, 0, false},
	{"01/s", 0, 0, false},
	{"1.5/s", 0, 0, false},
	{"10/", 0, 0, false},
	{"10/ms", 0, 0, false},
	{"10/S", 0, 0, false},
	{"10 /s", 0, 0, false},
	{"10/ s", 0, 0, false},
	{"10/s ", 0, 0, false},
	{"10/0s", 0, 0, false},
	{"10/05s", 0, 0, false},
	{"10/s/s", 0, 0, false},
	{"1000000001/s", 0, 0, false},
	{"99999999999999999999/s", 0, 0, false},
	{"1/367d", 0, 0, false},
	{"1/9999999999h", 0, 0, false},
	{"10/m\x00", 0, 0, false},
}

func TestParseRate(t *testing.T) {
	for _, tt := range rateCases {
		t.Run(tt.in, func(t *testing.T) {
			p, err := ratelimit.ParseRate(tt.in)
			if !tt.ok {
				if err == nil {
					t.Fatalf("ParseRate(%q) = %v, want an error", tt.in, p)
				}
				return
			}
			if err != nil || p.Limit != tt.limit || p.Window != tt.window || p.Name != "" || p.Algorithm != ratelimit.GCRA {
				t.Fatalf("ParseRate(%q) = %+v, %v; want %d per %v", tt.in, p, err, tt.limit, tt.window)
			}
			// String writes what ParseRate reads back.
			q, err := ratelimit.ParseRate(p.String())
			if err != nil || q.Limit != p.Limit || q.Window != p.Window {
				t.Errorf("round trip of %q via %q = %+v, %v", tt.in, p.String(), q, err)
			}
		})
	}
}

func TestPolicyString(t *testing.T) {
	for in, want := range map[string]string{"100/m": "100/m", "5/15m": "5/15m", "1/sec": "1/s", "2/60s": "2/m", "3/24h": "3/d", "4/90m": "4/90m"} {
		p, err := ratelimit.ParseRate(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.String(); got != want {
			t.Errorf("%q.String() = %q, want %q", in, got, want)
		}
	}
}

// Stores find the state they prepared for a policy set with Policy.Equal;
// a field it ignored would let a changed policy keep the old one's state.
func TestPolicyEqual(t *testing.T) {
	base := ratelimit.Policy{Name: "api", Limit: 10, Window: time.Minute}
	for _, tt := range []struct {
		name string
		edit func(*ratelimit.Policy)
		want bool
	}{
		{"same", func(*ratelimit.Policy) {}, true},
		{"burst 0 is burst == limit", func(p *ratelimit.Policy) { p.Burst = 10 }, true},
		{"name", func(p *ratelimit.Policy) { p.Name = "API" }, false},
		{"limit", func(p *ratelimit.Policy) { p.Limit = 11 }, false},
		{"window", func(p *ratelimit.Policy) { p.Window = time.Hour }, false},
		{"algorithm", func(p *ratelimit.Policy) { p.Algorithm = ratelimit.SlidingWindow }, false},
		{"burst", func(p *ratelimit.Policy) { p.Burst = 20 }, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			q := base
			tt.edit(&q)
			if got := base.Equal(q); got != tt.want {
				t.Errorf("%+v.Equal(%+v) = %v, want %v", base, q, got, tt.want)
			}
			if got := q.Equal(base); got != tt.want {
				t.Errorf("%+v.Equal(%+v) = %v, want %v (not symmetric)", q, base, got, tt.want)
			}
		})
	}
}

// Interval is a public method on a type whose zero value is easy to come
// by: it must not divide by zero.
func TestIntervalOfZeroLimitDoesNotPanic(t *testing.T) {
	for _, tt := range []struct {
		name string
		p    ratelimit.Policy
		want time.Duration
	}{
		{"zero policy", ratelimit.Policy{}, 0},
		{"zero limit", ratelimit.Policy{Window: time.Minute}, 0},
		{"negative limit", ratelimit.Policy{Limit: -1, Window: time.Minute}, 0},
		{"10 per minute", ratelimit.Policy{Limit: 10, Window: time.Minute}, 6 * time.Second},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.p.Interval(); got != tt.want {
				t.Errorf("Interval() = %v, want %v", got, tt.want)
			}
		})
	}
}
