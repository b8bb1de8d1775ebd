package auth_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/apisec-go/apisec/auth"
)

func TestRequire(t *testing.T) {
	a := mustNew(t, baseConfig())
	user := bearer(validToken()) // roles [user], scope "read write"
	admin := bearer(hs256(hdrHS256, claims(map[string]any{"roles": []string{"user", "admin"}}), testSecret))
	tests := []struct {
		name      string
		mw        func(http.Handler) http.Handler
		outer     bool // wrap with the Authenticator
		setup     func(*http.Request)
		status    int
		challenge string
	}{
		{"roles without principal", a.RequireRoles("admin"), false, nil, 401, challengeBare},
		{"roles granted", a.RequireRoles("admin"), true, admin, 200, ""},
		{"roles lacking one", a.RequireRoles("admin", "user"), true, user, 403,
			`Bearer realm="api", error="insufficient_scope", scope="admin user"`},
		{"no roles needs only a principal", a.RequireRoles(), true, user, 200, ""},
		{"any role granted", a.RequireAnyRole("admin", "user"), true, user, 200, ""},
		{"any role lacking all", a.RequireAnyRole("admin", "ops"), true, user, 403,
			`Bearer realm="api", error="insufficient_scope", scope="admin ops"`},
		{"any role of none", a.RequireAnyRole(), true, admin, 403, `Bearer realm="api", error="insufficient_scope", scope=""`},
		{"scopes granted", a.RequireScopes("read", "write"), true, user, 200, ""},
		{"scopes lacking one", a.RequireScopes("read", "delete"), true, user, 403,
			`Bearer realm="api", error="insufficient_scope", scope="read delete"`},
		{"scopes without principal", a.RequireScopes("read"), false, user, 401, challengeBare},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := tc.mw(echo)
			if tc.outer {
				h = a.Handler(h)
			}
			w := serve(h, tc.setup)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d", w.Code, tc.status)
			}
			if got := w.Header().Get("WWW-Authenticate"); got != tc.challenge {
				t.Errorf("challenge %q, want %q", got, tc.challenge)
			}
			if tc.status != 200 && w.Header().Get("Content-Type") != "application/problem+json" {
				t.Errorf("Content-Type %q", w.Header().Get("Content-Type"))
			}
		})
	}
}

// logRecords decodes JSON log lines.
func logRecords(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

func TestLogging(t *testing.T) {
	revs, _ := auth.NewMemoryRevocationList(auth.MemoryRevocationConfig{Now: clock})
	revoked := hs256(hdrHS256, claims(map[string]any{"jti": "gone"}), testSecret)
	_ = revs.Revoke(context.Background(), auth.TokenInfo{Issuer: testIssuer, ID: "gone", ExpiresAt: testNow.Add(time.Hour)})
	tests := []struct {
		name   string
		setup  func(*http.Request)
		mw     func(a *auth.Authenticator) func(http.Handler) http.Handler
		event  string
		level  string
		reason string
		secret string // must not appear in the log
	}{
		{name: "bad signature", setup: bearer(validToken() + "A"), event: "authn_token_invalid", level: "WARN", reason: "signature"},
		{name: "expired", setup: bearer(hs256(hdrHS256, claims(map[string]any{"exp": testNow.Add(-time.Hour).Unix()}), testSecret)),
			event: "authn_token_expired", level: "WARN", reason: "exp"},
		{name: "revoked", setup: bearer(revoked), event: "authn_token_revoked", level: "WARN", reason: "revoked", secret: revoked},
		{name: "forged", setup: bearer(hs256(hdrHS256, claims(nil), []byte("forged forged forged forged forg"))),
			event: "authn_token_invalid", level: "WARN", reason: "signature"},
		{name: "authz", setup: bearer(validToken()), mw: func(a *auth.Authenticator) func(http.Handler) http.Handler { return a.RequireRoles("admin") },
			event: "authz_fail", level: "ERROR+4", reason: "missing role", secret: validToken()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			cfg := baseConfig()
			cfg.Logger = slog.New(slog.NewJSONHandler(&buf, nil))
			cfg.Revocations = revs
			a := mustNew(t, cfg)
			var h http.Handler = echo
			if tc.mw != nil {
				h = tc.mw(a)(h)
			}
			r, _ := http.NewRequest("GET", "/", nil)
			tc.setup(r)
			tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
			serve(a.Handler(h), tc.setup)
			recs := logRecords(t, &buf)
			if len(recs) != 1 {
				t.Fatalf("%d records: %s", len(recs), buf.String())
			}
			if recs[0]["msg"] != tc.event || recs[0]["level"] != tc.level || recs[0]["reason"] != tc.reason {
				t.Fatalf("record %v", recs[0])
			}
			if strings.Contains(buf.String(), tok) || strings.Contains(buf.String(), strings.Split(tok, ".")[2]) {
				t.Fatal("the token reached the log")
			}
		})
	}
	t.Run("missing credentials are not logged", func(t *testing.T) {
		var buf bytes.Buffer
		cfg := baseConfig()
		cfg.Logger = slog.New(slog.NewJSONHandler(&buf, nil))
		serve(mustNew(t, cfg).Handler(echo), nil)
		if buf.Len() != 0 {
			t.Fatal(buf.String())
		}
	})
}

func TestRevocation(t *testing.T) {
	now := testNow
	revs, err := auth.NewMemoryRevocationList(auth.MemoryRevocationConfig{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	cfg := baseConfig()
	cfg.Revocations = revs
	cfg.Now = func() time.Time { return now }
	a := mustNew(t, cfg)
	ctx := context.Background()
	tokA := hs256(hdrHS256, claims(map[string]any{"jti": "a"}), testSecret)
	tokB := hs256(hdrHS256, claims(map[string]any{"jti": "b"}), testSecret)
	tokOther := hs256(hdrHS256, claims(map[string]any{"jti": "c", "sub": "someone-else"}), testSecret)
	tokNew := hs256(hdrHS256, claims(map[string]any{"jti": "d", "iat": testNow.Add(time.Second).Unix()}), testSecret)

	p, err := a.VerifyToken(ctx, tokA)
	if err != nil {
		t.Fatal(err)
	}
	if err := revs.Revoke(ctx, p.Claims.(*auth.Claims).TokenInfo()); err != nil {
		t.Fatal(err)
	}
	check := func(name, tok string, want error) {
		t.Run(name, func(t *testing.T) {
			_, err := a.VerifyToken(ctx, tok)
			if !errors.Is(err, want) || (want == nil && err != nil) {
				t.Fatalf("err %v, want %v", err, want)
			}
		})
	}
	check("revoked by jti", tokA, auth.ErrTokenRevoked)
	check("other jti unaffected", tokB, nil)
	if err := revs.RevokeSubject(ctx, testIssuer, "user-42", testNow, time.Hour); err != nil {
		t.Fatal(err)
	}
	check("revoked by subject", tokB, auth.ErrTokenRevoked)
	check("other subject unaffected", tokOther, nil)
	check("issued after the subject revocation", tokNew, nil)

	// The token is accepted until exp + leeway (30 s by default): a
	// revocation must hold through that window, whether made before exp
	// or inside the window.
	tokLate := hs256(hdrHS256, claims(map[string]any{"jti": "e", "sub": "late"}), testSecret)
	tokLater := hs256(hdrHS256, claims(map[string]any{"jti": "f", "sub": "late"}), testSecret)
	p, err = a.VerifyToken(ctx, tokLate)
	if err != nil {
		t.Fatal(err)
	}
	if err := revs.Revoke(ctx, p.Claims.(*auth.Claims).TokenInfo()); err != nil {
		t.Fatal(err)
	}
	now = testNow.Add(10*time.Minute + 10*time.Second) // past exp, within leeway
	check("revoked before exp, presented within the leeway", tokLate, auth.ErrTokenRevoked)
	p, err = a.VerifyToken(ctx, tokLater)
	if err != nil {
		t.Fatalf("a token within the leeway: %v", err)
	}
	if err := revs.Revoke(ctx, p.Claims.(*auth.Claims).TokenInfo()); err != nil {
		t.Fatal(err)
	}
	check("revoked within the leeway", tokLater, auth.ErrTokenRevoked)
	now = testNow

	t.Run("revocation failure is 503", func(t *testing.T) {
		cfg := baseConfig()
		cfg.Revocations = failingRevocations{}
		w := serve(mustNew(t, cfg).Handler(echo), bearer(validToken()))
		if w.Code != 503 || w.Header().Get("WWW-Authenticate") != "" {
			t.Fatalf("%d %v", w.Code, w.Header())
		}
		cfg.DangerouslyIgnoreRevocationErrors = true
		if w := serve(mustNew(t, cfg).Handler(echo), bearer(validToken())); w.Code != 200 {
			t.Fatalf("%d", w.Code)
		}
	})
}

type failingRevocations struct{}

func (failingRevocations) IsRevoked(context.Context, auth.TokenInfo) (bool, error) {
	return false, errors.New("down")
}
func (failingRevocations) Revoke(context.Context, auth.TokenInfo) error { return errors.New("down") }
func (failingRevocations) RevokeSubject(context.Context, string, string, time.Time, time.Duration) error {
	return errors.New("down")
}
