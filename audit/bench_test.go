package audit_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/apisec-go/apisec/audit"
)

// benchNext is the application: it answers 200 with a short body.
var benchNext = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte("ok\n"))
})

func benchRequest() *http.Request {
	r := httptest.NewRequest("GET", "/api/v1/items/42", nil)
	r.RemoteAddr = "203.0.113.10:52000"
	r.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0")
	return r
}

// bareSlog is the baseline the issue names: the same application and a
// bare slog JSON handler logging the same attributes by hand.
func bareSlog(sink slog.Handler) http.Handler {
	logger := slog.New(sink)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		benchNext.ServeHTTP(w, r)
		logger.LogAttrs(r.Context(), slog.LevelInfo, "http_request",
			slog.String("request_id", "01hq3xk8m5v9c2d7e4f6g8h0jk"),
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.String("client_ip", "203.0.113.10"),
			slog.String("user_agent", r.UserAgent()),
			slog.Int("status", 200),
			slog.Duration("latency", time.Since(start)),
			slog.Int64("bytes", 3),
		)
	})
}

func auditStack(tb testing.TB, sink slog.Handler, detect bool) http.Handler {
	next := sink
	if detect {
		d, err := audit.NewDetector(audit.DetectorConfig{Next: next})
		if err != nil {
			tb.Fatal(err)
		}
		next = d
	}
	h, err := audit.NewHandler(audit.HandlerConfig{Next: next})
	if err != nil {
		tb.Fatal(err)
	}
	m, err := audit.New(audit.Config{Logger: slog.New(h)})
	if err != nil {
		tb.Fatal(err)
	}
	return m.Handler(benchNext)
}

// BenchmarkRequestEvent: one request and its JSON event to io.Discard.
// The goal: impl=audit within 1.5x of impl=bare-slog, and at most 3 more
// allocations.
func BenchmarkRequestEvent(b *testing.B) {
	impls := []struct {
		name string
		h    http.Handler
	}{
		{"none", benchNext},
		{"bare-slog", bareSlog(slog.NewJSONHandler(io.Discard, nil))},
		{"audit", auditStack(b, slog.NewJSONHandler(io.Discard, nil), false)},
		{"audit+detector", auditStack(b, slog.NewJSONHandler(io.Discard, nil), true)},
	}
	for _, impl := range impls {
		b.Run("impl="+impl.name, func(b *testing.B) {
			r := benchRequest()
			w := &discardWriter{h: http.Header{}}
			b.ReportAllocs()
			cpu := processCPU()
			for b.Loop() {
				impl.h.ServeHTTP(w, r)
			}
			reportCPU(b, cpu)
		})
	}
}

func BenchmarkRequestEventParallel(b *testing.B) {
	impls := []struct {
		name string
		h    http.Handler
	}{
		{"bare-slog", bareSlog(slog.NewJSONHandler(io.Discard, nil))},
		{"audit", auditStack(b, slog.NewJSONHandler(io.Discard, nil), false)},
	}
	for _, impl := range impls {
		b.Run("impl="+impl.name, func(b *testing.B) {
			b.ReportAllocs()
			cpu := processCPU()
			b.RunParallel(func(pb *testing.PB) {
				r := benchRequest()
				w := &discardWriter{h: http.Header{}}
				for pb.Next() {
					impl.h.ServeHTTP(w, r)
				}
			})
			reportCPU(b, cpu)
		})
	}
}

// reportCPU adds the process CPU time per operation since start, a
// steadier figure than ns/op when other processes compete for the cores.
func reportCPU(b *testing.B, start time.Duration) {
	if used := processCPU() - start; used > 0 && b.N > 0 {
		b.ReportMetric(float64(used.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

// BenchmarkHandler measures the Handler alone on an application log line.
func BenchmarkHandler(b *testing.B) {
	attrs := []slog.Attr{slog.String("user", "alice"), slog.Int("items", 3), slog.String("password", "x"), slog.String("note", "all good here")}
	bare := slog.New(slog.NewJSONHandler(io.Discard, nil))
	h, _ := audit.NewHandler(audit.HandlerConfig{Next: slog.NewJSONHandler(io.Discard, nil)})
	for _, impl := range []struct {
		name   string
		logger *slog.Logger
	}{{"bare-slog", bare}, {"audit", slog.New(h)}} {
		b.Run("impl="+impl.name, func(b *testing.B) {
			ctx := context.Background()
			b.ReportAllocs()
			cpu := processCPU()
			for b.Loop() {
				impl.logger.LogAttrs(ctx, slog.LevelInfo, "order_placed", attrs...)
			}
			reportCPU(b, cpu)
		})
	}
}

func BenchmarkChain(b *testing.B) {
	ch, _ := audit.NewChain(audit.ChainConfig{Out: io.Discard, Key: chainKey})
	for _, impl := range []struct {
		name string
		w    io.Writer
	}{{"none", io.Discard}, {"chain", ch}} {
		b.Run("impl="+impl.name, func(b *testing.B) {
			logger := slog.New(slog.NewJSONHandler(impl.w, nil))
			ctx := context.Background()
			b.ReportAllocs()
			cpu := processCPU()
			for b.Loop() {
				logger.LogAttrs(ctx, slog.LevelInfo, "authn_login_success", slog.String("user", "alice"))
			}
			reportCPU(b, cpu)
		})
	}
}

// TestRequestEventAllocsBeyondSlog pins the goal: the middleware
// and Handler add at most 3 allocations per request to what slog costs
// when logging the same attributes by hand. The final handler is a no-op
// that walks the attributes, not the JSON handler, whose buffer pool
// makes counts vary under the race detector.
func TestRequestEventAllocsBeyondSlog(t *testing.T) {
	allocs := func(h http.Handler) float64 {
		r := benchRequest()
		w := &discardWriter{h: http.Header{}}
		return testing.AllocsPerRun(500, func() { h.ServeHTTP(w, r) })
	}
	bare := allocs(bareSlog(walkHandler{}))
	got := allocs(auditStack(t, walkHandler{}, false))
	if got-bare != 3 {
		t.Errorf("audit %v allocs, bare slog %v: %v extra, want exactly 3", got, bare, got-bare)
	}
	if d := allocs(auditStack(t, walkHandler{}, true)); d != got {
		t.Errorf("the detector adds %v allocs to an uncounted event", d-got)
	}
}

// walkHandler is an enabled handler that reads every attribute and writes
// nothing.
type walkHandler struct{}

func (walkHandler) Enabled(context.Context, slog.Level) bool { return true }
func (walkHandler) Handle(_ context.Context, r slog.Record) error {
	n := 0
	r.Attrs(func(a slog.Attr) bool { n += len(a.Key); return true })
	_ = n
	return nil
}
func (h walkHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h walkHandler) WithGroup(string) slog.Handler      { return h }
