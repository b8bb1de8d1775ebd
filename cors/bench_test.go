package cors_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apisec-go/apisec/cors"
)

// benchWriter is a ResponseWriter reused across iterations, its header map
// cleared each time, so the figures show the middleware's own allocations.
type benchWriter struct {
	h      http.Header
	status int
}

func (w *benchWriter) Header() http.Header         { return w.h }
func (w *benchWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *benchWriter) WriteHeader(s int)           { w.status = s }

func benchConfig() cors.Config {
	return cors.Config{
		Origins:        []string{"https://app.example.com", "https://admin.example.com"},
		Methods:        []string{"GET", "POST", "PUT", "DELETE"},
		RequestHeaders: []string{"Content-Type", "Authorization"},
		Credentials:    true,
		MaxAge:         600 * time.Second,
	}
}

func benchRequest(method string, hdr map[string]string) *http.Request {
	r, _ := http.NewRequest(method, "https://api.example.com/v1/items", nil)
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	return r
}

var benchScenarios = []struct {
	name string
	req  *http.Request
}{
	{"no-origin", benchRequest("GET", nil)},
	{"actual-allowed", benchRequest("GET", map[string]string{"Origin": "https://admin.example.com"})},
	{"actual-disallowed", benchRequest("GET", map[string]string{"Origin": "https://evil.example.net"})},
	{"preflight", benchRequest("OPTIONS", map[string]string{"Origin": "https://admin.example.com", "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "authorization,content-type"})},
	{"preflight-disallowed", benchRequest("OPTIONS", map[string]string{"Origin": "https://evil.example.net", "Access-Control-Request-Method": "PUT"})},
	{"preflight-acrh-1MiB", benchRequest("OPTIONS", map[string]string{"Origin": "https://admin.example.com", "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": strings.Repeat("a,", 1<<19)})},
}

func BenchmarkHandler(b *testing.B) {
	next := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	m, err := cors.New(benchConfig())
	if err != nil {
		b.Fatal(err)
	}
	impls := []struct {
		name string
		h    http.Handler
	}{
		{"none", next},
		{"apisec", m.Handler(next)},
	}
	for _, sc := range benchScenarios {
		for _, impl := range impls {
			b.Run("scenario="+sc.name+"/impl="+impl.name, func(b *testing.B) {
				w := &benchWriter{h: make(http.Header)}
				b.ReportAllocs()
				for b.Loop() {
					clear(w.h)
					impl.h.ServeHTTP(w, sc.req)
				}
			})
		}
	}
}

func BenchmarkHandlerParallel(b *testing.B) {
	next := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	m, err := cors.New(benchConfig())
	if err != nil {
		b.Fatal(err)
	}
	h := m.Handler(next)
	for _, sc := range benchScenarios[:4] {
		b.Run("scenario="+sc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				w := &benchWriter{h: make(http.Header)}
				for pb.Next() {
					clear(w.h)
					h.ServeHTTP(w, sc.req)
				}
			})
		})
	}
}

func BenchmarkOriginAllowed(b *testing.B) {
	origins := []string{"https://app.example.com", "https://admin.example.com", "https://*.tenant.example.com"}
	for i := range 10 {
		origins = append(origins, "https://site"+strconv.Itoa(i)+".example.org")
	}
	probes := []struct{ name, origin string }{
		{"exact", "https://admin.example.com"},
		{"pattern", "https://x.tenant.example.com"},
		{"miss", "https://evil.example.net"},
	}
	for _, n := range []int{3, 8, 13} {
		m, err := cors.New(cors.Config{Origins: origins[:n]})
		if err != nil {
			b.Fatal(err)
		}
		for _, pr := range probes {
			b.Run("origins="+strconv.Itoa(n)+"/origin="+pr.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					m.OriginAllowed(pr.origin)
				}
			})
		}
	}
}
