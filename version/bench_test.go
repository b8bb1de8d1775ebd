package version_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/apisec-go/apisec/version"
)

// discard is a ResponseWriter that keeps headers and drops the body, so
// benchmarks measure the middleware rather than a recorder.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }
func (d *discard) WriteHeader(int)             {}

func headerOnly() version.Config {
	return version.Config{
		Versions: []version.Version{{Name: "1"}, {Name: "2"}, {Name: "3"}},
		Default:  "3",
	}
}

func BenchmarkNegotiate(b *testing.B) {
	const mt = "application/vnd.acme+json"
	cases := []struct {
		name string
		cfg  version.Config
		r    *http.Request
	}{
		{"source=header", headerOnly(), newRequest("/users", http.Header{"API-Version": {"2"}})},
		{"source=header/form=v2-quoted", headerOnly(), newRequest("/users", http.Header{"API-Version": {`"v2"`}})},
		{"source=header/all-sources", fullConfig(), newRequest("/api/users", http.Header{"API-Version": {"2"}})},
		{"source=default", headerOnly(), newRequest("/users", nil)},
		{"source=path", fullConfig(), newRequest("/api/v2/users", nil)},
		{"source=media-type", fullConfig(), newRequest("/api/users", http.Header{"Accept": {mt + "; version=2"}})},
		{"source=query", fullConfig(), newRequest("/api/users?api-version=2", nil)},
		{"source=header/deprecated", fullConfig(), newRequest("/api/users", http.Header{"API-Version": {"1"}})},
	}
	for _, c := range cases {
		n := version.MustNew(c.cfg)
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := n.Negotiate(c.r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkHandler(b *testing.B) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	cfg := fullConfig()
	cfg.Now = time.Now
	full := version.MustNew(cfg)
	hdr := version.MustNew(headerOnly())
	cases := []struct {
		name   string
		h      http.Handler
		target string
		header http.Header
	}{
		{"mw=none", ok, "/users", http.Header{"API-Version": {"2"}}},
		{"mw=version/source=header", hdr.Handler(ok), "/users", http.Header{"API-Version": {"2"}}},
		{"mw=version/source=path", full.Handler(ok), "/api/v2/users", nil},
		{"mw=version/source=header/deprecated", full.Handler(ok), "/api/users", http.Header{"API-Version": {"1"}}},
		{"mw=version/reject=unsupported", hdr.Handler(ok), "/users", http.Header{"API-Version": {"9"}}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			r := newRequest(c.target, c.header)
			w := &discard{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				clear(w.h)
				c.h.ServeHTTP(w, r)
			}
		})
	}
}

// The header path is the hot path: it must not allocate (issue 10,
// Performance). Other sources are pinned too, so a regression shows.
func TestNegotiateAllocations(t *testing.T) {
	tests := []struct {
		name string
		cfg  version.Config
		r    *http.Request
		want float64
	}{
		{"header", headerOnly(), newRequest("/users", http.Header{"API-Version": {"2"}}), 0},
		{"header with every source enabled", fullConfig(), newRequest("/api/users", http.Header{"API-Version": {"v2"}}), 0},
		{"default", headerOnly(), newRequest("/users", nil), 0},
		{"path", fullConfig(), newRequest("/api/v2/users", nil), 0},
		{"media type", fullConfig(), newRequest("/api/users", http.Header{"Accept": {"application/vnd.acme+json; version=2"}}), 0},
		{"query", fullConfig(), newRequest("/api/users?api-version=2", nil), 0},
		{"rejection", headerOnly(), newRequest("/users", http.Header{"API-Version": {"9"}}), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := version.MustNew(tt.cfg)
			if got := testing.AllocsPerRun(100, func() { _, _ = n.Negotiate(tt.r) }); got != tt.want {
				t.Errorf("Negotiate allocates %v times, want %v", got, tt.want)
			}
		})
	}
}

// The middleware adds a fixed number of allocations per request: the
// header values (1), the context value (1) and the request copy (1); the
// path source adds the URL copy and the stripped path.
func TestHandlerAllocations(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	tests := []struct {
		name   string
		cfg    version.Config
		target string
		header http.Header
		want   float64
	}{
		{"header", headerOnly(), "/users", http.Header{"API-Version": {"2"}}, 3},
		{"deprecated", fullConfig(), "/api/users", http.Header{"API-Version": {"1"}}, 3},
		{"path", fullConfig(), "/api/v2/users", nil, 5},
		{"unsupported", headerOnly(), "/users", http.Header{"API-Version": {"9"}}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := version.MustNew(tt.cfg).Handler(ok)
			r := newRequest(tt.target, tt.header)
			w := &discard{h: http.Header{}}
			got := testing.AllocsPerRun(100, func() {
				clear(w.h)
				h.ServeHTTP(w, r)
			})
			if got != tt.want {
				t.Errorf("Handler allocates %v times, want %v", got, tt.want)
			}
		})
	}
}
