package auth_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/apisec-go/apisec/auth"
	"github.com/apisec-go/apisec/principal"
)

const (
	challengeBare    = `Bearer realm="api"`
	challengeRequest = `Bearer realm="api", error="invalid_request"`
	challengeToken   = `Bearer realm="api", error="invalid_token"`
)

// TestHandler is the behaviour matrix of the Authenticator: one named case
// per rule of RFC 6750, RFC 7515, RFC 7519, RFC 8725 and RFC 9068 that
// apisec enforces.
func TestHandler(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	rsaPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: must(x509.MarshalPKIXPublicKey(&rsaKey.PublicKey))})
	rsaIssuer := auth.TrustedIssuer{Issuer: "https://rsa.example", Keys: []auth.Key{{Algorithm: "RS256", PublicKey: &rsaKey.PublicKey}}}

	var jkuHits atomic.Int32
	jku := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { jkuHits.Add(1) }))
	defer jku.Close()

	long := strings.Repeat("a", auth.DefaultMaxTokenBytes+1)
	valid := validToken()
	parts := strings.Split(valid, ".")

	tests := []struct {
		name      string
		cfg       func(*auth.Config)
		setup     func(*http.Request)
		status    int
		challenge string
		err       error  // sentinel from Authenticate
		reason    string // Error.Reason
	}{
		{name: "valid", setup: bearer(valid), status: 200},
		{name: "scheme is case-insensitive", setup: func(r *http.Request) { r.Header.Set("Authorization", "bEARER "+valid) }, status: 200},
		{name: "several spaces after scheme", setup: func(r *http.Request) { r.Header.Set("Authorization", "Bearer   "+valid) }, status: 200},
		{name: "missing credentials", status: 401, challenge: challengeBare, err: auth.ErrTokenMissing, reason: "no credentials"},
		{name: "other scheme is a bare challenge", setup: func(r *http.Request) { r.SetBasicAuth("u", "p") },
			status: 401, challenge: challengeBare, err: auth.ErrTokenMissing, reason: "unsupported authorization scheme"},
		// Peers accept a TAB; RFC 6750 §2.1 allows only 1*SP.
		{name: "TAB after Bearer is invalid_request", setup: func(r *http.Request) { r.Header.Set("Authorization", "Bearer\t"+valid) },
			status: 400, challenge: challengeRequest, err: auth.ErrInvalidRequest, reason: "Authorization syntax"},
		{name: "Bearer without token", setup: func(r *http.Request) { r.Header.Set("Authorization", "Bearer") },
			status: 400, challenge: challengeRequest, err: auth.ErrInvalidRequest},
		{name: "Bearer with only spaces", setup: func(r *http.Request) { r.Header["Authorization"] = []string{"Bearer   "} },
			status: 400, challenge: challengeRequest, err: auth.ErrInvalidRequest},
		// Peers accept either of two fields.
		{name: "two Authorization fields with one valid", setup: func(r *http.Request) {
			r.Header.Add("Authorization", "Bearer "+valid)
			r.Header.Add("Authorization", "Bearer x.y.z")
		}, status: 400, challenge: challengeRequest, err: auth.ErrInvalidRequest, reason: "multiple Authorization fields"},
		{name: "comma-joined tokens fail the charset", setup: bearer(valid + ", Bearer " + valid),
			status: 400, challenge: challengeRequest, err: auth.ErrInvalidRequest, reason: "token charset"},
		{name: "CR LF inside token", setup: func(r *http.Request) {
			r.Header["Authorization"] = []string{"Bearer " + parts[0] + "\r\n." + parts[1] + "." + parts[2]}
		},
			status: 400, challenge: challengeRequest, err: auth.ErrInvalidRequest, reason: "token charset"},
		{name: "oversized token", setup: bearer(long), status: 401, challenge: challengeToken, err: auth.ErrTokenMalformed, reason: "token too large"},
		{name: "two segments", setup: bearer(parts[0] + "." + parts[1]), status: 401, challenge: challengeToken, err: auth.ErrTokenMalformed},
		{name: "four segments", setup: bearer(valid + ".x"), status: 401, challenge: challengeToken, err: auth.ErrTokenMalformed},
		{name: "padding is not base64url", setup: bearer(valid + "=="), status: 401, challenge: challengeToken, err: auth.ErrTokenMalformed},
		{name: "non-canonical base64 is rejected", setup: bearer(parts[0] + "." + parts[1] + "." + flipLastBits(parts[2])),
			status: 401, challenge: challengeToken, err: auth.ErrTokenMalformed, reason: "base64"},
		{name: "header not JSON", setup: bearer(enc([]byte("{alg")) + "." + parts[1] + "." + parts[2]), status: 401, err: auth.ErrTokenMalformed},
		{name: "tampered payload", setup: bearer(parts[0] + "." + enc([]byte(claims(map[string]any{"sub": "admin"}))) + "." + parts[2]),
			status: 401, challenge: challengeToken, err: auth.ErrTokenInvalid, reason: "signature"},
		{name: "wrong secret", setup: bearer(hs256(hdrHS256, claims(nil), []byte("another secret of thirty-two byt"))),
			status: 401, err: auth.ErrTokenInvalid, reason: "signature"},
		// RFC 8725 §3.1.
		{name: "alg none", setup: bearer(enc([]byte(`{"alg":"none","typ":"at+jwt"}`)) + "." + enc([]byte(claims(nil))) + "."),
			status: 401, err: auth.ErrTokenMalformed},
		{name: "alg none with a signature", setup: bearer(enc([]byte(`{"alg":"none","typ":"at+jwt"}`)) + "." + enc([]byte(claims(nil))) + ".c2ln"),
			status: 401, challenge: challengeToken, err: auth.ErrTokenInvalid, reason: "alg none"},
		{name: "alg NoNe", setup: bearer(hs256(`{"alg":"NoNe","typ":"at+jwt"}`, claims(nil), testSecret)), status: 401, err: auth.ErrTokenInvalid, reason: "alg none"},
		{name: "alg not among the issuer's keys", setup: bearer(hs256(`{"alg":"HS512","typ":"at+jwt"}`, claims(nil), testSecret)),
			status: 401, err: auth.ErrTokenInvalid, reason: "alg not allowed"},
		{name: "RSA public key used as HMAC secret", cfg: func(c *auth.Config) { c.Issuers = append(c.Issuers, rsaIssuer) },
			setup:  bearer(hs256(hdrHS256, claims(map[string]any{"iss": "https://rsa.example"}), rsaPEM)),
			status: 401, err: auth.ErrTokenInvalid, reason: "alg not allowed"},
		{name: "alg missing", setup: bearer(hs256(`{"typ":"at+jwt"}`, claims(nil), testSecret)), status: 401, err: auth.ErrTokenInvalid},
		{name: "duplicate alg", setup: bearer(hs256(`{"alg":"HS256","alg":"none","typ":"at+jwt"}`, claims(nil), testSecret)),
			status: 401, err: auth.ErrTokenInvalid, reason: "header parameter"},
		{name: "ALG case variant", setup: bearer(hs256(`{"alg":"HS256","ALG":"none","typ":"at+jwt"}`, claims(nil), testSecret)),
			status: 401, err: auth.ErrTokenInvalid, reason: "header parameter"},
		// A KELVIN SIGN folds to "k" (Go's and Java's case folding).
		{name: "Kid with a Kelvin sign", setup: bearer(hs256(`{"alg":"HS256","typ":"at+jwt","\u212Aid":"x"}`, claims(nil), testSecret)),
			status: 401, err: auth.ErrTokenInvalid, reason: "header parameter"},
		{name: "escaped alg name", setup: bearer(hs256(`{"\u0061lg":"HS256","typ":"at+jwt"}`, claims(nil), testSecret)), status: 200},
		{name: "escaped duplicate alg", setup: bearer(hs256(`{"alg":"HS256","\u0061lg":"none","typ":"at+jwt"}`, claims(nil), testSecret)),
			status: 401, err: auth.ErrTokenInvalid, reason: "header parameter"},
		// RFC 9068 §2.1; peers accept any typ.
		{name: "typ JWT rejected by default", setup: bearer(hs256(`{"alg":"HS256","typ":"JWT"}`, claims(nil), testSecret)),
			status: 401, err: auth.ErrTokenInvalid, reason: "typ"},
		{name: "typ missing rejected by default", setup: bearer(hs256(`{"alg":"HS256"}`, claims(nil), testSecret)), status: 401, err: auth.ErrTokenInvalid, reason: "typ"},
		{name: "typ application/at+jwt", setup: bearer(hs256(`{"alg":"HS256","typ":"application/at+jwt"}`, claims(nil), testSecret)), status: 200},
		{name: "typ is case-insensitive", setup: bearer(hs256(`{"alg":"HS256","typ":"AT+JWT"}`, claims(nil), testSecret)), status: 200},
		// The same values with JSON escapes (encoders may write "\/").
		{name: "typ with escaped solidus", setup: bearer(hs256(`{"alg":"HS256","typ":"application\/at+jwt"}`, claims(nil), testSecret)), status: 200},
		{name: "typ with a unicode escape", setup: bearer(hs256(`{"alg":"HS256","typ":"at\u002bjwt"}`, claims(nil), testSecret)), status: 200},
		{name: "typ escaping another value", setup: bearer(hs256(`{"alg":"HS256","typ":"\u004aWT"}`, claims(nil), testSecret)),
			status: 401, err: auth.ErrTokenInvalid, reason: "typ"},
		{name: "typ JWT accepted when configured", cfg: func(c *auth.Config) { c.Types = []string{"JWT"} },
			setup: bearer(hs256(`{"alg":"HS256","typ":"JWT"}`, claims(nil), testSecret)), status: 200},
		{name: "no typ accepted when configured", cfg: func(c *auth.Config) { c.Types = []string{""} },
			setup: bearer(hs256(`{"alg":"HS256"}`, claims(nil), testSecret)), status: 200},
		// RFC 7515 §4.1.11; golang-jwt ignores crit.
		{name: "unknown crit", setup: bearer(hs256(`{"alg":"HS256","typ":"at+jwt","crit":["exp-ext"],"exp-ext":1}`, claims(nil), testSecret)),
			status: 401, err: auth.ErrTokenInvalid, reason: "unknown crit"},
		// Keys named by the token are never fetched (RFC 8725 §3.10).
		{name: "jku is ignored", setup: bearer(hs256(`{"alg":"HS256","typ":"at+jwt","jku":"`+jku.URL+`"}`, claims(nil), []byte("attacker secret of 32 bytes long!"))),
			status: 401, err: auth.ErrTokenInvalid, reason: "signature"},
		{name: "unknown kid", setup: bearer(hs256(`{"alg":"HS256","typ":"at+jwt","kid":"other"}`, claims(nil), testSecret)),
			status: 401, err: auth.ErrTokenInvalid, reason: "no matching key"},
		{name: "escaped kid matches its key", cfg: func(c *auth.Config) { c.Issuers[0].Keys[0].ID = "k/1" },
			setup: bearer(hs256(`{"alg":"HS256","typ":"at+jwt","kid":"k\/1"}`, claims(nil), testSecret)), status: 200},
		// Claims.
		{name: "missing exp", setup: bearer(hs256(hdrHS256, claims(map[string]any{"exp": nil}), testSecret)), status: 401, err: auth.ErrTokenInvalid, reason: "missing exp"},
		{name: "null exp", setup: bearer(hs256(hdrHS256, strings.Replace(claims(nil), `"exp":`, `"exp":null,"x":`, 1), testSecret)), status: 401, err: auth.ErrTokenInvalid, reason: "missing exp"},
		{name: "string exp", setup: bearer(hs256(hdrHS256, claims(map[string]any{"exp": "9999999999"}), testSecret)), status: 401, err: auth.ErrTokenInvalid, reason: "claim type"},
		{name: "missing iat", setup: bearer(hs256(hdrHS256, claims(map[string]any{"iat": nil}), testSecret)), status: 401, err: auth.ErrTokenInvalid, reason: "missing iat"},
		{name: "missing sub", setup: bearer(hs256(hdrHS256, claims(map[string]any{"sub": nil}), testSecret)), status: 401, err: auth.ErrTokenInvalid, reason: "missing sub"},
		{name: "expired", setup: bearer(hs256(hdrHS256, claims(map[string]any{"exp": testNow.Add(-31 * time.Second).Unix()}), testSecret)),
			status: 401, challenge: challengeToken, err: auth.ErrTokenExpired, reason: "exp"},
		{name: "expired within leeway", setup: bearer(hs256(hdrHS256, claims(map[string]any{"exp": testNow.Add(-29 * time.Second).Unix()}), testSecret)), status: 200},
		{name: "expired with zero-ish leeway", cfg: func(c *auth.Config) { c.Leeway = time.Nanosecond },
			setup: bearer(hs256(hdrHS256, claims(map[string]any{"exp": testNow.Add(-time.Second).Unix()}), testSecret)), status: 401, err: auth.ErrTokenExpired},
		{name: "nbf in the future", setup: bearer(hs256(hdrHS256, claims(map[string]any{"nbf": testNow.Add(time.Minute).Unix()}), testSecret)),
			status: 401, err: auth.ErrTokenNotYetValid, reason: "nbf"},
		{name: "nbf within leeway", setup: bearer(hs256(hdrHS256, claims(map[string]any{"nbf": testNow.Add(20 * time.Second).Unix()}), testSecret)), status: 200},
		{name: "iat in the future", setup: bearer(hs256(hdrHS256, claims(map[string]any{"iat": testNow.Add(time.Hour).Unix()}), testSecret)),
			status: 401, err: auth.ErrTokenNotYetValid, reason: "iat in the future"},
		{name: "wrong audience", setup: bearer(hs256(hdrHS256, claims(map[string]any{"aud": "https://other.example"}), testSecret)),
			status: 401, err: auth.ErrTokenInvalid, reason: "audience"},
		{name: "audience list containing ours", setup: bearer(hs256(hdrHS256, claims(map[string]any{"aud": []string{"x", testAudience}}), testSecret)), status: 200},
		{name: "missing audience", setup: bearer(hs256(hdrHS256, claims(map[string]any{"aud": nil}), testSecret)), status: 401, err: auth.ErrTokenInvalid, reason: "audience"},
		{name: "wrong issuer", setup: bearer(hs256(hdrHS256, claims(map[string]any{"iss": "https://evil.example"}), testSecret)),
			status: 401, err: auth.ErrTokenInvalid, reason: "issuer"},
		{name: "issuer differs only in case", setup: bearer(hs256(hdrHS256, claims(map[string]any{"iss": strings.ToUpper(testIssuer)}), testSecret)),
			status: 401, err: auth.ErrTokenInvalid, reason: "issuer"},
		// The claim-name case differential: encoding/json would fill exp from EXP.
		{name: "EXP instead of exp", setup: bearer(hs256(hdrHS256, claims(map[string]any{"exp": nil, "EXP": testNow.Add(time.Hour).Unix()}), testSecret)),
			status: 401, err: auth.ErrTokenInvalid, reason: "claim name case"},
		{name: "AUD beside aud", setup: bearer(hs256(hdrHS256, claims(map[string]any{"AUD": "https://other.example"}), testSecret)),
			status: 401, err: auth.ErrTokenInvalid, reason: "claim name case"},
		{name: "Roles beside roles", setup: bearer(hs256(hdrHS256, claims(map[string]any{"Roles": []string{"admin"}}), testSecret)),
			status: 401, err: auth.ErrTokenInvalid, reason: "claim name case"},
		{name: "duplicate exp", setup: bearer(hs256(hdrHS256, strings.Replace(claims(nil), `"exp":`, `"exp":99999999999,"exp":`, 1), testSecret)),
			status: 401, err: auth.ErrTokenInvalid, reason: "duplicate claim"},
		{name: "escaped duplicate of sub", setup: bearer(hs256(hdrHS256, strings.Replace(claims(nil), `"sub":`, `"s\u0075b":"admin","sub":`, 1), testSecret)),
			status: 401, err: auth.ErrTokenInvalid, reason: "duplicate claim"},
		{name: "duplicate custom claim", setup: bearer(hs256(hdrHS256, strings.Replace(claims(nil), `"jti":`, `"tenant":"a","tenant":"b","jti":`, 1), testSecret)),
			status: 401, err: auth.ErrTokenInvalid, reason: "duplicate claim"},
		{name: "escaped duplicate of a custom claim", setup: bearer(hs256(hdrHS256, strings.Replace(claims(nil), `"jti":`, `"t\u0065nant":"a","tenant":"b","jti":`, 1), testSecret)),
			status: 401, err: auth.ErrTokenInvalid, reason: "duplicate claim"},
		{name: "roles not an array", setup: bearer(hs256(hdrHS256, claims(map[string]any{"roles": "admin"}), testSecret)),
			status: 401, err: auth.ErrTokenInvalid, reason: "claim type"},
		// Token sources (RFC 6750 §2.2, §2.3, §5.3).
		{name: "cookie ignored by default", setup: func(r *http.Request) { r.AddCookie(&http.Cookie{Name: "access_token", Value: valid}) },
			status: 401, challenge: challengeBare, err: auth.ErrTokenMissing},
		{name: "cookie when enabled", cfg: func(c *auth.Config) { c.CookieName = "access_token" },
			setup: func(r *http.Request) { r.AddCookie(&http.Cookie{Name: "access_token", Value: valid}) }, status: 200},
		{name: "cookie and header is invalid_request", cfg: func(c *auth.Config) { c.CookieName = "access_token" },
			setup: func(r *http.Request) {
				r.AddCookie(&http.Cookie{Name: "access_token", Value: valid})
				r.Header.Set("Authorization", "Bearer "+valid)
			}, status: 400, challenge: challengeRequest, err: auth.ErrInvalidRequest, reason: "credentials in more than one place"},
		{name: "query ignored by default", setup: func(r *http.Request) { r.URL.RawQuery = "access_token=" + valid },
			status: 401, err: auth.ErrTokenMissing},
		{name: "query when enabled", cfg: func(c *auth.Config) { c.QueryParameter = "access_token" },
			setup: func(r *http.Request) { r.URL.RawQuery = "access_token=" + valid }, status: 200},
		{name: "query twice", cfg: func(c *auth.Config) { c.QueryParameter = "access_token" },
			setup:  func(r *http.Request) { r.URL.RawQuery = "access_token=" + valid + "&access_token=" + valid },
			status: 400, err: auth.ErrInvalidRequest},
		{name: "custom realm is quoted", cfg: func(c *auth.Config) { c.Realm = `my "api"` },
			status: 401, challenge: `Bearer realm="my \"api\""`, err: auth.ErrTokenMissing},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := baseConfig()
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			a := mustNew(t, cfg)
			w := serve(a.Handler(echo), tc.setup)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d (body %s)", w.Code, tc.status, w.Body)
			}
			if tc.status == 200 {
				if w.Body.String() != "user-42" {
					t.Errorf("body %q, want the subject", w.Body)
				}
				return
			}
			if got := w.Header().Get("Content-Type"); got != "application/problem+json" {
				t.Errorf("Content-Type %q", got)
			}
			if tc.challenge != "" && w.Header().Get("WWW-Authenticate") != tc.challenge {
				t.Errorf("WWW-Authenticate %q, want %q", w.Header().Get("WWW-Authenticate"), tc.challenge)
			}
			if w.Header().Get("WWW-Authenticate") == "" {
				t.Error("no WWW-Authenticate challenge")
			}
			r := httptest.NewRequest(http.MethodGet, "/resource", nil)
			if tc.setup != nil {
				tc.setup(r)
			}
			p, err := a.Authenticate(r)
			if p != nil || !errors.Is(err, tc.err) {
				t.Fatalf("Authenticate = %v, %v; want %v", p, err, tc.err)
			}
			var ae *auth.Error
			if !errors.As(err, &ae) {
				t.Fatalf("error %T is not *auth.Error", err)
			}
			if tc.reason != "" && ae.Reason != tc.reason {
				t.Errorf("reason %q, want %q", ae.Reason, tc.reason)
			}
		})
	}
	if jkuHits.Load() != 0 {
		t.Errorf("the jku URL was fetched %d times", jkuHits.Load())
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// flipLastBits changes the unused low bits of the last base64url
// character: lenient decoders map both spellings to the same bytes.
func flipLastBits(seg string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	last := strings.IndexByte(alphabet, seg[len(seg)-1])
	return seg[:len(seg)-1] + string(alphabet[last^1])
}

func TestPrincipal(t *testing.T) {
	a := mustNew(t, baseConfig())
	tok := hs256(`{"alg":"HS256","typ":"at+jwt"}`, claims(map[string]any{
		"aud": []string{testAudience, "other"}, "roles": []string{"admin", "user"}, "client_id": "cli", "tenant": "t1"}), testSecret)
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Authorization", "Bearer "+tok)
	p, err := a.Authenticate(r)
	if err != nil {
		t.Fatal(err)
	}
	if p.Subject != "user-42" || p.Issuer != testIssuer || p.Method != principal.MethodJWT ||
		!p.ExpiresAt.Equal(testNow.Add(10*time.Minute)) || !p.HasAllRoles("admin", "user") ||
		!p.HasAllScopes("read", "write") || len(p.Audience) != 2 {
		t.Fatalf("principal %+v", p)
	}
	c := p.Claims.(*auth.Claims)
	if c.ID != "jti-1" || c.ClientID != "cli" || c.Type != "at+jwt" || c.Algorithm != "HS256" ||
		!c.IssuedAt.Equal(testNow.Add(-time.Minute)) || !c.NotBefore.Equal(testNow.Add(-time.Minute)) {
		t.Fatalf("claims %+v", c)
	}

	t.Run("scp array", func(t *testing.T) {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Authorization", "Bearer "+hs256(hdrHS256, claims(map[string]any{"scope": nil, "scp": []string{"a", "b"}}), testSecret))
		p, err := a.Authenticate(r)
		if err != nil || !p.HasAllScopes("a", "b") || p.HasScope("read") {
			t.Fatalf("%+v %v", p, err)
		}
	})
	t.Run("custom claim names", func(t *testing.T) {
		cfg := baseConfig()
		cfg.RolesClaim, cfg.ScopeClaim = "groups", "permissions"
		a := mustNew(t, cfg)
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Authorization", "Bearer "+hs256(hdrHS256, claims(map[string]any{"groups": []string{"ops"}, "permissions": "deploy"}), testSecret))
		p, err := a.Authenticate(r)
		if err != nil || !p.HasRole("ops") || p.HasRole("user") || !p.HasScope("deploy") {
			t.Fatalf("%+v %v", p, err)
		}
	})
	t.Run("ClaimsFrom", func(t *testing.T) {
		type custom struct {
			Tenant string `json:"tenant"`
		}
		ctx := principal.NewContext(r.Context(), p)
		got, err := auth.ClaimsFrom[custom](ctx)
		if err != nil || got.Tenant != "t1" {
			t.Fatalf("%+v %v", got, err)
		}
		if _, err := auth.ClaimsFrom[custom](r.Context()); !errors.Is(err, auth.ErrNoClaims) {
			t.Fatalf("err %v", err)
		}
	})
}

// Several issuers, each bound to its own keys: a token claiming issuer A
// but signed with issuer B's key is rejected.
func TestIssuersAreBoundToTheirOwnKeys(t *testing.T) {
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	secretB := []byte("issuer B secret, thirty-two byte")
	cfg := baseConfig()
	cfg.Issuers = append(cfg.Issuers,
		auth.TrustedIssuer{Issuer: "https://b.example", Keys: []auth.Key{{Algorithm: "HS256", Secret: secretB}}},
		auth.TrustedIssuer{Issuer: "https://c.example", Keys: []auth.Key{{ID: "ec1", Algorithm: "ES256", PublicKey: &ec.PublicKey}}})
	a := mustNew(t, cfg)
	tests := []struct {
		name string
		tok  string
		want error
	}{
		{"A with A's key", validToken(), nil},
		{"B with B's key", hs256(hdrHS256, claims(map[string]any{"iss": "https://b.example"}), secretB), nil},
		{"C with C's key", signWith(t, jwt.SigningMethodES256, `{"alg":"ES256","typ":"at+jwt","kid":"ec1"}`, claims(map[string]any{"iss": "https://c.example"}), ec), nil},
		{"A with B's key", hs256(hdrHS256, claims(nil), secretB), auth.ErrTokenInvalid},
		{"B with A's key", hs256(hdrHS256, claims(map[string]any{"iss": "https://b.example"}), testSecret), auth.ErrTokenInvalid},
		{"A with C's key", signWith(t, jwt.SigningMethodES256, `{"alg":"ES256","typ":"at+jwt","kid":"ec1"}`, claims(nil), ec), auth.ErrTokenInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := a.VerifyToken(t.Context(), tc.tok)
			if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
				t.Fatalf("err %v, want %v", err, tc.want)
			}
		})
	}
}

func TestCredentialsOptional(t *testing.T) {
	cfg := baseConfig()
	cfg.CredentialsOptional = true
	h := mustNew(t, cfg).Handler(echo)
	tests := []struct {
		name   string
		setup  func(*http.Request)
		status int
		body   string
	}{
		{"anonymous passes", nil, 200, "anonymous"},
		{"valid token attaches the principal", bearer(validToken()), 200, "user-42"},
		{"invalid token is still rejected", bearer(validToken() + "x"), 401, ""},
		{"malformed request is still rejected", func(r *http.Request) { r.Header.Set("Authorization", "Bearer\tx") }, 400, ""},
		{"other scheme is not anonymous", func(r *http.Request) { r.SetBasicAuth("a", "b") }, 401, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := serve(h, tc.setup)
			if w.Code != tc.status || (tc.body != "" && w.Body.String() != tc.body) {
				t.Fatalf("got %d %q", w.Code, w.Body)
			}
		})
	}
}

func TestErrorHandlerReceivesTypedError(t *testing.T) {
	var got error
	cfg := baseConfig()
	cfg.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
		got = err
		w.WriteHeader(http.StatusTeapot)
	}
	w := serve(mustNew(t, cfg).Handler(echo), bearer(hs256(hdrHS256, claims(map[string]any{"exp": testNow.Add(-time.Hour).Unix()}), testSecret)))
	if w.Code != http.StatusTeapot || !errors.Is(got, auth.ErrTokenExpired) {
		t.Fatalf("%d %v", w.Code, got)
	}
	if w.Header().Get("WWW-Authenticate") != challengeToken {
		t.Errorf("challenge %q not set before ErrorHandler", w.Header().Get("WWW-Authenticate"))
	}
}

// The body must not echo anything from the request or the error.
func TestRejectionBodyLeaksNothing(t *testing.T) {
	tok := hs256(hdrHS256, claims(map[string]any{"sub": "secret-subject"}), []byte("wrong secret wrong secret wrong!"))
	w := serve(mustNew(t, baseConfig()).Handler(echo), bearer(tok))
	want := `{"type":"about:blank","title":"Unauthorized","status":401,"detail":"The access token is invalid, expired or revoked."}`
	if w.Body.String() != want {
		t.Fatalf("body %s", w.Body)
	}
}

// The pools behind HMAC verification and decoding are shared across
// requests: hammer them from several goroutines under -race, mixing
// valid, forged and malformed tokens.
func TestConcurrentVerification(t *testing.T) {
	a := mustNew(t, baseConfig())
	h := a.Handler(echo)
	toks := []struct {
		tok  string
		code int
	}{
		{validToken(), 200},
		{hs256(hdrHS256, claims(map[string]any{"sub": "other"}), []byte("forged forged forged forged forg")), 401},
		{"a.b", 401},
		{hs256(hdrHS256, claims(map[string]any{"sub": "user-42", "jti": strings.Repeat("x", 2000)}), testSecret), 200},
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				tc := toks[(g+i)%len(toks)]
				if w := serve(h, bearer(tc.tok)); w.Code != tc.code || (tc.code == 200 && w.Body.String() != "user-42") {
					t.Errorf("got %d %q, want %d", w.Code, w.Body, tc.code)
					return
				}
			}
		})
	}
	wg.Wait()
}

// Handler must not modify the caller's request: it passes a copy.
func TestHandlerDoesNotMutateRequest(t *testing.T) {
	a := mustNew(t, baseConfig())
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Authorization", "Bearer "+validToken())
	ctx := r.Context()
	var inner *http.Request
	a.Handler(http.HandlerFunc(func(_ http.ResponseWriter, r2 *http.Request) { inner = r2 })).ServeHTTP(httptest.NewRecorder(), r)
	if inner == nil || inner == r || r.Context() != ctx {
		t.Fatal("request mutated or not copied")
	}
	if _, ok := principal.FromContext(r.Context()); ok {
		t.Fatal("principal leaked into the caller's request")
	}
}
