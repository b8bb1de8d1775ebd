package audit_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apisec-go/apisec/audit"
)

// TestEndToEndChainedFile runs the whole pipeline on a real server:
// concurrent clients, the Middleware, a Recorder, the Detector and a Chain
// into a file opened with OpenFile, then verifies the file.
func TestEndToEndChainedFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	f, err := audit.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ch, err := audit.NewChain(audit.ChainConfig{Out: f, Key: chainKey})
	if err != nil {
		t.Fatal(err)
	}
	var alerts alerts
	det, err := audit.NewDetector(audit.DetectorConfig{
		Next:           slog.NewJSONHandler(ch, nil),
		BruteForceUser: audit.Rule{Threshold: 5, Window: time.Hour},
		BruteForceIP:   audit.Rule{Disabled: true},
		OnAlert:        alerts.add,
	})
	if err != nil {
		t.Fatal(err)
	}
	logger := auditLogger(t, nil, det)
	rec, _ := audit.NewRecorder(audit.RecorderConfig{Logger: logger})
	mw := newMiddleware(t, audit.Config{Logger: logger})
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		rec.LoginFailed(r.Context(), r.FormValue("user"))
		http.Error(w, "no", http.StatusUnauthorized)
	})
	srv := httptest.NewServer(mw.Handler(mux))

	var wg sync.WaitGroup
	for c := range 4 {
		wg.Go(func() {
			for i := range 10 {
				user := fmt.Sprintf("user%d\r\nforged", c)
				res, err := http.PostForm(srv.URL+"/login", url.Values{"user": {user}, "password": {"Hunter-Pw-" + fmt.Sprint(i)}})
				if err != nil {
					t.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
			}
		})
	}
	wg.Wait()
	srv.Close()
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}

	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	head, err := audit.Verify(strings.NewReader(string(data)), chainKey, audit.Anchor{})
	// 40 requests: one authn_login_fail and one authn_fail each, plus one
	// alert per 5 failures of each of the 4 users.
	if err != nil || head.Seq != 40*2+8 || head != ch.Head() {
		t.Fatalf("verified %d records (head %d), %v", head.Seq, ch.Head().Seq, err)
	}
	if n := len(alerts.rules()); n != 8 {
		t.Errorf("%d alerts, want 8", n)
	}
	if strings.Contains(string(data), "\r\nforged") || strings.Contains(string(data), "Hunter-Pw") ||
		!strings.Contains(string(data), `"user":"user0\\r\\nforged"`) {
		t.Error("an injected line break or a password reached the file, or the username was lost")
	}
	if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v, %v", info.Mode(), err)
	}
}

// TestNoDuplicateJSONMembers defends log consumers against ambiguous
// objects: a package that logs "method" itself inside a request must not
// produce a second "method" member next to the request attribute. An equal
// value is dropped; a different one is kept as "event_<key>".
func TestNoDuplicateJSONMembers(t *testing.T) {
	var buf strings.Builder
	h, err := audit.NewHandler(audit.HandlerConfig{Next: slog.NewJSONHandler(&buf, nil)})
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(h)
	mw, err := audit.New(audit.Config{Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	srv := mw.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		logger.WarnContext(r.Context(), "input_validation_fail", "method", r.Method, "path", "/somewhere/else", "code", "x")
	}))
	srv.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/api/users", nil))
	line, _, _ := strings.Cut(buf.String(), "\n")
	if n := strings.Count(line, `"method":`); n != 1 {
		t.Fatalf("%d method members in %s", n, line)
	}
	if !strings.Contains(line, `"path":"/api/users"`) || !strings.Contains(line, `"event_path":"/somewhere/else"`) {
		t.Fatalf("differing duplicate not renamed: %s", line)
	}
}

// TestWithCannotForgeRequestAttributes: attributes added with
// Logger.With under the key of a request attribute give no second copy of
// it, whether the application's logger or the Middleware's own carries
// them; as for record attributes, an equal value is dropped and a
// different one kept as "event_<key>". Outside a request they are kept.
func TestWithCannotForgeRequestAttributes(t *testing.T) {
	forged := []any{"client_ip", "10.9.9.9", "request_id", "forged", "method", "GET"}
	tests := []struct {
		name  string
		mw    func(l *slog.Logger) *slog.Logger // the Middleware's logger
		app   func(l *slog.Logger) *slog.Logger // the application's
		event string                            // the record checked
	}{
		{"application logger", keepLogger, func(l *slog.Logger) *slog.Logger { return l.With(forged...) }, "m"},
		{"application logger with a group", keepLogger,
			func(l *slog.Logger) *slog.Logger { return l.With(forged...).WithGroup("g").With("x", 1) }, "m"},
		{"middleware logger", func(l *slog.Logger) *slog.Logger { return l.With(forged...) }, keepLogger, audit.EventRequest},
		{"inline group", keepLogger, func(l *slog.Logger) *slog.Logger { return l.With(slog.Group("", forged...)) }, "m"},
		{"inline group in the record", keepLogger, func(l *slog.Logger) *slog.Logger {
			return slog.New(recordAttrs{l.Handler(), []slog.Attr{slog.Group("", slog.Group("", forged...))}})
		}, "m"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c capture
			logger := auditLogger(t, &c, nil)
			mw := newMiddleware(t, audit.Config{Logger: tt.mw(logger)})
			srv := mw.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				tt.app(logger).InfoContext(r.Context(), "m")
			}))
			r := httptest.NewRequest("GET", "/a", nil)
			r.RemoteAddr = "192.0.2.7:4000"
			w := httptest.NewRecorder()
			srv.ServeHTTP(w, r)
			var line string
			for l := range strings.Lines(c.String()) {
				if strings.Contains(l, `"msg":"`+tt.event+`"`) {
					line = l
				}
			}
			for _, k := range []string{"client_ip", "request_id", "method"} {
				if n := strings.Count(line, `"`+k+`":`); n != 1 {
					t.Errorf("%d %s members in %s", n, k, line)
				}
			}
			id := w.Header().Get("X-Request-ID")
			if !strings.Contains(line, `"client_ip":"192.0.2.7"`) || !strings.Contains(line, `"request_id":"`+id+`"`) ||
				!strings.Contains(line, `"event_client_ip":"10.9.9.9"`) || !strings.Contains(line, `"event_request_id":"forged"`) ||
				strings.Contains(line, "event_method") {
				t.Errorf("forged attributes not renamed or equal ones kept: %s", line)
			}
		})
	}
	t.Run("outside a request", func(t *testing.T) {
		var c capture
		auditLogger(t, &c, nil).With(forged...).Info("m")
		rec := c.records(t)[0]
		if rec["client_ip"] != "10.9.9.9" || rec["request_id"] != "forged" || rec["method"] != "GET" {
			t.Errorf("attributes renamed outside a request: %v", rec)
		}
	})
}

func keepLogger(l *slog.Logger) *slog.Logger { return l }

// recordAttrs adds attrs to every record, as a record attribute.
type recordAttrs struct {
	slog.Handler
	attrs []slog.Attr
}

func (h recordAttrs) Handle(ctx context.Context, r slog.Record) error {
	r.AddAttrs(h.attrs...)
	return h.Handler.Handle(ctx, r)
}
