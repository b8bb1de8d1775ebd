package audit_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/apisec-go/apisec/audit"
	"github.com/apisec-go/apisec/clientip"
	"github.com/apisec-go/apisec/principal"
)

func newMiddleware(t testing.TB, cfg audit.Config) *audit.Middleware {
	t.Helper()
	m, err := audit.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func statusHandler(code int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(code)
		_, _ = io.WriteString(w, "body")
	})
}

// TestStatusToEvent covers every status the issue maps to a security event
// (OWASP Application Logging Vocabulary), and the ordinary outcomes.
func TestStatusToEvent(t *testing.T) {
	tests := []struct {
		status int
		event  string
		level  string
	}{
		{200, audit.EventRequest, "INFO"},
		{204, audit.EventRequest, "INFO"},
		{302, audit.EventRequest, "INFO"},
		{400, audit.InputValidationFail, "WARN"},
		{401, audit.AuthnFail, "WARN"},
		{403, audit.AuthzFail, "ERROR+4"},
		{404, audit.EventRequest, "INFO"},
		{405, audit.EventRequest, "INFO"},
		{413, audit.InputValidationFail, "WARN"},
		{415, audit.InputValidationFail, "WARN"},
		{422, audit.InputValidationFail, "WARN"},
		{429, audit.RateLimitExceeded, "WARN"},
		{500, audit.EventServerError, "ERROR"},
		{503, audit.EventServerError, "ERROR"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("status=%d", tt.status), func(t *testing.T) {
			var c capture
			m := newMiddleware(t, audit.Config{Logger: auditLogger(t, &c, nil)})
			m.Handler(statusHandler(tt.status)).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/x", nil))
			recs := c.records(t)
			if len(recs) != 1 {
				t.Fatalf("got %d events, want 1:\n%s", len(recs), c.String())
			}
			r := recs[0]
			if r["msg"] != tt.event || r["level"] != tt.level || r["status"] != float64(tt.status) {
				t.Errorf("got msg=%v level=%v status=%v, want %s %s %d", r["msg"], r["level"], r["status"], tt.event, tt.level, tt.status)
			}
		})
	}
}

// TestSecurityOutcomesIgnoreSuccessLevel: a quiet success level must not
// silence security events.
func TestSecurityOutcomesIgnoreSuccessLevel(t *testing.T) {
	for _, code := range []int{200, 401, 403, 404, 429, 400, 500} {
		t.Run(fmt.Sprintf("status=%d", code), func(t *testing.T) {
			var c capture
			sink := slog.NewJSONHandler(&c, &slog.HandlerOptions{Level: slog.LevelInfo})
			m := newMiddleware(t, audit.Config{Logger: auditLogger(t, &c, sink), SuccessLevel: slog.LevelDebug,
				Skip: func(*http.Request) bool { return true }})
			m.Handler(statusHandler(code)).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/healthz", nil))
			n := len(c.records(t))
			if want := map[bool]int{true: 0, false: 1}[code == 200 || code == 404]; n != want {
				t.Errorf("got %d events, want %d", n, want)
			}
		})
	}
}

func TestRecordsRequestAttributes(t *testing.T) {
	var c capture
	clk := newClock()
	m := newMiddleware(t, audit.Config{Logger: auditLogger(t, &c, nil), Now: clk.Now})
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		clk.Add(1500 * time.Microsecond)
		_, _ = io.WriteString(w, "hello")
	}))
	r := httptest.NewRequest("POST", "/items/7?token=secret", nil)
	r.RemoteAddr = "198.51.100.7:5555"
	r.Header.Set("User-Agent", "curl/8.0")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	recs := c.records(t)
	if len(recs) != 1 {
		t.Fatalf("got %d events", len(recs))
	}
	got := recs[0]
	want := map[string]any{
		"msg": "http_request", "method": "POST", "path": "/items/7", "client_ip": "198.51.100.7",
		"user_agent": "curl/8.0", "status": float64(200), "bytes": float64(5), "latency": float64(1500 * time.Microsecond),
		"request_id": w.Header().Get("X-Request-ID"),
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	if strings.Contains(c.String(), "secret") {
		t.Errorf("query string reached the log: %s", c.String())
	}
}

// TestClientIPFromResolver: the address comes from clientip, which alone
// decides whether forwarding headers are believed.
func TestClientIPFromResolver(t *testing.T) {
	res := clientip.MustNew(clientip.Config{TrustedProxies: []string{"10.0.0.0/8"}, Source: clientip.SourceXForwardedFor})
	var c capture
	m := newMiddleware(t, audit.Config{Logger: auditLogger(t, &c, nil)})
	h := res.Handler(m.Handler(statusHandler(200)))
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "10.1.2.3:1000"
	r.Header.Set("X-Forwarded-For", "203.0.113.9")
	h.ServeHTTP(httptest.NewRecorder(), r)
	if got := c.records(t)[0]["client_ip"]; got != "203.0.113.9" {
		t.Errorf("client_ip = %v", got)
	}
}

var generatedID = regexp.MustCompile(`^[0-9a-hjkmnp-tv-z]{26}$`)

func TestRequestID(t *testing.T) {
	tests := []struct {
		name    string
		inbound []string
		ignore  bool
		keep    bool
	}{
		{name: "none", inbound: nil},
		{name: "uuid", inbound: []string{"0f8fad5b-d9cb-469f-a165-70867728950e"}, keep: true},
		{name: "dots and colons", inbound: []string{"edge:1.2_3"}, keep: true},
		{name: "max length", inbound: []string{strings.Repeat("a", 64)}, keep: true},
		{name: "too long", inbound: []string{strings.Repeat("a", 65)}},
		{name: "empty", inbound: []string{""}},
		{name: "CRLF", inbound: []string{"abc\r\nX-Evil: 1"}},
		{name: "space", inbound: []string{"a b"}},
		{name: "quote", inbound: []string{`a"b`}},
		{name: "unicode", inbound: []string{"abc\u2028"}},
		{name: "two values", inbound: []string{"a", "b"}},
		{name: "ignored", inbound: []string{"good-id"}, ignore: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c capture
			m := newMiddleware(t, audit.Config{Logger: auditLogger(t, &c, nil), IgnoreInboundRequestID: tt.ignore})
			var inside string
			h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				inside = audit.RequestID(r.Context())
			}))
			r := httptest.NewRequest("GET", "/", nil)
			r.Header["X-Request-Id"] = tt.inbound
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			echoed := w.Header().Values("X-Request-ID")
			if len(echoed) != 1 {
				t.Fatalf("echoed %q, want one value", echoed)
			}
			if tt.keep {
				if echoed[0] != tt.inbound[0] {
					t.Errorf("echoed %q, want the inbound %q", echoed[0], tt.inbound[0])
				}
			} else if !generatedID.MatchString(echoed[0]) {
				t.Errorf("echoed %q, want a generated id", echoed[0])
			}
			if inside != echoed[0] || c.records(t)[0]["request_id"] != echoed[0] {
				t.Errorf("context id %q and logged id %v differ from echoed %q", inside, c.records(t)[0]["request_id"], echoed[0])
			}
		})
	}
}

func TestGeneratedRequestIDsDiffer(t *testing.T) {
	m := newMiddleware(t, audit.Config{Logger: slog.New(slog.DiscardHandler)})
	h := m.Handler(statusHandler(200))
	seen := map[string]bool{}
	for range 1000 {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
		id := w.Header().Get("X-Request-ID")
		if seen[id] {
			t.Fatalf("duplicate id %q", id)
		}
		seen[id] = true
	}
}

func TestCustomRequestIDHeader(t *testing.T) {
	var c capture
	m := newMiddleware(t, audit.Config{Logger: auditLogger(t, &c, nil), RequestIDHeader: "x-correlation-id"})
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("X-Correlation-Id", "corr-1")
	w := httptest.NewRecorder()
	m.Handler(statusHandler(200)).ServeHTTP(w, r)
	if got := w.Header().Get("X-Correlation-Id"); got != "corr-1" {
		t.Errorf("echoed %q", got)
	}
}

// TestNeutralisesInjectionInRequest: CR/LF and the other line breaks in
// the path and the user agent must not split or forge a log line
// (CWE-117, OWASP Logging Cheat Sheet).
func TestNeutralisesInjectionInRequest(t *testing.T) {
	forged := `{"level":"INFO","msg":"authn_login_success","user":"admin"}`
	tests := []struct {
		name, path, ua, wantPath, wantUA string
	}{
		{"CRLF in path", "/a\r\n" + forged, "ua", `/a\r\n` + forged, "ua"},
		{"NEL in path", "/a\u0085b", "ua", `/a\u0085b`, "ua"},
		{"LS PS in path", "/a\u2028b\u2029c", "ua", `/a\u2028b\u2029c`, "ua"},
		{"DEL and NUL in path", "/a\x7fb\x00c", "ua", `/a\x7fb\x00c`, "ua"},
		{"bidi override in path", "/a\u202egnp.exe", "ua", `/a\u202egnp.exe`, "ua"},
		{"CRLF in user agent", "/", "Mozilla\r\n" + forged, "/", `Mozilla\r\n` + forged},
		{"NEL in user agent", "/", "x\u0085y", "/", `x\u0085y`},
		{"invalid UTF-8 in user agent", "/", "x\xffy", "/", `x\ufffdy`},
		{"long user agent", "/", strings.Repeat("u", 300), "/", strings.Repeat("u", 256) + "...[truncated]"},
		{"long path", "/" + strings.Repeat("p", 300), "ua", "/" + strings.Repeat("p", 255) + "...[truncated]", "ua"},
		{"JWT in path", "/reset/eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln", "ua", "/reset/[REDACTED]", "ua"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c capture
			m := newMiddleware(t, audit.Config{Logger: auditLogger(t, &c, nil)})
			r := httptest.NewRequest("GET", "/", nil)
			r.URL.Path = tt.path
			r.Header.Set("User-Agent", tt.ua)
			m.Handler(statusHandler(200)).ServeHTTP(httptest.NewRecorder(), r)
			if n := strings.Count(c.String(), "\n"); n != 1 {
				t.Fatalf("wrote %d lines, want 1:\n%s", n, c.String())
			}
			rec := c.records(t)[0]
			if rec["path"] != tt.wantPath || rec["user_agent"] != tt.wantUA {
				t.Errorf("path=%q ua=%q, want %q %q", rec["path"], rec["user_agent"], tt.wantPath, tt.wantUA)
			}
			if rec["msg"] != audit.EventRequest {
				t.Errorf("msg = %v", rec["msg"])
			}
		})
	}
}

// TestContextCarriesRequestAttributes: any slog call made with the request
// context carries the request attributes.
func TestContextCarriesRequestAttributes(t *testing.T) {
	var c capture
	logger := auditLogger(t, &c, nil)
	m := newMiddleware(t, audit.Config{Logger: logger})
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		logger.With("component", "db").WithGroup("q").InfoContext(r.Context(), "query", "rows", 3)
	}))
	r := httptest.NewRequest("DELETE", "/things/1", nil)
	r.RemoteAddr = "[2001:db8::5]:443"
	h.ServeHTTP(httptest.NewRecorder(), r)
	recs := c.records(t)
	q := find(recs, "query")
	if len(q) != 1 {
		t.Fatalf("no query record:\n%s", c.String())
	}
	if q[0]["method"] != "DELETE" || q[0]["path"] != "/things/1" || q[0]["client_ip"] != "2001:db8::5" ||
		q[0]["request_id"] != find(recs, "http_request")[0]["request_id"] || q[0]["component"] != "db" {
		t.Errorf("record lacks request attributes: %v", q[0])
	}
	if g, _ := q[0]["q"].(map[string]any); g["rows"] != float64(3) {
		t.Errorf("group lost: %v", q[0])
	}
}

func TestSubject(t *testing.T) {
	auth := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p := &principal.Principal{Subject: "alice\nadmin", Method: principal.MethodJWT}
			next.ServeHTTP(w, r.WithContext(principal.NewContext(r.Context(), p)))
		})
	}
	t.Run("with Identify", func(t *testing.T) {
		var c capture
		logger := auditLogger(t, &c, nil)
		m := newMiddleware(t, audit.Config{Logger: logger})
		h := m.Handler(auth(audit.Identify(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			logger.InfoContext(r.Context(), "inside")
		}))))
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
		for _, rec := range c.records(t) {
			if rec["subject"] != `alice\nadmin` {
				t.Errorf("%v: subject = %v", rec["msg"], rec["subject"])
			}
		}
	})
	t.Run("without Identify", func(t *testing.T) {
		var c capture
		logger := auditLogger(t, &c, nil)
		m := newMiddleware(t, audit.Config{Logger: logger})
		h := m.Handler(auth(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			logger.InfoContext(r.Context(), "inside")
		})))
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
		recs := c.records(t)
		if find(recs, "inside")[0]["subject"] != `alice\nadmin` {
			t.Errorf("inner record lacks the subject: %v", recs)
		}
		if s, ok := find(recs, "http_request")[0]["subject"]; ok {
			t.Errorf("request event has subject %v it cannot know", s)
		}
	})
	t.Run("audit inside auth", func(t *testing.T) {
		var c capture
		m := newMiddleware(t, audit.Config{Logger: auditLogger(t, &c, nil)})
		auth(m.Handler(statusHandler(200))).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
		if got := c.records(t)[0]["subject"]; got != `alice\nadmin` {
			t.Errorf("subject = %v", got)
		}
	})
}

func TestRouteFromServeMux(t *testing.T) {
	var c capture
	m := newMiddleware(t, audit.Config{Logger: auditLogger(t, &c, nil)})
	mux := http.NewServeMux()
	mux.Handle("GET /users/{id}", statusHandler(200))
	m.Handler(mux).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/users/42", nil))
	if got := c.records(t)[0]["route"]; got != "GET /users/{id}" {
		t.Errorf("route = %v", got)
	}
}

// TestLoggerWithoutAuditHandler: with a plain handler the middleware adds
// the request attributes to its own event.
func TestLoggerWithoutAuditHandler(t *testing.T) {
	var c capture
	m := newMiddleware(t, audit.Config{Logger: slog.New(jsonSink(&c))})
	r := httptest.NewRequest("GET", "/", nil)
	r.URL.Path = "/p\r\nq"
	m.Handler(statusHandler(401)).ServeHTTP(httptest.NewRecorder(), r)
	rec := c.records(t)[0]
	if rec["msg"] != audit.AuthnFail || rec["path"] != `/p\r\nq` || rec["method"] != "GET" || rec["request_id"] == nil || rec["client_ip"] != "192.0.2.1" {
		t.Errorf("got %v", rec)
	}
}

func TestPanicIsLogged(t *testing.T) {
	var c capture
	m := newMiddleware(t, audit.Config{Logger: auditLogger(t, &c, nil)})
	h := m.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }))
	func() {
		defer func() {
			if recover() == nil {
				t.Error("the panic was swallowed")
			}
		}()
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	}()
	rec := c.records(t)
	if len(rec) != 1 || rec[0]["msg"] != audit.EventServerError || rec[0]["panic"] != true || rec[0]["status"] != float64(500) {
		t.Errorf("got %v", rec)
	}
	if strings.Contains(c.String(), "boom") {
		t.Error("the panic value reached the log")
	}
}

func TestStatusOfFirstFinalHeader(t *testing.T) {
	var c capture
	m := newMiddleware(t, audit.Config{Logger: auditLogger(t, &c, nil)})
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusEarlyHints)
		w.WriteHeader(http.StatusForbidden)
		w.WriteHeader(http.StatusOK) // superfluous, ignored by net/http
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	if got := c.records(t)[0]["status"]; got != float64(403) {
		t.Errorf("status = %v", got)
	}
}

// TestResponseWriterKeepsInterfaces runs a real server: streaming with
// http.Flusher and ResponseController, hijacking, ReadFrom.
func TestResponseWriterKeepsInterfaces(t *testing.T) {
	var c capture
	m := newMiddleware(t, audit.Config{Logger: auditLogger(t, &c, nil)})
	mux := http.NewServeMux()
	mux.HandleFunc("/flush", func(w http.ResponseWriter, r *http.Request) {
		if _, ok := w.(http.Flusher); !ok {
			t.Error("not a Flusher")
		}
		_, _ = io.WriteString(w, "a")
		w.(http.Flusher).Flush()
		rc := http.NewResponseController(w)
		if err := rc.SetWriteDeadline(time.Now().Add(time.Minute)); err != nil {
			t.Errorf("SetWriteDeadline through Unwrap: %v", err)
		}
		_, _ = io.WriteString(w, "b")
		if err := rc.Flush(); err != nil {
			t.Errorf("ResponseController.Flush: %v", err)
		}
	})
	mux.HandleFunc("/hijack", func(w http.ResponseWriter, r *http.Request) {
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Errorf("Hijack: %v", err)
			return
		}
		defer conn.Close()
		_, _ = buf.WriteString("HTTP/1.1 101 Switching Protocols\r\nConnection: close\r\n\r\n")
		_ = buf.Flush()
	})
	mux.HandleFunc("/readfrom", func(w http.ResponseWriter, r *http.Request) {
		copyBody(t, w, 1000)
	})
	// Server.Close does not wait for hijacked connections, so the test
	// waits for that request's event itself.
	hijackLogged := make(chan struct{})
	h := m.Handler(mux)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r)
		if r.URL.Path == "/hijack" {
			close(hijackLogged)
		}
	}))
	defer srv.Close()

	res, err := http.Get(srv.URL + "/flush")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if string(body) != "ab" {
		t.Errorf("body %q", body)
	}
	res, err = http.Get(srv.URL + "/readfrom")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if string(body) != strings.Repeat("z", 1000) {
		t.Errorf("/readfrom body: %d bytes", len(body))
	}

	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "GET /hijack HTTP/1.1\r\nHost: x\r\n\r\n")
	line, err := bufio.NewReader(conn).ReadString('\n')
	conn.Close()
	if err != nil || !strings.HasPrefix(line, "HTTP/1.1 101") {
		t.Errorf("hijacked response %q, %v", line, err)
	}
	<-hijackLogged
	srv.Close() // waits for the other handlers, hence for their events

	byPath := map[string]map[string]any{}
	for _, r := range c.records(t) {
		byPath[r["path"].(string)] = r
	}
	if r := byPath["/flush"]; r["bytes"] != float64(2) || r["status"] != float64(200) {
		t.Errorf("/flush event %v", r)
	}
	if r := byPath["/readfrom"]; r["bytes"] != float64(1000) {
		t.Errorf("/readfrom event %v", r)
	}
	if r := byPath["/hijack"]; r["hijacked"] != true {
		t.Errorf("/hijack event %v", r)
	}
}

// copyBody writes n bytes with io.Copy from a reader that hides its
// WriteTo (a strings.Reader has one, and io.Copy would prefer it to the
// writer's ReadFrom), so the copy goes through w's ReadFrom.
func copyBody(t *testing.T, w http.ResponseWriter, n int) {
	t.Helper()
	if _, ok := w.(io.ReaderFrom); !ok {
		t.Error("not an io.ReaderFrom")
	}
	got, err := io.Copy(w, struct{ io.Reader }{strings.NewReader(strings.Repeat("z", n))})
	if got != int64(n) || err != nil {
		t.Errorf("io.Copy = %d, %v; want %d", got, err, n)
	}
}

// TestReadFromCountsBytes: a body copied with io.Copy goes through the
// wrapper's ReadFrom, also onto a writer without ReadFrom of its own, and
// is counted.
func TestReadFromCountsBytes(t *testing.T) {
	var c capture
	m := newMiddleware(t, audit.Config{Logger: auditLogger(t, &c, nil)})
	w := httptest.NewRecorder() // no ReadFrom: the wrapper copies with Write
	m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		copyBody(t, w, 700)
	})).ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	if w.Body.String() != strings.Repeat("z", 700) || w.Code != 200 {
		t.Errorf("response %d with %d bytes", w.Code, w.Body.Len())
	}
	if r := c.records(t)[0]; r["bytes"] != float64(700) || r["status"] != float64(200) {
		t.Errorf("event %v", r)
	}
}

func TestHijackUnsupported(t *testing.T) {
	m := newMiddleware(t, audit.Config{Logger: slog.New(slog.DiscardHandler)})
	var err error
	m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _, err = w.(http.Hijacker).Hijack()
	})).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	if err == nil || !strings.Contains(err.Error(), "not supported") {
		t.Errorf("Hijack on a recorder: %v", err)
	}
}

func TestDoesNotMutateRequest(t *testing.T) {
	m := newMiddleware(t, audit.Config{Logger: slog.New(slog.DiscardHandler)})
	r := httptest.NewRequest("GET", "/", nil)
	ctx := r.Context()
	m.Handler(statusHandler(200)).ServeHTTP(httptest.NewRecorder(), r)
	if r.Context() != ctx || audit.RequestID(r.Context()) != "" {
		t.Error("the incoming request was modified")
	}
}

// TestMiddlewareAllocs pins the middleware's cost: the state with the
// writer wrapper, the request copy, and one string holding the generated
// id and the address text.
func TestMiddlewareAllocs(t *testing.T) {
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(200) })
	tests := []struct {
		name    string
		inbound string
		want    float64
	}{
		{"generated id", "", 3},
		{"inbound id", "abc-123", 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newMiddleware(t, audit.Config{Logger: slog.New(slog.DiscardHandler)})
			h := m.Handler(next)
			w := &discardWriter{h: http.Header{}}
			r := httptest.NewRequest("GET", "/x", nil)
			r.Header.Set("User-Agent", "bench")
			if tt.inbound != "" {
				r.Header.Set("X-Request-ID", tt.inbound)
			}
			got := testing.AllocsPerRun(200, func() { h.ServeHTTP(w, r) })
			if got != tt.want {
				t.Errorf("allocs = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestHandlerAllocs: the Handler's only cost is the record copy's
// attribute array, and only when the attributes overflow the five a
// record holds inline: the same array slog itself allocates for the
// record it hands the Handler. walkHandler is enabled (so the record is
// really built and cleaned) and reads every attribute without allocating.
func TestHandlerAllocs(t *testing.T) {
	if testing.CoverMode() != "" || raceEnabled {
		// Under -race slog's own record costs more allocations;
		// .ci/run pins these counts in a run without it.
		t.Skip("allocation counts differ under -cover and -race")
	}
	h, err := audit.NewHandler(audit.HandlerConfig{Next: walkHandler{}})
	if err != nil {
		t.Fatal(err)
	}
	attrs := []slog.Attr{
		slog.Int("status", 200), slog.String("path", "/a"), slog.Int64("bytes", 4),
		slog.String("user", "alice"), slog.Bool("ok", true), slog.Duration("latency", time.Millisecond),
		slog.String("note", "all good"), slog.Float64("ratio", 0.5),
	}
	tests := []struct {
		name  string
		attrs []slog.Attr
		slog  float64 // what slog itself allocates for the record
		want  float64 // with the Handler in front of the same handler
	}{
		{"inline attributes", attrs[:3], 0, 0},
		{"overflowing attributes", attrs, 1, 2},
	}
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			allocs := func(l *slog.Logger) float64 {
				return testing.AllocsPerRun(200, func() { l.LogAttrs(ctx, slog.LevelInfo, "http_request", tt.attrs...) })
			}
			if got := allocs(slog.New(walkHandler{})); got != tt.slog {
				t.Errorf("bare slog allocs = %v, want %v", got, tt.slog)
			}
			if got := allocs(slog.New(h)); got != tt.want {
				t.Errorf("allocs = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestRecorderAllocs: a vocabulary helper with attributes of its own and
// the caller's allocates nothing itself: its attributes go straight into
// the record. walkHandler is enabled (so the record is built) and reads
// every attribute without allocating.
func TestRecorderAllocs(t *testing.T) {
	rec, err := audit.NewRecorder(audit.RecorderConfig{Logger: slog.New(walkHandler{})})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	got := testing.AllocsPerRun(200, func() {
		rec.AuthzChanged(ctx, "u", "user", "admin", slog.String("ticket", "T-1"))
	})
	if got != 0 {
		t.Errorf("allocs = %v, want 0", got)
	}
}

type discardWriter struct {
	h      http.Header
	status int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *discardWriter) WriteHeader(code int)        { w.status = code }
