package auth_test

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/apisec-go/apisec/auth"
	"github.com/apisec-go/apisec/principal"
)

// A first-party API: an Issuer mints HS256 access tokens and the
// Authenticator verifies them; RequireRoles guards the admin route.
func Example() {
	secret := []byte("use-32-random-bytes-from-config!") // at least 32 bytes for HS256
	now := func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }
	issuer, err := auth.NewIssuer(auth.IssuerConfig{
		Issuer:   "https://api.example",
		Audience: []string{"https://api.example"},
		Key:      auth.Key{ID: "2026-01", Algorithm: "HS256", Secret: secret},
		Now:      now,
	})
	if err != nil {
		panic(err)
	}
	authn, err := auth.New(auth.Config{
		Issuers: []auth.TrustedIssuer{{
			Issuer: "https://api.example",
			Keys:   []auth.Key{{ID: "2026-01", Algorithm: "HS256", Secret: secret}},
		}},
		Audiences: []string{"https://api.example"},
		Now:       now,
	})
	if err != nil {
		panic(err)
	}
	hello := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := principal.FromContext(r.Context())
		fmt.Fprintf(w, "hello %s", p.Subject)
	})
	mux := http.NewServeMux()
	mux.Handle("/me", hello)
	mux.Handle("/admin", authn.RequireRoles("admin")(hello))
	handler := authn.Handler(mux)

	token, _, _ := issuer.Issue(auth.Grant{Subject: "alice", Roles: []string{"user"}, Scopes: []string{"read"}})
	for _, path := range []string{"/me", "/admin"} {
		r := httptest.NewRequest("GET", path, nil)
		r.Header.Set("Authorization", "Bearer "+token)
		w := httptest.NewRecorder()
		handler.ServeHTTP(w, r)
		fmt.Println(path, w.Code, w.Header().Get("WWW-Authenticate"), w.Body.String())
	}
	// Output:
	// /me 200  hello alice
	// /admin 403 Bearer realm="api", error="insufficient_scope", scope="admin" {"type":"about:blank","title":"Forbidden","status":403,"detail":"The credentials do not grant access to this resource."}
}

// New reports every configuration problem at once, each a *ConfigError.
func ExampleNew_configError() {
	_, err := auth.New(auth.Config{
		Issuers: []auth.TrustedIssuer{{
			Issuer: "https://api.example",
			Keys:   []auth.Key{{Algorithm: "HS256", Secret: []byte("too short")}},
		}},
	})
	fmt.Println(err)
	var ce *auth.ConfigError
	fmt.Println(errors.As(err, &ce), ce.Field)
	// Output:
	// auth: Issuers[0].Keys[0].Secret: HS256 needs at least 32 bytes
	// auth: Audiences: required
	// true Issuers[0].Keys[0].Secret
}

// A resource server trusting an identity provider's JWKS. Here the
// provider is simulated: an httptest server publishes an Ed25519 key, and
// an Issuer holding the private half mints the token.
func ExampleNewJWKS() {
	priv := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize)) // a fixed demo key
	pub := base64.RawURLEncoding.EncodeToString(priv.Public().(ed25519.PublicKey))
	idp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "max-age=3600")
		fmt.Fprintf(w, `{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"idp-1","alg":"EdDSA","use":"sig","x":%q}]}`, pub)
	}))
	defer idp.Close()

	// On the resource server: https in production; http only on loopback.
	jwks, err := auth.NewJWKS(auth.JWKSConfig{URL: idp.URL + "/.well-known/jwks.json"})
	if err != nil {
		panic(err)
	}
	if err := jwks.Refresh(context.Background()); err != nil { // fail fast at startup
		panic(err)
	}
	authn, err := auth.New(auth.Config{
		Issuers:   []auth.TrustedIssuer{{Issuer: "https://idp.example/", JWKS: jwks}},
		Audiences: []string{"https://api.example"},
	})
	if err != nil {
		panic(err)
	}

	// At the identity provider.
	issuer, _ := auth.NewIssuer(auth.IssuerConfig{Issuer: "https://idp.example/", Audience: []string{"https://api.example"},
		Key: auth.Key{ID: "idp-1", Algorithm: "EdDSA"}, PrivateKey: priv})
	token, _, _ := issuer.Issue(auth.Grant{Subject: "svc-7", Scopes: []string{"orders:read"}})

	p, err := authn.VerifyToken(context.Background(), token)
	fmt.Println(p.Subject, p.HasScope("orders:read"), err)
	// Output: svc-7 true <nil>
}

// The most common mistake: the role check placed outside the
// Authenticator. It then runs before any principal exists, so even an
// admin's valid token is refused with 401. RequireRoles goes inside
// Handler.
func ExampleAuthenticator_RequireRoles_wrongOrder() {
	secret := []byte("use-32-random-bytes-from-config!")
	key := auth.Key{ID: "k1", Algorithm: "HS256", Secret: secret}
	issuer, _ := auth.NewIssuer(auth.IssuerConfig{Issuer: "https://api.example", Audience: []string{"https://api.example"}, Key: key})
	authn, _ := auth.New(auth.Config{
		Issuers:   []auth.TrustedIssuer{{Issuer: "https://api.example", Keys: []auth.Key{key}}},
		Audiences: []string{"https://api.example"},
	})
	token, _, _ := issuer.Issue(auth.Grant{Subject: "root", Roles: []string{"admin"}})

	ok := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	wrong := authn.RequireRoles("admin")(authn.Handler(ok))
	right := authn.Handler(authn.RequireRoles("admin")(ok))
	for _, h := range []http.Handler{wrong, right} {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Authorization", "Bearer "+token)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		fmt.Println(w.Code)
	}
	// Output:
	// 401
	// 200
}

// Machine clients use API keys: show the key once, store only its hash.
func ExampleGenerateAPIKey() {
	key, hash, err := auth.GenerateAPIKey("billing")
	if err != nil {
		panic(err)
	}
	store, _ := auth.NewMemoryAPIKeyStore([]auth.APIKey{{ID: "billing", Hash: hash, Subject: "billing-service", Roles: []string{"service"}}})
	authn, _ := auth.New(auth.Config{APIKeys: store})
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("X-API-Key", key)
	p, err := authn.Authenticate(r)
	fmt.Println(p.Subject, p.Method, p.HasRole("service"), err)
	// Output: billing-service apikey true <nil>
}
