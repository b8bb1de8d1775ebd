package redisstore_test

import (
	"fmt"
	"log"
	"net/http"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/apisec-go/apisec/ratelimit"
	"github.com/apisec-go/apisec/ratelimit/redisstore"
)

// Share one quota between every process of a service through a Redis
// Cluster. If Redis becomes unreachable, each process keeps limiting on
// its own (FailLocal) and switches back by itself when Redis returns.
// ContextTimeoutEnabled lets a decision make its round trip in the
// request's goroutine, bounded by the store's Timeout.
func Example() {
	client := redis.NewUniversalClient(&redis.UniversalOptions{
		Addrs:                 []string{"10.0.0.1:6379", "10.0.0.2:6379", "10.0.0.3:6379"},
		ContextTimeoutEnabled: true,
	})
	store, err := redisstore.New(redisstore.Config{Client: client, Prefix: "myapi", Timeout: 50 * time.Millisecond})
	if err != nil {
		log.Fatal(err)
	}
	perMinute, _ := ratelimit.ParseRate("600/m")
	perMinute.Name = "minute"
	perProcess, _ := ratelimit.ParseRate("100/m")
	perProcess.Name = "minute-local"
	limiter, err := ratelimit.New(ratelimit.Config{
		Policies:         []ratelimit.Policy{perMinute},
		Store:            store,
		OnStoreError:     ratelimit.FailLocal,
		FallbackPolicies: []ratelimit.Policy{perProcess},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer limiter.Close()
	http.Handle("/", limiter.Handler(http.NotFoundHandler()))
}

// A bad configuration is reported in full, and a URL's password never
// appears in the error.
func ExampleNew_configError() {
	_, err := redisstore.New(redisstore.Config{URL: "http://user:s3cret@cache:6379", Timeout: time.Minute, Concurrency: -1})
	fmt.Println(err)
	// Output:
	// redisstore: URL: not a valid redis:// or rediss:// URL
	// redisstore: Concurrency: must be between 0 and 1024, got -1
	// redisstore: Timeout: must be between 0 and 10s, got 1m0s
}
