package auth_test

import (
	"crypto/ed25519"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"github.com/apisec-go/apisec/auth"
)

type benchCase struct {
	name string
	key  auth.Key
	tok  string
}

func benchCases(b *testing.B) []benchCase {
	k := testKeys()
	hdr := func(a string) string { return `{"alg":"` + a + `","typ":"at+jwt","kid":"k"}` }
	return []benchCase{
		{"HS256", auth.Key{ID: "k", Algorithm: "HS256", Secret: testSecret}, hs256(hdr("HS256"), claims(nil), testSecret)},
		{"RS256", auth.Key{ID: "k", Algorithm: "RS256", PublicKey: &k.rsa.PublicKey}, signWith(b, jwt.SigningMethodRS256, hdr("RS256"), claims(nil), k.rsa)},
		{"ES256", auth.Key{ID: "k", Algorithm: "ES256", PublicKey: &k.ec.PublicKey}, signWith(b, jwt.SigningMethodES256, hdr("ES256"), claims(nil), k.ec)},
		{"EdDSA", auth.Key{ID: "k", Algorithm: "EdDSA", PublicKey: k.ed.Public().(ed25519.PublicKey)}, signWith(b, jwt.SigningMethodEdDSA, hdr("EdDSA"), claims(nil), k.ed)},
	}
}

var noop = http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})

func runHandler(b *testing.B, h http.Handler, authz string) {
	r := httptest.NewRequest("GET", "/", nil)
	if authz != "" {
		r.Header.Set("Authorization", authz)
	}
	w := &discard{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		h.ServeHTTP(w, r)
	}
}

// BenchmarkHandler measures a request through Handler end to end, against
// a no-middleware baseline.
func BenchmarkHandler(b *testing.B) {
	b.Run("impl=baseline", func(b *testing.B) { runHandler(b, noop, "") })
	for _, bc := range benchCases(b) {
		cfg := baseConfig()
		cfg.Issuers[0].Keys = []auth.Key{bc.key}
		h := mustNew(b, cfg).Handler(noop)
		b.Run("alg="+bc.name, func(b *testing.B) { runHandler(b, h, "Bearer "+bc.tok) })
	}
}

// BenchmarkReject measures tokens refused before any signature work.
func BenchmarkReject(b *testing.B) {
	h := mustNew(b, baseConfig()).Handler(noop)
	valid := validToken()
	for _, c := range []struct{ name, authz string }{
		{"oversized", "Bearer " + strings.Repeat("a", 16<<10)},
		{"charset", "Bearer " + valid[:40] + "," + valid[41:]},
		{"segments", "Bearer " + valid + ".x"},
		{"alg=none", "Bearer " + hs256(`{"alg":"none","typ":"at+jwt"}`, claims(nil), testSecret)},
		{"typ", "Bearer " + hs256(`{"alg":"HS256","typ":"JWT"}`, claims(nil), testSecret)},
		{"signature", "Bearer " + valid[:len(valid)-2] + "AA"},
	} {
		b.Run("case="+c.name, func(b *testing.B) { runHandler(b, h, c.authz) })
	}
}

// BenchmarkRawParse is golang-jwt's ParseWithClaims with equivalent
// validation, the reference the Handler is held to.
func BenchmarkRawParse(b *testing.B) {
	for _, bc := range benchCases(b) {
		var key any = bc.key.Secret
		if bc.key.PublicKey != nil {
			key = bc.key.PublicKey
		}
		p := jwt.NewParser(jwt.WithValidMethods([]string{bc.key.Algorithm}), jwt.WithIssuer(testIssuer),
			jwt.WithAudience(testAudience), jwt.WithExpirationRequired(), jwt.WithIssuedAt(),
			jwt.WithLeeway(auth.DefaultLeeway), jwt.WithTimeFunc(clock))
		kf := func(*jwt.Token) (any, error) { return key, nil }
		b.Run("alg="+bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var c jwt.RegisteredClaims
				if _, err := p.ParseWithClaims(bc.tok, &c, kf); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkRequireRoles(b *testing.B) {
	a := mustNew(b, baseConfig())
	h := a.Handler(a.RequireRoles("user")(noop))
	runHandler(b, h, "Bearer "+validToken())
}

func BenchmarkAPIKey(b *testing.B) {
	key, hash, _ := auth.GenerateAPIKey("svc")
	store, _ := auth.NewMemoryAPIKeyStore([]auth.APIKey{{ID: "svc", Hash: hash, Subject: "s"}})
	cfg := baseConfig()
	cfg.APIKeys = store
	h := mustNew(b, cfg).Handler(noop)
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("X-API-Key", key)
	w := &discard{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(w, r)
	}
}
