package headers_test

import (
	"bytes"
	"crypto/tls"
	"encoding/base64"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/apisec-go/apisec/headers"
)

const (
	apiCSP  = "default-src 'none'; frame-ancestors 'none'"
	denyAll = "accelerometer=(), autoplay=(), camera=(), clipboard-read=(), " +
		"clipboard-write=(), display-capture=(), encrypted-media=(), fullscreen=(), " +
		"gamepad=(), geolocation=(), gyroscope=(), hid=(), idle-detection=(), " +
		"interest-cohort=(), keyboard-map=(), magnetometer=(), microphone=(), midi=(), " +
		"payment=(), picture-in-picture=(), publickey-credentials-get=(), " +
		"screen-wake-lock=(), serial=(), sync-xhr=(), usb=(), web-share=(), " +
		"xr-spatial-tracking=()"
	hsts2y = "max-age=63072000; includeSubDomains"
)

func mustNew(t testing.TB, cfg headers.Config) *headers.Middleware {
	t.Helper()
	m, err := headers.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return m
}

var okHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, `{"ok":true}`)
})

// serve runs one request through h and returns the recorded response.
func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}

func httpsRequest(method, target string) *http.Request {
	r := httptest.NewRequest(method, target, nil)
	r.TLS = &tls.ConnectionState{}
	return r
}

func TestAPIProfileHeaders(t *testing.T) {
	want := map[string]string{
		"Content-Security-Policy":           apiCSP,
		"X-Content-Type-Options":            "nosniff",
		"X-Frame-Options":                   "DENY",
		"Referrer-Policy":                   "no-referrer",
		"Cross-Origin-Resource-Policy":      "same-origin",
		"Cross-Origin-Opener-Policy":        "same-origin",
		"Permissions-Policy":                denyAll,
		"X-Permitted-Cross-Domain-Policies": "none",
		"X-Xss-Protection":                  "0",
		"Cache-Control":                     "no-store",
		"Strict-Transport-Security":         hsts2y,
		"Content-Type":                      "application/json",
	}
	rec := serve(mustNew(t, headers.Config{}).Handler(okHandler), httpsRequest("GET", "https://api.example.com/"))
	if len(rec.Header()) != len(want) {
		t.Errorf("got %d headers %v, want %d", len(rec.Header()), rec.Header(), len(want))
	}
	for name, v := range want {
		if got := rec.Header().Values(name); len(got) != 1 || got[0] != v {
			t.Errorf("%s = %q, want [%q]", name, got, v)
		}
	}
}

func TestHTMLProfileHeaders(t *testing.T) {
	var seen string
	h := mustNew(t, headers.Config{Profile: headers.ProfileHTML}).Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = headers.Nonce(r.Context())
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, `<script nonce="`+seen+`"></script>`)
	}))
	rec := serve(h, httpsRequest("GET", "https://www.example.com/"))
	raw, err := base64.StdEncoding.DecodeString(seen)
	if err != nil || len(raw) != 16 {
		t.Fatalf("nonce %q: want 16 random bytes in base64 (err %v)", seen, err)
	}
	want := "default-src 'self'; script-src 'nonce-" + seen + "' 'strict-dynamic'; style-src 'nonce-" + seen +
		"' 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
	if got := rec.Header().Get("Content-Security-Policy"); got != want {
		t.Errorf("CSP = %q\nwant  %q", got, want)
	}
	for name, v := range map[string]string{
		"X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer", "Cache-Control": "no-store",
		"Strict-Transport-Security": hsts2y, "X-Content-Type-Options": "nosniff",
	} {
		if got := rec.Header().Get(name); got != v {
			t.Errorf("%s = %q, want %q", name, got, v)
		}
	}
}

// TestNonceIsFreshPerResponse defends the point of a nonce: a value an
// attacker saw once must not work again (CSP3 §7.2).
func TestNonceIsFreshPerResponse(t *testing.T) {
	h := mustNew(t, headers.Config{Profile: headers.ProfileHTML}).Handler(okHandler)
	re := regexp.MustCompile(`'nonce-([A-Za-z0-9+/=]+)'`)
	seen := map[string]bool{}
	for range 200 {
		csp := serve(h, httpsRequest("GET", "https://www.example.com/")).Header().Get("Content-Security-Policy")
		m := re.FindAllStringSubmatch(csp, -1)
		if len(m) != 2 || m[0][1] != m[1][1] {
			t.Fatalf("CSP %q: want the same nonce in script-src and style-src", csp)
		}
		if seen[m[0][1]] {
			t.Fatalf("nonce %q repeated", m[0][1])
		}
		seen[m[0][1]] = true
	}
}

func TestNonceEmptyWithoutNonceDirectives(t *testing.T) {
	for name, cfg := range map[string]headers.Config{
		"api":      {},
		"disabled": {Profile: headers.ProfileHTML, DisableNonces: true, Headers: map[string]string{"Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'"}},
	} {
		t.Run(name, func(t *testing.T) {
			got := "unset"
			h := mustNew(t, cfg).Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = headers.Nonce(r.Context()) }))
			rec := serve(h, httpsRequest("GET", "https://example.com/"))
			if got != "" {
				t.Errorf("Nonce = %q, want empty", got)
			}
			if strings.Contains(rec.Header().Get("Content-Security-Policy"), "nonce") {
				t.Errorf("CSP %q has a nonce", rec.Header().Get("Content-Security-Policy"))
			}
		})
	}
	if got := headers.Nonce(httptest.NewRequest("GET", "/", nil).Context()); got != "" {
		t.Errorf("Nonce of a bare context = %q", got)
	}
}

func TestReportOnlyMode(t *testing.T) {
	m := mustNew(t, headers.Config{CSPReportOnly: true, CSPReportURI: "/csp-reports"})
	rec := serve(m.Handler(okHandler), httpsRequest("GET", "https://example.com/"))
	if got := rec.Header().Values("Content-Security-Policy"); got != nil {
		t.Errorf("enforced CSP sent in report-only mode: %q", got)
	}
	if got, want := rec.Header().Get("Content-Security-Policy-Report-Only"), apiCSP+"; report-uri /csp-reports"; got != want {
		t.Errorf("report-only CSP = %q, want %q", got, want)
	}
}

// TestHeadersSurviveEarlyWriteHeader: a handler that calls WriteHeader
// before touching the header map still sends every header (issue 6).
func TestHeadersSurviveEarlyWriteHeader(t *testing.T) {
	cases := []struct {
		name    string
		handler http.HandlerFunc
		status  int
	}{
		{"WriteHeader first", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusCreated) }, 201},
		{"Write only", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("x")) }, 200},
		{"nothing written", func(w http.ResponseWriter, r *http.Request) {}, 200},
		{"Flush first", func(w http.ResponseWriter, r *http.Request) { w.(http.Flusher).Flush() }, 200},
		{"ResponseController flush", func(w http.ResponseWriter, r *http.Request) { _ = http.NewResponseController(w).Flush() }, 200},
		{"io.Copy", func(w http.ResponseWriter, r *http.Request) { _, _ = io.Copy(w, strings.NewReader("body")) }, 200},
		{"early hints then 204", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusEarlyHints)
			w.WriteHeader(http.StatusNoContent)
		}, 204},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewTLSServer(mustNew(t, headers.Config{}).Handler(tc.handler))
			defer srv.Close()
			resp, err := srv.Client().Get(srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			_ = resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.status)
			}
			for name, v := range map[string]string{
				"Content-Security-Policy": apiCSP, "X-Frame-Options": "DENY", "Cache-Control": "no-store",
				"Strict-Transport-Security": hsts2y, "X-Content-Type-Options": "nosniff",
			} {
				if got := resp.Header.Get(name); got != v {
					t.Errorf("%s = %q, want %q", name, got, v)
				}
			}
		})
	}
}

// TestServerAndPoweredByRemoved: fingerprinting headers go even when the
// handler sets them, whatever way it writes (OWASP Secure Headers Project).
func TestServerAndPoweredByRemoved(t *testing.T) {
	for _, tc := range []struct {
		name  string
		write func(w http.ResponseWriter)
	}{
		{"WriteHeader", func(w http.ResponseWriter) { w.WriteHeader(200) }},
		{"Write", func(w http.ResponseWriter) { _, _ = w.Write([]byte("x")) }},
		{"no write", func(w http.ResponseWriter) {}},
		{"Flush", func(w http.ResponseWriter) { w.(http.Flusher).Flush() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := mustNew(t, headers.Config{}).Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Server", "nginx/1.2.3")
				w.Header().Set("X-Powered-By", "PHP/5.4")
				tc.write(w)
			}))
			rec := serve(h, httptest.NewRequest("GET", "/", nil))
			for _, name := range []string{"Server", "X-Powered-By"} {
				if v, ok := rec.Header()[name]; ok {
					t.Errorf("%s: %q still sent", name, v)
				}
			}
		})
	}
}

func TestCacheControlDefaultAndHandlerOwn(t *testing.T) {
	cases := []struct {
		name string
		cfg  headers.Config
		set  string
		want []string
	}{
		{"default no-store", headers.Config{}, "", []string{"no-store"}},
		{"handler sets its own", headers.Config{}, "public, max-age=60", []string{"public, max-age=60"}},
		{"html default no-store", headers.Config{Profile: headers.ProfileHTML}, "", []string{"no-store"}},
		{"removed", headers.Config{Remove: []string{"Cache-Control"}}, "", nil},
		{"configured", headers.Config{Headers: map[string]string{"Cache-Control": "private, no-cache"}}, "", []string{"private, no-cache"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := mustNew(t, tc.cfg).Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tc.set != "" {
					w.Header().Add("Cache-Control", tc.set) // Add, not Set: no no-store must be there yet
				}
				w.WriteHeader(200)
			}))
			got := serve(h, httptest.NewRequest("GET", "/", nil)).Header().Values("Cache-Control")
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("Cache-Control = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestOverrideAndRemove(t *testing.T) {
	m := mustNew(t, headers.Config{
		Headers: map[string]string{
			"x-frame-options":              "SAMEORIGIN",
			"Cross-Origin-Embedder-Policy": "require-corp",
			"Referrer-Policy":              "strict-origin-when-cross-origin",
		},
		Remove: []string{"X-Xss-Protection", "permissions-policy"},
	})
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Del("Cross-Origin-Opener-Policy") // a handler may drop one for a route
	}))
	got := serve(h, httptest.NewRequest("GET", "/", nil)).Header()
	for name, want := range map[string]string{
		"X-Frame-Options": "SAMEORIGIN", "Cross-Origin-Embedder-Policy": "require-corp",
		"Referrer-Policy": "strict-origin-when-cross-origin", "X-Xss-Protection": "",
		"Permissions-Policy": "", "Cross-Origin-Opener-Policy": "", "X-Content-Type-Options": "nosniff",
	} {
		if g := got.Get(name); g != want {
			t.Errorf("%s = %q, want %q", name, g, want)
		}
	}
}

// vandal appends to X-Frame-Options and overwrites every value it is
// given in place, as a careless handler editing w.Header() would.
var vandal = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h["X-Frame-Options"] = append(h["X-Frame-Options"], "polluted")
	for _, v := range h {
		for i := range v {
			v[i] = "mutated"
		}
	}
})

// TestNoSharedHeaderSlices: one response's values must not be reachable
// from another response, nor one header's from another header, or a
// handler's Add or in-place edit (or the next response's own writes)
// would change headers already handed out. Each response's header map is
// kept as it is (not copied) while the next request, with other inputs (a
// fresh nonce, plain HTTP instead of HTTPS), is served through a handler
// that appends to one header and overwrites every value; the kept
// response must still be exact.
func TestNoSharedHeaderSlices(t *testing.T) {
	for name, cfg := range map[string]headers.Config{
		"profile=api":  {},
		"profile=html": {Profile: headers.ProfileHTML},
	} {
		t.Run(name, func(t *testing.T) {
			m := mustNew(t, cfg)
			var nonce string
			clean := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { nonce = headers.Nonce(r.Context()) }))
			vandalized := m.Handler(vandal)
			requests := []*http.Request{httpsRequest("GET", "https://example.com/"), httptest.NewRequest("GET", "http://example.com/", nil)}
			var prev, prevWant http.Header
			for i := range 200 {
				h := serve(clean, requests[i%2]).Header()
				want := h.Clone() // the expectation; h itself is what is checked
				if cfg.Profile == headers.ProfileHTML && !strings.Contains(want.Get("Content-Security-Policy"), "'nonce-"+nonce+"'") {
					t.Fatalf("response %d: CSP %q lacks its nonce %q", i, want.Get("Content-Security-Policy"), nonce)
				}
				if prev != nil && !maps.EqualFunc(prev, prevWant, slices.Equal) {
					t.Fatalf("response %d changed after response %d:\n%v\nwant %v", i-1, i, prev, prevWant)
				}
				own := serve(vandalized, requests[(i+1)%2]).Header()
				if got := own.Values("X-Frame-Options"); len(got) != 2 {
					t.Fatalf("vandalized X-Frame-Options = %q", got)
				}
				if got := own.Values("X-Content-Type-Options"); len(got) != 1 {
					t.Fatalf("append to X-Frame-Options changed X-Content-Type-Options: %q", got)
				}
				if !maps.EqualFunc(h, want, slices.Equal) {
					t.Fatalf("response %d changed after the next one was vandalized:\n%v\nwant %v", i, h, want)
				}
				prev, prevWant = h, want
			}
		})
	}
}

// TestConcurrentResponsesDoNotShareHeaderValues: goroutines serving at the
// same time each keep their own responses (each with its own nonce),
// vandalize others in between, and check their kept responses only after
// every goroutine has served all of its requests.
func TestConcurrentResponsesDoNotShareHeaderValues(t *testing.T) {
	const goroutines, perGoroutine = 8, 64
	m := mustNew(t, headers.Config{Profile: headers.ProfileHTML})
	vandalized := m.Handler(vandal)
	var served, done sync.WaitGroup
	served.Add(goroutines)
	for g := range goroutines {
		done.Go(func() {
			var nonce string
			clean := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { nonce = headers.Nonce(r.Context()) }))
			kept, wants := make([]http.Header, perGoroutine), make([]http.Header, perGoroutine)
			for i := range kept {
				kept[i] = serve(clean, httpsRequest("GET", "https://example.com/")).Header()
				wants[i] = kept[i].Clone()
				if !strings.Contains(wants[i].Get("Content-Security-Policy"), "'nonce-"+nonce+"'") {
					t.Errorf("goroutine %d response %d: CSP %q lacks its nonce", g, i, wants[i].Get("Content-Security-Policy"))
				}
				serve(vandalized, httpsRequest("GET", "https://example.com/"))
			}
			served.Done()
			served.Wait() // every goroutine has served all its requests
			for i := range kept {
				if !maps.EqualFunc(kept[i], wants[i], slices.Equal) {
					t.Errorf("goroutine %d response %d changed:\n%v\nwant %v", g, i, kept[i], wants[i])
					return
				}
			}
		})
	}
	done.Wait()
}

// TestHSTSOnlyOverHTTPS: HSTS on plain HTTP is ignored by browsers (RFC
// 6797 §8.1) and proves a misconfiguration; forwarded-proto headers count
// only from trusted proxies, else any client could flip the decision.
func TestHSTSOnlyOverHTTPS(t *testing.T) {
	xfp := headers.Config{TrustedProxies: []string{"10.0.0.0/8"}, ProtoSource: headers.ProtoFromXForwardedProto}
	fwd := headers.Config{TrustedProxies: []string{"10.0.0.0/8"}, ProtoSource: headers.ProtoFromForwarded}
	cases := []struct {
		name   string
		cfg    headers.Config
		tls    bool
		remote string
		hdr    map[string][]string
		want   bool
	}{
		{"tls", headers.Config{}, true, "192.0.2.1:1234", nil, true},
		{"plain http", headers.Config{}, false, "192.0.2.1:1234", nil, false},
		{"xfp ignored by default", headers.Config{}, false, "10.0.0.1:1234", map[string][]string{"X-Forwarded-Proto": {"https"}}, false},
		{"xfp from trusted proxy", xfp, false, "10.0.0.1:1234", map[string][]string{"X-Forwarded-Proto": {"https"}}, true},
		{"xfp uppercase", xfp, false, "10.0.0.1:1234", map[string][]string{"X-Forwarded-Proto": {"HTTPS"}}, true},
		{"xfp from untrusted peer", xfp, false, "192.0.2.1:1234", map[string][]string{"X-Forwarded-Proto": {"https"}}, false},
		{"xfp http", xfp, false, "10.0.0.1:1234", map[string][]string{"X-Forwarded-Proto": {"http"}}, false},
		{"xfp client https then proxy http", xfp, false, "10.0.0.1:1234", map[string][]string{"X-Forwarded-Proto": {"https, http"}}, false},
		{"xfp second line wins", xfp, false, "10.0.0.1:1234", map[string][]string{"X-Forwarded-Proto": {"http", "https"}}, true},
		{"forwarded not read in xfp mode", xfp, false, "10.0.0.1:1234", map[string][]string{"Forwarded": {"proto=https"}}, false},
		{"forwarded trusted", fwd, false, "10.0.0.1:1234", map[string][]string{"Forwarded": {"for=192.0.2.1;proto=https"}}, true},
		{"forwarded quoted", fwd, false, "10.0.0.1:1234", map[string][]string{"Forwarded": {`for="[2001:db8::1]";proto="https"`}}, true},
		{"forwarded last element wins", fwd, false, "10.0.0.1:1234", map[string][]string{"Forwarded": {"proto=https, for=10.0.0.2;proto=http"}}, false},
		{"forwarded repeated proto", fwd, false, "10.0.0.1:1234", map[string][]string{"Forwarded": {"proto=https;proto=https"}}, false},
		{"forwarded untrusted", fwd, false, "192.0.2.1:1234", map[string][]string{"Forwarded": {"proto=https"}}, false},
		{"xfp not read in forwarded mode", fwd, false, "10.0.0.1:1234", map[string][]string{"X-Forwarded-Proto": {"https"}}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := mustNew(t, tc.cfg)
			r := httptest.NewRequest("GET", "http://example.com/", nil)
			r.RemoteAddr = tc.remote
			if tc.tls {
				r.TLS = &tls.ConnectionState{}
			}
			for k, v := range tc.hdr {
				r.Header[k] = v
			}
			if got := m.IsHTTPS(r); got != tc.want {
				t.Errorf("IsHTTPS = %v, want %v", got, tc.want)
			}
			got := serve(m.Handler(okHandler), r).Header().Get("Strict-Transport-Security")
			if (got != "") != tc.want {
				t.Errorf("Strict-Transport-Security = %q, want sent=%v", got, tc.want)
			}
		})
	}
}

func TestHSTSValues(t *testing.T) {
	cases := []struct {
		name string
		cfg  headers.Config
		want string
	}{
		{"default", headers.Config{}, hsts2y},
		{"one year", headers.Config{HSTSMaxAge: 365 * 24 * 3600e9}, "max-age=31536000; includeSubDomains"},
		{"exclude subdomains", headers.Config{HSTSExcludeSubDomains: true}, "max-age=63072000"},
		{"preload", headers.Config{HSTSPreload: true, RedirectHTTPS: true, AllowedHosts: []string{"example.com"}}, hsts2y + "; preload"},
		{"removed", headers.Config{Remove: []string{"Strict-Transport-Security"}}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := serve(mustNew(t, tc.cfg).Handler(okHandler), httpsRequest("GET", "https://example.com/")).Header().Get("Strict-Transport-Security")
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestRedirectToHTTPS(t *testing.T) {
	base := headers.Config{RedirectHTTPS: true, AllowedHosts: []string{"example.com", "*.example.org"}}
	port := base
	port.HTTPSPort = 8443
	moved := base
	moved.RedirectStatus = 301
	cases := []struct {
		name     string
		cfg      headers.Config
		method   string
		target   string
		host     string
		hdr      map[string]string
		status   int
		location string
	}{
		{"308 same host and path", base, "GET", "/a/b?x=1&y=%20", "example.com", nil, 308, "https://example.com/a/b?x=1&y=%20"},
		{"post keeps 308", base, "POST", "/submit", "example.com", nil, 308, "https://example.com/submit"},
		{"port dropped", base, "GET", "/", "example.com:80", nil, 308, "https://example.com/"},
		{"uppercase host normalized", base, "GET", "/", "EXAMPLE.com", nil, 308, "https://example.com/"},
		{"wildcard host", base, "GET", "/", "api.example.org", nil, 308, "https://api.example.org/"},
		{"custom port", port, "GET", "/p", "example.com:8080", nil, 308, "https://example.com:8443/p"},
		{"301 configured", moved, "GET", "/", "example.com", nil, 301, "https://example.com/"},
		{"double slash path stays on host", base, "GET", "//evil.example/x", "example.com", nil, 308, "https://example.com//evil.example/x"},
		{"unknown host not redirected", base, "GET", "/", "evil.example", nil, 421, ""},
		{"malformed host", base, "GET", "/", "example.com@evil.example", nil, 400, ""},
		{"x-forwarded-host ignored", base, "GET", "/", "example.com", map[string]string{"X-Forwarded-Host": "evil.example"}, 308, "https://example.com/"},
		{"https request passes", base, "GET", "/", "example.com", map[string]string{"tls": "1"}, 200, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, "http://placeholder"+tc.target, strings.NewReader("body"))
			r.Host = tc.host
			for k, v := range tc.hdr {
				if k == "tls" {
					r.TLS = &tls.ConnectionState{}
					continue
				}
				r.Header.Set(k, v)
			}
			rec := serve(mustNew(t, tc.cfg).Handler(okHandler), r)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d", rec.Code, tc.status)
			}
			if got := rec.Header().Get("Location"); got != tc.location {
				t.Errorf("Location = %q, want %q", got, tc.location)
			}
			if rec.Code >= 300 && rec.Header().Get("Strict-Transport-Security") != "" {
				t.Error("HSTS sent on a plain-HTTP response")
			}
			if rec.Code != 308 && rec.Code != 301 && rec.Header().Get("X-Frame-Options") != "DENY" {
				t.Error("security headers missing on this response")
			}
		})
	}
}

// TestRejectsOpenRedirectThroughHost is the regression test for the
// unrolled/secure open redirect: a forged Host or X-Forwarded-Host must
// never become the redirect target.
func TestRejectsOpenRedirectThroughHost(t *testing.T) {
	m := mustNew(t, headers.Config{RedirectHTTPS: true, AllowedHosts: []string{"example.com"}})
	for _, host := range []string{"evil.example", "example.com.evil.example", "evilexample.com", "", "example.com:80:80", "[::1]", "example.com/evil"} {
		r := httptest.NewRequest("GET", "http://x/", nil)
		r.Host = host
		r.Header.Set("X-Forwarded-Host", "evil.example")
		rec := serve(m.Handler(okHandler), r)
		if loc := rec.Header().Get("Location"); loc != "" || rec.Code < 400 {
			t.Errorf("Host %q: status %d Location %q, want a 4xx and no redirect", host, rec.Code, loc)
		}
	}
}

func TestAllowedHostsInMiddleware(t *testing.T) {
	var logs bytes.Buffer
	cfg := headers.Config{AllowedHosts: []string{"example.com"}, UnknownHostStatus: 400,
		Logger: slog.New(slog.NewJSONHandler(&logs, nil))}
	m := mustNew(t, cfg)
	r := httpsRequest("GET", "https://evil.example/")
	rec := serve(m.Handler(okHandler), r)
	if rec.Code != 400 || rec.Header().Get("Content-Type") != "application/problem+json" {
		t.Fatalf("status %d type %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	if strings.Contains(rec.Body.String(), "evil") {
		t.Errorf("body echoes the host: %s", rec.Body)
	}
	if !strings.Contains(logs.String(), `"msg":"input_validation_fail"`) || !strings.Contains(logs.String(), "unknown host") {
		t.Errorf("log = %s", logs.String())
	}
	if rec := serve(m.Handler(okHandler), httpsRequest("GET", "https://example.com/")); rec.Code != 200 {
		t.Errorf("allowed host got %d", rec.Code)
	}
}

func TestNonceInsertedIntoCustomPolicy(t *testing.T) {
	var nonce string
	m := mustNew(t, headers.Config{Headers: map[string]string{
		"Content-Security-Policy": "default-src 'none'; script-src 'self' 'strict-dynamic'; img-src 'self'",
	}})
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { nonce = headers.Nonce(r.Context()) }))
	got := serve(h, httpsRequest("GET", "https://example.com/")).Header().Get("Content-Security-Policy")
	want := "default-src 'none'; script-src 'nonce-" + nonce + "' 'self' 'strict-dynamic'; img-src 'self'"
	if nonce == "" || got != want {
		t.Errorf("CSP = %q, want %q", got, want)
	}
}

// TestNonceNeverJoinsNone: browsers ignore 'none' in a source list that
// names other sources (the note in CSP3 #match-url-to-source-list), so a
// nonce inserted beside it would turn "no script at all" into "nonced
// scripts allowed". A directive whose only source is 'none' keeps it
// alone, enforced or report-only; the other nonced directive still gets
// the nonce.
func TestNonceNeverJoinsNone(t *testing.T) {
	cases := []struct {
		name, policy, want string // in want, NONCE stands for the response's nonce
	}{
		{"both none", "script-src 'none'; style-src 'none'", "script-src 'none'; style-src 'none'"},
		{"script none", "default-src 'self'; script-src 'none'; style-src 'self'", "default-src 'self'; script-src 'none'; style-src 'nonce-NONCE' 'self'"},
		{"style none in capitals", "default-src 'self'; script-src 'self'; style-src 'NONE'", "default-src 'self'; script-src 'nonce-NONCE' 'self'; style-src 'none'"},
	}
	for _, tc := range cases {
		for _, reportOnly := range []bool{false, true} {
			header := cspHeaderName(reportOnly)
			name := "enforced"
			if reportOnly {
				name = "report-only"
			}
			t.Run(tc.name+"/"+name, func(t *testing.T) {
				m := mustNew(t, headers.Config{CSPReportOnly: reportOnly, Headers: map[string]string{"Content-Security-Policy": tc.policy}})
				nonce := "unset"
				h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { nonce = headers.Nonce(r.Context()) }))
				rec := serve(h, httpsRequest("GET", "https://example.com/"))
				got := rec.Header().Values(header)
				want := strings.ReplaceAll(tc.want, "NONCE", nonce)
				if len(got) != 1 || got[0] != want {
					t.Fatalf("%s = %q, want [%q]", header, got, want)
				}
				if strings.Contains(tc.want, "NONCE") != (nonce != "") {
					t.Errorf("Nonce = %q for %q", nonce, got[0])
				}
				for _, dir := range strings.Split(got[0], ";") {
					if f := strings.Fields(dir); slices.Contains(f, "'none'") && len(f) > 2 {
						t.Errorf("directive %q lists 'none' beside other sources", dir)
					}
				}
				if other := rec.Header().Values(cspHeaderName(!reportOnly)); other != nil {
					t.Errorf("%s also sent: %q", cspHeaderName(!reportOnly), other)
				}
			})
		}
	}
}

func cspHeaderName(reportOnly bool) string {
	if reportOnly {
		return "Content-Security-Policy-Report-Only"
	}
	return "Content-Security-Policy"
}

// TestHijackPassesThrough: WebSocket-style upgrades still reach the
// connection through the wrapper.
func TestHijackPassesThrough(t *testing.T) {
	srv := httptest.NewServer(mustNew(t, headers.Config{}).Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Errorf("Hijack: %v", err)
			return
		}
		defer conn.Close()
		_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi")
		_ = buf.Flush()
	})))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if b, _ := io.ReadAll(resp.Body); string(b) != "hi" {
		t.Errorf("body %q", b)
	}
}

// TestNeverSendsXSSModeBlock: OWASP replaced "X-XSS-Protection: 1;
// mode=block" (sent by unrolled/secure and the seed) with 0; the auditor it
// enabled could be abused to leak data and is gone from browsers.
func TestNeverSendsXSSModeBlock(t *testing.T) {
	for _, p := range []headers.Profile{headers.ProfileAPI, headers.ProfileHTML} {
		rec := serve(mustNew(t, headers.Config{Profile: p}).Handler(okHandler), httpsRequest("GET", "https://example.com/"))
		if got := rec.Header().Values("X-Xss-Protection"); len(got) != 1 || got[0] != "0" {
			t.Errorf("profile %s: X-XSS-Protection = %q, want [0]", p, got)
		}
	}
	for _, v := range []string{"1; mode=block", "1", "1; report=https://r.example"} {
		if _, err := headers.New(headers.Config{Headers: map[string]string{"X-XSS-Protection": v}}); err == nil {
			t.Errorf("X-XSS-Protection %q accepted", v)
		}
	}
}
