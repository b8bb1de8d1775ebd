package audit_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"time"

	"github.com/apisec-go/apisec/audit"
	"github.com/apisec-go/apisec/principal"
)

// stdoutJSON writes JSON lines without the time, so examples are
// deterministic.
func stdoutJSON() slog.Handler {
	return slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 && a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	})
}

func fixedClock() func() time.Time {
	t := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	return func() time.Time { return t }
}

// The Handler cleans every record and adds the request attributes; the
// Middleware logs each outcome. Use the same logger in handlers, with the
// request's context.
func Example() {
	h, err := audit.NewHandler(audit.HandlerConfig{Next: stdoutJSON()})
	if err != nil {
		panic(err)
	}
	logger := slog.New(h)
	mw, err := audit.New(audit.Config{Logger: logger, Now: fixedClock()})
	if err != nil {
		panic(err)
	}
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		logger.InfoContext(r.Context(), "login attempt", "password", "hunter2")
		http.Error(w, "forbidden", http.StatusForbidden)
	})
	r := httptest.NewRequest("POST", "/admin%0D%0Afake", nil) // decodes to a CR LF
	r.Header.Set("X-Request-ID", "req-1")
	r.Header.Set("User-Agent", "curl/8.5")
	mw.Handler(app).ServeHTTP(httptest.NewRecorder(), r)
	// Output:
	// {"level":"INFO","msg":"login attempt","request_id":"req-1","method":"POST","path":"/admin\\r\\nfake","client_ip":"192.0.2.1","user_agent":"curl/8.5","password":"[REDACTED]"}
	// {"level":"ERROR+4","msg":"authz_fail","request_id":"req-1","method":"POST","path":"/admin\\r\\nfake","client_ip":"192.0.2.1","user_agent":"curl/8.5","status":403,"latency":0,"bytes":10}
}

// New reports every problem of a Config at once.
func ExampleNew_configError() {
	_, err := audit.New(audit.Config{MaxPathLength: -1})
	fmt.Println(err)
	// Output:
	// audit: Logger: is required
	// audit: MaxPathLength: must be between 0 and 8192, got -1
}

// The most common mistake: logging without the request's context. The
// Handler finds the request attributes in the context, so a call without
// it loses the request id and the client address.
func Example_mistakeLoggingWithoutContext() {
	h, _ := audit.NewHandler(audit.HandlerConfig{Next: stdoutJSON()})
	logger := slog.New(h)
	mw, _ := audit.New(audit.Config{Logger: logger, SuccessLevel: slog.LevelDebug})
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		logger.Info("wrong: no context")
		logger.InfoContext(r.Context(), "right: request context")
	})
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("X-Request-ID", "req-2")
	mw.Handler(app).ServeHTTP(httptest.NewRecorder(), r)
	// Output:
	// {"level":"INFO","msg":"wrong: no context"}
	// {"level":"INFO","msg":"right: request context","request_id":"req-2","method":"GET","path":"/","client_ip":"192.0.2.1"}
}

// A Recorder logs the OWASP vocabulary; failed-login usernames can be
// hashed, since users type passwords into the username field.
func ExampleRecorder_LoginFailed() {
	h, _ := audit.NewHandler(audit.HandlerConfig{Next: stdoutJSON()})
	rec, err := audit.NewRecorder(audit.RecorderConfig{
		Logger:             slog.New(h),
		FailedLoginHashKey: []byte("an example key of 32 bytes or more"),
	})
	if err != nil {
		panic(err)
	}
	rec.LoginFailed(context.Background(), "alice")
	rec.LoginSucceeded(context.Background(), "alice")
	// Output:
	// {"level":"WARN","msg":"authn_login_fail","user":"hmac:b6851335dc125108b69958330d7d85b3"}
	// {"level":"INFO","msg":"authn_login_success","user":"alice"}
}

// A Detector raises an alert after repeated failures and lets the
// application react.
func ExampleDetector() {
	det, err := audit.NewDetector(audit.DetectorConfig{
		Next:           stdoutJSON(),
		BruteForceUser: audit.Rule{Threshold: 3, Window: time.Minute},
		OnAlert: func(_ context.Context, a audit.Alert) {
			fmt.Printf("block %s after %d failures\n", a.User, a.Count)
		},
		Now: fixedClock(),
	})
	if err != nil {
		panic(err)
	}
	h, _ := audit.NewHandler(audit.HandlerConfig{Next: det})
	rec, _ := audit.NewRecorder(audit.RecorderConfig{Logger: slog.New(h)})
	for range 3 {
		rec.LoginFailed(context.Background(), "bob")
	}
	// Output:
	// {"level":"WARN","msg":"authn_login_fail","user":"bob"}
	// {"level":"WARN","msg":"authn_login_fail","user":"bob"}
	// {"level":"WARN","msg":"authn_login_fail","user":"bob"}
	// {"level":"WARN","msg":"authn_login_fail_max","rule":"brute_force_user","user":"bob","count":3,"window":60000000000}
	// block bob after 3 failures
}

// A Chain makes a JSON log tamper-evident; Verify finds the first broken
// line.
func ExampleVerify() {
	key := []byte("a chain key of at least 32 bytes!")
	var file bytes.Buffer
	ch, err := audit.NewChain(audit.ChainConfig{Out: &file, Key: key})
	if err != nil {
		panic(err)
	}
	logger := slog.New(slog.NewJSONHandler(ch, nil))
	logger.Info("authn_login_success", "user", "alice")
	logger.Warn("authz_fail", "user", "mallory")
	logger.Info("user_deleted", "user", "bob")

	head, err := audit.Verify(bytes.NewReader(file.Bytes()), key, audit.Anchor{})
	fmt.Println(head.Seq, err)

	tampered := strings.Replace(file.String(), "mallory", "alice", 1)
	_, err = audit.Verify(strings.NewReader(tampered), key, audit.Anchor{})
	fmt.Println(err)
	// Output:
	// 3 <nil>
	// audit: chain broken at line 2: altered (record 2)
}

// Identify, placed after authentication, lets the request event name the
// caller, although authentication runs inside the audit Middleware.
func ExampleIdentify() {
	h, _ := audit.NewHandler(audit.HandlerConfig{Next: stdoutJSON()})
	mw, _ := audit.New(audit.Config{Logger: slog.New(h), Now: fixedClock()})
	authenticate := func(next http.Handler) http.Handler { // stands for auth's middleware
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p := &principal.Principal{Subject: "user-42", Method: principal.MethodJWT}
			next.ServeHTTP(w, r.WithContext(principal.NewContext(r.Context(), p)))
		})
	}
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	srv := mw.Handler(authenticate(audit.Identify(app)))

	r := httptest.NewRequest("GET", "/me", nil)
	r.Header.Set("X-Request-ID", "req-3")
	srv.ServeHTTP(httptest.NewRecorder(), r)
	// Output:
	// {"level":"INFO","msg":"http_request","request_id":"req-3","method":"GET","path":"/me","client_ip":"192.0.2.1","subject":"user-42","status":200,"latency":0,"bytes":0}
}
