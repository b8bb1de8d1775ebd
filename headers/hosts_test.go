package headers_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/apisec-go/apisec/headers"
)

var hostCases = []struct {
	name string
	host string
	want error
}{
	{"exact", "api.example.com", nil},
	{"exact with port", "api.example.com:8080", nil},
	{"uppercase", "API.Example.COM", nil},
	{"trailing dot", "api.example.com.", nil},
	{"wildcard one label", "a.example.org", nil},
	{"wildcard two labels", "a.b.example.org", nil},
	{"ipv4", "192.0.2.1:80", nil},
	{"ipv6", "[2001:db8::1]:443", nil},
	{"ipv6 non-canonical", "[2001:DB8:0::1]", nil},
	{"wildcard apex not matched", "example.org", headers.ErrUnknownHost},
	{"suffix is not subdomain", "evilexample.org", headers.ErrUnknownHost},
	{"other host", "evil.example", headers.ErrUnknownHost},
	{"allowed as prefix", "api.example.com.evil.example", headers.ErrUnknownHost},
	{"other ipv4", "192.0.2.2", headers.ErrUnknownHost},
	{"empty", "", headers.ErrMalformedHost},
	{"userinfo", "user@api.example.com", headers.ErrMalformedHost},
	{"path", "api.example.com/x", headers.ErrMalformedHost},
	{"bad port", "api.example.com:http", headers.ErrMalformedHost},
	{"double port", "api.example.com:1:2", headers.ErrMalformedHost},
	{"unbracketed ipv6", "2001:db8::1", headers.ErrMalformedHost},
	{"ipv6 zone", "[fe80::1%25eth0]", headers.ErrMalformedHost},
	{"space", "api.example.com evil", headers.ErrMalformedHost},
	{"too long", strings.Repeat("a.", 200) + "example.com", headers.ErrMalformedHost},
	{"crlf", "api.example.com\r\nX: y", headers.ErrMalformedHost},
}

func TestHostGuard(t *testing.T) {
	g, err := headers.NewHostGuard(headers.HostConfig{AllowedHosts: []string{"api.example.com", "*.example.org", "192.0.2.1", "[2001:db8::1]"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range hostCases {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.Host = tc.host
			if err := g.Check(r); !errors.Is(err, tc.want) || (err == nil) != (tc.want == nil) {
				t.Errorf("Check = %v, want %v", err, tc.want)
			}
			rec := serve(g.Handler(okHandler), r)
			want := 200
			switch tc.want {
			case headers.ErrUnknownHost:
				want = 421
			case headers.ErrMalformedHost:
				want = 400
			}
			if rec.Code != want {
				t.Errorf("status %d, want %d", rec.Code, want)
			}
			if want != 200 && rec.Header().Get("Content-Type") != "application/problem+json" {
				t.Errorf("Content-Type %q", rec.Header().Get("Content-Type"))
			}
		})
	}
}

func TestHostGuardStatusAndErrorHandler(t *testing.T) {
	var gotErr error
	g, err := headers.NewHostGuard(headers.HostConfig{
		AllowedHosts:      []string{"example.com"},
		UnknownHostStatus: 400,
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			gotErr = err
			w.WriteHeader(http.StatusTeapot)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest("GET", "http://evil.example/", nil)
	if rec := serve(g.Handler(okHandler), r); rec.Code != http.StatusTeapot || gotErr != headers.ErrUnknownHost {
		t.Errorf("status %d err %v", rec.Code, gotErr)
	}
	g400, _ := headers.NewHostGuard(headers.HostConfig{AllowedHosts: []string{"example.com"}, UnknownHostStatus: 400})
	if rec := serve(g400.Handler(okHandler), r); rec.Code != 400 {
		t.Errorf("status %d, want 400", rec.Code)
	}
}

func TestInvalidHostConfig(t *testing.T) {
	cases := []struct {
		name string
		cfg  headers.HostConfig
		want []string
	}{
		{"empty", headers.HostConfig{}, []string{"AllowedHosts: required: list the host names this server answers for"}},
		{"bad entries and status", headers.HostConfig{AllowedHosts: []string{"exa mple.com", "*.*.example.com"}, UnknownHostStatus: 403}, []string{
			`AllowedHosts[0]: "exa mple.com" is not a host name or IP literal without port`,
			`AllowedHosts[1]: "*.*.example.com": a wildcard needs a registrable name with at least two labels after "*."`,
			"UnknownHostStatus: must be 421 or 400, got 403"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g, err := headers.NewHostGuard(tc.cfg)
			if got := configErrors(t, err); g != nil || !slices.Equal(got, tc.want) {
				t.Errorf("errors %q, want %q", got, tc.want)
			}
		})
	}
}
