package validate_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/apisec-go/apisec/validate"
)

// The seed's registration schema: email, password (NIST SP 800-63B policy,
// checked against the user's own email and name), name 2-50 characters,
// age 13-120. Invalid bodies get 422 with one {pointer, code, detail} per
// field.
func Example() {
	type Registration struct {
		Email    string `json:"email"`
		Password string `json:"password"`
		Name     string `json:"name"`
		Age      int    `json:"age"`
	}
	passwords := validate.MustNewPasswordPolicy(validate.PasswordConfig{})
	rules := validate.Rules(
		validate.Field("/email", func(r *Registration) string { return r.Email }, validate.Required, validate.Email),
		validate.Check("/password", func(ctx context.Context, r *Registration) error {
			return passwords.Check(ctx, r.Password, r.Email, r.Name)
		}),
		validate.Field("/name", func(r *Registration) string { return r.Name }, validate.Required, validate.Length(2, 50)),
		validate.Field("/age", func(r *Registration) int { return r.Age }, validate.Range(13, 120)),
	)
	dec, err := validate.New(validate.Config{})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("POST /register", validate.JSON(dec, rules).Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reg, _ := validate.FromContext[Registration](r.Context())
		fmt.Fprintf(w, "welcome, %s", reg.Name)
	})))

	for _, body := range []string{
		`{"email":"ada@example.com","password":"mauve-tractor-lagoon-1897","name":"Ada","age":36}`,
		`{"email":"Ada <ada@example.com>","password":"correct horse battery staple","name":"A","age":12}`,
	} {
		r := httptest.NewRequest(http.MethodPost, "/register", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		fmt.Println(w.Code, w.Body.String())
	}
	// Output:
	// 200 welcome, Ada
	// 422 {"type":"about:blank","title":"Unprocessable Entity","status":422,"detail":"The request is well-formed but some fields are invalid.","errors":[{"pointer":"/email","code":"email","detail":"The value must be an email address such as name@example.com."},{"pointer":"/password","code":"password_common","detail":"The password is too common; choose a longer passphrase of unrelated words."},{"pointer":"/name","code":"length","detail":"The value must be 2 to 50 characters long."},{"pointer":"/age","code":"range","detail":"The value must be between 13 and 120."}]}
}

// New reports every problem in a Config at once.
func ExampleNew_configError() {
	_, err := validate.New(validate.Config{MaxBodyBytes: -1, MaxDepth: 5000})
	fmt.Println(err)
	var ce *validate.ConfigError
	fmt.Println(errors.As(err, &ce), ce.Field)
	// Output:
	// validate: MaxBodyBytes: must be between 0 (default 1048576) and 1073741824, got -1
	// validate: MaxDepth: must be between 0 (default 32) and 1000, got 5000
	// true MaxBodyBytes
}

// The most common mistake: decoding with encoding/json, which silently
// keeps the last of two duplicate members and matches member names without
// regard to case. A proxy or WAF that reads the first "role" sees "user";
// the handler sees "admin". validate refuses both bodies.
func Example_duplicateKeys() {
	type Account struct {
		Role string `json:"role"`
	}
	for _, body := range []string{`{"role":"user","role":"admin"}`, `{"ROLE":"admin"}`} {
		var a Account
		_ = json.Unmarshal([]byte(body), &a)
		_, err := validate.Unmarshal[Account](context.Background(), nil, []byte(body), nil)
		fmt.Printf("encoding/json: role=%q; validate: %v\n", a.Role, err)
	}
	// Output:
	// encoding/json: role="admin"; validate: validate: duplicate object key: /role: duplicate_key
	// encoding/json: role="admin"; validate: validate: unknown field: /ROLE: unknown_field
}

// Query parameters use the same error shape, with "parameter" instead of
// "pointer". Limits are capped, never silently clamped.
func ExampleQuery() {
	dec := validate.MustNew(validate.Config{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := validate.Query(r)
		limit := q.Limit("limit", 20, 100)
		offset := q.Offset("offset", 10_000)
		sort := q.Enum("sort", "created", "created", "name")
		if err := q.Err(); err != nil {
			dec.WriteError(w, r, err)
			return
		}
		fmt.Fprintf(w, "limit=%d offset=%d sort=%s", limit, offset, sort)
	})
	for _, target := range []string{"/items?limit=50&sort=name", "/items?limit=5000&limit=1&sort=password"} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, target, nil))
		fmt.Println(w.Code, w.Body.String())
	}
	// Output:
	// 200 limit=50 offset=0 sort=name
	// 400 {"type":"about:blank","title":"Bad Request","status":400,"detail":"Some request parameters are invalid.","errors":[{"parameter":"limit","code":"duplicate","detail":"The parameter is given more than once."},{"parameter":"sort","code":"one_of","detail":"The value must be one of: created, name."}]}
}

// Handlers that prefer a function call Decode and return on error: the
// client already has its answer.
func ExampleDecode() {
	type Login struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	rules := validate.Rules(
		validate.Field("/email", func(l *Login) string { return l.Email }, validate.Required, validate.Email),
		validate.Field("/password", func(l *Login) string { return l.Password }, validate.Required, validate.Length(1, 1024)),
	)
	dec := validate.MustNew(validate.Config{MaxBodyBytes: 4 << 10})
	h := func(w http.ResponseWriter, r *http.Request) {
		login, err := validate.Decode(w, r, dec, rules)
		if err != nil {
			return
		}
		fmt.Fprintf(w, "checking %s", login.Email)
	}
	r := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(`{"email":"ada@example.com","password":"x","remember":true}`))
	r.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	h(w, r)
	fmt.Println(w.Code, w.Body.String())
	// Output:
	// 400 {"type":"about:blank","title":"Bad Request","status":400,"detail":"The request body is not acceptable JSON.","errors":[{"pointer":"/remember","code":"unknown_field","detail":"The object has a member this endpoint does not accept."}]}
}

func ExamplePasswordPolicy_Check() {
	p := validate.MustNewPasswordPolicy(validate.PasswordConfig{})
	for _, pw := range []string{"Tr0ub4dor&3", "passwordpassword", "correct horse battery staple", "ada-lovelace-forever", "mauve tractor lagoon 1897"} {
		fmt.Printf("%-30q %v\n", pw, p.Check(context.Background(), pw, "ada.lovelace@example.com", "Ada Lovelace"))
	}
	// Output:
	// "Tr0ub4dor&3"                  validate: password_too_short
	// "passwordpassword"             validate: password_common
	// "correct horse battery staple" validate: password_common
	// "ada-lovelace-forever"         validate: password_context
	// "mauve tractor lagoon 1897"    <nil>
}
