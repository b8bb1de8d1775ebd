package cors_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/apisec-go/apisec/cors"
)

// Named regression tests for the peers' bugs the package exists to avoid.
// The spec table in middleware_test.go covers the same ground case by case.

// rs/cors accepts "https://example.com/" and then never matches it,
// because browsers send origins without a trailing slash.
func TestTrailingSlashOriginIsAConfigError(t *testing.T) {
	_, err := cors.New(cors.Config{Origins: []string{"https://example.com/"}})
	var ce *cors.ConfigError
	if !errors.As(err, &ce) || ce.Field != "Origins[0]" {
		t.Fatalf("got %v, want a ConfigError on Origins[0]", err)
	}
}

// rs/cors matches "https://*.example.com" against "https://.example.com"
// and, being a suffix match, against any host ending in "example.com".
func TestSubdomainPatternMatchesWholeLabelsOnly(t *testing.T) {
	m, err := cors.New(cors.Config{Origins: []string{"https://*.example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range []string{"https://.example.com", "https://evilexample.com", "https://a..example.com", "https://example.com", "https://a.example.com.evil.net", "https://a_b.example.com:443"} {
		if m.OriginAllowed(o) {
			t.Errorf("%q matched https://*.example.com", o)
		}
	}
	for _, o := range []string{"https://a.example.com", "https://a.b.example.com", "https://xn--bcher-kva.example.com"} {
		if !m.OriginAllowed(o) {
			t.Errorf("%q did not match https://*.example.com", o)
		}
	}
}

// rs/cors#197: the pattern "h*" with credentials reflected every origin
// beginning with "h", that is every http and https origin.
func TestPartialWildcardWithCredentialsIsRefused(t *testing.T) {
	for _, o := range []string{"h*", "https://*", "*.example.com", "https://*example.com", "http*://example.com"} {
		if _, err := cors.New(cors.Config{Origins: []string{o}, Credentials: true}); err == nil {
			t.Errorf("origin pattern %q accepted", o)
		}
	}
}

// rs/cors parsed Access-Control-Request-Headers in full whatever its size;
// a 1 MiB header cost time and memory per preflight. Here the caps are
// checked on lengths before any parsing.
func TestHugeRequestHeadersAreRejectedByTheCap(t *testing.T) {
	var got error
	m, err := cors.New(cors.Config{
		Origins:        []string{app},
		Methods:        []string{"PUT"},
		RequestHeaders: []string{"*"},
		DenyHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			got = err
			w.WriteHeader(http.StatusForbidden)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, lines := range map[string][]string{
		"one 1 MiB line":      {strings.Repeat("x-a,", 1<<18)},
		"many short lines":    strings.Split(strings.Repeat("x-a\n", 1<<14), "\n"),
		"many empty items":    {strings.Repeat(",", cors.MaxRequestHeadersBytes+1)},
		"too many items":      {strings.Repeat("x,", cors.MaxRequestHeaders+1)},
		"cap plus one byte":   {strings.Repeat("a", cors.MaxRequestHeadersBytes+1)},
		"lines just too many": strings.Split(strings.Repeat("a\n", cors.MaxRequestHeadersLines), "\n"),
	} {
		got = nil
		r := httptest.NewRequest("OPTIONS", "/", nil)
		r.Header.Set("Origin", app)
		r.Header.Set("Access-Control-Request-Method", "PUT")
		r.Header["Access-Control-Request-Headers"] = lines
		m.Handler(http.NotFoundHandler()).ServeHTTP(httptest.NewRecorder(), r)
		if !errors.Is(got, cors.ErrHeadersTooLarge) {
			t.Errorf("%s: got %v, want ErrHeadersTooLarge", name, got)
		}
	}
}

// jub0bs/cors shared precomputed slices in preflight responses, which a
// handler reached through preflight passthrough could then edit for every
// later preflight. Each preflight response is kept as it is (not copied)
// while the next preflight, from the other origin, reaches a handler that
// overwrites every value it is given; the kept response must not change.
func TestPreflightPassthroughValuesAreNotShared(t *testing.T) {
	const admin = "https://admin.example.com"
	m, err := cors.New(cors.Config{Origins: []string{app, admin}, Methods: []string{"PUT"}, RequestHeaders: []string{"Authorization"}, Credentials: true, MaxAge: 60e9, PreflightPassthrough: true})
	if err != nil {
		t.Fatal(err)
	}
	overwrite := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, v := range w.Header() {
			for i := range v {
				v[i] = "https://evil.example.net"
			}
		}
	}))
	preflight := func(o string) *http.Request {
		r := httptest.NewRequest("OPTIONS", "/", nil)
		r.Header.Set("Origin", o)
		r.Header.Set("Access-Control-Request-Method", "PUT")
		r.Header.Set("Access-Control-Request-Headers", "authorization")
		return r
	}
	origins := [2]string{app, admin}
	for i := range 100 {
		o := origins[i%2]
		w := httptest.NewRecorder()
		m.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})).ServeHTTP(w, preflight(o))
		kept := w.Header()
		overwrite.ServeHTTP(httptest.NewRecorder(), preflight(origins[(i+1)%2]))
		want := map[string]string{
			"Access-Control-Allow-Origin": o, "Access-Control-Allow-Credentials": "true",
			"Access-Control-Allow-Methods": "PUT", "Access-Control-Allow-Headers": "authorization", "Access-Control-Max-Age": "60",
		}
		for k, v := range want {
			if got := kept[k]; len(got) != 1 || got[0] != v {
				t.Fatalf("preflight %d: %s = %q after the next preflight, want [%q]", i, k, got, v)
			}
		}
	}
}
