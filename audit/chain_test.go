package audit_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/apisec-go/apisec/audit"
)

var chainKey = []byte("0123456789abcdef0123456789abcdef")

// chainedLog writes n records through a Chain and returns the lines.
func chainedLog(t *testing.T, n int) []string {
	t.Helper()
	var buf bytes.Buffer
	ch, err := audit.NewChain(audit.ChainConfig{Out: &buf, Key: chainKey})
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewJSONHandler(ch, nil))
	for i := range n {
		logger.Info("event", "i", i, "note", `contains ,"chain_seq":1 text`)
	}
	if h := ch.Head(); h.Seq != uint64(n) {
		t.Fatalf("head %d, want %d", h.Seq, n)
	}
	lines := strings.SplitAfter(buf.String(), "\n")
	return lines[:len(lines)-1] // the text after the last newline is empty
}

func verify(lines []string) (audit.Anchor, error) {
	return audit.Verify(strings.NewReader(strings.Join(lines, "")), chainKey, audit.Anchor{})
}

// TestChainVerifierCatchesTampering: an edit, a deletion and a reordering
// are each reported at the first affected line.
func TestChainVerifierCatchesTampering(t *testing.T) {
	tests := []struct {
		name   string
		tamper func([]string) []string
		kind   audit.ChainErrorKind
		line   int
	}{
		{"edit a value", func(l []string) []string {
			l[2] = strings.Replace(l[2], `"i":2`, `"i":9`, 1)
			return l
		}, audit.Altered, 3},
		{"edit the level", func(l []string) []string {
			l[0] = strings.Replace(l[0], `"INFO"`, `"DEBUG"`, 1)
			return l
		}, audit.Altered, 1},
		{"replace the MAC", func(l []string) []string {
			l[4] = l[4][:len(l[4])-11] + "00000000\"}\n"
			return l
		}, audit.Altered, 5},
		{"delete a middle line", func(l []string) []string { return append(l[:3:3], l[4:]...) }, audit.Removed, 4},
		{"delete the first line", func(l []string) []string { return l[1:] }, audit.Removed, 1},
		{"delete two lines", func(l []string) []string { return append(l[:1:1], l[3:]...) }, audit.Removed, 2},
		{"swap two lines", func(l []string) []string {
			l[1], l[2] = l[2], l[1]
			return l
		}, audit.Reordered, 2},
		{"move a line to the end", func(l []string) []string {
			moved := l[1]
			return append(append(l[:1:1], l[2:]...), moved)
		}, audit.Reordered, 2},
		{"duplicate a line", func(l []string) []string {
			return append(l[:3:3], append([]string{l[1]}, l[3:]...)...)
		}, audit.Reordered, 4},
		{"insert a forged line", func(l []string) []string {
			return append(l[:2:2], append([]string{`{"msg":"forged"}` + "\n"}, l[2:]...)...)
		}, audit.Malformed, 3},
		{"strip the chain members", func(l []string) []string {
			i := strings.Index(l[1], `,"chain_seq"`)
			l[1] = l[1][:i] + "}\n"
			return l
		}, audit.Malformed, 2},
		{"renumber an edited line", func(l []string) []string {
			l[2] = strings.Replace(l[2], `"chain_seq":3,`, `"chain_seq":2,`, 1)
			return l
		}, audit.Reordered, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines := tt.tamper(chainedLog(t, 6))
			_, err := verify(lines)
			var ce *audit.ChainError
			if !errors.As(err, &ce) {
				t.Fatalf("got %v, want a ChainError", err)
			}
			if ce.Kind != tt.kind || ce.Line != tt.line {
				t.Errorf("got %v (kind %v line %d), want %v at line %d", err, ce.Kind, ce.Line, tt.kind, tt.line)
			}
		})
	}
}

func TestChainVerifiesIntactLog(t *testing.T) {
	lines := chainedLog(t, 5)
	head, err := verify(lines)
	if err != nil || head.Seq != 5 {
		t.Fatalf("head %d, %v", head.Seq, err)
	}
	if !strings.Contains(lines[0], `"chain_seq":1,"chain_mac":"`) {
		t.Errorf("first line %s", lines[0])
	}
	if _, err := audit.Verify(strings.NewReader(strings.Join(lines, "")), []byte(strings.Repeat("x", 32)), audit.Anchor{}); err == nil {
		t.Error("verified with the wrong key")
	}
}

// TestChainContinuesAcrossFiles: a rotated file starts from the previous
// file's head; truncation at the end shows as a head that falls short.
func TestChainContinuesAcrossFiles(t *testing.T) {
	var f1, f2 bytes.Buffer
	ch1, _ := audit.NewChain(audit.ChainConfig{Out: &f1, Key: chainKey})
	l1 := slog.New(slog.NewJSONHandler(ch1, nil))
	l1.Info("a")
	l1.Info("b")
	ch2, _ := audit.NewChain(audit.ChainConfig{Out: &f2, Key: chainKey, Start: ch1.Head()})
	slog.New(slog.NewJSONHandler(ch2, nil)).Info("c")

	h1, err := audit.Verify(bytes.NewReader(f1.Bytes()), chainKey, audit.Anchor{})
	if err != nil || h1 != ch1.Head() {
		t.Fatalf("file 1: %v %v", h1, err)
	}
	h2, err := audit.Verify(bytes.NewReader(f2.Bytes()), chainKey, h1)
	if err != nil || h2.Seq != 3 || h2 != ch2.Head() {
		t.Fatalf("file 2: %v %v", h2, err)
	}
	if _, err := audit.Verify(bytes.NewReader(f2.Bytes()), chainKey, audit.Anchor{}); err == nil {
		t.Error("file 2 verified without its start")
	}
	// Cut the last record of file 1: the chain verifies, but the head is short.
	lines := strings.SplitAfter(f1.String(), "\n")
	h, err := audit.Verify(strings.NewReader(lines[0]), chainKey, audit.Anchor{})
	if err != nil || h.Seq != 1 || h == ch1.Head() {
		t.Errorf("truncated file: %v %v", h, err)
	}
}

func TestChainRejectsNonRecords(t *testing.T) {
	var buf bytes.Buffer
	ch, _ := audit.NewChain(audit.ChainConfig{Out: &buf, Key: chainKey})
	for _, in := range []string{"", "{}\n", "text\n", `{"a":1}`, "{\"a\":1}\n{\"b\":2}\n", "{\"a\":1}\r\n"} {
		if n, err := ch.Write([]byte(in)); !errors.Is(err, audit.ErrNotARecord) || n != 0 {
			t.Errorf("Write(%q) = %d, %v", in, n, err)
		}
	}
	if buf.Len() != 0 || ch.Head().Seq != 0 {
		t.Error("a rejected write reached the output or advanced the chain")
	}
}

type failingWriter struct{ fail bool }

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.fail {
		return 0, errors.New("disk full")
	}
	return len(p), nil
}

func TestChainFailedWriteDoesNotAdvance(t *testing.T) {
	w := &failingWriter{fail: true}
	ch, _ := audit.NewChain(audit.ChainConfig{Out: w, Key: chainKey})
	if _, err := ch.Write([]byte("{\"a\":1}\n")); err == nil {
		t.Fatal("no error")
	}
	if ch.Head().Seq != 0 {
		t.Error("the chain advanced past a failed write")
	}
	w.fail = false
	if n, err := ch.Write([]byte("{\"a\":1}\n")); err != nil || n != 8 || ch.Head().Seq != 1 {
		t.Errorf("retry: %d %v seq %d", n, err, ch.Head().Seq)
	}
}

func TestVerifyRejectsOverlongLine(t *testing.T) {
	lines := chainedLog(t, 1)
	lines = append(lines, "{"+strings.Repeat("x", audit.MaxChainLineLength)+"}\n")
	_, err := verify(lines)
	var ce *audit.ChainError
	if !errors.As(err, &ce) || ce.Kind != audit.Malformed || ce.Line != 2 {
		t.Errorf("got %v", err)
	}
}

func TestChainErrorMessages(t *testing.T) {
	tests := []struct {
		err  audit.ChainError
		want string
	}{
		{audit.ChainError{Kind: audit.Altered, Line: 3, Seq: 3, Want: 3}, "audit: chain broken at line 3: altered (record 3)"},
		{audit.ChainError{Kind: audit.Removed, Line: 4, Seq: 5, Want: 4}, "audit: chain broken at line 4: removed (expected record 4, found 5)"},
		{audit.ChainError{Kind: audit.Reordered, Line: 2, Seq: 3, Want: 2}, "audit: chain broken at line 2: reordered (record 3 found where 2 was expected)"},
		{audit.ChainError{Kind: audit.Malformed, Line: 9, Want: 9}, "audit: chain broken at line 9: malformed"},
	}
	for _, tt := range tests {
		t.Run(tt.err.Kind.String(), func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	if got := fmt.Sprint(audit.ChainErrorKind(42)); got != "ChainErrorKind(42)" {
		t.Errorf("got %q", got)
	}
}

func TestChainConcurrentWriters(t *testing.T) {
	var buf bytes.Buffer
	ch, _ := audit.NewChain(audit.ChainConfig{Out: &buf, Key: chainKey})
	logger := slog.New(slog.NewJSONHandler(ch, nil))
	done := make(chan struct{})
	for g := range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := range 50 {
				logger.Info("e", "g", g, "i", i)
			}
		}()
	}
	for range 4 {
		<-done
	}
	head, err := audit.Verify(&buf, chainKey, audit.Anchor{})
	if err != nil || head.Seq != 200 {
		t.Errorf("head %d, %v", head.Seq, err)
	}
}

func TestChainWriteAllocs(t *testing.T) {
	ch, _ := audit.NewChain(audit.ChainConfig{Out: io.Discard, Key: chainKey})
	line := []byte(`{"time":"2026-01-01T00:00:00Z","level":"INFO","msg":"authn_login_success","user":"alice"}` + "\n")
	if got := testing.AllocsPerRun(100, func() { _, _ = ch.Write(line) }); got != 0 {
		t.Errorf("allocs = %v, want 0", got)
	}
}
