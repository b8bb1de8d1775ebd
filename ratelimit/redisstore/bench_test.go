package redisstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/apisec-go/apisec/internal/redistest"
	"github.com/apisec-go/apisec/ratelimit"
)

// BenchmarkTake measures one decision at a time against a real
// redis-server, next to a PING round trip (the floor any store pays), with
// each kind of client (see clientModes).
func BenchmarkTake(b *testing.B) {
	srv := redistest.Start(b)
	ctx := context.Background()
	for _, mode := range clientModes {
		c := mode.client(b, srv.Addr)
		s := newStore(b, c, "bench")
		b.Run(mode.name+"/impl=ping", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := c.Ping(ctx).Err(); err != nil {
					b.Fatal(err)
				}
			}
		})
		for _, tc := range []struct {
			name string
			ps   []ratelimit.Policy
		}{
			{"policies=1", []ratelimit.Policy{{Limit: ratelimit.MaxLimit, Window: time.Second, Name: "s"}}},
			{"policies=3", []ratelimit.Policy{
				{Name: "s", Limit: ratelimit.MaxLimit, Window: time.Second},
				{Name: "h", Limit: ratelimit.MaxLimit, Window: time.Hour},
				{Name: "x", Limit: 10_000, Window: time.Second, Algorithm: ratelimit.SlidingWindow},
			}},
		} {
			b.Run(mode.name+"/impl=apisec/"+tc.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := s.Take(ctx, "hot", 1, time.Time{}, tc.ps); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
