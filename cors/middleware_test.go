package cors_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apisec-go/apisec/cors"
)

// corsHeaders are the response headers the table checks exactly: any of
// them a case does not list must be absent.
var corsHeaders = []string{
	"Access-Control-Allow-Origin", "Access-Control-Allow-Credentials",
	"Access-Control-Allow-Methods", "Access-Control-Allow-Headers",
	"Access-Control-Max-Age", "Access-Control-Expose-Headers",
	"Vary", "Cors-Debug",
}

const (
	varyPreflight = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
	app           = "https://app.example.com"
)

func baseConfig() cors.Config {
	return cors.Config{
		Origins:        []string{app, "https://*.tenant.example.com", "http://localhost:*"},
		Methods:        []string{"PUT", "DELETE", "PATCH"},
		RequestHeaders: []string{"Content-Type", "Authorization", "X-Request-Id"},
		ExposedHeaders: []string{"X-Total-Count"},
		Credentials:    true,
		MaxAge:         600 * time.Second,
	}
}

type specCase struct {
	name   string
	cfg    func(*cors.Config) // edits baseConfig; nil keeps it
	method string
	header [][2]string // request header lines, in order; repeats allowed
	outer  [][2]string // response headers set before the middleware runs

	status   int                 // 0: 200 from next
	wantNext bool                // next handler reached
	want     map[string][]string // exact values of corsHeaders present
}

func origin(o string) [2]string { return [2]string{"Origin", o} }
func acrm(m string) [2]string   { return [2]string{"Access-Control-Request-Method", m} }
func acrh(h string) [2]string   { return [2]string{"Access-Control-Request-Headers", h} }

// allowedActual is what an allowed actual request from o gets with
// baseConfig.
func allowedActual(o string) map[string][]string {
	return map[string][]string{
		"Access-Control-Allow-Origin":      {o},
		"Access-Control-Allow-Credentials": {"true"},
		"Access-Control-Expose-Headers":    {"x-total-count"},
		"Vary":                             {"Origin"},
	}
}

// allowedPreflight is what a successful preflight from o gets with
// baseConfig when it asks for headers.
func allowedPreflight(o string) map[string][]string {
	return map[string][]string{
		"Access-Control-Allow-Origin":      {o},
		"Access-Control-Allow-Credentials": {"true"},
		"Access-Control-Allow-Methods":     {"PUT, DELETE, PATCH"},
		"Access-Control-Allow-Headers":     {"content-type, authorization, x-request-id"},
		"Access-Control-Max-Age":           {"600"},
		"Vary":                             {varyPreflight},
	}
}

// manyOrigins lists ten exact origins (one with a port) and one pattern.
func manyOrigins(c *cors.Config) {
	c.Origins = []string{
		"https://a0.example.com", "https://a1.example.com", "https://a2.example.com",
		"https://a3.example.com", "https://a4.example.com:8443", "https://a5.example.com",
		"https://a6.example.com", "https://a7.example.com", "https://a8.example.com",
		"https://a9.example.com", "https://*.tenant.example.com",
	}
}

var varyOnly = map[string][]string{"Vary": {"Origin"}}

// specCases follow the Fetch standard's CORS protocol (§3.2) and the
// CORS-preflight fetch and CORS check algorithms (§4.8, §4.9), plus the
// peer bugs the package exists to avoid.
var specCases = []specCase{
	// Requests without Origin are not CORS requests.
	{name: "no Origin passes untouched", method: "GET", wantNext: true},
	{name: "no Origin gets Vary with VaryNonCORS", cfg: func(c *cors.Config) { c.VaryNonCORS = true }, method: "GET", wantNext: true, want: varyOnly},
	{name: "OPTIONS with ACRM but no Origin is not a preflight", method: "OPTIONS", header: [][2]string{acrm("PUT")}, wantNext: true},

	// Actual requests: the CORS check (§4.9) compares ACAO byte for byte.
	{name: "allowed origin gets ACAO ACAC ACEH and Vary", method: "GET", header: [][2]string{origin(app)}, wantNext: true, want: allowedActual(app)},
	{name: "allowed origin on POST", method: "POST", header: [][2]string{origin(app)}, wantNext: true, want: allowedActual(app)},
	{name: "disallowed origin gets only Vary and still reaches next", method: "GET", header: [][2]string{origin("https://evil.example.net")}, wantNext: true, want: varyOnly},
	{name: "origin with trailing slash is not the origin", method: "GET", header: [][2]string{origin(app + "/")}, wantNext: true, want: varyOnly},
	{name: "origin with uppercase host is not serialized", method: "GET", header: [][2]string{origin("https://APP.example.com")}, wantNext: true, want: varyOnly},
	{name: "origin with default port is not serialized", method: "GET", header: [][2]string{origin(app + ":443")}, wantNext: true, want: varyOnly},
	{name: "origin with another scheme", method: "GET", header: [][2]string{origin("http://app.example.com")}, wantNext: true, want: varyOnly},
	{name: "origin suffix is not a subdomain", method: "GET", header: [][2]string{origin("https://eviltenant.example.com")}, wantNext: true, want: varyOnly},
	{name: "empty label does not match subdomain pattern", method: "GET", header: [][2]string{origin("https://.tenant.example.com")}, wantNext: true, want: varyOnly},
	{name: "double dot does not match subdomain pattern", method: "GET", header: [][2]string{origin("https://a..tenant.example.com")}, wantNext: true, want: varyOnly},
	{name: "pattern apex is not a subdomain", method: "GET", header: [][2]string{origin("https://tenant.example.com")}, wantNext: true, want: varyOnly},
	{name: "pattern domain as prefix of attacker domain", method: "GET", header: [][2]string{origin("https://x.tenant.example.com.evil.net")}, wantNext: true, want: varyOnly},
	{name: "one-label subdomain matches", method: "GET", header: [][2]string{origin("https://acme.tenant.example.com")}, wantNext: true, want: allowedActual("https://acme.tenant.example.com")},
	{name: "multi-label subdomain matches", method: "GET", header: [][2]string{origin("https://eu.acme.tenant.example.com")}, wantNext: true, want: allowedActual("https://eu.acme.tenant.example.com")},
	{name: "subdomain pattern without port refuses a port", method: "GET", header: [][2]string{origin("https://acme.tenant.example.com:8443")}, wantNext: true, want: varyOnly},
	{name: "port wildcard matches a port", method: "GET", header: [][2]string{origin("http://localhost:3000")}, wantNext: true, want: allowedActual("http://localhost:3000")},
	{name: "port wildcard matches the default port", method: "GET", header: [][2]string{origin("http://localhost")}, wantNext: true, want: allowedActual("http://localhost")},
	{name: "port wildcard refuses port 0", method: "GET", header: [][2]string{origin("http://localhost:0")}, wantNext: true, want: varyOnly},
	{name: "port wildcard refuses port 65536", method: "GET", header: [][2]string{origin("http://localhost:65536")}, wantNext: true, want: varyOnly},
	{name: "port wildcard refuses leading zero", method: "GET", header: [][2]string{origin("http://localhost:03000")}, wantNext: true, want: varyOnly},
	{name: "null origin refused by default", method: "GET", header: [][2]string{origin("null")}, wantNext: true, want: varyOnly},
	{name: "null origin allowed only when configured", cfg: func(c *cors.Config) { c.Origins = []string{"null"}; c.DangerouslyAllowNullOrigin = true }, method: "GET", header: [][2]string{origin("null")}, wantNext: true, want: allowedActual("null")},
	{name: "two Origin field lines are refused", method: "GET", header: [][2]string{origin(app), origin(app)}, wantNext: true, want: varyOnly},
	{name: "empty Origin is refused", method: "GET", header: [][2]string{origin("")}, wantNext: true, want: varyOnly},
	{name: "OPTIONS without ACRM is an actual request", method: "OPTIONS", header: [][2]string{origin(app)}, wantNext: true, want: allowedActual(app)},
	{name: "existing Vary is kept", method: "GET", header: [][2]string{origin(app)}, outer: [][2]string{{"Vary", "Accept-Encoding"}}, wantNext: true,
		want: map[string][]string{"Access-Control-Allow-Origin": {app}, "Access-Control-Allow-Credentials": {"true"}, "Access-Control-Expose-Headers": {"x-total-count"}, "Vary": {"Accept-Encoding", "Origin"}}},
	{name: "existing Vary star is not extended", method: "GET", header: [][2]string{origin("https://evil.example.net")}, outer: [][2]string{{"Vary", "*"}}, wantNext: true, want: map[string][]string{"Vary": {"*"}}},
	{name: "any origin sends star and no Vary", cfg: func(c *cors.Config) { *c = cors.Config{Origins: []string{"*"}} }, method: "GET", header: [][2]string{origin("https://anyone.example")}, wantNext: true,
		want: map[string][]string{"Access-Control-Allow-Origin": {"*"}}},
	{name: "any origin without Origin sends nothing", cfg: func(c *cors.Config) { *c = cors.Config{Origins: []string{"*"}, VaryNonCORS: true} }, method: "GET", wantNext: true},
	{name: "no credentials means no ACAC", cfg: func(c *cors.Config) { c.Credentials = false }, method: "GET", header: [][2]string{origin(app)}, wantNext: true,
		want: map[string][]string{"Access-Control-Allow-Origin": {app}, "Access-Control-Expose-Headers": {"x-total-count"}, "Vary": {"Origin"}}},

	// More exact origins than the linear scan handles (exactScanMax is 8):
	// matching goes through a map, which must stay byte-exact.
	{name: "many origins: first matches", cfg: manyOrigins, method: "GET", header: [][2]string{origin("https://a0.example.com")}, wantNext: true, want: allowedActual("https://a0.example.com")},
	{name: "many origins: middle with its port matches", cfg: manyOrigins, method: "GET", header: [][2]string{origin("https://a4.example.com:8443")}, wantNext: true, want: allowedActual("https://a4.example.com:8443")},
	{name: "many origins: last matches", cfg: manyOrigins, method: "GET", header: [][2]string{origin("https://a9.example.com")}, wantNext: true, want: allowedActual("https://a9.example.com")},
	{name: "many origins: preflight from the middle", cfg: manyOrigins, method: "OPTIONS", header: [][2]string{origin("https://a5.example.com"), acrm("PUT"), acrh("authorization")}, status: 204, want: allowedPreflight("https://a5.example.com")},
	{name: "many origins: pattern still matches", cfg: manyOrigins, method: "GET", header: [][2]string{origin("https://acme.tenant.example.com")}, wantNext: true, want: allowedActual("https://acme.tenant.example.com")},
	{name: "many origins: unlisted origin", cfg: manyOrigins, method: "GET", header: [][2]string{origin("https://b0.example.com")}, wantNext: true, want: varyOnly},
	{name: "many origins: unlisted preflight is 403", cfg: manyOrigins, method: "OPTIONS", header: [][2]string{origin("https://a10.example.com"), acrm("PUT")}, status: 403},
	{name: "many origins: uppercase host", cfg: manyOrigins, method: "GET", header: [][2]string{origin("https://A0.example.com")}, wantNext: true, want: varyOnly},
	{name: "many origins: uppercase scheme", cfg: manyOrigins, method: "GET", header: [][2]string{origin("HTTPS://a9.example.com")}, wantNext: true, want: varyOnly},
	{name: "many origins: default port spelled out", cfg: manyOrigins, method: "GET", header: [][2]string{origin("https://a9.example.com:443")}, wantNext: true, want: varyOnly},
	{name: "many origins: middle without its port", cfg: manyOrigins, method: "GET", header: [][2]string{origin("https://a4.example.com")}, wantNext: true, want: varyOnly},
	{name: "many origins: middle with another port", cfg: manyOrigins, method: "GET", header: [][2]string{origin("https://a4.example.com:8444")}, wantNext: true, want: varyOnly},
	{name: "many origins: another scheme", cfg: manyOrigins, method: "GET", header: [][2]string{origin("http://a0.example.com")}, wantNext: true, want: varyOnly},
	{name: "many origins: trailing slash", cfg: manyOrigins, method: "GET", header: [][2]string{origin("https://a9.example.com/")}, wantNext: true, want: varyOnly},

	// Preflights: §4.8 CORS-preflight fetch.
	{name: "preflight succeeds with 204 and is not passed on", method: "OPTIONS", header: [][2]string{origin(app), acrm("PUT"), acrh("authorization,content-type")}, status: 204, want: allowedPreflight(app)},
	{name: "preflight for a safelisted method needs no listing", cfg: func(c *cors.Config) { c.Methods = nil }, method: "OPTIONS", header: [][2]string{origin(app), acrm("POST"), acrh("content-type")}, status: 204,
		want: map[string][]string{"Access-Control-Allow-Origin": {app}, "Access-Control-Allow-Credentials": {"true"}, "Access-Control-Allow-Headers": {"content-type, authorization, x-request-id"}, "Access-Control-Max-Age": {"600"}, "Vary": {varyPreflight}}},
	{name: "preflight without ACRH sends no ACAH", method: "OPTIONS", header: [][2]string{origin(app), acrm("DELETE")}, status: 204,
		want: map[string][]string{"Access-Control-Allow-Origin": {app}, "Access-Control-Allow-Credentials": {"true"}, "Access-Control-Allow-Methods": {"PUT, DELETE, PATCH"}, "Access-Control-Max-Age": {"600"}, "Vary": {varyPreflight}}},
	{name: "preflight from disallowed origin is 403 without CORS headers", method: "OPTIONS", header: [][2]string{origin("https://evil.example.net"), acrm("PUT")}, status: 403},
	{name: "preflight for a method not allowed is 403", method: "OPTIONS", header: [][2]string{origin(app), acrm("PURGE")}, status: 403},
	{name: "method names are case-sensitive", method: "OPTIONS", header: [][2]string{origin(app), acrm("patch")}, status: 403},
	{name: "ACRM that is not a token is 403", method: "OPTIONS", header: [][2]string{origin(app), acrm("PU T")}, status: 403},
	{name: "empty ACRM is 403", method: "OPTIONS", header: [][2]string{origin(app), acrm("")}, status: 403},
	{name: "two ACRM field lines are 403", method: "OPTIONS", header: [][2]string{origin(app), acrm("PUT"), acrm("PUT")}, status: 403},
	{name: "ACRH tolerates spaces case repeats and empty items", method: "OPTIONS", header: [][2]string{origin(app), acrm("PUT"), acrh(" Content-Type ,\tAUTHORIZATION,, content-type ,")}, status: 204, want: allowedPreflight(app)},
	{name: "ACRH on several field lines", method: "OPTIONS", header: [][2]string{origin(app), acrm("PUT"), acrh("authorization"), acrh("x-request-id")}, status: 204, want: allowedPreflight(app)},
	{name: "ACRH with a header not allowed is 403", method: "OPTIONS", header: [][2]string{origin(app), acrm("PUT"), acrh("authorization,x-evil")}, status: 403},
	{name: "ACRH item that is not a token is 403", method: "OPTIONS", header: [][2]string{origin(app), acrm("PUT"), acrh("content-type x-request-id")}, status: 403},
	{name: "ACRH over the byte cap is 403", method: "OPTIONS", header: [][2]string{origin(app), acrm("PUT"), acrh(strings.Repeat("a,", 1<<19))}, status: 403},
	{name: "ACRH over the item cap is 403", cfg: func(c *cors.Config) { c.RequestHeaders = []string{"*"} }, method: "OPTIONS", header: [][2]string{origin(app), acrm("PUT"), acrh(strings.Repeat("x-a,", cors.MaxRequestHeaders) + "x-a")}, status: 403},
	{name: "ACRH at the item cap passes", cfg: func(c *cors.Config) { c.RequestHeaders = []string{"*"} }, method: "OPTIONS", header: [][2]string{origin(app), acrm("PUT"), acrh(strings.TrimSuffix(strings.Repeat("x-a,", cors.MaxRequestHeaders), ","))}, status: 204,
		want: map[string][]string{"Access-Control-Allow-Origin": {app}, "Access-Control-Allow-Credentials": {"true"}, "Access-Control-Allow-Methods": {"PUT, DELETE, PATCH"}, "Access-Control-Allow-Headers": {strings.TrimSuffix(strings.Repeat("x-a,", cors.MaxRequestHeaders), ",")}, "Access-Control-Max-Age": {"600"}, "Vary": {varyPreflight}}},
	{name: "ACRH over the line cap is 403", method: "OPTIONS", header: append([][2]string{origin(app), acrm("PUT")}, slices.Repeat([][2]string{acrh("authorization")}, cors.MaxRequestHeadersLines+1)...), status: 403},
	{name: "many allowed headers match in any case", cfg: func(c *cors.Config) {
		c.RequestHeaders = []string{"X-H0", "X-H1", "X-H2", "X-H3", "X-H4", "X-H5", "X-H6", "X-H7", "X-H8", "X-H9"}
	}, method: "OPTIONS", header: [][2]string{origin(app), acrm("PUT"), acrh("X-H9, x-h1,x-H5")}, status: 204,
		want: func() map[string][]string {
			m := allowedPreflight(app)
			m["Access-Control-Allow-Headers"] = []string{"x-h0, x-h1, x-h2, x-h3, x-h4, x-h5, x-h6, x-h7, x-h8, x-h9"}
			return m
		}()},
	{name: "many allowed headers refuse others", cfg: func(c *cors.Config) {
		c.RequestHeaders = []string{"X-H0", "X-H1", "X-H2", "X-H3", "X-H4", "X-H5", "X-H6", "X-H7", "X-H8", "X-H9"}
	}, method: "OPTIONS", header: [][2]string{origin(app), acrm("PUT"), acrh("x-h1,X-H10")}, status: 403},
	{name: "wildcard headers never cover Authorization", cfg: func(c *cors.Config) { c.RequestHeaders = []string{"*"} }, method: "OPTIONS", header: [][2]string{origin(app), acrm("PUT"), acrh("authorization,x-custom")}, status: 403},
	{name: "wildcard headers with Authorization listed reflect the list", cfg: func(c *cors.Config) { c.RequestHeaders = []string{"*", "Authorization"} }, method: "OPTIONS", header: [][2]string{origin(app), acrm("PUT"), acrh("authorization,x-custom")}, status: 204,
		want: map[string][]string{"Access-Control-Allow-Origin": {app}, "Access-Control-Allow-Credentials": {"true"}, "Access-Control-Allow-Methods": {"PUT, DELETE, PATCH"}, "Access-Control-Allow-Headers": {"authorization,x-custom"}, "Access-Control-Max-Age": {"600"}, "Vary": {varyPreflight}}},
	{name: "wildcard methods reflect the method", cfg: func(c *cors.Config) { c.Methods = []string{"*"} }, method: "OPTIONS", header: [][2]string{origin(app), acrm("PURGE")}, status: 204,
		want: map[string][]string{"Access-Control-Allow-Origin": {app}, "Access-Control-Allow-Credentials": {"true"}, "Access-Control-Allow-Methods": {"PURGE"}, "Access-Control-Max-Age": {"600"}, "Vary": {varyPreflight}}},
	{name: "wildcard methods never allow TRACE", cfg: func(c *cors.Config) { c.Methods = []string{"*"} }, method: "OPTIONS", header: [][2]string{origin(app), acrm("TRACE")}, status: 403},
	{name: "wildcard methods never allow trace in any case", cfg: func(c *cors.Config) { c.Methods = []string{"*"} }, method: "OPTIONS", header: [][2]string{origin(app), acrm("trace")}, status: 403},
	{name: "preflight status 200 when configured", cfg: func(c *cors.Config) { c.PreflightStatus = 200 }, method: "OPTIONS", header: [][2]string{origin(app), acrm("PUT"), acrh("authorization")}, status: 200, want: allowedPreflight(app)},
	{name: "preflight passthrough reaches next with headers set", cfg: func(c *cors.Config) { c.PreflightPassthrough = true }, method: "OPTIONS", header: [][2]string{origin(app), acrm("PUT"), acrh("authorization")}, wantNext: true, want: allowedPreflight(app)},
	{name: "failed preflight is not passed through", cfg: func(c *cors.Config) { c.PreflightPassthrough = true }, method: "OPTIONS", header: [][2]string{origin(app), acrm("PURGE")}, status: 403},
	{name: "debug explains a failed origin", cfg: func(c *cors.Config) { c.Debug = true }, method: "OPTIONS", header: [][2]string{origin("https://evil.example.net"), acrm("PUT")}, status: 403, want: map[string][]string{"Cors-Debug": {"origin not allowed"}}},
	{name: "debug explains a failed method", cfg: func(c *cors.Config) { c.Debug = true }, method: "OPTIONS", header: [][2]string{origin(app), acrm("PURGE")}, status: 403, want: map[string][]string{"Cors-Debug": {"method not allowed"}}},
	{name: "debug explains failed headers", cfg: func(c *cors.Config) { c.Debug = true }, method: "OPTIONS", header: [][2]string{origin(app), acrm("PUT"), acrh("x-evil")}, status: 403, want: map[string][]string{"Cors-Debug": {"request headers not allowed"}}},
	{name: "debug explains an oversized list", cfg: func(c *cors.Config) { c.Debug = true }, method: "OPTIONS", header: [][2]string{origin(app), acrm("PUT"), acrh(strings.Repeat("a", cors.MaxRequestHeadersBytes+1))}, status: 403, want: map[string][]string{"Cors-Debug": {"request headers list too large"}}},
	{name: "any origin preflight sends star and varies on the request only", cfg: func(c *cors.Config) { *c = cors.Config{Origins: []string{"*"}, Methods: []string{"PUT"}} }, method: "OPTIONS", header: [][2]string{origin("https://anyone.example"), acrm("PUT")}, status: 204,
		want: map[string][]string{"Access-Control-Allow-Origin": {"*"}, "Access-Control-Allow-Methods": {"PUT"}, "Vary": {"Access-Control-Request-Method, Access-Control-Request-Headers"}}},
	{name: "negative max age sends zero", cfg: func(c *cors.Config) { c.MaxAge = -1 }, method: "OPTIONS", header: [][2]string{origin(app), acrm("PUT"), acrh("authorization")}, status: 204,
		want: func() map[string][]string {
			m := allowedPreflight(app)
			m["Access-Control-Max-Age"] = []string{"0"}
			return m
		}()},
	{name: "zero max age sends none", cfg: func(c *cors.Config) { c.MaxAge = 0 }, method: "OPTIONS", header: [][2]string{origin(app), acrm("PUT"), acrh("authorization")}, status: 204,
		want: func() map[string][]string { m := allowedPreflight(app); delete(m, "Access-Control-Max-Age"); return m }()},
	{name: "preflight keeps an outer Vary", method: "OPTIONS", header: [][2]string{origin(app), acrm("PUT"), acrh("authorization")}, outer: [][2]string{{"Vary", "Accept-Encoding"}}, status: 204,
		want: func() map[string][]string {
			m := allowedPreflight(app)
			m["Vary"] = []string{"Accept-Encoding", varyPreflight}
			return m
		}()},
}

func TestSpec(t *testing.T) {
	for _, tc := range specCases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := baseConfig()
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			m, err := cors.New(cfg)
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			reached := false
			next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { reached = true })
			r := httptest.NewRequest(tc.method, "https://api.example.com/v1/items", nil)
			for _, h := range tc.header {
				r.Header.Add(h[0], h[1])
			}
			w := httptest.NewRecorder()
			for _, h := range tc.outer {
				w.Header().Add(h[0], h[1])
			}
			m.Handler(next).ServeHTTP(w, r)

			if reached != tc.wantNext {
				t.Errorf("next reached = %v, want %v", reached, tc.wantNext)
			}
			wantStatus := tc.status
			if wantStatus == 0 {
				wantStatus = 200
			}
			if w.Code != wantStatus {
				t.Errorf("status = %d, want %d", w.Code, wantStatus)
			}
			for _, k := range corsHeaders {
				got, want := w.Header()[k], tc.want[k]
				if !slices.Equal(got, want) {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
			if wantStatus == 403 {
				assertProblem(t, w)
			}
		})
	}
}

func assertProblem(t *testing.T, w *httptest.ResponseRecorder) {
	t.Helper()
	if ct := w.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type = %q", ct)
	}
	if v := w.Header().Get("X-Content-Type-Options"); v != "nosniff" {
		t.Errorf("X-Content-Type-Options = %q", v)
	}
	if v := w.Header().Get("Cache-Control"); v != "no-store" {
		t.Errorf("Cache-Control = %q", v)
	}
	var p map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
		t.Fatalf("body %q: %v", w.Body, err)
	}
	want := map[string]any{"type": "about:blank", "title": "Forbidden", "status": 403.0, "detail": "The cross-origin request is not allowed."}
	if len(p) != len(want) {
		t.Errorf("problem = %v, want %v", p, want)
	}
	for k, v := range want {
		if p[k] != v {
			t.Errorf("problem[%s] = %v, want %v", k, p[k], v)
		}
	}
}

// TestDenyHandlerReceivesTypedError checks the hook gets the sentinel for
// each failed preflight step and, with Debug, that the response it writes
// still carries the Cors-Debug reason (and without Debug, none).
func TestDenyHandlerReceivesTypedError(t *testing.T) {
	tests := []struct {
		name   string
		header [][2]string
		want   error
		reason string
	}{
		{"origin", [][2]string{origin("https://evil.example.net"), acrm("PUT")}, cors.ErrOriginNotAllowed, "origin not allowed"},
		{"method", [][2]string{origin(app), acrm("PURGE")}, cors.ErrMethodNotAllowed, "method not allowed"},
		{"headers", [][2]string{origin(app), acrm("PUT"), acrh("x-evil")}, cors.ErrHeadersNotAllowed, "request headers not allowed"},
		{"size", [][2]string{origin(app), acrm("PUT"), acrh(strings.Repeat("a", 1<<20))}, cors.ErrHeadersTooLarge, "request headers list too large"},
	}
	for _, tc := range tests {
		for _, debug := range []bool{false, true} {
			t.Run(tc.name+"/debug="+strconv.FormatBool(debug), func(t *testing.T) {
				cfg := baseConfig()
				cfg.Debug = debug
				var got error
				cfg.DenyHandler = func(w http.ResponseWriter, r *http.Request, err error) {
					got = err
					w.WriteHeader(http.StatusTeapot)
				}
				m, err := cors.New(cfg)
				if err != nil {
					t.Fatal(err)
				}
				r := httptest.NewRequest("OPTIONS", "/", nil)
				for _, h := range tc.header {
					r.Header.Add(h[0], h[1])
				}
				w := httptest.NewRecorder()
				m.Handler(http.NotFoundHandler()).ServeHTTP(w, r)
				if !errors.Is(got, tc.want) {
					t.Errorf("DenyHandler got %v, want %v", got, tc.want)
				}
				if w.Code != http.StatusTeapot {
					t.Errorf("status = %d, want the hook's 418", w.Code)
				}
				if w.Header().Get("Access-Control-Allow-Origin") != "" {
					t.Error("failed preflight carries ACAO")
				}
				var want []string
				if debug {
					want = []string{tc.reason}
				}
				if got := w.Header()["Cors-Debug"]; !slices.Equal(got, want) {
					t.Errorf("Cors-Debug = %q, want %q", got, want)
				}
			})
		}
	}
}
