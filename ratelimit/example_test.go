package ratelimit_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/apisec-go/apisec/clientip"
	"github.com/apisec-go/apisec/ratelimit"
)

// Correct wiring: resolve the client address first (trusting
// X-Forwarded-For only from your proxies), then limit by it.
func Example() {
	perSecond, _ := ratelimit.ParseRate("10/s")
	perSecond.Name = "burst"
	perHour, _ := ratelimit.ParseRate("1000/h")
	perHour.Name = "hourly"

	limiter, err := ratelimit.New(ratelimit.Config{
		Policies:    []ratelimit.Policy{perSecond, perHour},
		ExemptPaths: []string{"/healthz"},
		// For deterministic output only: a frozen clock and no jitter.
		Now:           func() time.Time { return time.Unix(1_800_000_000, 0) },
		NoResetJitter: true,
	})
	if err != nil {
		panic(err)
	}
	defer limiter.Close()
	resolver := clientip.MustNew(clientip.Config{
		TrustedProxies: []string{"10.0.0.0/8"},
		Source:         clientip.SourceXForwardedFor,
	})
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	handler := resolver.Handler(limiter.Handler(api))

	for i := range 11 {
		req := httptest.NewRequest("GET", "/items", nil)
		req.RemoteAddr = "10.0.0.2:5000" // the load balancer
		req.Header.Set("X-Forwarded-For", "203.0.113.7")
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		if i == 0 || i == 10 {
			fmt.Printf("%d Retry-After:%q\n", rec.Code, rec.Header().Get("Retry-After"))
			fmt.Println("RateLimit-Policy:", rec.Header().Get("RateLimit-Policy"))
			fmt.Println("RateLimit:", rec.Header().Get("RateLimit"))
		}
	}
	// Output:
	// 200 Retry-After:""
	// RateLimit-Policy: "burst";q=10;w=1, "hourly";q=1000;w=3600
	// RateLimit: "burst";r=9;t=1, "hourly";r=999;t=4
	// 429 Retry-After:"1"
	// RateLimit-Policy: "burst";q=10;w=1, "hourly";q=1000;w=3600
	// RateLimit: "burst";r=0;t=1, "hourly";r=990;t=36
}

// New reports every configuration problem at once.
func ExampleNew_configError() {
	_, err := ratelimit.New(ratelimit.Config{
		Policies: []ratelimit.Policy{
			{Name: "burst", Limit: 10, Window: 500 * time.Millisecond},
			{Name: "burst", Limit: 0, Window: time.Hour},
		},
	})
	var ce *ratelimit.ConfigError
	fmt.Println(errors.As(err, &ce))
	fmt.Println(err)
	// Output:
	// true
	// ratelimit: Policies[0].Window: must be between 1s and 8784h0m0s, got 500ms
	// ratelimit: Policies[1].Name: "burst" is used twice
	// ratelimit: Policies[1].Limit: must be between 1 and 1000000000, got 0
}

// Per-account login throttling with Allow, next to the per-address limit.
func ExampleLimiter_Allow() {
	policy, _ := ratelimit.ParseRate("5/15m")
	logins, _ := ratelimit.New(ratelimit.Config{Policies: []ratelimit.Policy{policy}})
	defer logins.Close()
	ctx := context.Background()
	for attempt := 1; attempt <= 6; attempt++ {
		res, err := logins.Allow(ctx, "login:alice@example.com")
		if err != nil || !res.Allowed {
			fmt.Printf("attempt %d: locked out, retry in %v\n", attempt, res.RetryAfter.Round(time.Minute))
			continue
		}
		fmt.Printf("attempt %d: check the password (%d left)\n", attempt, res.Remaining)
	}
	_ = logins.Reset(ctx, "login:alice@example.com") // after a successful login
	// Output:
	// attempt 1: check the password (4 left)
	// attempt 2: check the password (3 left)
	// attempt 3: check the password (2 left)
	// attempt 4: check the password (1 left)
	// attempt 5: check the password (0 left)
	// attempt 6: locked out, retry in 3m0s
}

// The most common mistake: trusting X-Forwarded-For without naming the
// proxies. Here the limiter is keyed on the raw header by a custom key
// function, so every request claims a new address and nothing is ever
// limited. The default key (the connection's address, or what a
// clientip.Resolver with TrustedProxies resolved) cannot be spoofed.
func Example_spoofableKey() {
	policy, _ := ratelimit.ParseRate("2/m")
	wrong, _ := ratelimit.New(ratelimit.Config{
		Policies: []ratelimit.Policy{policy},
		Key:      ratelimit.KeyByHeader("X-Forwarded-For", nil), // DON'T: the client writes this header
	})
	defer wrong.Close()
	right, _ := ratelimit.New(ratelimit.Config{Policies: []ratelimit.Policy{policy}})
	defer right.Close()

	count := func(h http.Handler) int {
		ok := 0
		for i := range 10 {
			req := httptest.NewRequest("GET", "/", nil)
			req.RemoteAddr = "198.51.100.1:4000"
			req.Header.Set("X-Forwarded-For", fmt.Sprintf("192.0.2.%d", i))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code == http.StatusOK {
				ok++
			}
		}
		return ok
	}
	noop := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	fmt.Println("keyed on the raw header:", count(wrong.Handler(noop)), "of 10 admitted")
	fmt.Println("default key:", count(right.Handler(noop)), "of 10 admitted")
	// Output:
	// keyed on the raw header: 10 of 10 admitted
	// default key: 2 of 10 admitted
}
