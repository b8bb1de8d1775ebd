package ratelimit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apisec-go/apisec/clientip"
	"github.com/apisec-go/apisec/principal"
	"github.com/apisec-go/apisec/ratelimit"
)

var okHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })

func newLimiter(t testing.TB, cfg ratelimit.Config) *ratelimit.Limiter {
	t.Helper()
	l, err := ratelimit.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	return l
}

func get(h http.Handler, remote, path string, hdr ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("GET", path, nil)
	req.RemoteAddr = remote
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Add(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// checkRateLimitFields parses RateLimit-Policy and RateLimit with the strict
// structured-field parser and checks them against the policies
// (draft-ietf-httpapi-ratelimit-headers-11 §§ 3-4).
func checkRateLimitFields(t *testing.T, h http.Header, want []ratelimit.Policy) (remaining, reset []int64) {
	t.Helper()
	if v := h.Values("RateLimit-Policy"); len(v) != 1 {
		t.Fatalf("RateLimit-Policy fields = %q, want exactly one", v)
	}
	pol, err := parseSFList(h.Get("RateLimit-Policy"))
	if err != nil {
		t.Fatalf("RateLimit-Policy %q: %v", h.Get("RateLimit-Policy"), err)
	}
	if len(pol) != len(want) {
		t.Fatalf("RateLimit-Policy has %d items, want %d", len(pol), len(want))
	}
	for i, it := range pol {
		if name, ok := it.value.(string); !ok || name != want[i].Name {
			t.Errorf("policy %d name = %#v, want sf-string %q", i, it.value, want[i].Name)
		}
		got := map[string]any{}
		for _, p := range it.params {
			got[p.key] = p.value
		}
		if got["q"] != int64(want[i].Limit) || got["w"] != int64(want[i].Window/time.Second) || len(got) != 2 {
			t.Errorf("policy %d params = %v, want q=%d w=%d", i, got, want[i].Limit, want[i].Window/time.Second)
		}
	}
	if v := h.Values("RateLimit"); len(v) != 1 {
		t.Fatalf("RateLimit fields = %q, want exactly one", v)
	}
	rl, err := parseSFList(h.Get("RateLimit"))
	if err != nil {
		t.Fatalf("RateLimit %q: %v", h.Get("RateLimit"), err)
	}
	if len(rl) != len(want) {
		t.Fatalf("RateLimit has %d items, want %d", len(rl), len(want))
	}
	for i, it := range rl {
		if name, ok := it.value.(string); !ok || name != want[i].Name {
			t.Errorf("RateLimit item %d = %#v, want %q", i, it.value, want[i].Name)
		}
		if len(it.params) != 2 || it.params[0].key != "r" || it.params[1].key != "t" {
			t.Fatalf("RateLimit item %d params = %v, want r and t", i, it.params)
		}
		r, rok := it.params[0].value.(int64)
		tt, tok := it.params[1].value.(int64)
		if !rok || !tok || r < 0 || tt < 0 {
			t.Fatalf("RateLimit item %d: r=%v t=%v, want non-negative integers", i, it.params[0].value, it.params[1].value)
		}
		remaining, reset = append(remaining, r), append(reset, tt)
	}
	return remaining, reset
}

func TestHeadersAndQuotaExceeded(t *testing.T) {
	clk := newClock()
	ps := []ratelimit.Policy{
		{Name: "burst", Limit: 3, Window: 10 * time.Second},
		{Name: "daily", Limit: 1000, Window: 24 * time.Hour, Algorithm: ratelimit.SlidingWindow},
	}
	h := newLimiter(t, ratelimit.Config{Policies: ps, Now: clk.Now, NoResetJitter: true}).Handler(okHandler)
	for i := range 3 {
		rec := get(h, "192.0.2.1:1000", "/")
		if rec.Code != http.StatusOK {
			t.Fatalf("request %d: %d", i, rec.Code)
		}
		rem, reset := checkRateLimitFields(t, rec.Header(), ps)
		if rem[0] != int64(2-i) || rem[1] != int64(999-i) {
			t.Errorf("request %d: remaining %v, want [%d %d]", i, rem, 2-i, 999-i)
		}
		// GCRA: the bucket is full again after (i+1) units × 10s/3.
		if want := []int64{int64(ceilDiv(time.Duration(i+1)*10*time.Second/3, time.Second)), 86400}; reset[0] != want[0] || reset[1] != want[1] {
			t.Errorf("request %d: t = %v, want %v", i, reset, want)
		}
		if rec.Header().Get("Retry-After") != "" || rec.Header().Get("X-RateLimit-Limit") != "" {
			t.Errorf("request %d: unexpected Retry-After or legacy fields", i)
		}
	}
	clk.Add(1500 * time.Millisecond) // the next unit is back at 10s/3 ≈ 3.33s: 1.83s to go
	rec := get(h, "192.0.2.1:1000", "/")
	if rec.Code != http.StatusTooManyRequests {
		t.Fatalf("4th request: %d, want 429", rec.Code)
	}
	// Retry-After is the ceiling of the real wait (RFC 9110 §10.2.3).
	if got := rec.Header().Get("Retry-After"); got != "2" {
		t.Errorf("Retry-After = %q, want 2 (ceiling of 1.83s)", got)
	}
	rem, _ := checkRateLimitFields(t, rec.Header(), ps)
	if rem[0] != 0 || rem[1] != 997 {
		t.Errorf("remaining on 429 = %v, want [0 997]", rem)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type = %q", ct)
	}
	var body map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"type":              ratelimit.QuotaExceededType,
		"title":             "Request cannot be satisfied as assigned quota has been exceeded",
		"status":            float64(429),
		"detail":            "Too many requests. Retry after the number of seconds in the Retry-After header.",
		"violated-policies": []any{"burst"},
	}
	if fmt.Sprint(body) != fmt.Sprint(want) {
		t.Errorf("body = %v\nwant   %v", body, want)
	}
	// Exactly when Retry-After says, the request goes through.
	clk.Add(2 * time.Second)
	if rec := get(h, "192.0.2.1:1000", "/"); rec.Code != http.StatusOK {
		t.Errorf("after waiting Retry-After: %d", rec.Code)
	}
}

func ceilDiv(a, b time.Duration) time.Duration { return (a + b - 1) / b }

// Retry-After must never be earlier than the real wait, whatever the
// fraction (RFC 6585 §4).
func TestRetryAfterIsNeverEarly(t *testing.T) {
	clk := newClock()
	ps := []ratelimit.Policy{{Name: "p", Limit: 7, Window: 3 * time.Second}}
	h := newLimiter(t, ratelimit.Config{Policies: ps, Now: clk.Now}).Handler(okHandler)
	for i := range 200 {
		rec := get(h, "192.0.2.9:1", "/")
		if rec.Code == http.StatusTooManyRequests {
			ra, err := strconv.Atoi(rec.Header().Get("Retry-After"))
			if err != nil || ra < 1 {
				t.Fatalf("Retry-After %q", rec.Header().Get("Retry-After"))
			}
			// One second earlier is still too early (the value is the
			// ceiling of the wait); at the advertised time it succeeds.
			clk.Add(time.Duration(ra-1) * time.Second)
			if rec := get(h, "192.0.2.9:1", "/"); rec.Code != http.StatusTooManyRequests {
				t.Fatalf("iteration %d: admitted 1s before Retry-After %ds: not the ceiling", i, ra)
			}
			clk.Add(time.Second)
			if rec := get(h, "192.0.2.9:1", "/"); rec.Code != http.StatusOK {
				t.Fatalf("iteration %d: retry after %ds still denied", i, ra)
			}
			continue
		}
		clk.Add(time.Duration(i%5) * 37 * time.Millisecond)
	}
}

func TestHeaderJitterOnlyAdds(t *testing.T) {
	ps := []ratelimit.Policy{{Name: "hour", Limit: 100, Window: time.Hour}}
	clk := newClock()
	h := newLimiter(t, ratelimit.Config{Policies: ps, Now: clk.Now}).Handler(okHandler)
	seen := map[int64]bool{}
	for i := range 50 {
		rec := get(h, "192.0.2."+strconv.Itoa(i)+":1", "/")
		_, reset := checkRateLimitFields(t, rec.Header(), ps)
		if reset[0] < 36 || reset[0] > 36+4 {
			t.Fatalf("t = %d, want 36 (one unit of 36s) plus at most 10%% jitter", reset[0])
		}
		seen[reset[0]] = true
	}
	if len(seen) < 2 {
		t.Errorf("t took only the values %v over 50 clients: no jitter", seen)
	}
}

func TestLegacyHeadersAreOptIn(t *testing.T) {
	ps := []ratelimit.Policy{{Name: "p", Limit: 5, Window: time.Minute}}
	h := newLimiter(t, ratelimit.Config{Policies: ps, LegacyHeaders: true, NoResetJitter: true}).Handler(okHandler)
	rec := get(h, "192.0.2.1:1", "/")
	got := []string{rec.Header().Get("X-RateLimit-Limit"), rec.Header().Get("X-RateLimit-Remaining"), rec.Header().Get("X-RateLimit-Reset")}
	if want := []string{"5", "4", "12"}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("legacy fields = %q, want %q", got, want)
	}
	checkRateLimitFields(t, rec.Header(), ps)
	// The obsolete three-field IETF form (drafts ≤ 06) is never sent.
	for _, name := range []string{"RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"} {
		if rec.Header().Get(name) != "" {
			t.Errorf("obsolete field %s sent", name)
		}
	}
}

// Each header value must be a slice of its own: a handler appending to one
// field must not change another (DESIGN: never share a slice in a Header).
func TestHeaderSlicesAreNotShared(t *testing.T) {
	// Without legacy fields an admitted response's values share a smaller
	// block than with them: both must keep each field's slice apart.
	for _, legacy := range []bool{false, true} {
		t.Run("legacy="+strconv.FormatBool(legacy), func(t *testing.T) {
			ps := []ratelimit.Policy{{Name: "p", Limit: 1, Window: time.Minute}}
			h := newLimiter(t, ratelimit.Config{Policies: ps, LegacyHeaders: legacy}).Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Add("RateLimit-Policy", "extra")
				w.Header().Add("X-RateLimit-Limit", "extra")
			}))
			rec := get(h, "192.0.2.1:1", "/")
			if got := rec.Header().Values("RateLimit"); len(got) != 1 || !strings.HasPrefix(got[0], `"p";r=`) {
				t.Errorf("RateLimit = %q after appending to another field", got)
			}
			if !legacy {
				return
			}
			if got := rec.Header().Values("X-RateLimit-Remaining"); len(got) != 1 {
				t.Errorf("X-RateLimit-Remaining = %q after appending to another field", got)
			}
		})
	}
}

// Spoofing: X-Forwarded-For from a peer that is not a trusted proxy must be
// ignored, so rotating it buys nothing (STANDARDS.md; RFC 7239 §8).
func TestXForwardedForFromUntrustedPeerIsIgnored(t *testing.T) {
	res := clientip.MustNew(clientip.Config{TrustedProxies: []string{"10.0.0.0/8"}, Source: clientip.SourceXForwardedFor})
	ps := []ratelimit.Policy{{Name: "p", Limit: 5, Window: time.Hour}}
	h := res.Handler(newLimiter(t, ratelimit.Config{Policies: ps}).Handler(okHandler))
	admitted := 0
	for i := range 100 {
		if get(h, "203.0.113.9:4444", "/", "X-Forwarded-For", fmt.Sprintf("198.51.100.%d", i)).Code == http.StatusOK {
			admitted++
		}
	}
	if admitted != 5 {
		t.Errorf("rotating X-Forwarded-For from an untrusted peer: %d admitted, want 5 (zero bypass)", admitted)
	}
	// Behind the trusted proxy, distinct clients get their own quotas.
	if get(h, "10.1.2.3:80", "/", "X-Forwarded-For", "198.51.100.77").Code != http.StatusOK {
		t.Error("a client behind a trusted proxy was limited by another client's quota")
	}
}

// Spoofing: one IPv6 subscriber owns a /64 and can rotate within it.
func TestIPv6RotationWithinSlash64IsOneKey(t *testing.T) {
	ps := []ratelimit.Policy{{Name: "p", Limit: 5, Window: time.Hour}}
	h := newLimiter(t, ratelimit.Config{Policies: ps}).Handler(okHandler)
	admitted := 0
	base := netip.MustParseAddr("2001:db8:1:2::")
	for i := range 100 {
		a := base.As16()
		a[8], a[15] = byte(i), byte(i*7)
		addr := netip.AddrPortFrom(netip.AddrFrom16(a), 443)
		if get(h, addr.String(), "/").Code == http.StatusOK {
			admitted++
		}
	}
	if admitted != 5 {
		t.Errorf("100 addresses in one /64: %d admitted, want 5 (zero bypass)", admitted)
	}
	if get(h, "[2001:db8:1:3::1]:443", "/").Code != http.StatusOK {
		t.Error("the neighbouring /64 was limited")
	}
	// IPv4-mapped IPv6 is the IPv4 client.
	for range 5 {
		get(h, "192.0.2.50:1", "/")
	}
	if get(h, "[::ffff:192.0.2.50]:1", "/").Code != http.StatusTooManyRequests {
		t.Error("IPv4-mapped IPv6 address escaped the IPv4 client's quota")
	}
}

func TestIPv6PrefixBitsConfigurable(t *testing.T) {
	ps := []ratelimit.Policy{{Name: "p", Limit: 1, Window: time.Hour}}
	h := newLimiter(t, ratelimit.Config{Policies: ps, IPv6PrefixBits: 48}).Handler(okHandler)
	get(h, "[2001:db8:1:2::1]:1", "/")
	if get(h, "[2001:db8:1:ffff::1]:1", "/").Code != http.StatusTooManyRequests {
		t.Error("same /48 not grouped with IPv6PrefixBits 48")
	}
}

func TestKeyByPrincipalFallsBackToIP(t *testing.T) {
	ps := []ratelimit.Policy{{Name: "p", Limit: 2, Window: time.Hour}}
	l := newLimiter(t, ratelimit.Config{Policies: ps, Key: ratelimit.KeyByPrincipal(nil)})
	authn := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if s := r.Header.Get("X-Test-User"); s != "" {
				r = r.WithContext(principal.NewContext(r.Context(), &principal.Principal{Subject: s, Issuer: "https://issuer.example"}))
			}
			next.ServeHTTP(w, r)
		})
	}
	h := authn(l.Handler(okHandler))
	tests := []struct {
		name   string
		remote string
		user   string
		want   int
	}{
		{"alice 1", "192.0.2.1:1", "alice", 200},
		{"alice from another IP shares her quota", "192.0.2.2:1", "alice", 200},
		{"alice exhausted", "192.0.2.3:1", "alice", 429},
		{"bob has his own", "192.0.2.1:1", "bob", 200},
		{"anonymous from alice's IP is keyed by IP", "192.0.2.1:1", "", 200},
		{"anonymous 2", "192.0.2.1:1", "", 200},
		{"anonymous exhausted", "192.0.2.1:1", "", 429},
		{"a subject that looks like an IP key is still a subject", "192.0.2.9:1", "ip:192.0.2.1", 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hdr []string
			if tt.user != "" {
				hdr = []string{"X-Test-User", tt.user}
			}
			if got := get(h, tt.remote, "/", hdr...).Code; got != tt.want {
				t.Errorf("status %d, want %d", got, tt.want)
			}
		})
	}
}

func TestKeyByHeader(t *testing.T) {
	ps := []ratelimit.Policy{{Name: "p", Limit: 1, Window: time.Hour}}
	h := newLimiter(t, ratelimit.Config{Policies: ps, Key: ratelimit.KeyByHeader("x-api-key-id", nil)}).Handler(okHandler)
	tests := []struct {
		name   string
		remote string
		hdr    []string
		want   int
	}{
		{"key a", "192.0.2.1:1", []string{"X-Api-Key-Id", "a"}, 200},
		{"key a again, other IP", "192.0.2.2:1", []string{"X-Api-Key-Id", "a"}, 429},
		{"key b", "192.0.2.1:1", []string{"X-Api-Key-Id", "b"}, 200},
		{"missing header: by IP", "192.0.2.3:1", nil, 200},
		{"missing header again: same IP limited", "192.0.2.3:1", nil, 429},
		{"repeated header falls back to IP", "192.0.2.3:1", []string{"X-Api-Key-Id", "c", "X-Api-Key-Id", "d"}, 429},
		{"over-long value falls back to IP", "192.0.2.3:1", []string{"X-Api-Key-Id", strings.Repeat("z", 300)}, 429},
		{"control character falls back to IP", "192.0.2.3:1", []string{"X-Api-Key-Id", "e\x01"}, 429},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := get(h, tt.remote, "/", tt.hdr...).Code; got != tt.want {
				t.Errorf("status %d, want %d", got, tt.want)
			}
		})
	}
}

func TestKeyByRouteUsesMuxPattern(t *testing.T) {
	ps := []ratelimit.Policy{{Name: "p", Limit: 1, Window: time.Hour}}
	l := newLimiter(t, ratelimit.Config{Policies: ps, Key: ratelimit.KeyByRoute(nil)})
	mux := http.NewServeMux()
	mux.Handle("GET /items/{id}", l.Handler(okHandler))
	mux.Handle("GET /users/{id}", l.Handler(okHandler))
	tests := []struct {
		path string
		want int
	}{
		{"/items/1", 200},
		{"/items/2", 429}, // same route pattern, whatever the path
		{"/users/1", 200},
		{"/users/1", 429},
	}
	for _, tt := range tests {
		if got := get(mux, "192.0.2.1:1", tt.path).Code; got != tt.want {
			t.Errorf("%s: %d, want %d", tt.path, got, tt.want)
		}
	}
}

// KeyByRoute keeps the mux pattern in the key however its inner key
// function hands back its key, or when it finds none.
func TestKeyByRouteKeepsPatternWhateverInnerReturns(t *testing.T) {
	for _, tt := range []struct {
		name  string
		inner ratelimit.KeyFunc
	}{
		{"own slice", func([]byte, *http.Request) []byte { return []byte("tenant:acme") }},
		{"nil", func([]byte, *http.Request) []byte { return nil }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ps := []ratelimit.Policy{{Name: "p", Limit: 1, Window: time.Hour}}
			l := newLimiter(t, ratelimit.Config{Policies: ps, Key: ratelimit.KeyByRoute(tt.inner)})
			mux := http.NewServeMux()
			mux.Handle("GET /items/{id}", l.Handler(okHandler))
			mux.Handle("GET /users/{id}", l.Handler(okHandler))
			for _, step := range []struct {
				path string
				want int
			}{
				{"/items/1", 200},
				{"/users/1", 200}, // another pattern, another counter
				{"/items/2", 429},
			} {
				if got := get(mux, "192.0.2.1:1", step.path).Code; got != step.want {
					t.Errorf("%s: %d, want %d", step.path, got, step.want)
				}
			}
		})
	}
}

// A custom key function that returns nothing must not leave the request
// unlimited.
func TestEmptyCustomKeyFallsBackToIP(t *testing.T) {
	ps := []ratelimit.Policy{{Name: "p", Limit: 1, Window: time.Hour}}
	h := newLimiter(t, ratelimit.Config{Policies: ps, Key: func(dst []byte, r *http.Request) []byte { return dst }}).Handler(okHandler)
	get(h, "192.0.2.1:1", "/")
	if get(h, "192.0.2.1:1", "/").Code != http.StatusTooManyRequests {
		t.Error("an empty key left the request unlimited")
	}
}

// On a route, a key function that finds no key (nil) must fall back to
// the client address as it does for Config.Policies, not fail the request.
func TestRouteKeyReturningNilFallsBackToIP(t *testing.T) {
	l := newLimiter(t, ratelimit.Config{
		Policies: []ratelimit.Policy{{Name: "api", Limit: 100, Window: time.Hour}},
		Key:      func([]byte, *http.Request) []byte { return nil },
		Routes: []ratelimit.Route{{
			Name:     "login",
			Match:    func(r *http.Request) bool { return r.URL.Path == "/login" },
			Policies: []ratelimit.Policy{{Name: "login", Limit: 1, Window: time.Hour}},
		}},
	})
	h := l.Handler(okHandler)
	for _, tt := range []struct {
		remote string
		want   int
	}{
		{"192.0.2.1:1", http.StatusOK},
		{"192.0.2.1:2", http.StatusTooManyRequests},
		{"192.0.2.2:1", http.StatusOK}, // another address, another key
	} {
		if got := get(h, tt.remote, "/login").Code; got != tt.want {
			t.Errorf("/login from %s: %d, want %d", tt.remote, got, tt.want)
		}
	}
}

// However a key function hands back its key, a route's requests are
// counted in the route's namespace, apart from Config.Policies, even when
// both have the same policies (and so share the Memory store's table).
func TestRouteKeyStaysInRouteNamespace(t *testing.T) {
	ps := []ratelimit.Policy{{Name: "p", Limit: 1, Window: time.Hour}}
	long := strings.Repeat("t", 300) // past the pooled buffer's capacity
	for _, tt := range []struct {
		name string
		key  ratelimit.KeyFunc
	}{
		{"appended", func(dst []byte, _ *http.Request) []byte { return append(dst, "tenant:acme"...) }},
		{"appended past the buffer", func(dst []byte, _ *http.Request) []byte { return append(dst, long...) }},
		{"own slice", func([]byte, *http.Request) []byte { return []byte("tenant:acme") }},
		{"own slice as long as the route prefix", func([]byte, *http.Request) []byte { return []byte("tenant:x") }}, // len("r:login:")
		{"own slice shorter than the route prefix", func([]byte, *http.Request) []byte { return []byte("t:1") }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newLimiter(t, ratelimit.Config{
				Policies: ps,
				Key:      tt.key,
				Routes: []ratelimit.Route{{
					Name:     "login",
					Match:    func(r *http.Request) bool { return r.URL.Path == "/login" },
					Policies: ps,
				}},
			}).Handler(okHandler)
			// Each request from another address: the key is the tenant's.
			for i, step := range []struct {
				path string
				want int
			}{
				{"/login", http.StatusOK},
				{"/", http.StatusOK}, // not charged by the route's request
				{"/", http.StatusTooManyRequests},
				{"/login", http.StatusTooManyRequests},
			} {
				if got := get(h, "192.0.2."+strconv.Itoa(i+1)+":1", step.path).Code; got != step.want {
					t.Errorf("request %d, %s: %d, want %d", i+1, step.path, got, step.want)
				}
			}
		})
	}
}

func TestRoutesExemptionsAndCost(t *testing.T) {
	def := []ratelimit.Policy{{Name: "api", Limit: 100, Window: time.Minute}}
	login := []ratelimit.Policy{{Name: "login", Limit: 5, Window: time.Minute}}
	l := newLimiter(t, ratelimit.Config{
		Policies:      def,
		ExemptPaths:   []string{"/healthz"},
		Exempt:        func(r *http.Request) bool { return r.Method == http.MethodOptions },
		NoResetJitter: true,
		Cost: func(r *http.Request) int {
			if r.URL.Path == "/export" {
				return 40
			}
			return 1
		},
		Routes: []ratelimit.Route{{
			Name:     "login",
			Match:    func(r *http.Request) bool { return r.URL.Path == "/login" },
			Policies: login,
		}},
	})
	h := l.Handler(okHandler)
	const ip = "192.0.2.1:1"
	for range 500 {
		rec := get(h, ip, "/healthz")
		if rec.Code != 200 || rec.Header().Get("RateLimit") != "" {
			t.Fatal("health check limited or given rate-limit fields")
		}
	}
	req := httptest.NewRequest(http.MethodOptions, "/anything", nil)
	req.RemoteAddr = ip
	for range 200 {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			t.Fatal("Exempt func ignored")
		}
	}
	for i := range 5 {
		rec := get(h, ip, "/login")
		if rec.Code != 200 {
			t.Fatalf("login %d: %d", i, rec.Code)
		}
		checkRateLimitFields(t, rec.Header(), login)
	}
	rec := get(h, ip, "/login")
	if rec.Code != 429 || !strings.Contains(rec.Body.String(), `"violated-policies":["login"]`) {
		t.Fatalf("6th login: %d %s", rec.Code, rec.Body)
	}
	// The route's quota is separate from the default one.
	rem, _ := checkRateLimitFields(t, get(h, ip, "/x").Header(), def)
	if rem[0] != 99 {
		t.Errorf("default remaining = %d after route traffic, want 99", rem[0])
	}
	// Cost: two exports spend 80.
	get(h, ip, "/export")
	rem, _ = checkRateLimitFields(t, get(h, ip, "/export").Header(), def)
	if rem[0] != 19 {
		t.Errorf("remaining after two exports of cost 40 = %d, want 19", rem[0])
	}
	if rec := get(h, ip, "/export"); rec.Code != 429 {
		t.Errorf("third export with 19 left: %d, want 429", rec.Code)
	}
	if rec := get(h, ip, "/cheap"); rec.Code != 200 {
		t.Errorf("a cost-1 request after a denied export: %d; the denial must not have consumed quota", rec.Code)
	}
}

// A store that always fails.
type brokenStore struct{ calls atomic.Int64 }

var errBroken = errors.New("dial tcp 10.9.8.7:6379: connect: connection refused (secret=hunter2)")

func (s *brokenStore) Take(context.Context, string, int, time.Time, []ratelimit.Policy) (ratelimit.Decision, error) {
	s.calls.Add(1)
	return ratelimit.Decision{}, errBroken
}
func (s *brokenStore) Reset(context.Context, string, []ratelimit.Policy) error { return errBroken }

func TestFailurePolicies(t *testing.T) {
	ps := []ratelimit.Policy{{Name: "p", Limit: 3, Window: time.Hour}}
	tests := []struct {
		name       string
		policy     ratelimit.FailurePolicy
		fallback   []ratelimit.Policy
		wantCodes  string
		wantHeader string // RateLimit-Policy during the outage
	}{
		{"FailClosed", ratelimit.FailClosed, nil, "503 503 503 503 503", ""},
		{"FailOpen", ratelimit.FailOpen, nil, "200 200 200 200 200", ""},
		{"FailLocal with the same policies", ratelimit.FailLocal, nil, "200 200 200 429 429", `"p";q=3;w=3600`},
		{"FailLocal with its own", ratelimit.FailLocal, []ratelimit.Policy{{Name: "local", Limit: 1, Window: time.Hour}}, "200 429 429 429 429", `"local";q=1;w=3600`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			store := &brokenStore{}
			clk := newClock()
			l := newLimiter(t, ratelimit.Config{
				Policies: ps, Store: store, Now: clk.Now, OnStoreError: tt.policy, FallbackPolicies: tt.fallback,
				BreakerThreshold: 2, BreakerCooldown: 30 * time.Second,
				Logger: slog.New(slog.NewJSONHandler(&logs, nil)),
			})
			h := l.Handler(okHandler)
			var codes []string
			for range 5 {
				rec := get(h, "192.0.2.1:1", "/")
				codes = append(codes, strconv.Itoa(rec.Code))
				if strings.Contains(rec.Body.String(), "10.9.8.7") || strings.Contains(rec.Body.String(), "hunter2") {
					t.Fatalf("store error leaked to the client: %s", rec.Body)
				}
				if rec.Code == 503 {
					if ra := rec.Header().Get("Retry-After"); ra == "" {
						t.Error("503 without Retry-After")
					}
					if rec.Header().Get("Content-Type") != "application/problem+json" {
						t.Error("503 is not problem+json")
					}
				}
				if got := rec.Header().Get("RateLimit-Policy"); got != tt.wantHeader {
					t.Errorf("RateLimit-Policy = %q, want %q", got, tt.wantHeader)
				}
			}
			if got := strings.Join(codes, " "); got != tt.wantCodes {
				t.Errorf("codes = %s, want %s", got, tt.wantCodes)
			}
			// The breaker opened after 2 failures: the dead store is not
			// called again until the cooldown ends.
			if n := store.calls.Load(); n != 2 {
				t.Errorf("store called %d times, want 2 (breaker open)", n)
			}
			clk.Add(31 * time.Second)
			get(h, "192.0.2.1:1", "/")
			if n := store.calls.Load(); n != 3 {
				t.Errorf("store called %d times after the cooldown, want one probe (3)", n)
			}
			if !strings.Contains(logs.String(), `"msg":"sys_monitor_disabled"`) {
				t.Errorf("breaker opening not logged: %s", logs.String())
			}
		})
	}
}

func TestDenialIsLogged(t *testing.T) {
	var logs bytes.Buffer
	ps := []ratelimit.Policy{{Name: "p", Limit: 1, Window: time.Hour}}
	h := newLimiter(t, ratelimit.Config{Policies: ps, Logger: slog.New(slog.NewJSONHandler(&logs, nil))}).Handler(okHandler)
	get(h, "192.0.2.1:1", "/")
	if logs.Len() != 0 {
		t.Errorf("an admitted request was logged: %s", logs.String())
	}
	get(h, "192.0.2.1:1", "/")
	var ev map[string]any
	if err := json.Unmarshal(logs.Bytes(), &ev); err != nil {
		t.Fatalf("%v: %s", err, logs.String())
	}
	if ev["msg"] != "excess_rate_limit_exceeded" || ev["level"] != "WARN" || ev["key"] != "ip:192.0.2.1" ||
		fmt.Sprint(ev["violated_policies"]) != "[p]" {
		t.Errorf("event = %v", ev)
	}
}

func TestDenyHandlerReceivesTypedError(t *testing.T) {
	ps := []ratelimit.Policy{{Name: "p", Limit: 1, Window: time.Hour}}
	var got error
	h := newLimiter(t, ratelimit.Config{Policies: ps, DenyHandler: func(w http.ResponseWriter, r *http.Request, err error) {
		got = err
		w.WriteHeader(http.StatusTeapot)
	}}).Handler(okHandler)
	get(h, "192.0.2.1:1", "/")
	rec := get(h, "192.0.2.1:1", "/")
	var le *ratelimit.LimitError
	if rec.Code != http.StatusTeapot || !errors.As(got, &le) || le.Result.Allowed || le.Error() != "ratelimit: quota exceeded: p" {
		t.Errorf("code %d, err %v", rec.Code, got)
	}
	if rec.Header().Get("Retry-After") == "" || rec.Header().Get("RateLimit") == "" {
		t.Error("headers not set before the DenyHandler")
	}
}

func TestLimiterExactUnderConcurrency(t *testing.T) {
	for _, alg := range []ratelimit.Algorithm{ratelimit.GCRA, ratelimit.SlidingWindow} {
		l := newLimiter(t, ratelimit.Config{Policies: []ratelimit.Policy{{Limit: 250, Window: time.Hour, Algorithm: alg}}})
		var admitted atomic.Int64
		var wg sync.WaitGroup
		for range 32 {
			wg.Go(func() {
				for range 50 {
					if r, err := l.Allow(context.Background(), "hot"); err == nil && r.Allowed {
						admitted.Add(1)
					}
				}
			})
		}
		wg.Wait()
		if n := admitted.Load(); n != 250 {
			t.Errorf("%v: 1600 concurrent requests admitted %d, want exactly 250", alg, n)
		}
	}
}

func TestAllowResultAndPolicies(t *testing.T) {
	clk := newClock()
	l := newLimiter(t, ratelimit.Config{Now: clk.Now, Policies: []ratelimit.Policy{
		{Name: "second", Limit: 2, Window: time.Second},
		{Name: "minute", Limit: 3, Window: time.Minute},
	}})
	ctx := context.Background()
	r, err := l.AllowN(ctx, "k", 2)
	if err != nil || !r.Allowed || r.Remaining != 0 || r.Limit != 2 || r.NumPolicies() != 2 {
		t.Fatalf("AllowN 2 = %+v, %v", r, err)
	}
	if p := r.Policy(1); p.Name != "minute" || p.Remaining != 1 || p.Window != time.Minute || p.Limit != 3 {
		t.Errorf("Policy(1) = %+v", p)
	}
	clk.Add(time.Second)
	if r, _ := l.Peek(ctx, "k"); !r.Allowed || r.Remaining != 1 || r.Limit != 3 {
		t.Errorf("Peek = %+v, want allowed with the minute policy binding at 1", r)
	}
	r, _ = l.AllowN(ctx, "k", 2)
	if r.Allowed || r.RetryAfter != 19*time.Second {
		t.Errorf("AllowN 2 with 1 left in the minute = %+v, want denied with RetryAfter 19s (the second unit returns at 20s)", r)
	}
	if err := l.Reset(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	if r, _ := l.AllowN(ctx, "k", 2); !r.Allowed {
		t.Error("not allowed after Reset")
	}
	for _, c := range []int{-1, ratelimit.MaxCost + 1} {
		if _, err := l.AllowN(ctx, "k", c); !errors.Is(err, ratelimit.ErrInvalidCost) {
			t.Errorf("cost %d: %v", c, err)
		}
	}
	if _, err := l.Allow(ctx, ""); !errors.Is(err, ratelimit.ErrEmptyKey) {
		t.Errorf("empty key: %v", err)
	}
	if err := l.Reset(ctx, ""); !errors.Is(err, ratelimit.ErrEmptyKey) {
		t.Errorf("Reset empty key: %v", err)
	}
}

func TestRequestIsNotMutated(t *testing.T) {
	ps := []ratelimit.Policy{{Name: "p", Limit: 1, Window: time.Hour}}
	var seen *http.Request
	h := newLimiter(t, ratelimit.Config{Policies: ps}).Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen = r }))
	req := httptest.NewRequest("GET", "/a?b=c", nil)
	req.RemoteAddr = "192.0.2.1:1"
	before := fmt.Sprint(req.Header, req.URL, req.RemoteAddr)
	h.ServeHTTP(httptest.NewRecorder(), req)
	if seen != req || fmt.Sprint(req.Header, req.URL, req.RemoteAddr) != before {
		t.Error("request changed")
	}
}

func TestUnparsableRemoteAddrIsStillLimited(t *testing.T) {
	ps := []ratelimit.Policy{{Name: "p", Limit: 1, Window: time.Hour}}
	h := newLimiter(t, ratelimit.Config{Policies: ps}).Handler(okHandler)
	get(h, "pipe", "/")
	if get(h, "@", "/").Code != http.StatusTooManyRequests {
		t.Error("requests without a parsable address are unlimited")
	}
}

// A request of cost 0 is charged nothing but is still refused once the
// quota is gone.
func TestZeroCostRequests(t *testing.T) {
	ps := []ratelimit.Policy{{Name: "p", Limit: 2, Window: time.Hour}}
	h := newLimiter(t, ratelimit.Config{Policies: ps, NoResetJitter: true, Cost: func(r *http.Request) int {
		if r.URL.Path == "/free" {
			return 0
		}
		return 1
	}}).Handler(okHandler)
	for range 10 {
		if rec := get(h, "192.0.2.1:1", "/free"); rec.Code != http.StatusOK {
			t.Fatalf("free request refused with quota left: %d", rec.Code)
		}
	}
	rem, _ := checkRateLimitFields(t, get(h, "192.0.2.1:1", "/paid").Header(), ps)
	if rem[0] != 1 {
		t.Fatalf("remaining = %d after 10 free and 1 paid request, want 1", rem[0])
	}
	get(h, "192.0.2.1:1", "/paid")
	if rec := get(h, "192.0.2.1:1", "/free"); rec.Code != http.StatusTooManyRequests {
		t.Errorf("free request with the quota exhausted: %d, want 429", rec.Code)
	}
}

// A key function that returns a slice of its own (instead of appending to
// dst) must not have that memory reused for other requests' keys.
func TestForeignKeySliceIsNotPooled(t *testing.T) {
	static := append(make([]byte, 0, 64), "tenant:acme"...) // room to be overwritten
	ps := []ratelimit.Policy{{Name: "p", Limit: 1000, Window: time.Hour}}
	l := newLimiter(t, ratelimit.Config{Policies: ps, Key: func(dst []byte, r *http.Request) []byte {
		if r.URL.Path == "/static" {
			return static
		}
		return append(dst, "path:"+r.URL.Path...)
	}})
	h := l.Handler(okHandler)
	for i := range 200 {
		get(h, "192.0.2.1:1", "/static")
		get(h, "192.0.2.1:1", "/other-"+strconv.Itoa(i))
	}
	if string(static) != "tenant:acme" {
		t.Fatalf("the key function's own slice was overwritten: %q", static)
	}
	r, _ := l.Peek(context.Background(), "tenant:acme")
	if r.Remaining != 800 {
		t.Errorf("tenant key remaining = %d, want 800", r.Remaining)
	}
}

// The longest policy names still give well-formed fields.
func TestLongPolicyNames(t *testing.T) {
	var ps []ratelimit.Policy
	for i := range ratelimit.MaxPolicies {
		ps = append(ps, ratelimit.Policy{Name: strings.Repeat(string(rune('a'+i)), 64), Limit: ratelimit.MaxLimit - i, Window: ratelimit.MaxWindow})
	}
	h := newLimiter(t, ratelimit.Config{Policies: ps}).Handler(okHandler)
	rem, _ := checkRateLimitFields(t, get(h, "192.0.2.1:1", "/").Header(), ps)
	if rem[3] != int64(ratelimit.MaxLimit-4) {
		t.Errorf("remaining = %v", rem)
	}
}
