package ratelimit_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apisec-go/apisec/ratelimit"
)

func benchKeys(n int) []string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = "ip:198.51." + strconv.Itoa(i/256) + "." + strconv.Itoa(i%256)
	}
	return keys
}

func BenchmarkAllow(b *testing.B) {
	ps := []ratelimit.Policy{{Name: "p", Limit: 1_000_000_000, Window: time.Second}}
	for _, n := range []int{1, 10_000} {
		name := "keys=hot"
		if n > 1 {
			name = "keys=" + strconv.Itoa(n)
		}
		b.Run(name, func(b *testing.B) {
			l := newLimiter(b, ratelimit.Config{Policies: ps})
			keys := benchKeys(n)
			ctx := context.Background()
			var next atomic.Uint64
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				i := int(next.Add(7919))
				for pb.Next() {
					i++
					_, _ = l.Allow(ctx, keys[i%n])
				}
			})
		})
	}
}

func BenchmarkAllowSerial(b *testing.B) {
	ps := []ratelimit.Policy{{Name: "p", Limit: 1_000_000_000, Window: time.Second}}
	l := newLimiter(b, ratelimit.Config{Policies: ps})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		_, _ = l.Allow(ctx, "hot")
	}
}

func BenchmarkMiddleware(b *testing.B) {
	ps := []ratelimit.Policy{
		{Name: "burst", Limit: 1_000_000_000, Window: time.Second},
		{Name: "hourly", Limit: 1_000_000_000, Window: time.Hour},
	}
	noop := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	for _, tc := range []struct {
		name string
		h    http.Handler
	}{
		{"impl=none", noop},
		{"impl=apisec", newLimiter(b, ratelimit.Config{Policies: ps}).Handler(noop)},
		{"impl=apisec-legacy-headers", newLimiter(b, ratelimit.Config{Policies: ps, LegacyHeaders: true}).Handler(noop)},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				req := httptest.NewRequest("GET", "/", nil)
				req.RemoteAddr = "192.0.2.1:1234"
				w := &headerWriter{h: http.Header{}}
				for pb.Next() {
					clear(w.h)
					tc.h.ServeHTTP(w, req)
				}
			})
		})
	}
}

func BenchmarkSlidingWindow(b *testing.B) {
	ps := []ratelimit.Policy{{Name: "s", Limit: 10_000, Window: time.Second, Algorithm: ratelimit.SlidingWindow}}
	l := newLimiter(b, ratelimit.Config{Policies: ps})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		_, _ = l.Allow(ctx, "hot")
	}
}
