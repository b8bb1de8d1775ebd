// Command clientip shows the caller's address as apisec resolves it,
// trusting X-Forwarded-For only from the proxies named in TRUSTED_PROXIES.
//
//	TRUSTED_PROXIES=127.0.0.1 go run ./examples/clientip
//	curl -H 'X-Forwarded-For: 203.0.113.7' http://127.0.0.1:8080/
//
// With 127.0.0.1 trusted, the answer is 203.0.113.7; without it, a client
// cannot choose its own address and the answer is 127.0.0.1.
package main

import (
	"fmt"
	"log"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/apisec-go/apisec/clientip"
)

func main() {
	cfg := clientip.Config{}
	if v := os.Getenv("TRUSTED_PROXIES"); v != "" {
		cfg.TrustedProxies = strings.Split(v, ",")
		cfg.Source = clientip.SourceXForwardedFor
	}
	res, err := clientip.New(cfg)
	if err != nil {
		log.Fatal(err) // every bad entry is listed, naming TrustedProxies[i]
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
		addr := clientip.FromRequest(r)
		fmt.Fprintf(w, "client %s (rate-limit key %s), direct peer %s\n",
			addr, clientip.Prefix(addr, 0), clientip.RemoteAddr(r))
	})
	srv := &http.Server{
		Addr:              "127.0.0.1:8080",
		Handler:           res.Handler(mux),
		ReadHeaderTimeout: 5 * time.Second,
		MaxHeaderBytes:    16 << 10,
	}
	log.Printf("listening on http://%s", srv.Addr)
	log.Fatal(srv.ListenAndServe())
}
