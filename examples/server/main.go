// Command server is the apisec example API: the seed's user API secured end
// to end with every apisec package, composed in the recommended order.
//
//	go run ./examples/server
//
// It needs no setup: without JWT_SECRET and ENCRYPTION_KEYS it makes
// ephemeral keys (and says so, without printing them), and without
// REDIS_URL it keeps rate limits and revocations in memory. See config.go
// for every setting.
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/apisec-go/apisec/headers"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(1)
	}
}

// run starts the server and blocks until ctx is done, then shuts down
// gracefully. Operational messages go to stderr; security events to the
// audit log (stdout by default).
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := loadConfig(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil // -h: the usage is printed, and asking for it is no error
	}
	if err != nil {
		return fmt.Errorf("bad configuration:\n%w", err)
	}
	ops := slog.New(slog.NewTextHandler(stderr, nil))
	app, err := build(ctx, cfg, stdout, ops)
	if err != nil {
		return err
	}
	defer app.Close()

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return &configError{"ADDR", err.Error()}
	}
	srv := &http.Server{
		Handler:           app.handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    32 << 10,
		ErrorLog:          slog.NewLogLogger(ops.Handler(), slog.LevelWarn),
	}
	scheme := "http"
	if cfg.TLSCert != "" {
		scheme = "https"
		srv.TLSConfig = headers.TLSConfig()
	}
	servers := []*http.Server{srv}
	errc := make(chan error, 2)
	go func() {
		if cfg.TLSCert != "" {
			errc <- srv.ServeTLS(ln, cfg.TLSCert, cfg.TLSKey)
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	ops.Info("listening", "url", scheme+"://"+ln.Addr().String())
	if cfg.RedirectAddr != "" {
		rln, err := net.Listen("tcp", cfg.RedirectAddr)
		if err != nil {
			_ = srv.Close()
			return &configError{"REDIRECT_ADDR", err.Error()}
		}
		// The same chain answers here; the headers middleware redirects
		// every plain-HTTP request to https before anything else runs.
		plain := &http.Server{
			Handler:           app.handler,
			ReadHeaderTimeout: 5 * time.Second,
			ReadTimeout:       5 * time.Second,
			WriteTimeout:      5 * time.Second,
			IdleTimeout:       30 * time.Second,
			MaxHeaderBytes:    8 << 10,
			ErrorLog:          srv.ErrorLog,
		}
		servers = append(servers, plain)
		go func() { errc <- plain.Serve(rln) }()
		ops.Info("redirecting to HTTPS", "url", "http://"+rln.Addr().String())
	}

	select {
	case err := <-errc:
		for _, s := range servers {
			_ = s.Close()
		}
		return err
	case <-ctx.Done():
	}
	ops.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, s := range servers {
		if err := s.Shutdown(sctx); err != nil {
			return err
		}
	}
	for range servers {
		if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	}
	ops.Info("stopped")
	return nil
}

// randomKey returns n random bytes, for ephemeral keys that live only as
// long as the process and are never printed.
func randomKey(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return b
}
