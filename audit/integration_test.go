package audit_test

import (
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
