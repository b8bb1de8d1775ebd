package testenv

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Missing skips t with msg, which should name the Debian package to
// install, or fails t when the CI environment variable is "true".
func Missing(t testing.TB, msg string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// Python3 is the system interpreter, which Debian's python3-* packages
// belong to (the python3 first on PATH may be another one).
const Python3 = "/usr/bin/python3"

// NeedPython returns Python3 once `import <imports>` works in it, and
// calls Missing naming debianPkgs otherwise.
func NeedPython(t testing.TB, imports, debianPkgs string) string {
	t.Helper()
	pkgs := strings.TrimSpace("python3 " + debianPkgs)
	if _, err := os.Stat(Python3); err != nil {
		Missing(t, Python3+" not found: install the Debian packages "+pkgs)
	}
	if imports != "" {
		if out, err := exec.Command(Python3, "-c", "import "+imports).CombinedOutput(); err != nil {
			Missing(t, "Python cannot import "+imports+" ("+strings.TrimSpace(string(out))+"): install the Debian packages "+pkgs)
		}
	}
	return Python3
}

// Python runs script with NeedPython(imports, debianPkgs) and args, and
// returns its trimmed output; a failing script fails t.
func Python(t testing.TB, imports, debianPkgs, script string, args ...string) string {
	t.Helper()
	py := NeedPython(t, imports, debianPkgs)
	out, err := exec.Command(py, append([]string{"-c", script}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, out)
	}
	return strings.TrimSpace(string(out))
}

// Chromium returns the path of Debian's chromium, or calls Missing.
func Chromium(t testing.TB) string {
	t.Helper()
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	Missing(t, "chromium not found: install the Debian package chromium")
	return ""
}

// DumpDOM loads url in headless Chromium with a throwaway profile, lets
// the page's scripts and fetches run for up to budget of virtual time,
// and returns the DOM. The browser runs in its own process group, which
// is killed by its PID when it is done or after a minute.
func DumpDOM(t testing.TB, chromium, url string, budget time.Duration) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium,
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
		"--no-default-browser-check", "--disable-extensions",
		"--user-data-dir="+t.TempDir(),
		"--virtual-time-budget="+strconv.FormatInt(budget.Milliseconds(), 10),
		"--dump-dom", url)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // reap helpers left in the group
	if err != nil {
		msg := stderr.String()
		if len(msg) > 4000 {
			msg = msg[:4000] + "..."
		}
		t.Fatalf("chromium: %v\n%s", err, msg)
	}
	return stdout.String()
}
