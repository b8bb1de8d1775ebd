package audit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"testing/slogtest"
	"time"

	"github.com/apisec-go/apisec/audit"
	"github.com/apisec-go/apisec/principal"
)

func parseLines(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range bytes.Split(buf.Bytes(), []byte{'\n'}) {
		if len(line) == 0 {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(line, &m); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

// TestSlogtest: the Handler, a Detector behind it and a Detector alone
// (a sink's front, or a logger's handler) are correct slog.Handlers,
// groups included.
func TestSlogtest(t *testing.T) {
	handler := func(next slog.Handler) (slog.Handler, error) {
		return audit.NewHandler(audit.HandlerConfig{Next: next})
	}
	detector := func(next slog.Handler) (slog.Handler, error) {
		return audit.NewDetector(audit.DetectorConfig{Next: next})
	}
	tests := []struct {
		name  string
		stack []func(slog.Handler) (slog.Handler, error) // innermost first
	}{
		{"handler", []func(slog.Handler) (slog.Handler, error){handler}},
		{"handler and detector", []func(slog.Handler) (slog.Handler, error){detector, handler}},
		{"detector", []func(slog.Handler) (slog.Handler, error){detector}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			var h slog.Handler = slog.NewJSONHandler(&buf, nil)
			for _, wrap := range tt.stack {
				var err error
				if h, err = wrap(h); err != nil {
					t.Fatal(err)
				}
			}
			if err := slogtest.TestHandler(h, func() []map[string]any { return parseLines(t, &buf) }); err != nil {
				t.Error(err)
			}
		})
	}
}

type secretStruct struct{ pw string }

func (s secretStruct) LogValue() slog.Value {
	return slog.GroupValue(slog.String("password", s.pw), slog.String("name", "x\ny"))
}

// TestRedactsInNestedGroups: sensitive keys are withheld at every depth,
// whether the groups come from the record, WithGroup or WithAttrs, and
// after a LogValuer resolves.
func TestRedactsInNestedGroups(t *testing.T) {
	tests := []struct {
		name string
		log  func(l *slog.Logger)
		want string // the JSON after the msg member
	}{
		{"top level", func(l *slog.Logger) { l.Info("m", "password", "hunter2") },
			`"password":"[REDACTED]"`},
		{"record group", func(l *slog.Logger) { l.Info("m", slog.Group("db", "user", "u", "password", "hunter2")) },
			`"db":{"user":"u","password":"[REDACTED]"}`},
		{"three levels", func(l *slog.Logger) {
			l.Info("m", slog.Group("a", slog.Group("b", slog.Group("c", "api_key", "k1", "ok", 1))))
		}, `"a":{"b":{"c":{"api_key":"[REDACTED]","ok":1}}}`},
		{"WithGroup", func(l *slog.Logger) {
			l.WithGroup("req").WithGroup("headers").Info("m", "Authorization", "Basic abc", "Accept", "*/*")
		},
			`"req":{"headers":{"Authorization":"[REDACTED]","Accept":"*/*"}}`},
		{"WithAttrs inside group", func(l *slog.Logger) { l.WithGroup("g").With("Set-Cookie", "sid=1", "n", 2).Info("m", "x", 1) },
			`"g":{"Set-Cookie":"[REDACTED]","n":2,"x":1}`},
		{"WithAttrs at top", func(l *slog.Logger) { l.With(slog.Group("creds", "secret", "s")).Info("m") },
			`"creds":"[REDACTED]"`},
		{"sensitive group name", func(l *slog.Logger) { l.Info("m", slog.Group("credentials", "user", "u", "pw", "p")) },
			`"credentials":"[REDACTED]"`},
		{"sensitive WithGroup name", func(l *slog.Logger) { l.WithGroup("secrets").Info("m", "a", "1", slog.Group("b", "c", 2)) },
			`"secrets":{"a":"[REDACTED]","b":{"c":"[REDACTED]"}}`},
		{"LogValuer", func(l *slog.Logger) { l.Info("m", "v", secretStruct{pw: "hunter2"}) },
			`"v":{"password":"[REDACTED]","name":"x\\ny"}`},
		{"inline group", func(l *slog.Logger) { l.Info("m", slog.Group("", "token", "t", "a", "b")) },
			`"token":"[REDACTED]","a":"b"`},
		{"camelCase and dashes", func(l *slog.Logger) {
			l.Info("m", "accessToken", "1", "X-Api-Key", "2", "refresh_token", "3", "clientSecret", "4", "Cookie", "5", "sessionId", "6")
		}, `"accessToken":"[REDACTED]","X-Api-Key":"[REDACTED]","refresh_token":"[REDACTED]","clientSecret":"[REDACTED]","Cookie":"[REDACTED]","sessionId":"[REDACTED]"`},
		{"not sensitive", func(l *slog.Logger) {
			l.Info("m", "monkey", "banana", "keyboard", "qwerty", "passenger", "p", "user", "bob")
		},
			`"monkey":"banana","keyboard":"qwerty","passenger":"p","user":"bob"`},
		{"JWT value under innocent key", func(l *slog.Logger) {
			l.Info("m", slog.Group("g", "note", "sent eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.sig to client"))
		}, `"g":{"note":"sent [REDACTED] to client"}`},
		{"bearer value", func(l *slog.Logger) { l.Info("m", "hdr", "bearer mF_9.B5f-4.1JqM") },
			`"hdr":"bearer [REDACTED]"`},
		{"basic value", func(l *slog.Logger) { l.Info("m", "hdr", "Basic dXNlcjpwYXNzd29yZA==") },
			`"hdr":"Basic [REDACTED]"`},
		{"word that is not a scheme", func(l *slog.Logger) { l.Info("m", "note", "basic tutorials, bearer of news") },
			`"note":"basic tutorials, bearer of news"`},
		{"string slice", func(l *slog.Logger) {
			l.Info("m", "fields", []string{"email", "name\u0085x", "Bearer mF_9.B5f-4.1JqM"})
		},
			`"fields":["email","name\\u0085x","Bearer [REDACTED]"]`},
		{"error value", func(l *slog.Logger) {
			l.Info("m", "err", errors.New("bad token eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.\nforged"))
		},
			`"err":"bad token [REDACTED]\\nforged"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c capture
			tt.log(auditLogger(t, &c, nil))
			line := c.String()
			i := strings.Index(line, `"msg":"m",`)
			if i < 0 {
				t.Fatalf("unexpected line %s", line)
			}
			got := strings.TrimSuffix(line[i+len(`"msg":"m",`):], "}\n")
			if got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
			if strings.Contains(line, "hunter2") || strings.Contains(line, "k1") {
				t.Errorf("secret leaked: %s", line)
			}
		})
	}
}

func TestConfiguredKeys(t *testing.T) {
	var c capture
	h, err := audit.NewHandler(audit.HandlerConfig{
		Next:                 jsonSink(&c),
		SensitiveKeys:        []string{"iban", "X-Internal-Trace"},
		DangerouslyAllowKeys: []string{"token_count"},
	})
	if err != nil {
		t.Fatal(err)
	}
	slog.New(h).Info("m", "iban", "DE00", "x_internal_trace", "t", "token_count", 3, "token", "t", "ibanx", "y",
		"token_count_jwt", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.sig")
	rec := c.records(t)[0]
	want := map[string]any{"iban": audit.Redacted, "x_internal_trace": audit.Redacted, "token_count": float64(3),
		"token": audit.Redacted, "ibanx": "y", "token_count_jwt": audit.Redacted}
	for k, v := range want {
		if rec[k] != v {
			t.Errorf("%s = %v, want %v", k, rec[k], v)
		}
	}
}

func TestDangerouslyAllowKeysStillRedactsCredentials(t *testing.T) {
	var c capture
	h, _ := audit.NewHandler(audit.HandlerConfig{Next: jsonSink(&c), DangerouslyAllowKeys: []string{"authorization"}})
	slog.New(h).Info("m", "authorization", "Bearer mF_9.B5f-4.1JqM")
	if got := c.records(t)[0]["authorization"]; got != "Bearer [REDACTED]" {
		t.Errorf("got %v", got)
	}
}

// TestNeutralisesControlCharacters covers every character class the
// Handler escapes, in messages, keys and values (CWE-117).
func TestNeutralisesControlCharacters(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "hello world", "hello world"},
		{"CR LF", "a\r\nb", `a\r\nb`},
		{"tab", "a\tb", `a\tb`},
		{"NUL and ESC", "a\x00b\x1b[31m", `a\x00b\x1b[31m`},
		{"DEL", "a\x7fb", `a\x7fb`},
		{"NEL", "a\u0085b", `a\u0085b`},
		{"C1", "a\u009bb", `a\u009bb`},
		{"line separator", "a\u2028b", `a\u2028b`},
		{"paragraph separator", "a\u2029b", `a\u2029b`},
		{"bidi", "a\u202eb\u2066c", `a\u202eb\u2066c`},
		{"zero width", "a\u200bb\ufeff", `a\u200bb\ufeff`},
		{"invalid UTF-8", "a\xc3b", `a\ufffdb`},
		{"accents kept", "Zoë Łukasz 東京 🙂", "Zoë Łukasz 東京 🙂"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c capture
			l := auditLogger(t, &c, nil)
			l.Info(tt.in, "k"+tt.in, tt.in, slog.Group("g", "v", tt.in))
			if n := strings.Count(c.String(), "\n"); n != 1 {
				t.Fatalf("%d lines", n)
			}
			rec := c.records(t)[0]
			if rec["msg"] != tt.want || rec["k"+tt.want] != tt.want || rec["g"].(map[string]any)["v"] != tt.want {
				t.Errorf("got %v, want %q everywhere", rec, tt.want)
			}
		})
	}
}

func TestCapsLongValues(t *testing.T) {
	var c capture
	h, _ := audit.NewHandler(audit.HandlerConfig{Next: jsonSink(&c), MaxValueLength: 10})
	slog.New(h).Info("m", "v", strings.Repeat("é", 10))
	if got := c.records(t)[0]["v"]; got != "ééééé...[truncated]" {
		t.Errorf("got %q", got)
	}
}

func TestPrincipalSubjectOutsideMiddleware(t *testing.T) {
	var c capture
	l := auditLogger(t, &c, nil)
	ctx := principal.NewContext(context.Background(), &principal.Principal{Subject: "svc-7"})
	l.InfoContext(ctx, "m")
	if got := c.records(t)[0]["subject"]; got != "svc-7" {
		t.Errorf("subject = %v", got)
	}
}

func TestHandlerKeepsOtherKinds(t *testing.T) {
	var c capture
	l := auditLogger(t, &c, nil)
	ts := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l.Info("m", "i", 1, "f", 1.5, "b", true, "d", time.Second, "t", ts, "u", uint64(7), "nil", nil)
	rec := c.records(t)[0]
	want := map[string]any{"i": float64(1), "f": 1.5, "b": true, "d": float64(time.Second), "t": "2026-01-01T00:00:00Z", "u": float64(7), "nil": nil}
	for k, v := range want {
		if rec[k] != v {
			t.Errorf("%s = %v, want %v", k, rec[k], v)
		}
	}
}

func TestHandlerEnabledFollowsNext(t *testing.T) {
	h, _ := audit.NewHandler(audit.HandlerConfig{Next: slog.NewJSONHandler(&bytes.Buffer{}, &slog.HandlerOptions{Level: slog.LevelWarn})})
	if h.Enabled(context.Background(), slog.LevelInfo) || !h.Enabled(context.Background(), slog.LevelWarn) {
		t.Error("Enabled does not follow the next handler")
	}
}

func TestDefaultSensitiveKeysIsACopy(t *testing.T) {
	k := audit.DefaultSensitiveKeys()
	k[0] = "changed"
	if audit.DefaultSensitiveKeys()[0] == "changed" {
		t.Error("DefaultSensitiveKeys exposes shared state")
	}
}

// TestBuiltinKeysCannotBeForged: an attribute named like slog's own keys
// would give the JSON line two "level" or "msg" members, and readers
// disagree on which one counts.
func TestBuiltinKeysCannotBeForged(t *testing.T) {
	var c capture
	l := auditLogger(t, &c, nil)
	l.With("level", "INFO").Error("authz_fail", "msg", "authn_login_success", "time", "x", "source", "y", slog.Group("g", "level", "kept"))
	line := c.String()
	if strings.Count(line, `"level":`) != 2 || strings.Count(line, `"msg":`) != 1 {
		t.Fatalf("built-in keys duplicated: %s", line)
	}
	rec := c.records(t)[0]
	want := map[string]any{"level": "ERROR", "msg": "authz_fail", "attr_level": "INFO", "attr_msg": "authn_login_success", "attr_time": "x", "attr_source": "y"}
	for k, v := range want {
		if rec[k] != v {
			t.Errorf("%s = %v, want %v", k, rec[k], v)
		}
	}
	if rec["g"].(map[string]any)["level"] != "kept" {
		t.Errorf("a key inside a group was renamed: %v", rec["g"])
	}
	// An inline group's members are written at the top level.
	c.reset()
	l.With(slog.Group("", "msg", "w")).Info("m", slog.Group("", "level", "r"))
	if line := c.String(); strings.Count(line, `"level":`) != 1 || strings.Count(line, `"msg":`) != 1 {
		t.Errorf("built-in keys duplicated through inline groups: %s", line)
	}
}

// TestRedactsCompactTokens: JWS and JWE compact serialisations are
// redacted wherever they appear in a string, including a JWE whose
// encrypted key is empty, the normal shape for alg "dir" and "ECDH-ES"
// (RFC 7516 section 5.1: header..iv.ciphertext.tag).
func TestRedactsCompactTokens(t *testing.T) {
	const (
		jws      = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl"
		unsigned = "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0."
		jweRSA   = "eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.ePmJsuAtd9vlybdSyWgOXg6_7FEwaJRmZp2O9idqoafAUMKji7aUbVrC25mYF0wtJBQX9A_QSJFvsGfJb87Kew.So_H1JHu_2V8wZqr.DhPD4zumt6WLwnoxt5iOwGKXDAMH_NSn.9O-rtJCjTAvFLRMY6HsUUA"
		jweDir   = "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..2aj41mR5cTq08N7T.K-oe1UfN132SIhBvDzqnpEbEhWvfqjlh.cJMULJvDYy0fXu883r4ttQ"
		jweECDH  = "eyJhbGciOiJFQ0RILUVTIiwiZW5jIjoiQTEyOEdDTSIsImVwayI6eyJrdHkiOiJFQyIsImNydiI6IlAtMjU2IiwieCI6IlNYNXNfbUpTdVkyMjJNZmdxenFfZFBrY3FmbERpckZGb0hzX3p4WEtzRGMiLCJ5IjoiU1V4YTJScG1MOHpfZWhhck5BNmRvSjRsU29XMjFaM19IU3BZeDlFMlVjayJ9fQ..GepCODon8fRsXlsi._AJrbSkQWzPhiZAZx2dywXnYUHhYubZC5fZ1dLWL.3BHGMLvaJPUHTY9i5bjd9w"
	)
	tests := []struct{ name, in, want string }{
		{"JWS", "got " + jws + " ok", "got [REDACTED] ok"},
		{"unsecured JWS", "got " + unsigned + " ok", "got [REDACTED] ok"},
		{"JWE with encrypted key", "got " + jweRSA + " ok", "got [REDACTED] ok"},
		{"JWE alg dir", "got " + jweDir + " ok", "got [REDACTED] ok"},
		{"JWE alg ECDH-ES", "got " + jweECDH + " ok", "got [REDACTED] ok"},
		{"JWE alg dir alone", jweDir, "[REDACTED]"},
		{"JWE alg dir as bearer", "Bearer " + jweDir, "Bearer [REDACTED]"},
		{"JWE alg dir ending a sentence", "bad token " + jweDir + ".", "bad token [REDACTED]"},
		{"empty second segment, not five", "eyJhbGciOiJkaXIifQ..abc def", "eyJhbGciOiJkaXIifQ..abc def"},
		{"inside a word", "xeyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.sig", "xeyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.sig"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c capture
			auditLogger(t, &c, nil).Info("m", "note", tt.in)
			if got := c.records(t)[0]["note"]; got != tt.want {
				t.Errorf("got  %v\nwant %v", got, tt.want)
			}
		})
	}
}
