package benchmarks

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-chi/httprate"
	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
	golimiter "github.com/sethvargo/go-limiter"
	"github.com/sethvargo/go-limiter/memorystore"
	ulule "github.com/ulule/limiter/v3"
	ulhttp "github.com/ulule/limiter/v3/drivers/middleware/stdlib"
	ulmemory "github.com/ulule/limiter/v3/drivers/store/memory"
	ulredis "github.com/ulule/limiter/v3/drivers/store/redis"
	"golang.org/x/time/rate"

	"github.com/apisec-go/apisec/internal/redistest"
	"github.com/apisec-go/apisec/ratelimit"
	"github.com/apisec-go/apisec/ratelimit/redisstore"
)

// Every limiter is configured so that each call is admitted: the
// benchmarks measure the decision, not the rejection.
const rlLimit = 1_000_000_000

// allowFunc makes one decision for key.
type allowFunc func(ctx context.Context, key string) bool

// xrateMap is the usual hand-rolled limiter: a mutex-guarded map of
// x/time/rate limiters.
type xrateMap struct {
	mu sync.Mutex
	m  map[string]*rate.Limiter
}

func (x *xrateMap) allow(_ context.Context, key string) bool {
	x.mu.Lock()
	l, ok := x.m[key]
	if !ok {
		l = rate.NewLimiter(rate.Limit(rlLimit), rlLimit)
		x.m[key] = l
	}
	x.mu.Unlock()
	return l.Allow()
}

type rlImpl struct {
	name string
	make func(b *testing.B) allowFunc
}

func memoryImpls() []rlImpl {
	return []rlImpl{
		{"apisec", func(b *testing.B) allowFunc {
			l, err := ratelimit.New(ratelimit.Config{Policies: []ratelimit.Policy{{Limit: rlLimit, Window: time.Second}}})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { _ = l.Close() })
			return func(ctx context.Context, key string) bool { r, _ := l.Allow(ctx, key); return r.Allowed }
		}},
		{"go-limiter", func(b *testing.B) allowFunc {
			s, err := memorystore.New(&memorystore.Config{Tokens: rlLimit, Interval: time.Second})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { _ = s.Close(context.Background()) })
			return func(ctx context.Context, key string) bool { _, _, _, ok, _ := s.Take(ctx, key); return ok }
		}},
		{"ulule", func(b *testing.B) allowFunc {
			l := ulule.New(ulmemory.NewStore(), ulule.Rate{Period: time.Second, Limit: rlLimit})
			return func(ctx context.Context, key string) bool { c, _ := l.Get(ctx, key); return !c.Reached }
		}},
		{"httprate", func(b *testing.B) allowFunc {
			l := httprate.NewRateLimiter(rlLimit, time.Second)
			var pool = sync.Pool{New: func() any { return &benchWriter{h: http.Header{}} }}
			req := httptest.NewRequest("GET", "/", nil)
			return func(ctx context.Context, key string) bool {
				w := pool.Get().(*benchWriter)
				limited := l.OnLimit(w, req, key)
				pool.Put(w)
				return !limited
			}
		}},
		{"xrate-map", func(b *testing.B) allowFunc {
			x := &xrateMap{m: map[string]*rate.Limiter{}}
			return x.allow
		}},
	}
}

var _ golimiter.Store // the go-limiter interface the memorystore implements

func rlKeys(n int) []string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = "ip:10." + strconv.Itoa(i>>16&255) + "." + strconv.Itoa(i>>8&255) + "." + strconv.Itoa(i&255)
	}
	return keys
}

// BenchmarkRateLimitAllow: one decision, in memory, from all cores.
func BenchmarkRateLimitAllow(b *testing.B) {
	for _, sc := range []struct {
		name string
		keys int
	}{{"hot", 1}, {"keys10000", 10_000}} {
		keys := rlKeys(sc.keys)
		for _, impl := range memoryImpls() {
			b.Run("scenario="+sc.name+"/impl="+impl.name, func(b *testing.B) {
				allow := impl.make(b)
				ctx := context.Background()
				for _, k := range keys {
					allow(ctx, k)
				}
				var seed atomic.Uint64
				b.ReportAllocs()
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					i := int(seed.Add(4099))
					n := len(keys)
					for pb.Next() {
						i++
						// go-limiter refills only once per Interval, so it
						// may deny here; the cost of its decision is alike.
						allow(ctx, keys[i%n])
					}
				})
			})
		}
	}
}

// BenchmarkRateLimitMemory reports the heap each implementation holds per
// key with 1,000,000 keys (HeapAlloc after GC, minus the empty limiter).
func BenchmarkRateLimitMemory(b *testing.B) {
	const n = 1_000_000
	keys := rlKeys(n)
	heap := func() uint64 {
		var ms runtime.MemStats
		runtime.GC()
		runtime.GC()
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	for _, impl := range memoryImpls() {
		b.Run("keys=1000000/impl="+impl.name, func(b *testing.B) {
			ctx := context.Background()
			var perKey float64
			for b.Loop() {
				b.StopTimer()
				base := heap()
				allow := impl.make(b)
				b.StartTimer()
				for _, k := range keys {
					allow(ctx, k)
				}
				b.StopTimer()
				perKey = float64(heap()-base) / n
				runtime.KeepAlive(allow)
				b.StartTimer()
			}
			b.ReportMetric(perKey, "bytes/key")
		})
	}
	// apisec gives the memory back once the keys are idle and swept.
	b.Run("keys=1000000/impl=apisec/phase=after-sweep", func(b *testing.B) {
		ctx := context.Background()
		var perKey float64
		for b.Loop() {
			b.StopTimer()
			base := heap()
			m, err := ratelimit.NewMemory(ratelimit.MemoryConfig{SweepInterval: -1})
			if err != nil {
				b.Fatal(err)
			}
			l, err := ratelimit.New(ratelimit.Config{Policies: []ratelimit.Policy{{Limit: rlLimit, Window: time.Second}}, Store: m})
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			for _, k := range keys {
				_, _ = l.Allow(ctx, k)
			}
			m.Sweep(time.Now().Add(time.Hour))
			b.StopTimer()
			perKey = (float64(heap()) - float64(base)) / n
			runtime.KeepAlive(l)
			b.StartTimer()
		}
		b.ReportMetric(perKey, "bytes/key")
	})
}

// BenchmarkRateLimitMiddleware: the whole middleware with its response
// fields, keyed by client IP.
func BenchmarkRateLimitMiddleware(b *testing.B) {
	noop := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	apisec, err := ratelimit.New(ratelimit.Config{Policies: []ratelimit.Policy{{Limit: rlLimit, Window: time.Second}}})
	if err != nil {
		b.Fatal(err)
	}
	defer apisec.Close()
	ul := ulhttp.NewMiddleware(ulule.New(ulmemory.NewStore(), ulule.Rate{Period: time.Second, Limit: rlLimit}))
	for _, tc := range []struct {
		name string
		h    http.Handler
	}{
		{"none", noop},
		{"apisec", apisec.Handler(noop)},
		{"httprate", httprate.LimitBy(rlLimit, time.Second, httprateKeyByIP)(noop)},
		{"ulule", ul.Handler(noop)},
	} {
		b.Run("scenario=by-ip/impl="+tc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				req := httptest.NewRequest("GET", "/", nil)
				req.RemoteAddr = "192.0.2.1:1234"
				w := &benchWriter{h: http.Header{}}
				for pb.Next() {
					clear(w.h)
					tc.h.ServeHTTP(w, req)
				}
			})
		})
	}
}

// httprateKeyByIP keys by the connection's address, /64 for IPv6, as
// apisec's default key does.
func httprateKeyByIP(r *http.Request) (string, error) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return httprate.CanonicalizeIP(host), nil
}

// BenchmarkRateLimitRedis: one hot key on a real redis-server, 16
// goroutines, every implementation against the same server.
func BenchmarkRateLimitRedis(b *testing.B) {
	srv := redistest.Start(b)
	trips := &tripCounter{}
	newClient := func() *redis.Client {
		c := redis.NewClient(&redis.Options{Addr: srv.Addr, PoolSize: 32})
		c.AddHook(trips)
		b.Cleanup(func() { _ = c.Close() })
		return c
	}
	impls := []rlImpl{
		{"apisec", func(b *testing.B) allowFunc {
			s, err := redisstore.New(redisstore.Config{Client: newClient(), Prefix: "bench-apisec"})
			if err != nil {
				b.Fatal(err)
			}
			l, err := ratelimit.New(ratelimit.Config{Policies: []ratelimit.Policy{{Limit: rlLimit, Window: time.Second}}, Store: s})
			if err != nil {
				b.Fatal(err)
			}
			return func(ctx context.Context, key string) bool { r, _ := l.Allow(ctx, key); return r.Allowed }
		}},
		{"redis_rate", func(b *testing.B) allowFunc {
			l := redis_rate.NewLimiter(newClient())
			lim := redis_rate.PerSecond(rlLimit)
			return func(ctx context.Context, key string) bool {
				r, err := l.Allow(ctx, key, lim)
				return err == nil && r.Allowed > 0
			}
		}},
		{"ulule", func(b *testing.B) allowFunc {
			s, err := ulredis.NewStoreWithOptions(newClient(), ulule.StoreOptions{Prefix: "bench-ulule"})
			if err != nil {
				b.Fatal(err)
			}
			l := ulule.New(s, ulule.Rate{Period: time.Second, Limit: rlLimit})
			return func(ctx context.Context, key string) bool { c, err := l.Get(ctx, key); return err == nil && !c.Reached }
		}},
	}
	for _, impl := range impls {
		b.Run("scenario=hot-key-16-goroutines/impl="+impl.name, func(b *testing.B) {
			allow := impl.make(b)
			ctx := context.Background()
			allow(ctx, "hot")
			b.SetParallelism((16 + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
			b.ReportAllocs()
			calls0, trips0 := scriptCalls(b, srv), trips.n.Load()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if !allow(ctx, "hot") {
						b.Error("denied or failed")
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
			b.ReportMetric(float64(scriptCalls(b, srv)-calls0)/float64(b.N), "scripts/decision")
			b.ReportMetric(float64(trips.n.Load()-trips0)/float64(b.N), "round-trips/decision")
		})
	}
}

// tripCounter counts a client's network round trips: one per command sent
// alone, one per pipeline, whatever it holds.
type tripCounter struct{ n atomic.Int64 }

func (*tripCounter) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *tripCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error { h.n.Add(1); return next(ctx, cmd) }
}
func (h *tripCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error { h.n.Add(1); return next(ctx, cmds) }
}

// scriptCalls is the number of EVALSHA and EVAL commands the server has
// run, from INFO commandstats.
func scriptCalls(b *testing.B, srv *redistest.Server) int {
	b.Helper()
	info, err := srv.Do("INFO", "commandstats")
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(info, "\n") {
		line = strings.TrimSpace(line)
		for _, cmd := range []string{"evalsha", "eval"} {
			if rest, ok := strings.CutPrefix(line, "cmdstat_"+cmd+":calls="); ok {
				v, err := strconv.Atoi(rest[:strings.IndexByte(rest, ',')])
				if err != nil {
					b.Fatal(err)
				}
				n += v
			}
		}
	}
	return n
}
