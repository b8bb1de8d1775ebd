package headers_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apisec-go/apisec/headers"
	"github.com/apisec-go/apisec/internal/configtest"
)

// configErrors returns the "Field: Reason" of every ConfigError in err.
func configErrors(t *testing.T, err error) []string {
	t.Helper()
	var out []string
	for _, ce := range configtest.Leaves[headers.ConfigError](t, err) {
		if !strings.HasPrefix(ce.Error(), "headers: "+ce.Field+": ") {
			t.Errorf("message %q lacks the package and field prefix", ce.Error())
		}
		out = append(out, ce.Field+": "+ce.Reason)
	}
	return out
}

func TestInvalidConfig(t *testing.T) {
	csp := func(v string) headers.Config {
		return headers.Config{Headers: map[string]string{"Content-Security-Policy": v}}
	}
	cases := []struct {
		name string
		cfg  headers.Config
		want []string
	}{
		{"unknown profile", headers.Config{Profile: 7}, []string{"Profile: unknown profile Profile(7)"}},
		{"csp unquoted self", csp("default-src self"), []string{
			"Headers[Content-Security-Policy]: default-src: keyword self must be single-quoted: 'self'"}},
		{"csp unquoted none", csp("default-src none; frame-ancestors 'none'"), []string{
			"Headers[Content-Security-Policy]: default-src: keyword none must be single-quoted: 'none'"}},
		{"csp unknown directive", csp("default-src 'none'; scirpt-src 'self'"), []string{
			`Headers[Content-Security-Policy]: unknown directive "scirpt-src"`}},
		{"csp duplicate directive", csp("default-src 'none'; default-src 'self'"), []string{
			"Headers[Content-Security-Policy]: duplicate directive default-src (browsers ignore all but the first)"}},
		{"csp unknown keyword", csp("default-src 'sefl'"), []string{
			"Headers[Content-Security-Policy]: default-src: unknown keyword 'sefl'"}},
		{"csp none with sources", csp("default-src 'none' 'self'"), []string{
			"Headers[Content-Security-Policy]: default-src: 'none' cannot be combined with other sources"}},
		{"csp empty source list", csp("default-src"), []string{
			"Headers[Content-Security-Policy]: default-src: empty source list; write 'none' to allow nothing"}},
		{"csp comma", csp("default-src 'none', script-src 'self'"), []string{
			"Headers[Content-Security-Policy]: ',' is not allowed: it separates policies, send one policy per field"}},
		{"csp static nonce", csp("script-src 'nonce-abc123'"), []string{
			"Headers[Content-Security-Policy]: script-src: a fixed nonce in the configuration is reused by every response; nonces are generated per response"}},
		{"csp unsafe-inline script", csp("script-src 'self' 'unsafe-inline'"), []string{
			"Headers[Content-Security-Policy]: script-src: 'unsafe-inline' lets injected scripts run (set InsecureAllowWeakValues to accept it)"}},
		{"csp unsafe-eval default", csp("default-src 'self' 'unsafe-eval'"), []string{
			"Headers[Content-Security-Policy]: default-src: 'unsafe-eval' lets injected scripts run (set InsecureAllowWeakValues to accept it)"}},
		{"csp wildcard script", csp("script-src *"), []string{
			"Headers[Content-Security-Policy]: script-src: * lets injected scripts run (set InsecureAllowWeakValues to accept it)"}},
		{"csp frame-ancestors keyword", csp("frame-ancestors 'unsafe-inline'"), []string{
			"Headers[Content-Security-Policy]: frame-ancestors: only 'self' and 'none' are allowed, not 'unsafe-inline'"}},
		{"csp bad host", csp("img-src https://example.com:123456"), []string{
			`Headers[Content-Security-Policy]: img-src: "https://example.com:123456" is not a valid source expression`}},
		{"csp bad hash", csp("script-src 'sha256-!!'"), []string{
			"Headers[Content-Security-Policy]: script-src: hash source 'sha256-!!' is not base64"}},
		{"csp upgrade with value", csp("upgrade-insecure-requests 1"), []string{
			"Headers[Content-Security-Policy]: upgrade-insecure-requests: takes no value"}},
		{"csp control char", csp("default-src 'none'\x01"), []string{
			"Headers[Content-Security-Policy]: empty, too long, or contains control characters or surrounding spaces"}},
		{"referrer unknown", headers.Config{Headers: map[string]string{"Referrer-Policy": "no-referer"}}, []string{
			`Headers[Referrer-Policy]: unknown policy "no-referer"`}},
		{"referrer unsafe-url", headers.Config{Headers: map[string]string{"Referrer-Policy": "unsafe-url"}}, []string{
			"Headers[Referrer-Policy]: unsafe-url leaks full URLs, query strings included, to other sites (set InsecureAllowWeakValues to accept it)"}},
		{"permissions syntax", headers.Config{Headers: map[string]string{"Permissions-Policy": "camera=(), geolocation"}}, []string{
			`Headers[Permissions-Policy]: "geolocation" is not feature=allowlist`}},
		{"permissions uppercase", headers.Config{Headers: map[string]string{"Permissions-Policy": "Camera=()"}}, []string{
			`Headers[Permissions-Policy]: "Camera" is not a lowercase feature name`}},
		{"permissions bad allowlist", headers.Config{Headers: map[string]string{"Permissions-Policy": "camera=(https://a.example)"}}, []string{
			`Headers[Permissions-Policy]: camera: "(https://a.example)" is not an allowlist (*, self, "origin" or an inner list such as () or (self "https://a.example"))`}},
		{"permissions duplicate", headers.Config{Headers: map[string]string{"Permissions-Policy": "camera=(), camera=*"}}, []string{
			"Headers[Permissions-Policy]: duplicate feature camera"}},
		{"xss 1 mode block", headers.Config{Headers: map[string]string{"X-XSS-Protection": "1; mode=block"}}, []string{
			"Headers[X-XSS-Protection]: only 0 is accepted: the XSS auditor that 1; mode=block enables was removed from browsers and could be abused to leak data (OWASP)"}},
		{"xfo allow-from", headers.Config{Headers: map[string]string{"X-Frame-Options": "ALLOW-FROM https://a.example"}}, []string{
			"Headers[X-Frame-Options]: ALLOW-FROM is obsolete and ignored by browsers; use the CSP frame-ancestors directive"}},
		{"corp bad", headers.Config{Headers: map[string]string{"Cross-Origin-Resource-Policy": "same"}}, []string{
			`Headers[Cross-Origin-Resource-Policy]: "same" is not one of same-origin, same-site, cross-origin`}},
		{"forbidden server", headers.Config{Headers: map[string]string{"Server": "x"}}, []string{
			"Headers[Server]: Server is always removed"}},
		{"forbidden hsts", headers.Config{Headers: map[string]string{"Strict-Transport-Security": "max-age=1"}}, []string{
			"Headers[Strict-Transport-Security]: Strict-Transport-Security is set with HSTSMaxAge, HSTSExcludeSubDomains and HSTSPreload, on HTTPS responses only"}},
		{"bad header name", headers.Config{Headers: map[string]string{"X Bad": "1"}}, []string{"Headers[X Bad]: not a header name"}},
		{"header injection", headers.Config{Headers: map[string]string{"X-Custom": "a\r\nSet-Cookie: x=1"}}, []string{
			"Headers[X-Custom]: empty, too long, or contains control characters or surrounding spaces"}},
		{"twice", headers.Config{Headers: map[string]string{"x-custom": "a", "X-Custom": "b"}}, []string{
			"Headers[x-custom]: set twice under different spellings"}},
		{"set and removed", headers.Config{Headers: map[string]string{"X-Frame-Options": "DENY"}, Remove: []string{"X-Frame-Options"}}, []string{
			"Headers[X-Frame-Options]: X-Frame-Options is also listed in Remove"}},
		{"remove unknown", headers.Config{Remove: []string{"X-Foo"}}, []string{"Remove[0]: X-Foo is not a header of the profile"}},
		{"remove twice", headers.Config{Remove: []string{"X-Frame-Options", "x-frame-options"}}, []string{"Remove[1]: duplicate X-Frame-Options"}},
		{"hsts negative", headers.Config{HSTSMaxAge: -1}, []string{"HSTSMaxAge: must not be negative"}},
		{"hsts sub-second", headers.Config{HSTSMaxAge: time.Millisecond}, []string{"HSTSMaxAge: must be at least one second"}},
		{"hsts removed but set", headers.Config{Remove: []string{"Strict-Transport-Security"}, HSTSExcludeSubDomains: true}, []string{
			"Remove: Strict-Transport-Security is removed but HSTS fields are set"}},
		{"preload needs everything", headers.Config{HSTSPreload: true, HSTSMaxAge: 180 * 24 * time.Hour, HSTSExcludeSubDomains: true}, []string{
			"HSTSPreload: preload needs HSTSMaxAge of at least one year (31536000 s)",
			"HSTSPreload: preload needs includeSubDomains; unset HSTSExcludeSubDomains",
			"HSTSPreload: preload needs RedirectHTTPS: the preload list requires an HTTP to HTTPS redirect on the same host"}},
		{"redirect needs hosts", headers.Config{RedirectHTTPS: true}, []string{
			"AllowedHosts: required with RedirectHTTPS: without it a forged Host header makes the redirect an open redirect"}},
		{"redirect status", headers.Config{RedirectHTTPS: true, AllowedHosts: []string{"a.example"}, RedirectStatus: 302}, []string{
			"RedirectStatus: must be 308 or 301, got 302"}},
		{"redirect fields without redirect", headers.Config{RedirectStatus: 301, HTTPSPort: 8443}, []string{
			"RedirectStatus: set without RedirectHTTPS", "HTTPSPort: set without RedirectHTTPS"}},
		{"https port range", headers.Config{RedirectHTTPS: true, AllowedHosts: []string{"a.example"}, HTTPSPort: 70000}, []string{
			"HTTPSPort: must be between 1 and 65535, got 70000"}},
		{"bad hosts", headers.Config{AllowedHosts: []string{"Example.com", "*.com", "a.example:443", "a.example", "a.example", "*"}}, []string{
			`AllowedHosts[0]: "Example.com" must be lowercase`,
			`AllowedHosts[1]: "*.com": a wildcard needs a registrable name with at least two labels after "*."`,
			`AllowedHosts[2]: "a.example:443" is not a host name or IP literal without port`,
			`AllowedHosts[4]: duplicate "a.example"`,
			`AllowedHosts[5]: "*" is not a host name or IP literal without port`}},
		{"unknown host status", headers.Config{AllowedHosts: []string{"a.example"}, UnknownHostStatus: 404}, []string{
			"UnknownHostStatus: must be 421 or 400, got 404"}},
		{"proxies without source", headers.Config{TrustedProxies: []string{"10.0.0.0/8"}}, []string{
			"ProtoSource: TrustedProxies is set but ProtoSource names no header; set ProtoFromXForwardedProto or ProtoFromForwarded"}},
		{"source without proxies", headers.Config{ProtoSource: headers.ProtoFromForwarded}, []string{
			"TrustedProxies: required with ProtoSource: a header any client can send proves nothing"}},
		{"bad proxy", headers.Config{TrustedProxies: []string{"10.0.0.1/8"}, ProtoSource: headers.ProtoFromXForwardedProto}, []string{
			`TrustedProxies[0]: "10.0.0.1/8" has host bits set; did you mean 10.0.0.0/8?`}},
		{"unknown proto source", headers.Config{ProtoSource: 9}, []string{"ProtoSource: unknown source 9"}},
		{"report-only without csp", headers.Config{Remove: []string{"Content-Security-Policy"}, CSPReportOnly: true, CSPReportURI: "/r"}, []string{
			"CSPReportOnly: Content-Security-Policy is removed; there is no policy to report on",
			"CSPReportURI: Content-Security-Policy is removed; there is no policy to report on"}},
		{"bad report uri", headers.Config{CSPReportURI: "reports; script-src *"}, []string{
			`CSPReportURI: "reports; script-src *" is not an absolute URL or a path`}},
		{"too many headers", headers.Config{Headers: map[string]string{"X-A": "1", "X-B": "1", "X-C": "1", "X-D": "1", "X-E": "1", "X-F": "1"}}, []string{
			"Headers: at most 14 headers in all, got 15"}},
		{"strict-dynamic without nonce", headers.Config{Profile: headers.ProfileHTML, DisableNonces: true}, []string{
			"DisableNonces: script-src 'strict-dynamic' needs a nonce or a hash source; without nonces no script can run"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := headers.New(tc.cfg)
			if m != nil {
				t.Error("New returned a Middleware with an error")
			}
			got := configErrors(t, err)
			if !slices.Equal(got, tc.want) {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

func TestAllProblemsReportedTogether(t *testing.T) {
	_, err := headers.New(headers.Config{
		Headers:       map[string]string{"Referrer-Policy": "nope", "X-Frame-Options": "ALLOWALL"},
		RedirectHTTPS: true,
		HSTSMaxAge:    -time.Second,
	})
	if got := configErrors(t, err); len(got) != 4 {
		t.Errorf("got %d errors, want 4: %q", len(got), got)
	}
}

func TestValidConfigs(t *testing.T) {
	cases := map[string]headers.Config{
		"zero":         {},
		"html":         {Profile: headers.ProfileHTML},
		"weak allowed": {InsecureAllowWeakValues: true, Headers: map[string]string{"Content-Security-Policy": "script-src 'self' 'unsafe-inline'", "Referrer-Policy": "unsafe-url"}},
		"full csp": {Headers: map[string]string{"Content-Security-Policy": "default-src 'none'; script-src 'self' 'SHA256-abc+/=' https://cdn.example.com/js/; " +
			"img-src 'self' data: https://*.example.com:443; frame-ancestors 'self' https://app.example.com; sandbox allow-scripts; " +
			"upgrade-insecure-requests; report-to csp; require-trusted-types-for 'script'; trusted-types default 'allow-duplicates'"}},
		"referrer fallback list": {Headers: map[string]string{"Referrer-Policy": "no-referrer, strict-origin-when-cross-origin"}},
		"permissions":            {Headers: map[string]string{"Permissions-Policy": `camera=(self "https://a.example"), fullscreen=*, geolocation=self`}},
		"preload":                {HSTSPreload: true, RedirectHTTPS: true, AllowedHosts: []string{"example.com", "*.example.com", "192.0.2.1", "[2001:db8::1]"}},
		"proxies":                {TrustedProxies: []string{"10.0.0.0/8", "::1"}, ProtoSource: headers.ProtoFromForwarded},
	}
	for name, cfg := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := headers.New(cfg); err != nil {
				t.Errorf("New: %v", err)
			}
		})
	}
}

// TestConfigMutationAfterNew: changing the Config after New has no effect.
func TestConfigMutationAfterNew(t *testing.T) {
	hdrs := map[string]string{"X-Frame-Options": "SAMEORIGIN"}
	hosts := []string{"example.com"}
	m := mustNew(t, headers.Config{Headers: hdrs, AllowedHosts: hosts})
	hdrs["X-Frame-Options"] = "DENY"
	hosts[0] = "evil.example"
	rec := serve(m.Handler(okHandler), httpsRequest("GET", "https://example.com/"))
	if rec.Code != 200 || rec.Header().Get("X-Frame-Options") != "SAMEORIGIN" {
		t.Errorf("status %d X-Frame-Options %q", rec.Code, rec.Header().Get("X-Frame-Options"))
	}
}
