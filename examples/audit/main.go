// Command audit serves a toy login API with security event logging: one
// JSON event per request on stdout (or -log FILE), OWASP login events, and
// brute-force detection that blocks the offending address.
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"io"
	"log"
	"log/slog"
	"net/http"
	"os"
	"sync"

	"github.com/apisec-go/apisec/audit"
	"github.com/apisec-go/apisec/clientip"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address (loopback)")
	logPath := flag.String("log", "", "append events to this file instead of stdout")
	flag.Parse()

	var out io.Writer = os.Stdout
	if *logPath != "" {
		f, err := audit.OpenFile(*logPath)
		if err != nil {
			log.Fatal(err)
		}
		defer f.Close()
		out = f
	}
	var blocked sync.Map // client address -> true
	det, err := audit.NewDetector(audit.DetectorConfig{
		Next:           slog.NewJSONHandler(out, &slog.HandlerOptions{ReplaceAttr: audit.ReplaceLevelNames}),
		BruteForceUser: audit.Rule{Threshold: 3},
		OnAlert: func(_ context.Context, a audit.Alert) { // blocks until restart: a demo
			if a.ClientIP.IsValid() {
				blocked.Store(a.ClientIP.Addr(), true)
			}
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	h, err := audit.NewHandler(audit.HandlerConfig{Next: det})
	if err != nil {
		log.Fatal(err)
	}
	logger := slog.New(h)
	// Failed-login usernames are logged as a keyed hash, as people type
	// passwords there; in production, load a stable secret key.
	rec, recErr := audit.NewRecorder(audit.RecorderConfig{Logger: logger, FailedLoginHashKey: []byte(rand.Text() + rand.Text())})
	mw, err := audit.New(audit.Config{Logger: logger})
	if err = errors.Join(recErr, err); err != nil {
		log.Fatal(err)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		if _, ok := blocked.Load(clientip.FromRequest(r)); ok {
			http.Error(w, "too many attempts", http.StatusTooManyRequests)
			return
		}
		user := r.FormValue("user")
		if r.FormValue("password") != "correct horse battery staple" {
			rec.LoginFailed(r.Context(), user)
			http.Error(w, "invalid credentials", http.StatusUnauthorized)
			return
		}
		rec.LoginSucceeded(r.Context(), user)
		io.WriteString(w, "welcome\n")
	})
	log.Print("listening on http://", *addr)
	log.Fatal(http.ListenAndServe(*addr, mw.Handler(mux)))
}
