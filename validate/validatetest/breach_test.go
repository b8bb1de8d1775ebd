package validatetest_test

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/apisec-go/apisec/validate"
	"github.com/apisec-go/apisec/validate/validatetest"
)

const breached = "mauve-tractor-lagoon-1897"

func TestPwnedPasswordsConforms(t *testing.T) {
	sum := sha1.Sum([]byte(breached))
	h := strings.ToUpper(hex.EncodeToString(sum[:]))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.TrimPrefix(r.URL.Path, "/range/") == h[:5] {
			fmt.Fprintf(w, "%s:12\r\n", h[5:])
		}
		fmt.Fprintf(w, "%s:0\r\n", strings.Repeat("F", 35))
	}))
	defer srv.Close()
	validatetest.BreachChecker(t, &validate.PwnedPasswords{Client: srv.Client(), BaseURL: srv.URL}, breached, "ochre-bicycle-fjord-2211")
}

// failOpen ignores its context and says "not breached" on every error: the
// helper must catch it.
type failOpen struct{}

func (failOpen) Breached(ctx context.Context, pw string) (bool, error) { return pw == breached, nil }

func TestBreachCheckerCatchesFailOpen(t *testing.T) {
	rec := &recorder{TB: t}
	validatetest.BreachChecker(rec, failOpen{}, breached, "clean-password-here")
	if len(rec.errors) != 1 || !strings.Contains(rec.errors[0], "cancelled context") {
		t.Fatalf("errors = %q", rec.errors)
	}
}

type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}
func (r *recorder) Helper() {}
