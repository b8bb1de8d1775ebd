package audit_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"strings"
	"testing"

	"github.com/apisec-go/apisec/audit"
)

// TestVocabularyLevels checks each helper's event name and OWASP level.
func TestVocabularyLevels(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		event string
		level string
		log   func(r *audit.Recorder)
		extra map[string]any
	}{
		{audit.LoginSuccess, "INFO", func(r *audit.Recorder) { r.LoginSucceeded(ctx, "u") }, nil},
		{audit.LoginSuccessAfterFail, "INFO", func(r *audit.Recorder) { r.LoginSucceededAfterFail(ctx, "u", 3) }, map[string]any{"failures": float64(3)}},
		{audit.LoginFail, "WARN", func(r *audit.Recorder) { r.LoginFailed(ctx, "u") }, nil},
		{audit.LoginFailMax, "WARN", func(r *audit.Recorder) { r.LoginFailMax(ctx, "u") }, nil},
		{audit.LoginLock, "WARN", func(r *audit.Recorder) { r.LoginLocked(ctx, "u", "maxretries") }, map[string]any{"reason": "maxretries"}},
		{audit.PasswordChange, "INFO", func(r *audit.Recorder) { r.PasswordChanged(ctx, "u") }, nil},
		{audit.PasswordChangeFail, "ERROR+4", func(r *audit.Recorder) { r.PasswordChangeFailed(ctx, "u") }, nil},
		{audit.TokenCreate, "INFO", func(r *audit.Recorder) { r.TokenCreated(ctx, "u", slog.String("token_id", "t1")) }, nil},
		{audit.TokenRevoke, "INFO", func(r *audit.Recorder) { r.TokenRevoked(ctx, "u") }, nil},
		{audit.TokenReuse, "ERROR+4", func(r *audit.Recorder) { r.TokenReused(ctx, "u") }, nil},
		{audit.TokenDelete, "WARN", func(r *audit.Recorder) { r.TokenDeleted(ctx, "u") }, nil},
		{audit.AuthzFail, "ERROR+4", func(r *audit.Recorder) { r.AuthzFailed(ctx, "u", "/admin") }, map[string]any{"resource": "/admin"}},
		{audit.AuthzChange, "WARN", func(r *audit.Recorder) { r.AuthzChanged(ctx, "u", "user", "admin") }, map[string]any{"from": "user", "to": "admin"}},
		{audit.AuthzAdmin, "WARN", func(r *audit.Recorder) { r.AdminAction(ctx, "u") }, nil},
		{audit.UserCreated, "WARN", func(r *audit.Recorder) { r.UserCreated(ctx, "root", "u") }, map[string]any{"actor": "root"}},
		{audit.UserUpdated, "WARN", func(r *audit.Recorder) { r.UserUpdated(ctx, "root", "u") }, nil},
		{audit.UserDeleted, "WARN", func(r *audit.Recorder) { r.UserDeleted(ctx, "root", "u") }, nil},
		{audit.SensitiveCreate, "WARN", func(r *audit.Recorder) { r.SensitiveCreated(ctx, "u", "r") }, nil},
		{audit.SensitiveRead, "WARN", func(r *audit.Recorder) { r.SensitiveRead(ctx, "u", "r") }, map[string]any{"resource": "r"}},
		{audit.SensitiveUpdate, "WARN", func(r *audit.Recorder) { r.SensitiveUpdated(ctx, "u", "r") }, nil},
		{audit.SensitiveDelete, "WARN", func(r *audit.Recorder) { r.SensitiveDeleted(ctx, "u", "r") }, nil},
		{audit.SessionCreated, "INFO", func(r *audit.Recorder) { r.SessionCreated(ctx, "u") }, nil},
		{audit.SessionExpired, "INFO", func(r *audit.Recorder) { r.SessionExpired(ctx, "u", "logout") }, nil},
		{audit.SessionUseAfterExpire, "ERROR+4", func(r *audit.Recorder) { r.SessionUsedAfterExpiry(ctx, "u") }, nil},
		{audit.InputValidationFail, "WARN", func(r *audit.Recorder) { r.InputValidationFailed(ctx, "u", []string{"email"}) }, nil},
		{audit.DecryptFail, "WARN", func(r *audit.Recorder) { r.DecryptFailed(ctx, "u") }, nil},
		{"custom_event", "WARN", func(r *audit.Recorder) { r.Event(ctx, slog.LevelWarn, "custom_event", slog.String("user", "u")) }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.event, func(t *testing.T) {
			var c capture
			rec, err := audit.NewRecorder(audit.RecorderConfig{Logger: auditLogger(t, &c, nil)})
			if err != nil {
				t.Fatal(err)
			}
			tt.log(rec)
			recs := c.records(t)
			if len(recs) != 1 {
				t.Fatalf("%d records", len(recs))
			}
			got := recs[0]
			if got["msg"] != tt.event || got["level"] != tt.level || got["user"] != "u" {
				t.Errorf("got %v, want msg=%s level=%s user=u", got, tt.event, tt.level)
			}
			for k, v := range tt.extra {
				if got[k] != v {
					t.Errorf("%s = %v, want %v", k, got[k], v)
				}
			}
		})
	}
}

func TestFailedLoginUsernameHashed(t *testing.T) {
	key := []byte(strings.Repeat("k", 32))
	var c capture
	rec, err := audit.NewRecorder(audit.RecorderConfig{Logger: auditLogger(t, &c, nil), FailedLoginHashKey: key})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	rec.LoginFailed(ctx, "Hunter2!password-typed-as-username")
	rec.LoginLocked(ctx, "Hunter2!password-typed-as-username", "maxretries")
	rec.LoginSucceeded(ctx, "alice") // successes stay in clear
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("Hunter2!password-typed-as-username"))
	want := "hmac:" + hex.EncodeToString(mac.Sum(nil)[:16])
	recs := c.records(t)
	if recs[0]["user"] != want || recs[1]["user"] != want || recs[2]["user"] != "alice" {
		t.Errorf("users %v %v %v, want %s twice then alice", recs[0]["user"], recs[1]["user"], recs[2]["user"], want)
	}
	if strings.Contains(c.String(), "Hunter2") {
		t.Error("the failed username reached the log")
	}
}

// TestNeutralisesInjectionInUsername: a username with CR/LF cannot forge
// a second event (CWE-117).
func TestNeutralisesInjectionInUsername(t *testing.T) {
	var c capture
	rec, _ := audit.NewRecorder(audit.RecorderConfig{Logger: auditLogger(t, &c, nil)})
	rec.LoginFailed(context.Background(), "bob\n{\"msg\":\"authn_login_success\",\"user\":\"admin\"}\u0085x")
	if n := strings.Count(c.String(), "\n"); n != 1 {
		t.Fatalf("%d lines:\n%s", n, c.String())
	}
	recs := c.records(t)
	if recs[0]["user"] != `bob\n{"msg":"authn_login_success","user":"admin"}\u0085x` || recs[0]["msg"] != audit.LoginFail {
		t.Errorf("got %v", recs[0])
	}
}

func TestRecorderSkipsDisabledLevels(t *testing.T) {
	var c capture
	logger := slog.New(slog.NewJSONHandler(&c, &slog.HandlerOptions{Level: slog.LevelWarn}))
	rec, _ := audit.NewRecorder(audit.RecorderConfig{Logger: logger})
	rec.LoginSucceeded(context.Background(), "u")
	rec.LoginFailed(context.Background(), "u")
	if recs := c.records(t); len(recs) != 1 || recs[0]["msg"] != audit.LoginFail {
		t.Errorf("got %v", recs)
	}
}

func TestReplaceLevelNames(t *testing.T) {
	var c capture
	logger := slog.New(slog.NewJSONHandler(&c, &slog.HandlerOptions{ReplaceAttr: audit.ReplaceLevelNames}))
	logger.Log(context.Background(), audit.LevelCritical, "authz_fail")
	logger.Log(context.Background(), slog.LevelWarn, "x", slog.Group("g", slog.String("level", "keep")))
	recs := c.records(t)
	if recs[0]["level"] != "CRITICAL" || recs[1]["level"] != "WARN" || recs[1]["g"].(map[string]any)["level"] != "keep" {
		t.Errorf("got %v", recs)
	}
}

// TestRecorderSourceIsTheCaller: with AddSource, the source location is
// the application's call, not the helper.
func TestRecorderSourceIsTheCaller(t *testing.T) {
	var c capture
	logger := slog.New(slog.NewJSONHandler(&c, &slog.HandlerOptions{AddSource: true}))
	rec, _ := audit.NewRecorder(audit.RecorderConfig{Logger: logger})
	rec.LoginFailed(context.Background(), "u")
	rec.Event(context.Background(), slog.LevelInfo, "custom")
	for _, r := range c.records(t) {
		src, _ := r["source"].(map[string]any)
		if file, _ := src["file"].(string); !strings.HasSuffix(file, "vocabulary_test.go") {
			t.Errorf("%v: source %v", r["msg"], src)
		}
	}
}

// TestRecorderAttributeOrder: a helper's record holds the user, then the
// helper's own attributes, then the caller's, none lost.
func TestRecorderAttributeOrder(t *testing.T) {
	var c capture
	logger := slog.New(slog.NewJSONHandler(&c, &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}}))
	rec, _ := audit.NewRecorder(audit.RecorderConfig{Logger: logger})
	rec.AuthzChanged(context.Background(), "u", "user", "admin", slog.String("ticket", "T-1"), slog.Int("n", 2))
	rec.LoginSucceeded(context.Background(), "u", slog.String("mfa", "totp"))
	want := `{"level":"WARN","msg":"authz_change","user":"u","from":"user","to":"admin","ticket":"T-1","n":2}` + "\n" +
		`{"level":"INFO","msg":"authn_login_success","user":"u","mfa":"totp"}` + "\n"
	if got := c.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
