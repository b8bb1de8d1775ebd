package main

import (
	"encoding/base64"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestHelpPrintsNoSecret runs the binary with -h and every secret in the
// environment: it exits 0, lists the secrets by name, and prints none of
// their values (a flag's default is printed by -h, so a secret must never
// be a flag whose default comes from the environment).
func TestHelpPrintsNoSecret(t *testing.T) {
	secrets := map[string]string{
		"REDIS_URL":       "redis://:redis-pw-c4f1e9@127.0.0.1:6379/0",
		"JWT_SECRET":      "jwt-secret-7d0b2a-0123456789abcdef0123",
		"ENCRYPTION_KEYS": "k1:" + base64.StdEncoding.EncodeToString([]byte("encryption-key-9e3a51-0123456789ab")),
		"ADMIN_PASSWORD":  "admin-pw-b81c60-velvet-quarry",
	}
	cmd := exec.Command(binary, "-h")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "ADMIN_EMAIL=" + adminEmail}
	for k, v := range secrets {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("-h: %v\n%s", err, out)
	}
	for k, v := range secrets {
		if !strings.Contains(string(out), k) {
			t.Errorf("-h does not mention %s", k)
		}
		if strings.Contains(string(out), strings.TrimPrefix(v, "k1:")) {
			t.Errorf("-h prints the value of %s", k)
		}
	}
	if strings.Contains(string(out), "redis-pw-c4f1e9") {
		t.Error("-h prints the Redis password")
	}
	if !strings.Contains(string(out), "-rate-limit") || strings.Contains(string(out), "bad configuration") {
		t.Errorf("-h output:\n%s", out)
	}
}
