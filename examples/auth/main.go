// Command auth is an API protected by apisec/auth: POST /token?user=alice
// mints an HS256 token, GET /me needs any valid token, GET /admin the
// admin role, GET /reports the reports:read scope (or the printed API key).
package main

import (
	"crypto/rand"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"os"

	"github.com/apisec-go/apisec/auth"
	"github.com/apisec-go/apisec/principal"
)

func main() {
	secret := []byte(os.Getenv("AUTH_SECRET")) // 32+ random bytes in production
	if len(secret) == 0 {
		secret = []byte(rand.Text() + rand.Text()) // demo only: changes per run
	}
	key := auth.Key{ID: "demo-1", Algorithm: "HS256", Secret: secret}
	const iss, aud = "http://127.0.0.1:8080", "http://127.0.0.1:8080/api"
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))

	issuer, err := auth.NewIssuer(auth.IssuerConfig{Issuer: iss, Audience: []string{aud}, Key: key, Logger: logger})
	if err != nil {
		log.Fatal(err)
	}
	apiKey, hash, err := auth.GenerateAPIKey("reports-bot")
	if err != nil {
		log.Fatal(err)
	}
	keys, err := auth.NewMemoryAPIKeyStore([]auth.APIKey{{ID: "reports-bot", Hash: hash, Subject: "reports-bot", Scopes: []string{"reports:read"}}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("demo API key (shown once):", apiKey)

	authn, err := auth.New(auth.Config{
		Issuers:   []auth.TrustedIssuer{{Issuer: iss, Keys: []auth.Key{key}}},
		Audiences: []string{aud},
		APIKeys:   keys,
		Logger:    logger,
	})
	if err != nil {
		log.Fatal(err)
	}

	hello := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := principal.FromContext(r.Context())
		fmt.Fprintf(w, "hello %s (%s) roles=%v scopes=%v\n", p.Subject, p.Method, p.Roles, p.Scopes)
	})
	api := http.NewServeMux()
	api.Handle("GET /me", hello)
	api.Handle("GET /admin", authn.RequireRoles("admin")(hello))
	api.Handle("GET /reports", authn.RequireScopes("reports:read")(hello))

	mux := http.NewServeMux()
	mux.Handle("/", authn.Handler(api))
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		// A real server authenticates the user first; this demo trusts ?user=.
		user := r.URL.Query().Get("user")
		roles := []string{"user"}
		if user == "admin" {
			roles = append(roles, "admin")
		}
		tok, _, err := issuer.Issue(auth.Grant{Subject: user, Roles: roles, Scopes: []string{"reports:read"}})
		if err != nil {
			http.Error(w, "cannot issue a token", http.StatusBadRequest)
			return
		}
		fmt.Fprintln(w, tok)
	})
	log.Println("listening on http://127.0.0.1:8080")
	log.Fatal(http.ListenAndServe("127.0.0.1:8080", mux))
}
