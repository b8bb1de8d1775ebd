// Command headers serves a small HTML page and a JSON API behind the
// headers middleware: the API profile for /api/, the HTML profile (with a
// fresh CSP nonce per response) for pages, CSP reports at /csp-reports.
//
//	go run ./examples/headers
//	curl -si http://127.0.0.1:8080/api/status
package main

import (
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/apisec-go/apisec/headers"
)

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	hosts := []string{"127.0.0.1", "localhost"}

	api, err := headers.New(headers.Config{AllowedHosts: hosts, Logger: logger})
	if err != nil {
		log.Fatal(err)
	}
	html, err := headers.New(headers.Config{
		Profile:      headers.ProfileHTML,
		AllowedHosts: hosts,
		CSPReportURI: "/csp-reports",
		Logger:       logger,
	})
	if err != nil {
		log.Fatal(err)
	}
	reports, err := headers.NewReportHandler(headers.ReportConfig{Logger: logger})
	if err != nil {
		log.Fatal(err)
	}

	mux := http.NewServeMux()
	mux.Handle("/api/", api.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"status":"ok"}`)
	})))
	mux.Handle("POST /csp-reports", reports)
	mux.Handle("/", html.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		nonce := headers.Nonce(r.Context())
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><title>apisec</title><p id="out">static</p>`+
			`<script nonce="%s">document.getElementById("out").textContent = "nonce script ran"</script>`+
			`<script>alert("blocked: no nonce")</script>`, nonce)
	})))

	srv := &http.Server{
		Addr:              "127.0.0.1:8080", // loopback only
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
	}
	logger.Info("listening", "addr", "http://"+srv.Addr)
	log.Fatal(srv.ListenAndServe())
}
