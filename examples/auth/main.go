// Command auth is an API protected by apisec/auth: POST /token?user=alice
// mints an HS256 token, GET /me needs any valid token, GET /admin the admin
// role, GET /reports the reports:read scope. Machine clients may instead
// send the API key given in REPORTS_API_KEY (make one with "genkey bot").
package main

import (
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"os"
	"strings"

	"github.com/apisec-go/apisec/auth"
	"github.com/apisec-go/apisec/principal"
)

func main() {
	if len(os.Args) == 3 && os.Args[1] == "genkey" {
		key, _, err := auth.GenerateAPIKey(os.Args[2]) // give it to its owner once
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(key)
		return
	}
	secret := []byte(os.Getenv("AUTH_SECRET")) // at least 32 random bytes
	key := auth.Key{ID: "demo-1", Algorithm: "HS256", Secret: secret}
	const iss, aud = "http://127.0.0.1:8080", "http://127.0.0.1:8080/api"
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	issuer, err := auth.NewIssuer(auth.IssuerConfig{Issuer: iss, Audience: []string{aud}, Key: key, Logger: logger})
	if err != nil {
		log.Fatal(err) // e.g. AUTH_SECRET unset or shorter than 32 bytes
	}
	cfg := auth.Config{
		Issuers:   []auth.TrustedIssuer{{Issuer: iss, Keys: []auth.Key{key}}},
		Audiences: []string{aud},
		Logger:    logger,
	}
	if k := os.Getenv("REPORTS_API_KEY"); k != "" {
		id, _, _ := strings.Cut(k, ".")
		cfg.APIKeys, err = auth.NewMemoryAPIKeyStore([]auth.APIKey{{ID: id, Hash: auth.HashAPIKey(k), Subject: id, Scopes: []string{"reports:read"}}})
		if err != nil {
			log.Fatal(err)
		}
	}
	authn, err := auth.New(cfg)
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
		user, roles := r.URL.Query().Get("user"), []string{"user"} // a real server checks a password first
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
