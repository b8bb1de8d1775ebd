package audit_test

import (
	"bytes"
	"encoding/hex"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apisec-go/apisec/audit"
	"github.com/apisec-go/apisec/internal/testenv"
)

// chainPy implements the documented chain format independently: it
// verifies a chained file ("verify KEYHEX FILE", printing the last seq),
// or chains plain JSON lines ("chain KEYHEX IN OUT").
const chainPy = `
import hashlib, hmac, json, re, sys
mode, key, src = sys.argv[1], bytes.fromhex(sys.argv[2]), sys.argv[3]
prev, seq = bytes(32), 0
if mode == "verify":
    pat = re.compile(rb',"chain_seq":([1-9][0-9]*),"chain_mac":"([0-9a-f]{64})"\}$')
    for line in open(src, "rb").read().splitlines():
        m = pat.search(line)
        assert m, "no chain members"
        seq += 1
        assert int(m.group(1)) == seq, "sequence"
        record = line[:m.start()] + b"}"
        json.loads(record)
        mac = hmac.new(key, seq.to_bytes(8, "big") + prev + record, hashlib.sha256).digest()
        assert hmac.compare_digest(mac.hex().encode(), m.group(2)), "mac"
        prev = mac
    print(seq)
else:
    with open(sys.argv[4], "wb") as out:
        for record in open(src, "rb").read().splitlines():
            seq += 1
            mac = hmac.new(key, seq.to_bytes(8, "big") + prev + record, hashlib.sha256).digest()
            out.write(record[:-1] + b',"chain_seq":%d,"chain_mac":"%s"}\n' % (seq, mac.hex().encode()))
            prev = mac
`

// TestChainInteropPython checks the chain format against an independent
// implementation of its documentation, both ways.
func TestChainInteropPython(t *testing.T) {
	py := testenv.NeedPython(t, "", "")
	dir := t.TempDir()
	script := filepath.Join(dir, "chain.py")
	if err := os.WriteFile(script, []byte(chainPy), 0o600); err != nil {
		t.Fatal(err)
	}
	keyHex := hex.EncodeToString(chainKey)

	t.Run("python verifies Go", func(t *testing.T) {
		var buf bytes.Buffer
		ch, _ := audit.NewChain(audit.ChainConfig{Out: &buf, Key: chainKey})
		logger := slog.New(slog.NewJSONHandler(ch, nil))
		logger.Info("authn_login_success", "user", "zoë", "note", "line\nbreak \u2028")
		logger.Warn("authz_fail", slog.Group("g", "chain_seq", 7))
		logger.Error("sys_error")
		file := filepath.Join(dir, "go.log")
		if err := os.WriteFile(file, buf.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(py, script, "verify", keyHex, file).CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != "3" {
			t.Fatalf("python verify: %v\n%s", err, out)
		}
		tampered := filepath.Join(dir, "tampered.log")
		if err := os.WriteFile(tampered, bytes.Replace(buf.Bytes(), []byte("authz_fail"), []byte("authz_pass"), 1), 0o600); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(py, script, "verify", keyHex, tampered).CombinedOutput(); err == nil {
			t.Fatalf("python accepted a tampered file:\n%s", out)
		}
	})

	t.Run("Go verifies python", func(t *testing.T) {
		plain := filepath.Join(dir, "plain.log")
		chained := filepath.Join(dir, "py.log")
		records := `{"msg":"a","n":1}` + "\n" + `{"msg":"b","s":"x\u0085y"}` + "\n"
		if err := os.WriteFile(plain, []byte(records), 0o600); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(py, script, "chain", keyHex, plain, chained).CombinedOutput(); err != nil {
			t.Fatalf("python chain: %v\n%s", err, out)
		}
		f, err := os.Open(chained)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		head, err := audit.Verify(f, chainKey, audit.Anchor{})
		if err != nil || head.Seq != 2 {
			t.Fatalf("Verify: %d, %v", head.Seq, err)
		}
	})
}
