package audit_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apisec-go/apisec/audit"
	"github.com/apisec-go/apisec/internal/testclock"
)

// capture is a JSON sink whose lines tests can decode.
type capture struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (c *capture) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.buf.Write(p)
}

func (c *capture) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.buf.Reset()
}

func (c *capture) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.buf.String()
}

// records decodes every line; it fails the test on a line that is not
// one JSON object.
func (c *capture) records(t testing.TB) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSuffix(c.String(), "\n"), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line is not one JSON object: %v\n%s", err, line)
		}
		out = append(out, m)
	}
	return out
}

// find returns the records whose msg is event.
func find(recs []map[string]any, event string) []map[string]any {
	var out []map[string]any
	for _, r := range recs {
		if r["msg"] == event {
			out = append(out, r)
		}
	}
	return out
}

func jsonSink(c *capture) slog.Handler {
	return slog.NewJSONHandler(c, &slog.HandlerOptions{Level: slog.LevelDebug})
}

// auditLogger returns a logger through a Handler into c.
func auditLogger(t testing.TB, c *capture, next slog.Handler) *slog.Logger {
	t.Helper()
	if next == nil {
		next = jsonSink(c)
	}
	h, err := audit.NewHandler(audit.HandlerConfig{Next: next})
	if err != nil {
		t.Fatal(err)
	}
	return slog.New(h)
}

// newClock starts an injected clock at a fixed instant.
func newClock() *testclock.Clock { return testclock.New(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)) }
