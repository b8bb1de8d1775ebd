package headers_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/apisec-go/apisec/headers"
)

const legacyReport = `{"csp-report":{"document-uri":"https://example.com/page?token=s3cret#frag",` +
	`"referrer":"","violated-directive":"script-src-elem","effective-directive":"script-src-elem",` +
	`"original-policy":"default-src 'self'","disposition":"enforce","blocked-uri":"https://evil.example/x.js?k=v",` +
	`"line-number":12,"source-file":"https://example.com/app.js","status-code":200,"script-sample":""}}`

const apiReports = `[{"type":"csp-violation","age":10,"url":"https://example.com/","user_agent":"UA",` +
	`"body":{"documentURL":"https://example.com/","blockedURL":"inline","effectiveDirective":"style-src-attr",` +
	`"disposition":"report","sample":"color:red","lineNumber":3,"sourceFile":"https://example.com/"}},` +
	`{"type":"deprecation","body":{}}]`

func newReportHandler(t *testing.T, max int64) (*headers.ReportHandler, *bytes.Buffer) {
	t.Helper()
	var buf bytes.Buffer
	h, err := headers.NewReportHandler(headers.ReportConfig{Logger: slog.New(slog.NewJSONHandler(&buf, nil)), MaxBodyBytes: max})
	if err != nil {
		t.Fatal(err)
	}
	return h, &buf
}

func logRecords(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

func TestReportHandler(t *testing.T) {
	cases := []struct {
		name     string
		method   string
		ctype    string
		body     string
		status   int
		logs     int
		document string
		blocked  string
	}{
		{"legacy", "POST", "application/csp-report", legacyReport, 204, 1, "https://example.com/page", "https://evil.example/x.js"},
		{"reporting api", "POST", "application/reports+json", apiReports, 204, 1, "https://example.com/", "inline"},
		{"json legacy", "POST", "application/json", legacyReport, 204, 1, "https://example.com/page", "https://evil.example/x.js"},
		{"get", "GET", "application/csp-report", "", 405, 0, "", ""},
		{"wrong type", "POST", "text/plain", legacyReport, 415, 0, "", ""},
		{"bad json", "POST", "application/csp-report", `{"csp-report":`, 400, 0, "", ""},
		{"not a report", "POST", "application/csp-report", `{"a":1}`, 400, 0, "", ""},
		{"too large", "POST", "application/csp-report", `{"csp-report":{"document-uri":"` + strings.Repeat("a", 20000) + `"}}`, 413, 0, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, buf := newReportHandler(t, 0)
			r := httptest.NewRequest(tc.method, "/csp", strings.NewReader(tc.body))
			r.Header.Set("Content-Type", tc.ctype)
			rec := serve(h, r)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d (%s)", rec.Code, tc.status, rec.Body)
			}
			recs := logRecords(t, buf)
			if len(recs) != tc.logs {
				t.Fatalf("%d log records, want %d: %s", len(recs), tc.logs, buf)
			}
			if tc.logs == 0 {
				return
			}
			got := recs[0]
			if got["msg"] != "malicious_csp_violation" || got["level"] != "WARN" {
				t.Errorf("record %v", got)
			}
			if got["document_uri"] != tc.document || got["blocked_uri"] != tc.blocked {
				t.Errorf("document %v blocked %v", got["document_uri"], got["blocked_uri"])
			}
		})
	}
}

// TestReportNeverLogsQueryStrings: report URLs may carry tokens in their
// query strings; they must not reach the log.
func TestReportNeverLogsQueryStrings(t *testing.T) {
	h, buf := newReportHandler(t, 0)
	r := httptest.NewRequest("POST", "/csp", strings.NewReader(legacyReport))
	r.Header.Set("Content-Type", "application/csp-report")
	serve(h, r)
	if strings.Contains(buf.String(), "s3cret") || strings.Contains(buf.String(), "k=v") || strings.Contains(buf.String(), "frag") {
		t.Errorf("log holds query or fragment: %s", buf)
	}
}

// TestReportCannotForgeLogLines: control characters (including U+2028 and
// C1 controls that JSON handlers pass through) are replaced, and fields are
// truncated.
func TestReportCannotForgeLogLines(t *testing.T) {
	h, buf := newReportHandler(t, 0)
	body := `{"csp-report":{"document-uri":"https://example.com/","effective-directive":"script-src\u2028fake\u0085line\r\nx",` +
		`"script-sample":"` + strings.Repeat("é", 400) + `"}}`
	r := httptest.NewRequest("POST", "/csp", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/csp-report")
	if rec := serve(h, r); rec.Code != 204 {
		t.Fatalf("status %d", rec.Code)
	}
	recs := logRecords(t, buf)
	if len(recs) != 1 {
		t.Fatalf("records: %s", buf)
	}
	dir := recs[0]["effective_directive"].(string)
	if strings.ContainsAny(dir, "\u2028\u0085\r\n") {
		t.Errorf("directive %q keeps control characters", dir)
	}
	if s := recs[0]["sample"].(string); len(s) > 256 {
		t.Errorf("sample of %d bytes, want at most 256", len(s))
	}
}

func TestReportBatchIsCapped(t *testing.T) {
	h, buf := newReportHandler(t, 1<<20)
	one := `{"type":"csp-violation","body":{"documentURL":"https://example.com/","effectiveDirective":"img-src"}}`
	body := "[" + strings.TrimSuffix(strings.Repeat(one+",", 100), ",") + "]"
	r := httptest.NewRequest("POST", "/csp", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/reports+json")
	serve(h, r)
	if n := len(logRecords(t, buf)); n != 20 {
		t.Errorf("%d records logged, want 20", n)
	}
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func (c *countingReader) Close() error { return nil }

// TestReportBodyCapWithoutContentLength: a chunked body (unknown length)
// cannot be refused up front; the handler must stop reading one byte past
// the cap and answer 413, rather than read a body of any size into memory.
// A body of exactly the cap is still accepted.
func TestReportBodyCapWithoutContentLength(t *testing.T) {
	const max = 1024
	atCap := legacyReport + strings.Repeat(" ", max-len(legacyReport)) // JSON allows trailing spaces
	cases := []struct {
		name   string
		body   io.Reader
		status int
		read   int64 // bytes the handler may read at most
	}{
		{"4 MiB", io.MultiReader(strings.NewReader(`{"csp-report":{"document-uri":"`), strings.NewReader(strings.Repeat("a", 4<<20))), 413, max + 1},
		{"cap plus one", strings.NewReader(atCap + " "), 413, max + 1},
		{"at the cap", strings.NewReader(atCap), 204, max},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, _ := newReportHandler(t, max)
			body := &countingReader{r: tc.body}
			r := httptest.NewRequest("POST", "/csp", nil)
			r.Header.Set("Content-Type", "application/csp-report")
			r.ContentLength = -1 // as for Transfer-Encoding: chunked
			r.Body = body
			rec := serve(h, r)
			if rec.Code != tc.status {
				t.Errorf("status %d, want %d", rec.Code, tc.status)
			}
			if body.n > tc.read {
				t.Errorf("read %d bytes of the body, want at most %d", body.n, tc.read)
			}
		})
	}
}

func TestInvalidReportConfig(t *testing.T) {
	_, err := headers.NewReportHandler(headers.ReportConfig{MaxBodyBytes: 2 << 20})
	want := []string{
		"Logger: required: a report endpoint that logs nothing only costs resources",
		"MaxBodyBytes: must be between 1 and 1048576, got 2097152",
	}
	if got := configErrors(t, err); !slices.Equal(got, want) {
		t.Errorf("errors %q, want %q", got, want)
	}
}
