package main

import (
	"strings"
	"testing"

	"github.com/apisec-go/apisec/headers"
)

// TestForwardedForIsBelievedOnlyFromTrustedProxies runs the server with
// TRUSTED_PROXIES=127.0.0.1. Requests from that peer are keyed by their
// X-Forwarded-For address: two forwarded clients have separate per-IP
// quotas and the audit log names the forwarded address. Requests from
// 127.0.0.2, not a trusted proxy, are keyed by the peer itself whatever
// X-Forwarded-For says, so a client cannot buy a fresh quota by forging it.
func TestForwardedForIsBelievedOnlyFromTrustedProxies(t *testing.T) {
	s := startServer(t, "TRUSTED_PROXIES=127.0.0.1", "RATE_LIMIT=2/m")
	proxy := s.via(clientFrom(t, "127.0.0.1"))
	stranger := s.via(clientFrom(t, "127.0.0.2"))

	spend := func(t *testing.T, srv *server, xff string) {
		t.Helper()
		for i := range 2 {
			if r := srv.do(t, "GET", "/api/v2/users", "", "X-Forwarded-For", xff); r.Status != 401 {
				t.Fatalf("request %d for %s: %d %s", i, xff, r.Status, r.Body)
			}
		}
		r := srv.do(t, "GET", "/api/v2/users", "", "X-Forwarded-For", xff)
		wantProblem(t, r, 429)
		if r.Header.Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
	}

	t.Run("a trusted proxy's forwarded clients have their own quotas", func(t *testing.T) {
		spend(t, proxy, "198.51.100.7")
		if r := proxy.do(t, "GET", "/api/v2/users", "", "X-Forwarded-For", "198.51.100.8"); r.Status != 401 {
			t.Fatalf("second forwarded client shares the first one's quota: %d %s", r.Status, r.Body)
		}
		// The right-most untrusted hop is the client: a value the client
		// itself prepended is not.
		wantProblem(t, proxy.do(t, "GET", "/api/v2/users", "", "X-Forwarded-For", "203.0.113.99, 198.51.100.7"), 429)
		if !s.waitAudit(`"client_ip":"198.51.100.7"`) || !s.waitAudit(`"client_ip":"198.51.100.8"`) {
			t.Errorf("the audit log does not name the forwarded clients:\n%s", s.audit)
		}
	})

	t.Run("an untrusted peer's X-Forwarded-For is ignored", func(t *testing.T) {
		spend(t, stranger, "192.0.2.1")
		r := stranger.do(t, "GET", "/api/v2/users", "", "X-Forwarded-For", "192.0.2.2")
		wantProblem(t, r, 429) // the same peer, the same spent quota
		if !s.waitAudit(`"client_ip":"127.0.0.2"`) {
			t.Errorf("the audit log does not name the untrusted peer:\n%s", s.audit)
		}
		if log := s.audit.String(); strings.Contains(log, `"client_ip":"192.0.2.1"`) || strings.Contains(log, `"client_ip":"192.0.2.2"`) {
			t.Errorf("the audit log believed an untrusted X-Forwarded-For")
		}
	})
}

// TestHeadersErrorsNameTheVariable checks that each problem headers.New
// finds is reported under the variable that set the field at fault.
func TestHeadersErrorsNameTheVariable(t *testing.T) {
	tests := []struct {
		name string
		cfg  headers.Config
		want []string
	}{
		{"proxies without a proto header", headers.Config{TrustedProxies: []string{"127.0.0.1"}}, []string{"TRUSTED_PROXIES: headers: ProtoSource:"}},
		{"bad proxy", headers.Config{TrustedProxies: []string{"not-an-address"}, ProtoSource: headers.ProtoFromXForwardedProto}, []string{"TRUSTED_PROXIES: headers: TrustedProxies"}},
		{"bad host", headers.Config{RedirectHTTPS: true, AllowedHosts: []string{"Upper.example"}}, []string{"ALLOWED_HOSTS: headers: AllowedHosts"}},
		{"bad port", headers.Config{RedirectHTTPS: true, AllowedHosts: []string{"localhost"}, HTTPSPort: 70000}, []string{"ADDR: headers: HTTPSPort:"}},
		{"two at once", headers.Config{RedirectHTTPS: true, AllowedHosts: []string{"Upper.example"}, TrustedProxies: []string{"127.0.0.1"}}, []string{"ALLOWED_HOSTS: headers: AllowedHosts", "TRUSTED_PROXIES: headers: ProtoSource:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := headers.New(tt.cfg)
			if err == nil {
				t.Fatal("headers.New accepted the config")
			}
			got := headersConfigError(err).Error()
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("error %q lacks %q", got, w)
				}
			}
		})
	}
}
