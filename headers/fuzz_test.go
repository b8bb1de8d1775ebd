package headers_test

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/apisec-go/apisec/headers"
)

var cspSeeds = []string{
	"default-src 'none'; frame-ancestors 'none'",
	"default-src self",
	"default-src 'none'; scirpt-src 'self'",
	"default-src 'none', script-src 'self'",
	"script-src 'nonce-abc123'",
	"script-src 'none'; style-src 'NONE'",
	"script-src 'self' 'SHA256-abc+/=' https://cdn.example.com/js/; img-src data: https://*.example.com:443",
	"frame-ancestors 'self' https://app.example.com; sandbox allow-scripts; upgrade-insecure-requests",
	"report-uri /csp https://r.example/x; report-to csp; trusted-types a 'allow-duplicates'",
	"default-src 'none' 'self';;; ;",
	"img-src https://example.com:123456",
	"script-src 'sha256-!!'",
	"webrtc 'block'; require-trusted-types-for 'script'",
}

// FuzzCSP: any policy New accepts is sent as one field value without
// separators that would split it, and is itself accepted again.
func FuzzCSP(f *testing.F) {
	for _, s := range cspSeeds {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, policy string, weak bool) {
		m, err := headers.New(headers.Config{InsecureAllowWeakValues: weak, DisableNonces: true, Headers: map[string]string{"Content-Security-Policy": policy}})
		if err != nil {
			return
		}
		rec := serve(m.Handler(okHandler), httptest.NewRequest("GET", "/", nil))
		got := rec.Header().Get("Content-Security-Policy")
		if got == "" || strings.ContainsAny(got, "\r\n,\x00") {
			t.Fatalf("policy %q sent as %q", policy, got)
		}
		if _, err := headers.New(headers.Config{InsecureAllowWeakValues: weak, DisableNonces: true, Headers: map[string]string{"Content-Security-Policy": got}}); err != nil {
			t.Fatalf("serialized policy %q rejected: %v", got, err)
		}
		// With nonces on, a nonce never joins a lone 'none' (which browsers
		// would then ignore).
		m, err = headers.New(headers.Config{InsecureAllowWeakValues: weak, Headers: map[string]string{"Content-Security-Policy": policy}})
		if err != nil {
			return
		}
		nonced := serve(m.Handler(okHandler), httptest.NewRequest("GET", "/", nil)).Header().Get("Content-Security-Policy")
		for _, dir := range strings.Split(nonced, ";") {
			if f := strings.Fields(dir); len(f) > 2 && slices.Contains(f, "'none'") {
				t.Fatalf("policy %q sent with 'none' beside other sources: %q", policy, nonced)
			}
		}
	})
}

// FuzzPolicyHeaders feeds Referrer-Policy and Permissions-Policy values.
func FuzzPolicyHeaders(f *testing.F) {
	for _, s := range []string{"no-referrer", "no-referer", "unsafe-url", "no-referrer, strict-origin-when-cross-origin", ",,"} {
		f.Add("Referrer-Policy", s)
	}
	for _, s := range []string{"camera=()", `camera=(self "https://a.example"), fullscreen=*`, "Camera=()", "camera=(https://a)", "camera=(), camera=*", "geolocation"} {
		f.Add("Permissions-Policy", s)
	}
	f.Fuzz(func(t *testing.T, name, value string) {
		if http.CanonicalHeaderKey(name) == "Content-Security-Policy" {
			return // re-serialized on purpose; FuzzCSP covers it
		}
		m, err := headers.New(headers.Config{Headers: map[string]string{name: value}})
		if err != nil {
			return
		}
		rec := serve(m.Handler(okHandler), httptest.NewRequest("GET", "/", nil))
		if got := rec.Header().Get(name); got != value {
			t.Fatalf("%s: configured %q, sent %q", name, value, got)
		}
	})
}

// FuzzHost: nothing panics, and an accepted Host always names an allowed
// host.
func FuzzHost(f *testing.F) {
	for _, tc := range hostCases {
		f.Add(tc.host)
	}
	g, err := headers.NewHostGuard(headers.HostConfig{AllowedHosts: []string{"api.example.com", "*.example.org", "192.0.2.1", "[2001:db8::1]"}})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, host string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.Host = host
		if g.Check(r) != nil {
			return
		}
		h := strings.ToLower(host)
		if i := strings.LastIndexByte(h, ':'); i >= 0 && !strings.HasSuffix(h, "]") {
			h = h[:i]
		}
		h = strings.TrimSuffix(h, ".")
		ok := h == "api.example.com" || strings.HasSuffix(h, ".example.org") || h == "192.0.2.1" || strings.HasPrefix(h, "[2001:")
		if !ok {
			t.Fatalf("Host %q accepted", host)
		}
	})
}

// FuzzForwardedProto: never panics, and never trusts a header from an
// untrusted peer.
func FuzzForwardedProto(f *testing.F) {
	for _, s := range []string{"https", "HTTPS", "http, https", "https, http", "for=1.2.3.4;proto=https", `proto="https"`, "proto=https;proto=https", ";;=", ""} {
		f.Add(s, true)
		f.Add(s, false)
	}
	xfp := mustNew(f, headers.Config{TrustedProxies: []string{"10.0.0.0/8"}, ProtoSource: headers.ProtoFromXForwardedProto})
	fwd := mustNew(f, headers.Config{TrustedProxies: []string{"10.0.0.0/8"}, ProtoSource: headers.ProtoFromForwarded})
	f.Fuzz(func(t *testing.T, v string, trusted bool) {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = "192.0.2.1:1"
		if trusted {
			r.RemoteAddr = "10.1.2.3:1"
		}
		r.Header["X-Forwarded-Proto"] = []string{v}
		r.Header["Forwarded"] = []string{v}
		a, b := xfp.IsHTTPS(r), fwd.IsHTTPS(r)
		if !trusted && (a || b) {
			t.Fatalf("untrusted peer's %q counted as HTTPS", v)
		}
	})
}

// FuzzReport: any body gets 204, 400 or 413, and log records stay single
// lines of valid UTF-8.
func FuzzReport(f *testing.F) {
	for _, s := range []string{legacyReport, apiReports, `{"csp-report":`, `{"a":1}`, `[]`, `[{"type":"csp-violation","body":{"sample":"\u2028\u0085"}}]`} {
		f.Add("application/csp-report", s)
		f.Add("application/reports+json", s)
	}
	f.Fuzz(func(t *testing.T, ctype, body string) {
		var buf bytes.Buffer
		h, err := headers.NewReportHandler(headers.ReportConfig{Logger: slog.New(slog.NewTextHandler(&buf, nil)), MaxBodyBytes: 4096})
		if err != nil {
			t.Fatal(err)
		}
		r := httptest.NewRequest("POST", "/csp", strings.NewReader(body))
		r.Header.Set("Content-Type", ctype)
		rec := serve(h, r)
		switch rec.Code {
		case http.StatusNoContent, http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType:
		default:
			t.Fatalf("status %d", rec.Code)
		}
		out, _ := io.ReadAll(&buf)
		for _, line := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
			if !utf8.ValidString(line) || strings.ContainsAny(line, "\r\u2028\u2029\u0085") {
				t.Fatalf("log line %q", line)
			}
		}
	})
}
