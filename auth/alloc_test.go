package auth_test

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/apisec-go/apisec/auth"
	"github.com/golang-jwt/jwt/v5"
)

// discard is a ResponseWriter that allocates nothing, so the counts below
// are the middleware's own.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}

func TestAllocs(t *testing.T) {
	if testing.CoverMode() != "" || raceEnabled {
		t.Skip("allocation counts differ under -cover and -race")
	}
	a := mustNew(t, baseConfig())
	h := a.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	tests := []struct {
		name string
		auth string
		max  float64
	}{
		// Principal+claims, payload copy, roles, scopes, audience, the
		// context value and the request copy, and the challenge slice on
		// rejects, plus the problem writer's header slice.
		{"valid HS256", "Bearer " + validToken(), 8},
		{"oversized token", "Bearer " + strings.Repeat("a", 9000), 2},
		{"bad charset", "Bearer a.b.c,d", 2},
		{"not three segments", "Bearer abc.def", 2},
		{"bad base64", "Bearer " + strings.Replace(validToken(), ".", ".=", 1), 2},
		{"alg none", "Bearer eyJhbGciOiJub25lIn0.e30.c2ln", 2},
		{"forged signature", "Bearer " + hs256(hdrHS256, claims(nil), []byte("forged forged forged forged forg")), 4},
		// Escaped member names are decoded on the stack: a forged token
		// full of them costs what any forged token costs (it allocated
		// once per name before).
		{"forged, 150 escaped header names", "Bearer " + hs256(escapedNames(`{"alg":"HS256","typ":"at+jwt"`, 150), claims(nil), []byte("forged forged forged forged forg")), 4},
		{"forged, 150 escaped claim names", "Bearer " + hs256(hdrHS256, escapedNames(claims(nil)[:len(claims(nil))-1], 150), []byte("forged forged forged forged forg")), 4},
		{"forged, long escaped names", "Bearer " + hs256(escapedNames(`{"alg":"HS256","typ":"at+jwt"`, 3), claims(nil), []byte("forged forged forged forged forg")), 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.Header.Set("Authorization", tc.auth)
			w := &discard{h: http.Header{}}
			got := testing.AllocsPerRun(200, func() {
				clear(w.h)
				h.ServeHTTP(w, r)
			})
			if got > tc.max {
				t.Fatalf("%v allocs, want at most %v", got, tc.max)
			}
			t.Logf("%v allocs", got)
		})
	}
}

// escapedNames closes the JSON object open (without its final "}") after
// adding n members with escaped names: short ones, or for n <= 3 names
// longer than any name the Authenticator reads.
func escapedNames(open string, n int) string {
	var b strings.Builder
	b.WriteString(open)
	for i := range n {
		name := `x\u0041` + strconv.Itoa(i)
		if n <= 3 {
			name = strings.Repeat(`\u0041`, 200) + strconv.Itoa(i)
		}
		b.WriteString(`,"` + name + `":1`)
	}
	b.WriteString("}")
	return b.String()
}

// TestMalformedTokensCostNoSignatureWork: tokens rejected by the pre-parse
// checks never reach key selection or verification (the issue's
// performance rule; attacker-controlled work stays O(1)).
func TestMalformedTokensCostNoSignatureWork(t *testing.T) {
	var calls int
	cfg := baseConfig()
	cfg.Issuers = []auth.TrustedIssuer{{Issuer: testIssuer, Algorithms: []string{"HS256"},
		Keyfunc: func(*jwt.Token) (any, error) { calls++; return testSecret, nil }}}
	a := mustNew(t, cfg)
	valid := validToken()
	for _, tok := range []string{
		strings.Repeat("a", 9000),
		valid + ".x",
		strings.Replace(valid, ".", ".=", 1),
		hs256(`{"alg":"none","typ":"at+jwt"}`, claims(nil), testSecret),
		hs256(`{"alg":"HS256","typ":"JWT"}`, claims(nil), testSecret),
		hs256(`{"alg":"HS256","typ":"at+jwt","crit":["x"]}`, claims(nil), testSecret),
		hs256(hdrHS256, claims(map[string]any{"EXP": 1}), testSecret),
		hs256(hdrHS256, claims(map[string]any{"iss": "https://other.example"}), testSecret),
	} {
		if _, err := a.VerifyToken(t.Context(), tok); err == nil {
			t.Fatalf("accepted %q", tok)
		}
	}
	if calls != 0 {
		t.Fatalf("key lookup ran %d times for malformed tokens", calls)
	}
	if _, err := a.VerifyToken(t.Context(), valid); err != nil || calls != 1 {
		t.Fatalf("valid token: %v, %d calls", err, calls)
	}
}
