package auth_test

import (
	"crypto"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/apisec-go/apisec/auth"
	"github.com/apisec-go/apisec/principal"
)

// Fixed test clock: every token below is minted and checked against it.
var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func clock() time.Time { return testNow }

const (
	testIssuer   = "https://issuer.example"
	testAudience = "https://api.example"
)

var testSecret = []byte("0123456789abcdef0123456789abcdef") // 32 bytes

func enc(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// hs256 signs header.payload (given as raw JSON) with secret, so tests can
// craft tokens no well-behaved library would produce.
func hs256(header, payload string, secret []byte) string {
	input := enc([]byte(header)) + "." + enc([]byte(payload))
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(input))
	return input + "." + enc(m.Sum(nil))
}

// signWith signs with any golang-jwt method.
func signWith(t testing.TB, method jwt.SigningMethod, header, payload string, key crypto.PrivateKey) string {
	t.Helper()
	input := enc([]byte(header)) + "." + enc([]byte(payload))
	sig, err := method.Sign(input, key)
	if err != nil {
		t.Fatal(err)
	}
	return input + "." + enc(sig)
}

// claims returns valid claims, with overrides (a nil value deletes).
func claims(over map[string]any) string {
	c := map[string]any{
		"iss":   testIssuer,
		"sub":   "user-42",
		"aud":   testAudience,
		"exp":   testNow.Add(10 * time.Minute).Unix(),
		"iat":   testNow.Add(-time.Minute).Unix(),
		"nbf":   testNow.Add(-time.Minute).Unix(),
		"jti":   "jti-1",
		"roles": []string{"user"},
		"scope": "read write",
	}
	for k, v := range over {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	b, _ := json.Marshal(c)
	return string(b)
}

const hdrHS256 = `{"alg":"HS256","typ":"at+jwt"}`

func validToken() string { return hs256(hdrHS256, claims(nil), testSecret) }

func baseConfig() auth.Config {
	return auth.Config{
		Issuers:   []auth.TrustedIssuer{{Issuer: testIssuer, Keys: []auth.Key{{Algorithm: "HS256", Secret: testSecret}}}},
		Audiences: []string{testAudience},
		Now:       clock,
	}
}

func mustNew(t testing.TB, cfg auth.Config) *auth.Authenticator {
	t.Helper()
	a, err := auth.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// echo answers 200 with the principal's subject, or "anonymous".
var echo = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	p, ok := principal.FromContext(r.Context())
	if !ok {
		_, _ = w.Write([]byte("anonymous"))
		return
	}
	_, _ = w.Write([]byte(p.Subject))
})

func bearer(tok string) func(*http.Request) {
	return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) }
}

func serve(h http.Handler, setup func(*http.Request)) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodGet, "/resource", nil)
	if setup != nil {
		setup(r)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func b64dec(s string) ([]byte, error) { return base64.RawURLEncoding.DecodeString(s) }
