package main

import (
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestOperation starts the server as an operator would with no keys and
// AUDIT_LOG set to a file, and checks what it says and does: the
// ephemeral keys are announced and never printed, security events go to
// the file (mode 0600) and not to stdout, a header block past
// MaxHeaderBytes is refused with 431, and SIGINT shuts it down cleanly.
func TestOperation(t *testing.T) {
	auditPath := filepath.Join(t.TempDir(), "audit.log")
	s := startServer(t, "AUDIT_LOG="+auditPath)

	t.Run("ephemeral keys are announced, never printed", func(t *testing.T) {
		stderr := s.stderr.String()
		for _, w := range []string{
			"JWT_SECRET is unset: using an ephemeral signing key",
			"ENCRYPTION_KEYS is unset: using an ephemeral key",
		} {
			if !strings.Contains(stderr, w) {
				t.Errorf("stderr lacks %q:\n%s", w, stderr)
			}
		}
		// A 32-byte key is 43 characters of base64 or 64 of hex.
		if k := regexp.MustCompile(`[A-Za-z0-9+/_=-]{40,}`).FindString(stderr); k != "" {
			t.Errorf("stderr prints something like key material: %q", k)
		}
	})

	t.Run("AUDIT_LOG receives the security events", func(t *testing.T) {
		wantProblem(t, s.do(t, "POST", "/api/login", `{"email":"nobody@example.com","password":"wrong-password-entirely"}`), 401)
		var log string
		for deadline := time.Now().Add(5 * time.Second); ; {
			b, err := os.ReadFile(auditPath)
			if err != nil {
				t.Fatal(err)
			}
			if log = string(b); strings.Contains(log, `"msg":"authn_login_fail"`) || time.Now().After(deadline) {
				break
			}
			time.Sleep(20 * time.Millisecond) // polling a file another process writes
		}
		if !strings.Contains(log, `"msg":"authn_login_fail"`) {
			t.Fatalf("the audit file lacks authn_login_fail:\n%s", log)
		}
		if strings.Contains(log, "wrong-password-entirely") {
			t.Error("the audit file holds the password")
		}
		if out := s.audit.String(); out != "" {
			t.Errorf("stdout has output though AUDIT_LOG is a file:\n%s", out)
		}
		fi, err := os.Stat(auditPath)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("audit file mode %v, %v; want 0600", fi.Mode(), err)
		}
	})

	t.Run("a 40 KiB header is refused with 431", func(t *testing.T) {
		r := s.do(t, "GET", "/healthz", "", "X-Padding", strings.Repeat("a", 40<<10))
		if r.Status != http.StatusRequestHeaderFieldsTooLarge {
			t.Fatalf("status %d, want 431", r.Status)
		}
		if r := s.do(t, "GET", "/healthz", "", "X-Padding", strings.Repeat("a", 16<<10)); r.Status != 200 {
			t.Fatalf("a 16 KiB header: status %d, want 200", r.Status)
		}
	})

	t.Run("SIGINT shuts down cleanly", func(t *testing.T) {
		if err := s.stopWith(t, os.Interrupt); err != nil {
			t.Fatalf("exit after SIGINT: %v\n%s", err, s.stderr)
		}
		stderr := s.stderr.String()
		i, j := strings.Index(stderr, `msg="shutting down"`), strings.Index(stderr, "msg=stopped")
		if i < 0 || j < i {
			t.Fatalf("no shutting down then stopped in stderr:\n%s", stderr)
		}
	})
}
