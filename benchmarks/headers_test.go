package benchmarks

import (
	"crypto/tls"
	"net/http"
	"testing"

	"github.com/apisec-go/apisec/headers"
	"github.com/unrolled/secure"
)

// The API profile's values, given to unrolled/secure one by one so both
// send the same headers. apisec also strips Server/X-Powered-By and adds
// Cache-Control: no-store, which unrolled/secure has no option for.
const (
	hdrCSP         = "default-src 'none'; frame-ancestors 'none'"
	hdrPermissions = "accelerometer=(), autoplay=(), camera=(), clipboard-read=(), " +
		"clipboard-write=(), display-capture=(), encrypted-media=(), fullscreen=(), " +
		"gamepad=(), geolocation=(), gyroscope=(), hid=(), idle-detection=(), " +
		"interest-cohort=(), keyboard-map=(), magnetometer=(), microphone=(), midi=(), " +
		"payment=(), picture-in-picture=(), publickey-credentials-get=(), " +
		"screen-wake-lock=(), serial=(), sync-xhr=(), usb=(), web-share=(), " +
		"xr-spatial-tracking=()"
	hdrHTMLCSP = "default-src 'self'; script-src $NONCE 'strict-dynamic'; style-src $NONCE 'self'; " +
		"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

func secureOptions() secure.Options {
	return secure.Options{
		STSSeconds:                    63072000,
		STSIncludeSubdomains:          true,
		FrameDeny:                     true,
		ContentTypeNosniff:            true,
		BrowserXssFilter:              true,
		CustomBrowserXssValue:         "0",
		ContentSecurityPolicy:         hdrCSP,
		ReferrerPolicy:                "no-referrer",
		PermissionsPolicy:             hdrPermissions,
		CrossOriginOpenerPolicy:       "same-origin",
		CrossOriginResourcePolicy:     "same-origin",
		XPermittedCrossDomainPolicies: "none",
	}
}

type hdrImpl struct {
	name string
	h    http.Handler
}

func headersImpls(tb testing.TB, scenario string) []hdrImpl {
	next := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	cfg := headers.Config{}
	opt := secureOptions()
	switch scenario {
	case "hosts":
		cfg.AllowedHosts = []string{"api.example.com", "www.example.com"}
		opt.AllowedHosts = cfg.AllowedHosts
	case "redirect":
		cfg.AllowedHosts = []string{"api.example.com", "www.example.com"}
		cfg.RedirectHTTPS = true
		opt.AllowedHosts = cfg.AllowedHosts
		opt.SSLRedirect = true
	case "html-nonce":
		cfg.Profile = headers.ProfileHTML
		opt.ContentSecurityPolicy = hdrHTMLCSP
	}
	ours, err := headers.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return []hdrImpl{
		{"none", next},
		{"apisec", ours.Handler(next)},
		{"unrolled-secure", secure.New(opt).Handler(next)},
	}
}

// BenchmarkHeaders: the OWASP API header set on an HTTPS response (HSTS
// included), with a Host allow-list, as a plain-HTTP redirect, and the HTML
// profile with a per-response CSP nonce.
func BenchmarkHeaders(b *testing.B) {
	for _, sc := range []struct {
		name   string
		target string
		tls    bool
	}{
		{"api", "https://api.example.com/v1/items", true},
		{"hosts", "https://api.example.com/v1/items", true},
		{"redirect", "http://api.example.com/v1/items?page=2", false},
		{"html-nonce", "https://www.example.com/", true},
	} {
		for _, impl := range headersImpls(b, sc.name) {
			b.Run("scenario="+sc.name+"/impl="+impl.name, func(b *testing.B) {
				r, _ := http.NewRequest("GET", sc.target, nil)
				if sc.tls {
					r.TLS = &tls.ConnectionState{}
				}
				w := &benchWriter{h: make(http.Header, 32)}
				b.ReportAllocs()
				for b.Loop() {
					clear(w.h)
					impl.h.ServeHTTP(w, r)
				}
			})
		}
	}
}

// TestHeadersEquivalent checks the benchmark compares like with like: both
// implementations send the same security headers in the api scenario.
func TestHeadersEquivalent(t *testing.T) {
	impls := headersImpls(t, "api")
	got := map[string]http.Header{}
	for _, impl := range impls[1:] {
		r, _ := http.NewRequest("GET", "https://api.example.com/", nil)
		r.TLS = &tls.ConnectionState{}
		w := &benchWriter{h: http.Header{}}
		impl.h.ServeHTTP(w, r)
		got[impl.name] = w.h
	}
	for name := range got["unrolled-secure"] {
		if a, s := got["apisec"].Get(name), got["unrolled-secure"].Get(name); a != s {
			t.Errorf("%s: apisec %q, unrolled/secure %q", name, a, s)
		}
	}
	if len(got["apisec"]) != len(got["unrolled-secure"])+1 { // + Cache-Control
		t.Errorf("apisec sends %d headers, unrolled/secure %d", len(got["apisec"]), len(got["unrolled-secure"]))
	}
}
