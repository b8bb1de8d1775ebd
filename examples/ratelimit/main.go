// Command ratelimit serves a small API limited per client address, with a
// per-account login limit, on 127.0.0.1. Set REDIS_URL to share the limits
// between processes through Redis.
//
//	go run ./examples/ratelimit -rate 100/m
//	curl -i localhost:8080/items
package main

import (
	"flag"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/apisec-go/apisec/clientip"
	"github.com/apisec-go/apisec/ratelimit"
	"github.com/apisec-go/apisec/ratelimit/redisstore"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address (loopback only)")
	rate := flag.String("rate", "100/m", "per-client limit, e.g. 10/s, 100/m, 1000/h")
	flag.Parse()
	if host, _, err := net.SplitHostPort(*addr); err != nil || !net.ParseIP(host).IsLoopback() {
		log.Fatalf("-addr %q: this example listens on a loopback address only", *addr)
	}
	perClient, err := ratelimit.ParseRate(*rate)
	if err != nil {
		log.Fatal(err)
	}
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	cfg := ratelimit.Config{
		Policies:    []ratelimit.Policy{perClient},
		ExemptPaths: []string{"/healthz"},
		Key:         ratelimit.KeyByPrincipal(nil), // by account once authenticated, else by IP (/64 for IPv6)
		Logger:      logger,
	}
	if url := os.Getenv("REDIS_URL"); url != "" {
		store, err := redisstore.New(redisstore.Config{URL: url, Prefix: "example"})
		if err != nil {
			log.Fatal(err)
		}
		defer store.Close()
		cfg.Store, cfg.OnStoreError = store, ratelimit.FailLocal // keep serving, limited per process, if Redis dies
	}
	limiter, err := ratelimit.New(cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer limiter.Close()
	perAccount, _ := ratelimit.ParseRate("5/15m")
	logins := ratelimit.MustNew(ratelimit.Config{Policies: []ratelimit.Policy{perAccount}, Logger: logger})
	defer logins.Close()

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })
	mux.HandleFunc("GET /items", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("[]\n")) })
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		res, err := logins.Allow(r.Context(), "login:"+r.FormValue("user"))
		if err != nil || !res.Allowed {
			http.Error(w, "too many attempts for this account", http.StatusTooManyRequests)
			return
		}
		http.Error(w, "wrong password", http.StatusUnauthorized) // a real server checks it here
	})
	// No proxy in front: the connection's address is the client.
	resolver := clientip.MustNew(clientip.Config{})
	srv := &http.Server{
		Addr:              *addr,
		Handler:           resolver.Handler(limiter.Handler(mux)),
		ReadHeaderTimeout: 5 * time.Second,
	}
	logger.Info("listening", "addr", *addr, "rate", perClient.String())
	log.Fatal(srv.ListenAndServe())
}
