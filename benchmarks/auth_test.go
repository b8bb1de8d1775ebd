package benchmarks

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	jwtmiddleware "github.com/auth0/go-jwt-middleware/v2"
	"github.com/auth0/go-jwt-middleware/v2/validator"
	"github.com/go-chi/jwtauth/v5"
	"github.com/golang-jwt/jwt/v5"
	jwxjwt "github.com/lestrrat-go/jwx/v2/jwt"

	"github.com/apisec-go/apisec/auth"
)

// The same token and policy for every implementation: one issuer, one
// audience, exp/iat required, 30 s leeway, the algorithm pinned, a "roles"
// claim. Tokens are minted for the real clock because auth0's validator
// cannot take an injected one.
const (
	authIssuer   = "https://issuer.example"
	authAudience = "https://api.example"
)

var authSecret = []byte("0123456789abcdef0123456789abcdef")

type authKeys struct {
	alg  string
	sign crypto.PrivateKey
	pub  any
}

func authKeySet(tb testing.TB) []authKeys {
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		tb.Fatal(err)
	}
	ek, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	_, dk, _ := ed25519.GenerateKey(rand.Reader)
	return []authKeys{
		{"HS256", authSecret, authSecret},
		{"RS256", rk, &rk.PublicKey},
		{"ES256", ek, &ek.PublicKey},
		{"EdDSA", dk, dk.Public()},
	}
}

func authToken(tb testing.TB, k authKeys) string {
	now := time.Now()
	t := jwt.NewWithClaims(jwt.GetSigningMethod(k.alg), jwt.MapClaims{
		"iss": authIssuer, "aud": authAudience, "sub": "user-42", "jti": "j1",
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix(),
		"roles": []string{"user"}, "scope": "read write",
	})
	t.Header["typ"] = "at+jwt"
	s, err := t.SignedString(k.sign)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

type authImpl struct {
	name string
	h    http.Handler
}

// rawGolangJWT is the reference: golang-jwt's ParseWithClaims on the
// header value, stored in the context, with nothing else.
func rawGolangJWT(k authKeys) http.Handler {
	p := jwt.NewParser(jwt.WithValidMethods([]string{k.alg}), jwt.WithIssuer(authIssuer), jwt.WithAudience(authAudience),
		jwt.WithExpirationRequired(), jwt.WithIssuedAt(), jwt.WithLeeway(30*time.Second))
	kf := func(*jwt.Token) (any, error) { return k.pub, nil }
	type ctxKey struct{}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			w.WriteHeader(401)
			return
		}
		var c jwt.MapClaims
		if _, err := p.ParseWithClaims(tok, &c, kf); err != nil {
			w.WriteHeader(401)
			return
		}
		_ = r.WithContext(context.WithValue(r.Context(), ctxKey{}, c))
	})
}

func authImpls(tb testing.TB, k authKeys) []authImpl {
	next := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	key := auth.Key{Algorithm: k.alg}
	if b, ok := k.pub.([]byte); ok {
		key.Secret = b
	} else {
		key.PublicKey = k.pub
	}
	ours, err := auth.New(auth.Config{
		Issuers:   []auth.TrustedIssuer{{Issuer: authIssuer, Keys: []auth.Key{key}}},
		Audiences: []string{authAudience},
	})
	if err != nil {
		tb.Fatal(err)
	}
	v, err := validator.New(func(context.Context) (any, error) { return k.pub, nil },
		validator.SignatureAlgorithm(k.alg), authIssuer, []string{authAudience}, validator.WithAllowedClockSkew(30*time.Second))
	if err != nil {
		tb.Fatal(err)
	}
	a0 := jwtmiddleware.New(v.ValidateToken)
	var ja *jwtauth.JWTAuth
	if k.alg == "HS256" {
		ja = jwtauth.New(k.alg, k.pub, nil, jwxjwt.WithIssuer(authIssuer), jwxjwt.WithAudience(authAudience), jwxjwt.WithAcceptableSkew(30*time.Second))
	} else {
		ja = jwtauth.New(k.alg, nil, k.pub, jwxjwt.WithIssuer(authIssuer), jwxjwt.WithAudience(authAudience), jwxjwt.WithAcceptableSkew(30*time.Second))
	}
	return []authImpl{
		{"baseline", next},
		{"apisec", ours.Handler(next)},
		{"golang-jwt", rawGolangJWT(k)},
		{"auth0", a0.CheckJWT(next)},
		{"jwtauth", jwtauth.Verifier(ja)(jwtauth.Authenticator(ja)(next))},
	}
}

func serveAuth(b *testing.B, h http.Handler, authz string, wantOK bool) {
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Authorization", authz)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	if (rec.Code == 200) != wantOK {
		b.Fatalf("status %d", rec.Code)
	}
	w := &benchWriter{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		h.ServeHTTP(w, r)
	}
}

// BenchmarkAuth verifies a valid token end to end through each
// implementation's middleware.
func BenchmarkAuth(b *testing.B) {
	for _, k := range authKeySet(b) {
		tok := "Bearer " + authToken(b, k)
		for _, impl := range authImpls(b, k) {
			b.Run("alg="+k.alg+"/impl="+impl.name, func(b *testing.B) {
				serveAuth(b, impl.h, tok, true)
			})
		}
	}
}

// BenchmarkAuthReject sends tokens that must be refused without signature
// work.
func BenchmarkAuthReject(b *testing.B) {
	k := authKeySet(b)[0]
	valid := authToken(b, k)
	cases := []struct{ name, authz string }{
		{"oversized", "Bearer " + strings.Repeat("a", 64<<10)},
		{"alg=none", "Bearer " + strings.Split(valid, ".")[0][:0] + "eyJhbGciOiJub25lIiwidHlwIjoiYXQrand0In0." + strings.Split(valid, ".")[1] + "."},
		{"garbage", "Bearer " + strings.Repeat("a.", 200)},
	}
	for _, c := range cases {
		for _, impl := range authImpls(b, k) {
			if impl.name == "baseline" {
				continue
			}
			b.Run("case="+c.name+"/impl="+impl.name, func(b *testing.B) {
				serveAuth(b, impl.h, c.authz, false)
			})
		}
	}
}

// BenchmarkAuthPaired runs apisec and one peer alternately, in batches of
// 4 requests (which one goes first alternates too), and reports each one's
// ns/op and their ratio. On a shared, noisy machine both then see the same
// load, so the ratio is meaningful even when absolute figures swing.
func BenchmarkAuthPaired(b *testing.B) {
	const batch = 4
	for _, k := range authKeySet(b) {
		tok := "Bearer " + authToken(b, k)
		impls := authImpls(b, k)
		ours := impls[1].h
		for _, peer := range impls[2:] {
			b.Run("alg="+k.alg+"/pair=apisec-vs-"+peer.name, func(b *testing.B) {
				r := httptest.NewRequest("GET", "/", nil)
				r.Header.Set("Authorization", tok)
				w := &benchWriter{h: http.Header{}}
				var tOurs, tPeer time.Duration
				run := func(h http.Handler) time.Duration {
					start := time.Now()
					for range batch {
						clear(w.h)
						h.ServeHTTP(w, r)
					}
					return time.Since(start)
				}
				n := 0
				for b.Loop() {
					if n%(2*batch) == 0 {
						tOurs += run(ours)
						tPeer += run(peer.h)
					} else {
						tPeer += run(peer.h)
						tOurs += run(ours)
					}
					n += batch
				}
				b.ReportMetric(float64(tOurs.Nanoseconds())/float64(n), "apisec-ns/req")
				b.ReportMetric(float64(tPeer.Nanoseconds())/float64(n), "peer-ns/req")
				b.ReportMetric(float64(tOurs)/float64(tPeer), "apisec/peer")
			})
		}
	}
}
