package cors_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/apisec-go/apisec/cors"
)

// FuzzOrigin parses a configured origin and matches a request origin
// against it. Whatever the input: nothing panics; an exact origin New
// accepts matches itself; and a request origin that matches is a plain
// serialized origin of the configured scheme (no uppercase, path, userinfo
// or whitespace), so no pattern can be tricked into allowing a lookalike.
func FuzzOrigin(f *testing.F) {
	for _, tc := range specCases {
		for _, h := range tc.header {
			if h[0] == "Origin" {
				for _, o := range baseConfig().Origins {
					f.Add(o, h[1])
				}
			}
		}
	}
	for _, s := range []string{"https://*.example.com:*", "http://[::1]:8080", "null", "*", "https://*.github.io", "h*"} {
		f.Add(s, "https://a.example.com")
	}
	f.Fuzz(func(t *testing.T, cfgOrigin, reqOrigin string) {
		m, err := cors.New(cors.Config{Origins: []string{cfgOrigin}})
		if err != nil {
			if m != nil {
				t.Fatal("Middleware returned with an error")
			}
			return
		}
		wild := strings.Contains(cfgOrigin, "*")
		if !wild && !m.OriginAllowed(cfgOrigin) {
			t.Fatalf("accepted origin %q does not match itself", cfgOrigin)
		}
		if !m.OriginAllowed(reqOrigin) || cfgOrigin == "*" || reqOrigin == cfgOrigin {
			return
		}
		if !wild {
			t.Fatalf("exact origin %q matched %q", cfgOrigin, reqOrigin)
		}
		scheme := cfgOrigin[:strings.Index(cfgOrigin, "://")+3]
		rest, ok := strings.CutPrefix(reqOrigin, scheme)
		if !ok {
			t.Fatalf("%q matched %q with another scheme", cfgOrigin, reqOrigin)
		}
		if strings.ContainsAny(rest, "/@?# \t\r\nABCDEFGHIJKLMNOPQRSTUVWXYZ*") || strings.Contains(rest, "..") || strings.HasPrefix(rest, ".") {
			t.Fatalf("%q matched the malformed origin %q", cfgOrigin, reqOrigin)
		}
		if strings.HasPrefix(cfgOrigin[len(scheme):], "*.") {
			base, _, _ := strings.Cut(cfgOrigin[len(scheme)+2:], ":")
			host, _, _ := strings.Cut(rest, ":")
			if !strings.HasSuffix(host, "."+base) {
				t.Fatalf("%q matched %q, which is not a subdomain of %s", cfgOrigin, reqOrigin, base)
			}
		}
	})
}

// FuzzRequestHeaders checks the Access-Control-Request-Headers parser
// against a plain reference implementation: the preflight succeeds exactly
// when every comma-separated, whitespace-trimmed, non-empty element is a
// token naming an allowed header, within the caps.
func FuzzRequestHeaders(f *testing.F) {
	for _, tc := range specCases {
		for _, h := range tc.header {
			if h[0] == "Access-Control-Request-Headers" && len(h[1]) < 1000 {
				f.Add(h[1], "", false)
			}
		}
	}
	f.Add("authorization", "content-type", false)
	f.Add("x-custom,Authorization", "", true)
	f.Add(" ,\t,", "a b", true)
	f.Fuzz(func(t *testing.T, line1, line2 string, wildcard bool) {
		cfg := cors.Config{Origins: []string{app}, Methods: []string{"PUT"}, RequestHeaders: []string{"Content-Type", "Authorization", "X-Request-Id"}}
		allowed := func(name string) bool {
			return slices.Contains([]string{"content-type", "authorization", "x-request-id"}, strings.ToLower(name))
		}
		if wildcard {
			cfg.RequestHeaders = []string{"*"}
			allowed = func(name string) bool { return !strings.EqualFold(name, "authorization") }
		}
		m, err := cors.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		lines := []string{line1}
		if line2 != "" {
			lines = append(lines, line2)
		}
		want := referenceACRH(lines, allowed)

		r := httptest.NewRequest("OPTIONS", "/", nil)
		r.Header.Set("Origin", app)
		r.Header.Set("Access-Control-Request-Method", "PUT")
		r.Header["Access-Control-Request-Headers"] = lines
		w := httptest.NewRecorder()
		m.Handler(http.NotFoundHandler()).ServeHTTP(w, r)
		if got := w.Code == http.StatusNoContent; got != want {
			t.Fatalf("ACRH %q: success = %v, reference says %v", lines, got, want)
		}
		if w.Code == http.StatusNoContent && wildcard {
			acah := w.Header().Get("Access-Control-Allow-Headers")
			if strings.ContainsAny(acah, "\r\n") {
				t.Fatalf("reflected a control character: %q", acah)
			}
		}
	})
}

func referenceACRH(lines []string, allowed func(string) bool) bool {
	total, items := 0, 0
	for _, l := range lines {
		total += len(l)
	}
	if total > cors.MaxRequestHeadersBytes || len(lines) > cors.MaxRequestHeadersLines {
		return false
	}
	for _, l := range lines {
		for _, e := range strings.Split(l, ",") {
			e = strings.Trim(e, " \t")
			if e == "" {
				continue
			}
			items++
			if items > cors.MaxRequestHeaders || !isTokenRef(e) || !allowed(e) {
				return false
			}
		}
	}
	return true
}

func isTokenRef(s string) bool {
	for _, c := range []byte(s) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return s != ""
}
