// Command version serves /api/v1/users (deprecated, sunset announced) and
// /api/v2/users from one route per version, on 127.0.0.1 only.
//
//	go run ./examples/version -port 8090
//	curl -i http://127.0.0.1:8090/api/v1/users
//	curl -i -H 'API-Version: 2' http://127.0.0.1:8090/api/users
package main

import (
	"encoding/json"
	"flag"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/apisec-go/apisec/version"
)

func main() {
	port := flag.Int("port", 8090, "TCP port on 127.0.0.1")
	flag.Parse()
	handler, err := newHandler(slog.New(slog.NewJSONHandler(os.Stderr, nil)), time.Now)
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{
		Addr:              net.JoinHostPort("127.0.0.1", strconv.Itoa(*port)),
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		IdleTimeout:       time.Minute,
	}
	log.Printf("listening on http://%s", srv.Addr)
	log.Fatal(srv.ListenAndServe())
}

func newHandler(logger *slog.Logger, now func() time.Time) (http.Handler, error) {
	ver, err := version.New(version.Config{
		Versions: []version.Version{
			{
				Name:          "1",
				Deprecated:    time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
				Sunset:        time.Date(2027, 6, 30, 23, 59, 59, 0, time.UTC),
				Link:          "https://developer.example.com/deprecation/v1",
				Successor:     "2",
				SuccessorLink: "https://developer.example.com/v2",
			},
			{Name: "2"},
		},
		Default:    "2",
		Sources:    version.SourceHeader | version.SourcePath,
		PathPrefix: "/api",
		Logger:     logger,
		Now:        now,
	})
	if err != nil {
		return nil, err
	}

	// Routes are written without the version segment: it is stripped.
	v1 := http.NewServeMux()
	v1.HandleFunc("GET /api/users", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, []string{"alice", "bob"})
	})
	v2 := http.NewServeMux()
	v2.HandleFunc("GET /api/users", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]any{"users": []map[string]string{{"name": "alice"}, {"name": "bob"}}})
	})
	return ver.Route(map[string]http.Handler{"1": v1, "2": v2})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
