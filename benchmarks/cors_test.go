package benchmarks

import (
	"net/http"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/apisec-go/apisec/cors"
	jub0bs "github.com/jub0bs/cors"
	rscors "github.com/rs/cors"
)

// The same policy for every implementation: two origins; GET, POST, PUT,
// DELETE; Content-Type and Authorization; credentials; max-age 600.
var (
	corsOrigins = []string{"https://app.example.com", "https://admin.example.com"}
	corsMethods = []string{"GET", "POST", "PUT", "DELETE"}
	corsHeaders = []string{"Content-Type", "Authorization"}
)

func corsImpls(tb testing.TB) []struct {
	name string
	h    http.Handler
} {
	next := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	ours, err := cors.New(cors.Config{
		Origins:        corsOrigins,
		Methods:        corsMethods,
		RequestHeaders: corsHeaders,
		Credentials:    true,
		MaxAge:         600e9,
	})
	if err != nil {
		tb.Fatal(err)
	}
	jm, err := jub0bs.NewMiddleware(jub0bs.Config{
		Origins:         corsOrigins,
		Methods:         corsMethods,
		RequestHeaders:  corsHeaders,
		Credentialed:    true,
		MaxAgeInSeconds: 600,
	})
	if err != nil {
		tb.Fatal(err)
	}
	rs := rscors.New(rscors.Options{
		AllowedOrigins:   corsOrigins,
		AllowedMethods:   corsMethods,
		AllowedHeaders:   corsHeaders,
		AllowCredentials: true,
		MaxAge:           600,
	})
	return []struct {
		name string
		h    http.Handler
	}{
		{"none", next},
		{"apisec", ours.Handler(next)},
		{"rs-cors", rs.Handler(next)},
		{"jub0bs-cors", jm.Wrap(next)},
	}
}

func corsRequest(method string, hdr ...string) *http.Request {
	r, _ := http.NewRequest(method, "https://api.example.com/v1/items", nil)
	for i := 0; i < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	return r
}

func BenchmarkCORS(b *testing.B) { benchmarkCORS(b) }

// BenchmarkCORSLiveHeap runs the same scenarios with 64 MiB of live heap,
// as a real server has: the benchmark process alone holds about 2 MiB, so
// the garbage collector runs after every few MiB allocated and its cost
// weighs on allocation far more than in production.
func BenchmarkCORSLiveHeap(b *testing.B) {
	ballast := make([]byte, 64<<20)
	benchmarkCORS(b)
	runtime.KeepAlive(ballast)
}

func benchmarkCORS(b *testing.B) {
	scenarios := []struct {
		name string
		req  *http.Request
	}{
		{"no-origin", corsRequest("GET")},
		{"actual-allowed", corsRequest("GET", "Origin", "https://admin.example.com")},
		{"actual-disallowed", corsRequest("GET", "Origin", "https://evil.example.net")},
		{"preflight", corsRequest("OPTIONS", "Origin", "https://admin.example.com",
			"Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", "authorization,content-type")},
		{"preflight-disallowed", corsRequest("OPTIONS", "Origin", "https://evil.example.net",
			"Access-Control-Request-Method", "PUT")},
		{"preflight-acrh-1MiB", corsRequest("OPTIONS", "Origin", "https://admin.example.com",
			"Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", strings.Repeat("a,", 1<<19))},
	}
	impls := corsImpls(b)
	for _, sc := range scenarios {
		for _, impl := range impls {
			b.Run("scenario="+sc.name+"/impl="+impl.name, func(b *testing.B) {
				w := &benchWriter{h: make(http.Header)}
				b.ReportAllocs()
				cpu0 := processCPU()
				for b.Loop() {
					clear(w.h)
					impl.h.ServeHTTP(w, sc.req)
				}
				// CPU time of the whole process (GC workers included) per
				// operation: steadier than wall time on a shared machine.
				b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
			})
		}
	}
}

// processCPU returns the user+system CPU time the process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
