package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apisec-go/apisec/internal/testenv"
)

const pyjwtSecret = "pyjwt-interop-secret-0123456789abcdef"

// mint asks Python's PyJWT (Debian python3-jwt) to sign claims with the
// given algorithm and key, so the server is tested against tokens it did
// not make itself.
func mint(t *testing.T, alg, key string, header map[string]any, claims map[string]any) string {
	t.Helper()
	hb, _ := json.Marshal(header)
	cb, _ := json.Marshal(claims)
	script := `
import json, sys, jwt
alg, key, header, claims = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), json.loads(sys.argv[4])
if alg != "none" and key.startswith("/"):
    key = open(key).read()
print(jwt.encode(claims, None if alg == "none" else key, algorithm=alg, headers=header))
`
	return testenv.Python(t, "jwt, cryptography", "python3-jwt python3-cryptography", script, alg, key, string(hb), string(cb))
}

func claimsFor(iss, aud string, lifetime time.Duration) map[string]any {
	now := time.Now()
	return map[string]any{
		"iss": iss, "aud": aud, "sub": "py-user-1", "client_id": "py-client",
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(lifetime).Unix(),
		"jti": "py-" + time.Now().Format("150405.000000000"), "roles": []string{"user"}, "scope": "users:read",
	}
}

// TestPyJWTTokens checks interop with a real third-party JWT library:
// PyJWT's HS256 tokens signed with the shared secret and its ES256 tokens
// verified through a JWKS are accepted; tampered, alg none, wrong-audience
// and expired ones are refused with RFC 6750 invalid_token.
func TestPyJWTTokens(t *testing.T) {
	testenv.NeedPython(t, "jwt, cryptography", "python3-jwt python3-cryptography")

	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(ecKey)
	if err != nil {
		t.Fatal(err)
	}
	pemPath := filepath.Join(t.TempDir(), "es256.pem")
	if err := os.WriteFile(pemPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	pt, err := ecKey.PublicKey.ECDH()
	if err != nil {
		t.Fatal(err)
	}
	raw := pt.Bytes() // 0x04 || X || Y
	b64 := base64.RawURLEncoding.EncodeToString
	jwks := map[string]any{"keys": []any{map[string]any{
		"kty": "EC", "crv": "P-256", "kid": "py-es256", "alg": "ES256", "use": "sig",
		"x": b64(raw[1:33]), "y": b64(raw[33:65]),
	}}}
	jwksSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(jwks)
	}))
	defer jwksSrv.Close()

	const iss, jwksIss, aud = "apisec-example", "https://idp.example.test", "apisec-example-api"
	s := startServer(t, "JWT_SECRET="+pyjwtSecret, "JWKS_URL="+jwksSrv.URL+"/jwks", "JWKS_ISSUER="+jwksIss)

	at := map[string]any{"typ": "at+jwt", "kid": "hs1"}
	es := map[string]any{"typ": "at+jwt", "kid": "py-es256"}
	good := mint(t, "HS256", pyjwtSecret, at, claimsFor(iss, aud, 5*time.Minute))
	goodES := mint(t, "ES256", pemPath, es, claimsFor(jwksIss, aud, 5*time.Minute))

	tampered := func(tok string) string {
		parts := strings.Split(tok, ".")
		var c map[string]any
		b, _ := base64.RawURLEncoding.DecodeString(parts[1])
		_ = json.Unmarshal(b, &c)
		c["roles"] = []string{"admin"}
		nb, _ := json.Marshal(c)
		parts[1] = base64.RawURLEncoding.EncodeToString(nb)
		return strings.Join(parts, ".")
	}

	tests := []struct {
		name   string
		token  string
		status int
	}{
		{"HS256 with the shared secret", good, 200},
		{"ES256 through the JWKS", goodES, 200},
		{"tampered HS256 payload", tampered(good), 401},
		{"tampered ES256 payload", tampered(goodES), 401},
		{"alg none", mint(t, "none", "", map[string]any{"typ": "at+jwt"}, claimsFor(iss, aud, 5*time.Minute)), 401},
		{"wrong audience", mint(t, "HS256", pyjwtSecret, at, claimsFor(iss, "someone-else", 5*time.Minute)), 401},
		{"expired", mint(t, "HS256", pyjwtSecret, at, claimsFor(iss, aud, -10*time.Minute)), 401},
		{"wrong secret", mint(t, "HS256", "another-secret-0123456789abcdefghij", at, claimsFor(iss, aud, 5*time.Minute)), 401},
		{"HS256 token claiming the JWKS issuer", mint(t, "HS256", pyjwtSecret, at, claimsFor(jwksIss, aud, 5*time.Minute)), 401},
		{"typ JWT instead of at+jwt", mint(t, "HS256", pyjwtSecret, map[string]any{"typ": "JWT", "kid": "hs1"}, claimsFor(iss, aud, 5*time.Minute)), 401},
	}
	t.Run("a JWKS token is never a local user or a local admin", func(t *testing.T) {
		victim := s.register(t, "victim@example.com", alicePassword, "Victim", 30)
		asVictim := func(alg, key string, hdr map[string]any, iss string, roles ...string) string {
			c := claimsFor(iss, aud, 5*time.Minute)
			c["sub"], c["roles"] = victim, roles
			return mint(t, alg, key, hdr, c)
		}
		foreign := asVictim("ES256", pemPath, es, jwksIss, "admin")
		if r := s.do(t, "GET", "/api/v2/users", "", bearer(foreign)...); r.Status != 200 {
			t.Fatalf("the JWKS issuer's token cannot list: %d %s", r.Status, r.Body)
		}
		wantProblem(t, s.do(t, "GET", "/api/users/"+victim, "", bearer(foreign)...), 403)
		wantProblem(t, s.do(t, "DELETE", "/api/users/"+victim, "", bearer(foreign)...), 403)
		if !s.waitAudit(`"iss":"` + jwksIss + `"`) {
			t.Error("the refusals' authz_fail events do not name the foreign issuer")
		}
		// The victim's own token, from this server's issuer, still reads
		// the record: it was neither disclosed nor deleted.
		own := asVictim("HS256", pyjwtSecret, at, iss, "user")
		r := s.do(t, "GET", "/api/users/"+victim, "", bearer(own)...)
		if r.Status != 200 || r.json(t)["email"] != "victim@example.com" {
			t.Fatalf("the victim reading themself: %d %s", r.Status, r.Body)
		}
	})

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := s.do(t, "GET", "/api/v2/users", "", bearer(tt.token)...)
			if r.Status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tt.status, r.Body)
			}
			if tt.status == 401 {
				wantProblem(t, r, 401)
				if got := r.Header.Get("Www-Authenticate"); !strings.Contains(got, `error="invalid_token"`) {
					t.Fatalf("WWW-Authenticate %q", got)
				}
			}
		})
	}
}
