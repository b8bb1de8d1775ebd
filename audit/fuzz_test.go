package audit_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/apisec-go/apisec/audit"
)

// hidden reports a character that must never appear in a decoded log value.
func hidden(s string) (rune, bool) {
	for _, r := range s {
		switch {
		case r < 0x20, r >= 0x7f && r <= 0x9f, r == 0x2028, r == 0x2029,
			r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200b, r == 0xfeff:
			return r, true
		}
	}
	return 0, false
}

var injectionSeeds = []string{
	"", "plain", "a\r\nb", "a\u0085b", "a\u2028b\u2029", "\x7f\x00\x1b[2J", "a\u202eb", "\xff\xfe",
	`{"msg":"forged"}`, "Bearer mF_9.B5f-4.1JqM", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln",
	strings.Repeat("x", 5000), "Zoë 東京",
}

// FuzzHandlerNeutralises: whatever a key, value or message holds, also
// inside maps, structs and slices logged with slog.Any, the Handler
// writes one JSON line whose decoded strings hold no control,
// line-breaking or bidirectional character, and no value under a
// sensitive key.
func FuzzHandlerNeutralises(f *testing.F) {
	for _, s := range injectionSeeds {
		f.Add(s, s)
	}
	var buf bytes.Buffer
	h, err := audit.NewHandler(audit.HandlerConfig{Next: slog.NewJSONHandler(&buf, nil)})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, key, value string) {
		buf.Reset()
		type fields struct {
			Name  string
			Any   any
			Items []any
		}
		slog.New(h).Info(value, key, value, slog.Group("g", key, value), "err", errors.New(value),
			"map", map[string]any{key: value, "password": value, "nested": map[string]string{key: value}},
			"struct", fields{Name: value, Any: &fields{Name: value}, Items: []any{value, errors.New(value)}},
			"header", map[string][]string{key: {value, value}, "Authorization": {value}})
		line := buf.String()
		if strings.Count(line, "\n") != 1 || !strings.HasSuffix(line, "\n") {
			t.Fatalf("not one line: %q", line)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("invalid JSON %q: %v", line, err)
		}
		var walk func(v any)
		walk = func(v any) {
			switch v := v.(type) {
			case []any:
				for _, x := range v {
					walk(x)
				}
			case string:
				if r, ok := hidden(v); ok {
					t.Fatalf("decoded value %q holds %U", v, r)
				}
				if len(v) > audit.DefaultMaxValueLength+len("...[truncated]") {
					t.Fatalf("value of %d bytes escaped the cap", len(v))
				}
			case map[string]any:
				for k, x := range v {
					walk(k)
					walk(x)
				}
			}
		}
		walk(m)
		for _, k := range []string{"map", "header"} {
			for name, v := range m[k].(map[string]any) {
				if (name == "password" || name == "Authorization") && v != audit.Redacted {
					t.Fatalf("%s.%s = %v, not redacted", k, name, v)
				}
			}
		}
	})
}

var safeID = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,64}$`)

// FuzzMiddlewareRequest: any path, user agent or inbound request id gives
// one log line and a safe echoed id.
func FuzzMiddlewareRequest(f *testing.F) {
	for _, s := range injectionSeeds {
		f.Add("/"+s, s, s)
	}
	f.Add("/a", "curl", "0f8fad5b-d9cb-469f-a165-70867728950e")
	// Built once: a fuzzing process runs its inputs one at a time.
	var c capture
	h, err := audit.NewHandler(audit.HandlerConfig{Next: slog.NewJSONHandler(&c, nil)})
	if err != nil {
		f.Fatal(err)
	}
	m, err := audit.New(audit.Config{Logger: slog.New(h)})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, path, ua, id string) {
		c.reset()
		r := httptest.NewRequest("GET", "/", nil)
		r.URL.Path = path
		r.Header["User-Agent"] = []string{ua}
		r.Header["X-Request-Id"] = []string{id}
		w := httptest.NewRecorder()
		m.Handler(statusHandler(404)).ServeHTTP(w, r)
		echoed := w.Header().Get("X-Request-Id")
		if !safeID.MatchString(echoed) {
			t.Fatalf("echoed unsafe id %q", echoed)
		}
		if safeID.MatchString(id) && echoed != id {
			t.Fatalf("safe id %q replaced by %q", id, echoed)
		}
		recs := c.records(t)
		if len(recs) != 1 {
			t.Fatalf("%d lines", len(recs))
		}
		for _, k := range []string{"path", "user_agent"} {
			if v, _ := recs[0][k].(string); !utf8.ValidString(v) {
				t.Fatalf("%s not UTF-8: %q", k, v)
			} else if r, ok := hidden(v); ok {
				t.Fatalf("%s %q holds %U", k, v, r)
			}
		}
	})
}

// FuzzVerify: the verifier never panics, and accepts a file only if every
// line carries the next sequence number.
func FuzzVerify(f *testing.F) {
	var buf bytes.Buffer
	ch, _ := audit.NewChain(audit.ChainConfig{Out: &buf, Key: chainKey})
	logger := slog.New(slog.NewJSONHandler(ch, nil))
	for _, s := range injectionSeeds[:6] {
		logger.Info("e", "v", s)
	}
	good := buf.Bytes()
	f.Add(good)
	f.Add(bytes.Replace(good, []byte(`"chain_seq":2`), []byte(`"chain_seq":3`), 1))
	f.Add([]byte("{\"a\":1,\"chain_seq\":1,\"chain_mac\":\"zz\"}\n"))
	f.Add([]byte("\n\n"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		head, err := audit.Verify(bytes.NewReader(data), chainKey, audit.Anchor{})
		if err != nil {
			var ce *audit.ChainError
			if !errors.As(err, &ce) || ce.Line < 1 {
				t.Fatalf("error %v is not a ChainError with a line", err)
			}
			return
		}
		if lines := bytes.Count(data, []byte{'\n'}) + map[bool]int{true: 1}[len(data) > 0 && data[len(data)-1] != '\n']; uint64(lines) != head.Seq {
			t.Fatalf("verified %d lines as %d records", lines, head.Seq)
		}
	})
}

// FuzzSensitiveKeyCase: the case of an ASCII key never decides whether
// it is redacted: all lower and all upper case agree (neither has camelCase
// word boundaries).
func FuzzSensitiveKeyCase(f *testing.F) {
	for _, k := range []string{"password", "api_key", "X-Api-Key", "accessToken", "monkey", "Set-Cookie", "user", "db.PASSWD"} {
		f.Add(k)
	}
	var buf bytes.Buffer
	h, err := audit.NewHandler(audit.HandlerConfig{Next: slog.NewJSONHandler(&buf, nil)})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, key string) {
		for i := 0; i < len(key); i++ {
			if key[i] >= utf8.RuneSelf {
				return
			}
		}
		redacted := func(k string) bool {
			buf.Reset()
			slog.New(h).Info("m", k, "v")
			return strings.Contains(buf.String(), audit.Redacted)
		}
		lo, up := strings.ToLower(key), strings.ToUpper(key)
		if redacted(lo) != redacted(up) {
			t.Fatalf("%q redacted: %v; %q redacted: %v", lo, redacted(lo), up, redacted(up))
		}
	})
}
