package cors_test

import (
	"strings"
	"testing"
	"time"

	"github.com/apisec-go/apisec/cors"
	"github.com/apisec-go/apisec/internal/configtest"
)

// configErrors unwraps the errors.Join from New into "Field: Reason" lines,
// checking each is a *cors.ConfigError.
func configErrors(t *testing.T, err error) []string {
	t.Helper()
	var out []string
	for _, ce := range configtest.Leaves[cors.ConfigError](t, err) {
		if !strings.HasPrefix(ce.Error(), "cors: "+ce.Field+": ") {
			t.Errorf("%q lacks the cors: <field>: prefix", ce.Error())
		}
		out = append(out, ce.Field+": "+ce.Reason)
	}
	return out
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  cors.Config
		want []string
	}{
		{"zero config", cors.Config{}, []string{"Origins: at least one origin is required"}},
		{"trailing slash", cors.Config{Origins: []string{"https://example.com/"}},
			[]string{`Origins[0]: "https://example.com/" has a path, query or trailing slash; an origin is only scheme://host[:port], did you mean "https://example.com"?`}},
		{"path", cors.Config{Origins: []string{"https://example.com/app"}},
			[]string{`Origins[0]: "https://example.com/app" has a path, query or trailing slash; an origin is only scheme://host[:port], did you mean "https://example.com"?`}},
		{"no scheme", cors.Config{Origins: []string{"example.com"}},
			[]string{`Origins[0]: "example.com" is not an origin: expected "scheme://host[:port]"`}},
		{"uppercase host", cors.Config{Origins: []string{"https://Example.com"}},
			[]string{`Origins[0]: "https://Example.com": host must be lowercase, as browsers serialize it: use "example.com"`}},
		{"uppercase scheme", cors.Config{Origins: []string{"HTTPS://example.com"}},
			[]string{`Origins[0]: scheme "HTTPS" must be lowercase, as browsers serialize it: use "https"`}},
		{"userinfo", cors.Config{Origins: []string{"https://user@example.com"}},
			[]string{`Origins[0]: "https://user@example.com" has userinfo; an origin never does`}},
		{"default port", cors.Config{Origins: []string{"https://example.com:443"}},
			[]string{`Origins[0]: "https://example.com:443" names the default port; browsers omit it, so it would never match: use "https://example.com"`}},
		{"bad port", cors.Config{Origins: []string{"https://example.com:0", "https://example.com:99999", "https://example.com:"}},
			[]string{
				`Origins[0]: "https://example.com:0": port must be a number from 1 to 65535 without leading zeros`,
				`Origins[1]: "https://example.com:99999": port must be a number from 1 to 65535 without leading zeros`,
				`Origins[2]: "https://example.com:": empty port`,
			}},
		{"unicode host", cors.Config{Origins: []string{"https://bücher.example"}},
			[]string{`Origins[0]: "https://bücher.example": internationalized hosts must be written in their ASCII (xn--) form, as browsers serialize them`}},
		{"non-canonical IPv4", cors.Config{Origins: []string{"http://127.1"}},
			[]string{`Origins[0]: "http://127.1": invalid IPv4 address`}},
		{"non-canonical IPv6", cors.Config{Origins: []string{"http://[0:0::1]:8080"}},
			[]string{`Origins[0]: "http://[0:0::1]:8080": browsers serialize this address as [::1]`}},
		{"hyphen label", cors.Config{Origins: []string{"https://-x.example.com"}},
			[]string{`Origins[0]: "https://-x.example.com": a host label cannot start or end with a hyphen`}},
		{"empty label", cors.Config{Origins: []string{"https://a..example.com"}},
			[]string{`Origins[0]: "https://a..example.com": invalid host "a..example.com"`}},
		// rs/cors#197: "h*" with credentials reflected any origin.
		{"partial wildcard", cors.Config{Origins: []string{"h*", "https://foo*.example.com", "https://*", "*://example.com"}},
			[]string{
				`Origins[0]: "h*" is not an origin: expected "scheme://host[:port]"`,
				`Origins[1]: "https://foo*.example.com": a wildcard may only be the whole leftmost label ("https://*.example.com") or the whole port ("https://example.com:*")`,
				`Origins[2]: "https://*": a wildcard may only be the whole leftmost label ("https://*.example.com") or the whole port ("https://example.com:*")`,
				`Origins[3]: "*://example.com": a wildcard may only be the whole leftmost label ("https://*.example.com") or the whole port ("https://example.com:*")`,
			}},
		{"malformed origins", cors.Config{Origins: []string{"", strings.Repeat("a", 400), "://example.com", "1http://example.com", "https://[::1", "https://[::1]x", "https://[fe80::1%25eth0]", "https://[1.2.3.4]", "https://"}},
			[]string{
				`Origins[0]: empty origin`,
				`Origins[1]: too long to be an origin`,
				`Origins[2]: missing scheme`,
				`Origins[3]: invalid scheme "1http"`,
				`Origins[4]: "https://[::1": unterminated IPv6 literal`,
				`Origins[5]: "https://[::1]x": unexpected text after the IPv6 literal`,
				`Origins[6]: "https://[fe80::1%25eth0]": invalid IPv6 literal`,
				`Origins[7]: "https://[1.2.3.4]": invalid IPv6 literal`,
				`Origins[8]: "https://": missing host`,
			}},
		{"star with others", cors.Config{Origins: []string{"*", "https://example.com"}},
			[]string{`Origins[0]: "*" allows every origin and must be the only entry`}},
		{"star with credentials", cors.Config{Origins: []string{"*"}, Credentials: true},
			[]string{`Origins[0]: "*" cannot be combined with Credentials: it would let every site act with the user's cookies`}},
		{"null without opt-in", cors.Config{Origins: []string{"null"}},
			[]string{`Origins[0]: "null" is sent by sandboxed iframes, data: and file: pages of any site; set DangerouslyAllowNullOrigin to allow it`}},
		{"null opt-in unused", cors.Config{Origins: []string{"https://example.com"}, DangerouslyAllowNullOrigin: true},
			[]string{`DangerouslyAllowNullOrigin: set but Origins does not list "null"`}},
		{"http with credentials", cors.Config{Origins: []string{"http://example.com", "http://*.example.org"}, Credentials: true},
			[]string{
				`Origins[0]: "http://example.com" is plain http: with Credentials any network attacker could inject script into it; use https or set InsecureAllowHTTPOriginsWithCredentials`,
				`Origins[1]: "http://*.example.org" is plain http: with Credentials any network attacker could inject script into it; use https or set InsecureAllowHTTPOriginsWithCredentials`,
			}},
		{"insecure opt-in without credentials", cors.Config{Origins: []string{"http://example.com"}, InsecureAllowHTTPOriginsWithCredentials: true},
			[]string{`InsecureAllowHTTPOriginsWithCredentials: set without Credentials, where plain-http origins are already allowed`}},
		{"public suffix pattern", cors.Config{Origins: []string{"https://*.github.io", "https://*.herokuapp.com", "https://*.co.uk"}},
			[]string{
				`Origins[0]: "https://*.github.io": github.io is a public suffix where anyone can register a subdomain; list the exact origins instead`,
				`Origins[1]: "https://*.herokuapp.com": herokuapp.com is a public suffix where anyone can register a subdomain; list the exact origins instead`,
				`Origins[2]: "https://*.co.uk": co.uk is a public suffix where anyone can register a subdomain; list the exact origins instead`,
			}},
		{"top-level domain pattern", cors.Config{Origins: []string{"https://*.com"}},
			[]string{`Origins[0]: "https://*.com" would match every name under a top-level domain`}},
		{"IP pattern", cors.Config{Origins: []string{"https://*.[::1]", "https://*.10.0.0.1"}},
			[]string{`Origins[0]: "https://*.[::1]": a subdomain pattern needs a domain name, not an IP address`, `Origins[1]: "https://*.10.0.0.1": a subdomain pattern needs a domain name, not an IP address`}},
		{"methods", cors.Config{Origins: []string{"https://example.com"}, Methods: []string{"CONNECT", "trace", "TRACK", "GET POST", "", "*"}},
			[]string{
				`Methods[0]: "CONNECT" is a forbidden method; browsers never send it`,
				`Methods[1]: "trace" is a forbidden method; browsers never send it`,
				`Methods[2]: "TRACK" is a forbidden method; browsers never send it`,
				`Methods[3]: "GET POST" is not a valid method token`,
				`Methods[4]: "" is not a valid method token`,
				`Methods[5]: "*" allows every method and must be the only entry`,
			}},
		{"request headers", cors.Config{Origins: []string{"https://example.com"}, RequestHeaders: []string{"Cookie", "Sec-Fetch-Site", "Proxy-Authorization", "Origin", "bad header", strings.Repeat("x", 129)}},
			[]string{
				`RequestHeaders[0]: "Cookie" is a forbidden request header; browsers never let scripts set it`,
				`RequestHeaders[1]: "Sec-Fetch-Site" is a forbidden request header; browsers never let scripts set it`,
				`RequestHeaders[2]: "Proxy-Authorization" is a forbidden request header; browsers never let scripts set it`,
				`RequestHeaders[3]: "Origin" is a forbidden request header; browsers never let scripts set it`,
				`RequestHeaders[4]: "bad header" is not a valid header name`,
				`RequestHeaders[5]: header name longer than 128 bytes`,
			}},
		{"exposed headers", cors.Config{Origins: []string{"https://example.com"}, Credentials: true, ExposedHeaders: []string{"*", "Set-Cookie", "x:y"}},
			[]string{
				`ExposedHeaders[0]: "*" is read as a header named "*" on credentialed responses, so it would expose nothing; list the headers`,
				`ExposedHeaders[1]: "Set-Cookie" is never exposed by browsers`,
				`ExposedHeaders[2]: "x:y" is not a valid header name`,
			}},
		{"max age too large", cors.Config{Origins: []string{"https://example.com"}, MaxAge: 48 * time.Hour},
			[]string{`MaxAge: 48h0m0s exceeds 24h0m0s; browsers cap it anyway (Chromium 2h, Firefox 24h, WebKit 10m)`}},
		{"max age fraction", cors.Config{Origins: []string{"https://example.com"}, MaxAge: 1500 * time.Millisecond},
			[]string{`MaxAge: 1.5s is not a whole number of seconds`}},
		{"preflight status", cors.Config{Origins: []string{"https://example.com"}, PreflightStatus: 302},
			[]string{`PreflightStatus: must be 200 or 204, got 302`}},
		{"every problem at once", cors.Config{Origins: []string{"*"}, Credentials: true, Methods: []string{"TRACE"}, MaxAge: time.Millisecond, PreflightStatus: 500},
			[]string{
				`Origins[0]: "*" cannot be combined with Credentials: it would let every site act with the user's cookies`,
				`Methods[0]: "TRACE" is a forbidden method; browsers never send it`,
				`MaxAge: 1ms is not a whole number of seconds`,
				`PreflightStatus: must be 200 or 204, got 500`,
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := cors.New(tc.cfg)
			if m != nil {
				t.Error("New returned a Middleware with an error")
			}
			got := configErrors(t, err)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

func TestValidConfigs(t *testing.T) {
	tests := []struct {
		name string
		cfg  cors.Config
	}{
		{"exact origins with credentials", cors.Config{Origins: []string{"https://example.com", "https://app.example.com:8443"}, Credentials: true}},
		{"loopback http with credentials", cors.Config{Origins: []string{"http://localhost:3000", "http://127.0.0.1:8080", "http://[::1]:5173", "http://localhost:*", "http://*.app.localhost:*"}, Credentials: true}},
		{"http with credentials when insecure is accepted", cors.Config{Origins: []string{"http://intranet.example"}, Credentials: true, InsecureAllowHTTPOriginsWithCredentials: true}},
		{"any origin without credentials", cors.Config{Origins: []string{"*"}, ExposedHeaders: []string{"*"}}},
		{"subdomain of a private domain under a public suffix", cors.Config{Origins: []string{"https://*.acme.github.io", "https://*.example.co.uk"}}},
		{"subdomain pattern with port wildcard", cors.Config{Origins: []string{"https://*.example.com:*"}}},
		{"other schemes", cors.Config{Origins: []string{"chrome-extension://abcdefghijklmnop", "tauri://localhost"}}},
		{"null when opted in", cors.Config{Origins: []string{"null"}, DangerouslyAllowNullOrigin: true}},
		{"all fields", cors.Config{Origins: []string{"https://example.com"}, Methods: []string{"put", "PATCH", "*"[:0] + "DELETE"}, RequestHeaders: []string{"*", "Authorization"},
			ExposedHeaders: []string{"X-Total-Count"}, Credentials: true, MaxAge: cors.MaxMaxAge, PreflightStatus: 200, PreflightPassthrough: true, Debug: true, VaryNonCORS: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := cors.New(tc.cfg); err != nil {
				t.Fatalf("New: %v", err)
			}
		})
	}
}

// TestOriginAllowedMatchesConfig checks OriginAllowed against the entries
// valid configs accept.
func TestOriginAllowed(t *testing.T) {
	m, err := cors.New(cors.Config{Origins: []string{
		"https://example.com", "http://[::1]:5173", "chrome-extension://abcdefghijklmnop",
		"https://*.example.org:*", "https://api.example.net:*",
	}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		origin string
		want   bool
	}{
		{"https://example.com", true},
		{"http://[::1]:5173", true},
		{"chrome-extension://abcdefghijklmnop", true},
		{"https://a.example.org", true},
		{"https://a.example.org:8443", true},
		{"https://example.org", false},
		{"https://a.example.org:", false},
		{"https://api.example.net", true},
		{"https://api.example.net:1", true},
		{"https://api.example.net:x", false},
		{"https://xapi.example.net", false},
		{"https://example.com.", false},
		{"", false},
		{"null", false},
		{"https://", false},
		{"://example.com", false},
		{"https://[::1", false},
	}
	for _, tc := range tests {
		if got := m.OriginAllowed(tc.origin); got != tc.want {
			t.Errorf("OriginAllowed(%q) = %v, want %v", tc.origin, got, tc.want)
		}
	}
}

// TestEveryListedPublicSuffixIsRefused checks the documented list is the one
// New enforces, and that callers cannot edit it.
func TestEveryListedPublicSuffixIsRefused(t *testing.T) {
	list := cors.PublicSuffixes()
	if len(list) < 50 {
		t.Fatalf("only %d public suffixes", len(list))
	}
	for _, s := range list {
		if _, err := cors.New(cors.Config{Origins: []string{"https://*." + s}}); err == nil {
			t.Errorf("pattern on public suffix %s accepted", s)
		}
		if _, err := cors.New(cors.Config{Origins: []string{"https://mine." + s}}); err != nil {
			t.Errorf("exact origin under %s refused: %v", s, err)
		}
	}
	list[0] = "example.com"
	if cors.PublicSuffixes()[0] == "example.com" {
		t.Error("PublicSuffixes returned the package's own slice")
	}
}

// TestMutatingConfigAfterNewHasNoEffect checks New copies the slices.
func TestMutatingConfigAfterNewHasNoEffect(t *testing.T) {
	cfg := cors.Config{Origins: []string{"https://a.example.com"}}
	m, err := cors.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Origins[0] = "https://evil.example.net"
	if !m.OriginAllowed("https://a.example.com") || m.OriginAllowed("https://evil.example.net") {
		t.Error("mutating Config.Origins after New changed the policy")
	}
}
