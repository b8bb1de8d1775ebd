package headers_test

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"

	"github.com/apisec-go/apisec/headers"
)

// The API profile with an HTTPS redirect for the hosts the service answers
// for. Plain-HTTP requests get a 308 to the same URL over https; HTTPS
// responses carry HSTS and the rest of the header set.
func Example() {
	hdr, err := headers.New(headers.Config{
		RedirectHTTPS: true,
		AllowedHosts:  []string{"api.example.com"},
	})
	if err != nil {
		panic(err) // a bad config is a programming error: fail at startup
	}
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"ok":true}`)
	})
	handler := hdr.Handler(app)

	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, httptest.NewRequest("GET", "http://api.example.com/v1/items?page=2", nil))
	fmt.Println(rec.Code, rec.Header().Get("Location"))

	rec = httptest.NewRecorder()
	r := httptest.NewRequest("GET", "https://api.example.com/v1/items", nil)
	handler.ServeHTTP(rec, r)
	fmt.Println(rec.Code)
	for _, name := range []string{"Content-Security-Policy", "Strict-Transport-Security", "Cache-Control", "X-Frame-Options"} {
		fmt.Printf("%s: %s\n", name, rec.Header().Get(name))
	}
	// Output:
	// 308 https://api.example.com/v1/items?page=2
	// 200
	// Content-Security-Policy: default-src 'none'; frame-ancestors 'none'
	// Strict-Transport-Security: max-age=63072000; includeSubDomains
	// Cache-Control: no-store
	// X-Frame-Options: DENY
}

// New reports every problem in a Config at once, each a *ConfigError naming
// the field.
func Example_configError() {
	_, err := headers.New(headers.Config{
		Headers: map[string]string{
			"Content-Security-Policy": "default-src self",
			"X-XSS-Protection":        "1; mode=block",
		},
		HSTSPreload: true,
	})
	var ce *headers.ConfigError
	if errors.As(err, &ce) {
		fmt.Println("first field:", ce.Field)
	}
	fmt.Println(err)
	// Output:
	// first field: Headers[Content-Security-Policy]
	// headers: Headers[Content-Security-Policy]: default-src: keyword self must be single-quoted: 'self'
	// headers: Headers[X-XSS-Protection]: only 0 is accepted: the XSS auditor that 1; mode=block enables was removed from browsers and could be abused to leak data (OWASP)
	// headers: HSTSPreload: preload needs RedirectHTTPS: the preload list requires an HTTP to HTTPS redirect on the same host
}

// The most common mistake behind a TLS-terminating proxy: expecting HSTS
// while the app itself only sees plain HTTP. Without TrustedProxies and
// ProtoSource the middleware ignores X-Forwarded-Proto (any client can send
// it), so no HSTS is sent. Name the proxy and the header it sets.
func Example_behindProxy() {
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	r := httptest.NewRequest("GET", "http://api.example.com/", nil)
	r.RemoteAddr = "10.0.0.7:41000" // the load balancer
	r.Header.Set("X-Forwarded-Proto", "https")

	naive := headers.MustNew(headers.Config{})
	rec := httptest.NewRecorder()
	naive.Handler(app).ServeHTTP(rec, r)
	fmt.Printf("naive: HSTS %q\n", rec.Header().Get("Strict-Transport-Security"))

	right := headers.MustNew(headers.Config{
		TrustedProxies: []string{"10.0.0.0/8"},
		ProtoSource:    headers.ProtoFromXForwardedProto,
	})
	rec = httptest.NewRecorder()
	right.Handler(app).ServeHTTP(rec, r)
	fmt.Printf("configured: HSTS %q\n", rec.Header().Get("Strict-Transport-Security"))
	// Output:
	// naive: HSTS ""
	// configured: HSTS "max-age=63072000; includeSubDomains"
}

// The HTML profile puts a fresh nonce in script-src and style-src; the
// handler reads it from the request context for its inline tags.
func ExampleNonce() {
	hdr := headers.MustNew(headers.Config{Profile: headers.ProfileHTML})
	page := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		nonce := headers.Nonce(r.Context())
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<script nonce="%s">start()</script>`, nonce)
	})
	rec := httptest.NewRecorder()
	hdr.Handler(page).ServeHTTP(rec, httptest.NewRequest("GET", "https://www.example.com/", nil))

	body := rec.Body.String()
	nonce := strings.TrimSuffix(strings.TrimPrefix(body, `<script nonce="`), `">start()</script>`)
	csp := rec.Header().Get("Content-Security-Policy")
	fmt.Println("nonce length:", len(nonce))
	fmt.Println("script-src allows it:", strings.Contains(csp, "script-src 'nonce-"+nonce+"' 'strict-dynamic'"))
	fmt.Printf("outside a request: %q\n", headers.Nonce(context.Background()))
	// Output:
	// nonce length: 24
	// script-src allows it: true
	// outside a request: ""
}

// HostGuard on its own rejects unknown Host headers with 421.
func ExampleHostGuard() {
	g, err := headers.NewHostGuard(headers.HostConfig{AllowedHosts: []string{"example.com", "*.example.com"}})
	if err != nil {
		panic(err)
	}
	for _, host := range []string{"www.example.com", "evil.example"} {
		r := httptest.NewRequest("GET", "/", nil)
		r.Host = host
		rec := httptest.NewRecorder()
		g.Handler(http.NotFoundHandler()).ServeHTTP(rec, r)
		fmt.Println(host, rec.Code)
	}
	// Output:
	// www.example.com 404
	// evil.example 421
}

// TLSConfig for a server that terminates TLS itself; add the certificate.
func ExampleTLSConfig() {
	cfg := headers.TLSConfig()
	// cfg.Certificates = []tls.Certificate{cert}
	srv := &http.Server{Addr: "127.0.0.1:8443", TLSConfig: cfg}
	fmt.Println(tls.VersionName(srv.TLSConfig.MinVersion), srv.TLSConfig.CurvePreferences[0])
	// Output: TLS 1.2 X25519MLKEM768
}

// A CSP report endpoint: browsers POST violations to it, each is logged as
// malicious_csp_violation. Point the policy at it with CSPReportURI.
func ExampleReportHandler() {
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{} // stable output
			}
			return a
		},
	}))
	reports, err := headers.NewReportHandler(headers.ReportConfig{Logger: logger})
	if err != nil {
		panic(err)
	}
	body := `{"csp-report":{"document-uri":"https://example.com/account?token=abc",` +
		`"effective-directive":"script-src-elem","blocked-uri":"https://evil.example/x.js"}}`
	r := httptest.NewRequest("POST", "/csp-reports", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/csp-report")
	rec := httptest.NewRecorder()
	reports.ServeHTTP(rec, r)
	fmt.Println(rec.Code)
	// Output:
	// level=WARN msg=malicious_csp_violation component=headers document_uri=https://example.com/account blocked_uri=https://evil.example/x.js effective_directive=script-src-elem disposition="" source_file="" line_number=0 sample=""
	// 204
}
