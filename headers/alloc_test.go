package headers_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/apisec-go/apisec/headers"
)

// reusableWriter is a ResponseWriter whose header map is cleared, not
// reallocated, between requests, so AllocsPerRun counts the middleware only.
type reusableWriter struct {
	h    http.Header
	code int
}

func (w *reusableWriter) Header() http.Header         { return w.h }
func (w *reusableWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *reusableWriter) WriteHeader(code int)        { w.code = code }

func newReusableWriter() *reusableWriter { return &reusableWriter{h: make(http.Header, 32)} }

var noopHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })

// TestAllocsPerResponse pins the cost of the header set: one allocation for
// every header (one backing array inside the writer wrapper), and four with
// a nonce (wrapper, policy string, context value, request copy).
func TestAllocsPerResponse(t *testing.T) {
	cases := []struct {
		name string
		cfg  headers.Config
		tls  bool
		max  float64
	}{
		{"profile=api/https", headers.Config{}, true, 1},
		{"profile=api/http", headers.Config{}, false, 1},
		{"profile=api/hosts", headers.Config{AllowedHosts: []string{"example.com", "*.example.org"}}, true, 1},
		{"profile=html/nonce", headers.Config{Profile: headers.ProfileHTML}, true, 4},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := mustNew(t, tc.cfg).Handler(noopHandler)
			w := newReusableWriter()
			r := httptest.NewRequest("GET", "http://example.com/", nil)
			if tc.tls {
				r = httpsRequest("GET", "https://example.com/")
			}
			got := testing.AllocsPerRun(200, func() {
				clear(w.h)
				h.ServeHTTP(w, r)
			})
			if got > tc.max {
				t.Errorf("%v allocations per response, want at most %v", got, tc.max)
			}
			if w.h.Get("X-Frame-Options") != "DENY" || w.code != 204 {
				t.Errorf("headers not set: %v", w.h)
			}
		})
	}
}
