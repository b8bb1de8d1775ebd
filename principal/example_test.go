package principal_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/apisec-go/apisec/principal"
)

// An authentication middleware stores the principal; handlers read it.
func Example() {
	authn := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p := &principal.Principal{Subject: "user-42", Roles: []string{"user"}, Method: principal.MethodJWT}
			next.ServeHTTP(w, r.WithContext(principal.NewContext(r.Context(), p)))
		})
	}
	handler := authn(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := principal.FromContext(r.Context())
		if !ok {
			http.Error(w, "unauthenticated", http.StatusUnauthorized)
			return
		}
		fmt.Println(p.Subject, p.HasRole("user"), p.HasRole("admin"))
	}))
	handler.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	// Output: user-42 true false
}

// The most common mistake is treating a missing principal as a zero one. A
// request that skipped authentication has none: check ok.
func ExampleFromContext_missing() {
	r := httptest.NewRequest("GET", "/", nil)
	p, ok := principal.FromContext(r.Context())
	fmt.Println(p == nil, ok, p.HasRole("admin"))
	// Output: true false false
}
