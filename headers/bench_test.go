package headers_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/apisec-go/apisec/headers"
)

// BenchmarkHandler measures one response through the middleware against a
// no-middleware baseline. The writer's header map is cleared, not
// reallocated, so only the middleware's own work is counted.
func BenchmarkHandler(b *testing.B) {
	hosts := []string{"api.example.com", "*.example.org"}
	cases := []struct {
		name string
		cfg  *headers.Config
		req  *http.Request
	}{
		{"mw=none", nil, httpsRequest("GET", "https://api.example.com/")},
		{"profile=api/proto=https", &headers.Config{}, httpsRequest("GET", "https://api.example.com/")},
		{"profile=api/proto=http", &headers.Config{}, httptest.NewRequest("GET", "http://api.example.com/", nil)},
		{"profile=api/hosts=2", &headers.Config{AllowedHosts: hosts}, httpsRequest("GET", "https://api.example.com/")},
		{"profile=api/redirect=308", &headers.Config{RedirectHTTPS: true, AllowedHosts: hosts}, httptest.NewRequest("GET", "http://api.example.com/a?b=c", nil)},
		{"profile=html/nonce=on", &headers.Config{Profile: headers.ProfileHTML}, httpsRequest("GET", "https://api.example.com/")},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			var h http.Handler = noopHandler
			if tc.cfg != nil {
				h = mustNew(b, *tc.cfg).Handler(noopHandler)
			}
			w := newReusableWriter()
			b.ReportAllocs()
			for b.Loop() {
				clear(w.h)
				h.ServeHTTP(w, tc.req)
			}
		})
	}
}

// BenchmarkHandlerParallel is the API profile under concurrent load.
func BenchmarkHandlerParallel(b *testing.B) {
	h := mustNew(b, headers.Config{}).Handler(noopHandler)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		w := newReusableWriter()
		r := httpsRequest("GET", "https://api.example.com/")
		for pb.Next() {
			clear(w.h)
			h.ServeHTTP(w, r)
		}
	})
}

func BenchmarkNew(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := headers.New(headers.Config{Profile: headers.ProfileHTML}); err != nil {
			b.Fatal(err)
		}
	}
}
