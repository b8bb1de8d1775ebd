package main

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// binary is the server built once for every end-to-end test, so each test
// starts the program exactly as a user would run it.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "apisec-server-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "server")
	out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "building the server: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// lockedBuffer collects a process's output while it runs.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// server is one running example server process.
type server struct {
	URL    string
	client *http.Client
	cmd    *exec.Cmd
	audit  *lockedBuffer // stdout: the audit log
	stderr *lockedBuffer
	done   chan error
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// startServer runs the built server on a free loopback port with env added
// to a minimal environment, waits for /healthz, and stops it by PID at
// cleanup (SIGTERM, then SIGKILL after 10 s).
func startServer(t *testing.T, env ...string) *server {
	t.Helper()
	addr := freeAddr(t)
	s := &server{URL: "http://" + addr, client: http.DefaultClient, audit: &lockedBuffer{}, stderr: &lockedBuffer{}, done: make(chan error, 1)}
	for _, kv := range env {
		if certFile, ok := strings.CutPrefix(kv, "TLS_CERT="); ok {
			s.URL = "https://" + addr
			s.client = tlsClient(t, certFile)
		}
	}
	s.cmd = exec.Command(binary)
	s.cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "ADDR=" + addr}, env...)
	s.cmd.Stdout = s.audit
	s.cmd.Stderr = s.stderr
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.done <- s.cmd.Wait() }()
	t.Cleanup(func() { s.stop(t) })
	deadline := time.Now().Add(20 * time.Second)
	for {
		res, err := s.client.Get(s.URL + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return s
			}
		}
		select {
		case err := <-s.done:
			t.Fatalf("server exited before it was ready: %v\n%s", err, s.stderr)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("server not ready after 20s: %v\n%s", err, s.stderr)
		}
		time.Sleep(50 * time.Millisecond) // polling a real process's readiness
	}
}

// stop shuts the server down gracefully with SIGTERM and reports whether
// it exited cleanly within the time limit.
func (s *server) stop(t *testing.T) error { return s.stopWith(t, syscall.SIGTERM) }

// stopWith sends sig and waits up to 10 s for the process to exit, then
// kills it. Once it has exited, later calls return the same result.
func (s *server) stopWith(t *testing.T, sig os.Signal) error {
	select {
	case err := <-s.done:
		s.done <- err // let a later stop see it
		return err
	default:
	}
	_ = s.cmd.Process.Signal(sig)
	select {
	case err := <-s.done:
		s.done <- err // let a later stop see it
		return err
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		t.Errorf("server did not stop within 10s of %v", sig)
		err := <-s.done
		s.done <- err
		return err
	}
}

type response struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r *response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, r.Body)
	}
	return m
}

// do sends one request; headers are name, value pairs.
func (s *server) do(t *testing.T, method, path, body string, headers ...string) *response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := s.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return &response{Status: res.StatusCode, Header: res.Header, Body: b}
}

// wantProblem checks an RFC 9457 response: status, media type, members.
func wantProblem(t *testing.T, r *response, status int) map[string]any {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d\n%s", r.Status, status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type %q, want application/problem+json", ct)
	}
	m := r.json(t)
	if title, _ := m["title"].(string); m["status"] != float64(status) || title == "" || m["type"] == nil {
		t.Fatalf("problem body %v", m)
	}
	return m
}

func bearer(token string) []string { return []string{"Authorization", "Bearer " + token} }

func (s *server) login(t *testing.T, email, password string) (token string, expires time.Time) {
	t.Helper()
	r := s.do(t, "POST", "/api/login", fmt.Sprintf(`{"email":%q,"password":%q}`, email, password))
	if r.Status != 200 {
		t.Fatalf("login: %d %s", r.Status, r.Body)
	}
	m := r.json(t)
	token, _ = m["token"].(string)
	exp, err := time.Parse(time.RFC3339, fmt.Sprint(m["expires_at"]))
	if token == "" || err != nil {
		t.Fatalf("login body %s", r.Body)
	}
	return token, exp
}

// register creates a user and checks the 201: a JSON body of exactly the
// new user's id, email and name (no password, no hash), and a Location
// naming the user's resource.
func (s *server) register(t *testing.T, email, password, name string, age int) string {
	t.Helper()
	r := s.do(t, "POST", "/api/users", fmt.Sprintf(`{"email":%q,"password":%q,"name":%q,"age":%d}`, email, password, name, age))
	if r.Status != 201 {
		t.Fatalf("register: %d %s", r.Status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("register: Content-Type %q", ct)
	}
	m := r.json(t)
	id, _ := m["id"].(string)
	if len(m) != 3 || !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(id) || m["email"] != email || m["name"] != name {
		t.Fatalf("register body %s, want exactly id, email %q and name %q", r.Body, email, name)
	}
	if loc := r.Header.Get("Location"); loc != "/api/users/"+id {
		t.Fatalf("register: Location %q, want /api/users/%s", loc, id)
	}
	return id
}

// clientFrom returns a client whose connections leave from the loopback
// address ip (any of 127.0.0.0/8 on Linux), so one test can be several
// peers to the server.
func clientFrom(t *testing.T, ip string) *http.Client {
	t.Helper()
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	tr := &http.Transport{DialContext: d.DialContext}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

// via returns a copy of s that sends its requests with client c.
func (s *server) via(c *http.Client) *server {
	cp := *s
	cp.client = c
	return &cp
}

// tlsClient trusts only the test's own self-signed certificate and does
// not follow redirects, so tests see them.
func tlsClient(t *testing.T, certFile string) *http.Client {
	t.Helper()
	pem, err := os.ReadFile(certFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatal("bad test certificate")
	}
	return &http.Client{
		Transport:     &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       10 * time.Second,
	}
}

// waitAudit waits up to 5 s for the audit log (the process's stdout,
// copied by a pipe goroutine) to contain want, and reports whether it did.
func (s *server) waitAudit(want string) bool {
	deadline := time.Now().Add(5 * time.Second)
	for {
		if strings.Contains(s.audit.String(), want) {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond) // polling a pipe's output, not a clock
	}
}

// auditEvents returns the audit log's events with message msg, decoded.
func (s *server) auditEvents(t *testing.T, msg string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(s.audit.String(), "\n") {
		if !strings.Contains(line, `"msg":"`+msg+`"`) {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("audit line is not JSON: %v\n%s", err, line)
		}
		if m["msg"] == msg {
			out = append(out, m)
		}
	}
	return out
}

func rss(t *testing.T, pid int) int {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return kb
		}
	}
	t.Fatal("no VmRSS")
	return 0
}
