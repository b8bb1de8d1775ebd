package main

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apisec-go/apisec/audit"
)

func writeLog(t *testing.T, dir string, key []byte, start audit.Anchor, n int) (string, audit.Anchor) {
	t.Helper()
	path := filepath.Join(dir, fmt.Sprintf("audit-%d.log", start.Seq))
	f, err := audit.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ch, err := audit.NewChain(audit.ChainConfig{Out: f, Key: key, Start: start})
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewJSONHandler(ch, nil))
	for i := range n {
		logger.Info("authn_login_fail", "user", fmt.Sprint("u", i))
	}
	return path, ch.Head()
}

func TestAuditverify(t *testing.T) {
	dir := t.TempDir()
	key := bytes.Repeat([]byte{7}, 32)
	rawKey := filepath.Join(dir, "raw.key")
	hexKey := filepath.Join(dir, "hex.key")
	if err := os.WriteFile(rawKey, key, 0o600); err != nil {
		t.Fatal(err)
	}
	otherKey := filepath.Join(dir, "other.key")
	if err := os.WriteFile(otherKey, bytes.Repeat([]byte{8}, 32), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(hexKey, []byte(hex.EncodeToString(key)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	good, head := writeLog(t, dir, key, audit.Anchor{}, 4)
	next, _ := writeLog(t, dir, key, head, 2)
	data, _ := os.ReadFile(good)
	lines := strings.SplitAfter(string(data), "\n")
	edited := filepath.Join(dir, "edited.log")
	mustWrite(t, edited, strings.Replace(string(data), `"u2"`, `"u9"`, 1))
	removed := filepath.Join(dir, "removed.log")
	mustWrite(t, removed, lines[0]+lines[1]+lines[3])
	reordered := filepath.Join(dir, "reordered.log")
	mustWrite(t, reordered, lines[0]+lines[2]+lines[1]+lines[3])
	startMAC := hex.EncodeToString(head.MAC[:])

	tests := []struct {
		name string
		args []string
		code int
		out  string
	}{
		{"intact raw key", []string{"-key-file", rawKey, good}, 0, "ok: 4 records; last chain_seq 4 chain_mac " + startMAC},
		{"intact hex key", []string{"-key-file", hexKey, good}, 0, "ok: 4 records"},
		{"edited", []string{"-key-file", rawKey, edited}, 1, "line 3: altered (record 3)"},
		{"removed", []string{"-key-file", rawKey, removed}, 1, "line 3: removed (expected record 3, found 4)"},
		{"reordered", []string{"-key-file", rawKey, reordered}, 1, "line 2: reordered (record 3 found where 2 was expected)"},
		{"rotated file", []string{"-key-file", rawKey, "-start-seq", "4", "-start-mac", startMAC, next}, 0, "ok: 2 records; last chain_seq 6"},
		{"rotated file without start", []string{"-key-file", rawKey, next}, 1, "removed"},
		{"truncated", []string{"-key-file", rawKey, "-want-seq", "5", good}, 1, "truncated: last record is 4, want at least 5"},
		{"wrong key", []string{"-key-file", otherKey, good}, 1, "line 1: altered (record 1)"},
		{"missing key file", []string{"-key-file", hexKey + "x", good}, 2, ""},
		{"no key", []string{good}, 2, ""},
		{"bad start mac", []string{"-key-file", rawKey, "-start-seq", "4", "-start-mac", "zz", next}, 2, ""},
		{"missing file", []string{"-key-file", rawKey, filepath.Join(dir, "nope")}, 2, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tt.args, &stdout, &stderr)
			if code != tt.code || !strings.Contains(stdout.String(), tt.out) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d and %q", code, stdout.String(), stderr.String(), tt.code, tt.out)
			}
			if strings.Contains(stdout.String()+stderr.String(), hex.EncodeToString(key)) {
				t.Error("the key was printed")
			}
		})
	}
}

func mustWrite(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestAuditverifyStdin(t *testing.T) {
	dir := t.TempDir()
	key := bytes.Repeat([]byte{7}, 32)
	keyFile := filepath.Join(dir, "k")
	mustWrite(t, keyFile, string(key))
	path, _ := writeLog(t, dir, key, audit.Anchor{}, 3)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := runWith([]string{"-key-file", keyFile, "-"}, bytes.NewReader(data), &stdout, &stderr); code != 0 || !strings.Contains(stdout.String(), "-: ok: 3 records") {
		t.Errorf("exit %d, %q %q", code, stdout.String(), stderr.String())
	}
}
