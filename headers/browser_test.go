package headers_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/apisec-go/apisec/headers"
	"github.com/apisec-go/apisec/internal/testenv"
)

// TestBrowserEnforcesNonce loads a page served with the HTML profile in a
// real browser: the script carrying the response's nonce runs, an injected
// script without it does not (CSP3 §8.2, nonce-based strict policy), and in
// report-only mode both run.
func TestBrowserEnforcesNonce(t *testing.T) {
	chromium := testenv.Chromium(t)
	page := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := headers.Nonce(r.Context())
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html><body><p id="a">static</p><p id="b">static</p>`+
			`<script nonce="%s">document.getElementById("a").textContent = "nonce ran"</script>`+
			`<script>document.getElementById("b").textContent = "injected ran"</script>`+
			`<script nonce="stale-or-guessed">document.getElementById("b").textContent = "guessed ran"</script>`+
			`</body></html>`, n)
	})
	cases := []struct {
		name       string
		reportOnly bool
		wantA      string
		wantB      string
	}{
		{"enforced", false, "nonce ran", "static"},
		{"report-only", true, "nonce ran", "guessed ran"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := mustNew(t, headers.Config{Profile: headers.ProfileHTML, CSPReportOnly: tc.reportOnly})
			srv := httptest.NewServer(m.Handler(page))
			defer srv.Close()
			dom := testenv.DumpDOM(t, chromium, srv.URL+"/", 5*time.Second)
			for id, want := range map[string]string{"a": tc.wantA, "b": tc.wantB} {
				if !strings.Contains(dom, `<p id="`+id+`">`+want+`</p>`) {
					t.Errorf("paragraph %s: want %q in DOM:\n%s", id, want, dom)
				}
			}
		})
	}
}

// TestBrowserReportsReachReportHandler: a real browser's violation report
// (report-uri) is accepted by ReportHandler and logged as
// malicious_csp_violation, with the page's query string stripped.
func TestBrowserReportsReachReportHandler(t *testing.T) {
	chromium := testenv.Chromium(t)
	var logs bytes.Buffer
	reports, err := headers.NewReportHandler(headers.ReportConfig{Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	m := mustNew(t, headers.Config{Profile: headers.ProfileHTML, CSPReportURI: "/csp-reports"})
	mux := http.NewServeMux()
	received := make(chan struct{}, 1)
	mux.Handle("POST /csp-reports", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reports.ServeHTTP(w, r)
		select {
		case received <- struct{}{}: // the log write happens before the receive
		default:
		}
	}))
	mux.Handle("/", m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><p>x</p><script>document.title = "injected"</script>`)
	})))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	testenv.DumpDOM(t, chromium, srv.URL+"/page?session=s3cret", 5*time.Second)
	select {
	case <-received:
	case <-time.After(15 * time.Second):
		t.Fatal("the browser sent no violation report")
	}
	srv.Close() // waits for in-flight reports, so reading the log is race-free
	got := logs.String()
	if !strings.Contains(got, `"effective_directive":"script-src-elem"`) || !strings.Contains(got, `"document_uri":"`+srv.URL+`/page"`) {
		t.Errorf("log record: %s", got)
	}
	if strings.Contains(got, "s3cret") {
		t.Errorf("query string logged: %s", got)
	}
}
