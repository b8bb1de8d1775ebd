package cors_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/apisec-go/apisec/cors"
)

// Wiring the middleware in front of an API that a single-page app on
// another origin calls with cookies.
func ExampleNew() {
	mw, err := cors.New(cors.Config{
		Origins:        []string{"https://app.example.com"},
		Methods:        []string{"PUT", "DELETE"},
		RequestHeaders: []string{"Content-Type", "Authorization"},
		ExposedHeaders: []string{"X-Total-Count"},
		Credentials:    true,
		MaxAge:         10 * time.Minute,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	api := http.NewServeMux()
	api.HandleFunc("/items", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Total-Count", "3")
		fmt.Fprint(w, "[]")
	})
	handler := mw.Handler(api)

	// The browser's preflight for a PUT with a bearer token.
	r := httptest.NewRequest("OPTIONS", "/items", nil)
	r.Header.Set("Origin", "https://app.example.com")
	r.Header.Set("Access-Control-Request-Method", "PUT")
	r.Header.Set("Access-Control-Request-Headers", "authorization,content-type")
	w := httptest.NewRecorder()
	handler.ServeHTTP(w, r)
	fmt.Println("preflight:", w.Code)
	for _, k := range []string{"Access-Control-Allow-Origin", "Access-Control-Allow-Credentials", "Access-Control-Allow-Methods", "Access-Control-Allow-Headers", "Access-Control-Max-Age", "Vary"} {
		fmt.Printf("  %s: %s\n", k, w.Header().Get(k))
	}

	// The actual request.
	r = httptest.NewRequest("GET", "/items", nil)
	r.Header.Set("Origin", "https://app.example.com")
	w = httptest.NewRecorder()
	handler.ServeHTTP(w, r)
	fmt.Println("actual:", w.Code, w.Body.String())
	for _, k := range []string{"Access-Control-Allow-Origin", "Access-Control-Allow-Credentials", "Access-Control-Expose-Headers", "Vary"} {
		fmt.Printf("  %s: %s\n", k, w.Header().Get(k))
	}
	// Output:
	// preflight: 204
	//   Access-Control-Allow-Origin: https://app.example.com
	//   Access-Control-Allow-Credentials: true
	//   Access-Control-Allow-Methods: PUT, DELETE
	//   Access-Control-Allow-Headers: content-type, authorization
	//   Access-Control-Max-Age: 600
	//   Vary: Origin, Access-Control-Request-Method, Access-Control-Request-Headers
	// actual: 200 []
	//   Access-Control-Allow-Origin: https://app.example.com
	//   Access-Control-Allow-Credentials: true
	//   Access-Control-Expose-Headers: x-total-count
	//   Vary: Origin
}

// New reports every problem at once; each is a *cors.ConfigError naming
// the field.
func ExampleNew_configError() {
	_, err := cors.New(cors.Config{
		Origins:     []string{"*"},
		Credentials: true,
		Methods:     []string{"TRACE"},
		MaxAge:      48 * time.Hour,
	})
	fmt.Println(err)
	var ce *cors.ConfigError
	if errors.As(err, &ce) {
		fmt.Println("first field:", ce.Field)
	}
	// Output:
	// cors: Origins[0]: "*" cannot be combined with Credentials: it would let every site act with the user's cookies
	// cors: Methods[0]: "TRACE" is a forbidden method; browsers never send it
	// cors: MaxAge: 48h0m0s exceeds 24h0m0s; browsers cap it anyway (Chromium 2h, Firefox 24h, WebKit 10m)
	// first field: Origins[0]
}

// The most common mistake: copying an origin from the address bar, with its
// trailing slash. Browsers send "https://app.example.com", so such an entry
// would silently never match; New refuses it and says what to write.
func ExampleNew_trailingSlash() {
	_, err := cors.New(cors.Config{Origins: []string{"https://app.example.com/"}})
	fmt.Println(err)
	// Output:
	// cors: Origins[0]: "https://app.example.com/" has a path, query or trailing slash; an origin is only scheme://host[:port], did you mean "https://app.example.com"?
}

// A subdomain pattern matches whole labels only, and never a public
// suffix.
func ExampleMiddleware_OriginAllowed() {
	mw, err := cors.New(cors.Config{Origins: []string{"https://*.example.com"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, o := range []string{"https://eu.app.example.com", "https://example.com", "https://evilexample.com", "https://.example.com"} {
		fmt.Println(o, mw.OriginAllowed(o))
	}
	_, err = cors.New(cors.Config{Origins: []string{"https://*.github.io"}})
	fmt.Println(err)
	// Output:
	// https://eu.app.example.com true
	// https://example.com false
	// https://evilexample.com false
	// https://.example.com false
	// cors: Origins[0]: "https://*.github.io": github.io is a public suffix where anyone can register a subdomain; list the exact origins instead
}

// Reconfigure swaps the policy atomically; an invalid config leaves the old
// one in force.
func ExampleMiddleware_Reconfigure() {
	mw, _ := cors.New(cors.Config{Origins: []string{"https://a.example.com"}})
	err := mw.Reconfigure(cors.Config{Origins: []string{"https://b.example.com"}})
	fmt.Println(err, mw.OriginAllowed("https://b.example.com"))
	err = mw.Reconfigure(cors.Config{Origins: []string{"https://c.example.com/"}})
	fmt.Println(err != nil, mw.OriginAllowed("https://b.example.com"))
	// Output:
	// <nil> true
	// true true
}
