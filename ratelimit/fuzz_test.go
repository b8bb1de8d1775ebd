package ratelimit_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/apisec-go/apisec/ratelimit"
)

func FuzzParseRate(f *testing.F) {
	for _, tt := range rateCases {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ratelimit.ParseRate(s)
		if err != nil {
			return
		}
		if p.Limit < 1 || p.Limit > ratelimit.MaxLimit || p.Window < time.Second || p.Window > ratelimit.MaxWindow || p.Window%time.Second != 0 {
			t.Fatalf("ParseRate(%q) = %+v: out of range", s, p)
		}
		// Whatever parses is a valid policy.
		if _, err := ratelimit.New(ratelimit.Config{Policies: []ratelimit.Policy{p}, Store: nopStore{}}); err != nil {
			t.Fatalf("ParseRate(%q) = %+v, rejected by New: %v", s, p, err)
		}
		q, err := ratelimit.ParseRate(p.String())
		if err != nil || q.Limit != p.Limit || q.Window != p.Window {
			t.Fatalf("round trip %q -> %q failed", s, p.String())
		}
	})
}

// FuzzKeys feeds arbitrary header values and addresses through every key
// function and checks that the response fields stay well formed.
func FuzzKeys(f *testing.F) {
	f.Add("192.0.2.1:1", "alice", "/x")
	f.Add("[2001:db8::1]:443", strings.Repeat("k", 300), "/healthz")
	f.Add("garbage", "a\x00b", "/")
	f.Add("", "", "")
	ps := []ratelimit.Policy{{Name: "a", Limit: 3, Window: time.Second}, {Name: "b", Limit: 10, Window: time.Hour, Algorithm: ratelimit.SlidingWindow}}
	var handlers []http.Handler
	for _, k := range []ratelimit.KeyFunc{nil, ratelimit.KeyByHeader("X-Key", nil), ratelimit.KeyByPrincipal(nil), ratelimit.KeyByRoute(ratelimit.KeyByIP(56))} {
		l, err := ratelimit.New(ratelimit.Config{Policies: ps, Key: k, ExemptPaths: []string{"/healthz"}})
		if err != nil {
			f.Fatal(err)
		}
		handlers = append(handlers, l.Handler(okHandler))
	}
	f.Fuzz(func(t *testing.T, remote, key, path string) {
		req := httptest.NewRequest("GET", "/", nil)
		req.RemoteAddr = remote
		req.URL.Path = path
		req.Header["X-Key"] = []string{key}
		for _, h := range handlers {
			for range 4 {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != 200 && rec.Code != 429 {
					t.Fatalf("status %d", rec.Code)
				}
				if path == "/healthz" {
					continue
				}
				if _, err := parseSFList(rec.Header().Get("RateLimit")); err != nil || rec.Header().Get("RateLimit") == "" {
					t.Fatalf("RateLimit %q: %v", rec.Header().Get("RateLimit"), err)
				}
			}
		}
	})
}
