// Command cors serves a small JSON API that a browser app on another origin
// may call with cookies, behind the apisec CORS middleware.
//
//	go run ./examples/cors -addr 127.0.0.1:8080 -origin http://localhost:5173
//
// Try a preflight:
//
//	curl -i -X OPTIONS http://127.0.0.1:8080/items \
//	  -H 'Origin: http://localhost:5173' \
//	  -H 'Access-Control-Request-Method: PUT' \
//	  -H 'Access-Control-Request-Headers: authorization,content-type'
package main

import (
	"errors"
	"flag"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/apisec-go/apisec/cors"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "loopback address to listen on")
	origin := flag.String("origin", "http://localhost:5173", "the browser app's origin")
	flag.Parse()

	if host, _, err := net.SplitHostPort(*addr); err != nil || !net.ParseIP(host).IsLoopback() {
		log.Fatalf("refusing to listen on %q: this example listens on loopback only", *addr)
	}

	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	mw, err := cors.New(cors.Config{
		Origins:        []string{*origin},
		Methods:        []string{"PUT", "DELETE"},
		RequestHeaders: []string{"Authorization", "Content-Type"},
		ExposedHeaders: []string{"X-Total-Count"},
		Credentials:    true,
		MaxAge:         10 * time.Minute,
		Logger:         logger,
	})
	if err != nil {
		// Every problem of the config, one per line, each naming its field.
		var ce *cors.ConfigError
		if errors.As(err, &ce) {
			log.Fatalf("invalid CORS config (first problem in %s):\n%v", ce.Field, err)
		}
		log.Fatal(err)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /items", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Total-Count", "2")
		_, _ = w.Write([]byte(`[{"id":1},{"id":2}]`))
	})
	mux.HandleFunc("PUT /items", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})

	srv := &http.Server{
		Addr:              *addr,
		Handler:           mw.Handler(mux), // cors goes outside auth: preflights carry no credentials
		ReadHeaderTimeout: 5 * time.Second,
	}
	logger.Info("listening", "addr", *addr, "allowed_origin", *origin)
	log.Fatal(srv.ListenAndServe())
}
