// Command validate serves the registration endpoint of the seed: strict
// JSON decoding, the NIST password policy and field rules, with 422
// problem+json answers a client can act on.
//
//	go run ./examples/validate
//	curl -i -H 'Content-Type: application/json' \
//	  -d '{"email":"ada@example.com","password":"mauve-tractor-lagoon-1897","name":"Ada","age":36}' \
//	  http://127.0.0.1:8080/register
package main

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/apisec-go/apisec/validate"
)

type registration struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	Name     string `json:"name"`
	Age      int    `json:"age"`
}

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	dec, err := validate.New(validate.Config{MaxBodyBytes: 16 << 10, Logger: logger})
	if err != nil {
		log.Fatal(err)
	}
	passwords, err := validate.NewPasswordPolicy(validate.PasswordConfig{ContextWords: []string{"apisec"}})
	if err != nil {
		log.Fatal(err)
	}
	rules := validate.Rules(
		validate.Field("/email", func(r *registration) string { return r.Email }, validate.Required, validate.Email),
		validate.Check("/password", func(ctx context.Context, r *registration) error {
			return passwords.Check(ctx, r.Password, r.Email, r.Name)
		}),
		validate.Field("/name", func(r *registration) string { return r.Name }, validate.Required, validate.Length(2, 50)),
		validate.Field("/age", func(r *registration) int { return r.Age }, validate.Range(13, 120)),
	)

	mux := http.NewServeMux()
	mux.Handle("POST /register", validate.JSON(dec, rules).Handler(http.HandlerFunc(
		func(w http.ResponseWriter, r *http.Request) {
			reg, _ := validate.FromContext[registration](r.Context())
			// Hash reg.Password here (see the crypto package); never store or log it.
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusCreated)
			fmt.Fprintf(w, "{\"registered\":%q}\n", reg.Email)
		})))
	mux.HandleFunc("GET /users", func(w http.ResponseWriter, r *http.Request) {
		q := validate.Query(r)
		limit, offset := q.Limit("limit", 20, 100), q.Offset("offset", 10_000)
		if err := q.Err(); err != nil {
			dec.WriteError(w, r, err)
			return
		}
		fmt.Fprintf(w, "{\"limit\":%d,\"offset\":%d,\"users\":[]}\n", limit, offset)
	})

	srv := &http.Server{Addr: "127.0.0.1:8080", Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	log.Printf("listening on http://%s", srv.Addr)
	log.Fatal(srv.ListenAndServe())
}
