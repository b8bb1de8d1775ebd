package auth_test

import (
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/apisec-go/apisec/auth"
	"github.com/apisec-go/apisec/internal/testenv"
)

// pyScript signs one token per line of JSON input
// {"alg", "key", "headers", "claims"} and prints one token per line.
const pyScript = `
import json, sys, jwt
for line in sys.stdin:
    job = json.loads(line)
    key = job["key"]
    if job["alg"].startswith("HS"):
        key = key.encode()
    elif job["alg"] == "none":
        key = None
    print(jwt.encode(job["claims"], key, algorithm=job["alg"], headers=job["headers"]))
`

// TestPyJWTInterop checks that tokens minted by PyJWT, a widely used
// independent implementation, are accepted when valid and rejected when
// tampered, unsigned, for another audience or expired.
func TestPyJWTInterop(t *testing.T) {
	python3 := testenv.NeedPython(t, "jwt, cryptography", "python3-jwt python3-cryptography")
	k := testKeys()
	der, err := x509.MarshalPKCS8PrivateKey(k.ec)
	if err != nil {
		t.Fatal(err)
	}
	ecPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	srv := newJWKSServer(t, jwksBody(ecJWK("py-ec", &k.ec.PublicKey)))
	j, err := auth.NewJWKS(auth.JWKSConfig{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	a := mustNew(t, auth.Config{
		Issuers: []auth.TrustedIssuer{
			{Issuer: testIssuer, Keys: []auth.Key{{ID: "py-hs", Algorithm: "HS256", Secret: testSecret}}},
			{Issuer: "https://py-ec.example", JWKS: j},
		},
		Audiences: []string{testAudience},
		Now:       clock,
	})
	type job struct {
		Alg     string         `json:"alg"`
		Key     string         `json:"key"`
		Headers map[string]any `json:"headers"`
		Claims  map[string]any `json:"claims"`
	}
	base := func(iss string, over map[string]any) map[string]any {
		var c map[string]any
		_ = json.Unmarshal([]byte(claims(map[string]any{"iss": iss})), &c)
		for k, v := range over {
			c[k] = v
		}
		return c
	}
	hsHdr := map[string]any{"typ": "at+jwt", "kid": "py-hs"}
	ecHdr := map[string]any{"typ": "at+jwt", "kid": "py-ec"}
	tests := []struct {
		name   string
		job    job
		tamper bool
		want   error
	}{
		{"HS256", job{"HS256", string(testSecret), hsHdr, base(testIssuer, nil)}, false, nil},
		{"ES256 via JWKS", job{"ES256", ecPEM, ecHdr, base("https://py-ec.example", nil)}, false, nil},
		{"HS256 tampered", job{"HS256", string(testSecret), hsHdr, base(testIssuer, nil)}, true, auth.ErrTokenInvalid},
		{"ES256 tampered", job{"ES256", ecPEM, ecHdr, base("https://py-ec.example", nil)}, true, auth.ErrTokenInvalid},
		{"alg none", job{"none", "", map[string]any{"typ": "at+jwt"}, base(testIssuer, nil)}, false, auth.ErrTokenMalformed},
		{"wrong audience", job{"HS256", string(testSecret), hsHdr, base(testIssuer, map[string]any{"aud": "https://other.example"})}, false, auth.ErrTokenInvalid},
		{"expired", job{"HS256", string(testSecret), hsHdr, base(testIssuer, map[string]any{"exp": testNow.Add(-time.Hour).Unix()})}, false, auth.ErrTokenExpired},
		{"default typ JWT", job{"HS256", string(testSecret), map[string]any{"kid": "py-hs"}, base(testIssuer, nil)}, false, auth.ErrTokenInvalid},
	}
	var in strings.Builder
	for _, tc := range tests {
		b, _ := json.Marshal(tc.job)
		in.Write(b)
		in.WriteByte('\n')
	}
	cmd := exec.Command(python3, "-c", pyScript)
	cmd.Stdin = strings.NewReader(in.String())
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("python: %v\n%s", err, ee.Stderr)
		}
		t.Fatal(err)
	}
	toks := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(toks) != len(tests) {
		t.Fatalf("%d tokens for %d jobs", len(toks), len(tests))
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tok := toks[i]
			if tc.tamper {
				parts := strings.Split(tok, ".")
				var c map[string]any
				_ = json.Unmarshal(must(b64dec(parts[1])), &c)
				c["sub"] = "admin"
				parts[1] = enc([]byte(mustJSON(c)))
				tok = strings.Join(parts, ".")
			}
			p, err := a.VerifyToken(t.Context(), tok)
			if tc.want == nil {
				if err != nil || p.Subject != "user-42" {
					t.Fatalf("%v %+v", err, p)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("err %v, want %v", err, tc.want)
			}
		})
	}
}
