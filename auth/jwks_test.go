package auth_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/apisec-go/apisec/auth"
	"github.com/apisec-go/apisec/internal/testclock"
)

func rsaJWK(kid, alg string, k *rsa.PublicKey) map[string]any {
	m := map[string]any{"kty": "RSA", "kid": kid, "use": "sig", "n": enc(k.N.Bytes()), "e": enc(big.NewInt(int64(k.E)).Bytes())}
	if alg != "" {
		m["alg"] = alg
	}
	return m
}

func ecJWK(kid string, k *ecdsa.PublicKey) map[string]any {
	b, _ := k.Bytes() // 0x04 || X || Y
	n := (len(b) - 1) / 2
	return map[string]any{"kty": "EC", "kid": kid, "crv": k.Curve.Params().Name, "x": enc(b[1 : 1+n]), "y": enc(b[1+n:])}
}

func okpJWK(kid string, k ed25519.PublicKey) map[string]any {
	return map[string]any{"kty": "OKP", "kid": kid, "crv": "Ed25519", "x": enc(k), "alg": "EdDSA"}
}

func jwksBody(keys ...map[string]any) string {
	b, _ := json.Marshal(map[string]any{"keys": keys})
	return string(b)
}

// jwksServer serves whatever body, status and Cache-Control the test
// sets, counts fetches, and can hold requests until released.
type jwksServer struct {
	*httptest.Server
	mu     sync.Mutex
	body   string
	status int
	cc     string
	gate   chan struct{} // when non-nil, requests wait for it to close
	hits   atomic.Int32
	hitCh  chan struct{}
	// hitsPerFetch is how many requests one fetch makes (redirects).
	hitsPerFetch int32
}

func newJWKSServer(t *testing.T, body string) *jwksServer {
	s := &jwksServer{body: body, status: 200, hitCh: make(chan struct{}, 100)}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		s.hitCh <- struct{}{}
		s.mu.Lock()
		body, status, cc, gate := s.body, s.status, s.cc, s.gate
		s.mu.Unlock()
		if gate != nil {
			select {
			case <-gate:
			case <-r.Context().Done():
				return
			}
		}
		if cc != "" {
			w.Header().Set("Cache-Control", cc)
		}
		if status == http.StatusFound {
			w.Header().Set("Location", "/again")
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *jwksServer) set(f func(s *jwksServer)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s)
}

func (s *jwksServer) waitHit(t *testing.T) {
	t.Helper()
	select {
	case <-s.hitCh:
	case <-time.After(10 * time.Second):
		t.Fatal("no JWKS fetch")
	}
}

// newFakeClock starts an injected clock at testNow.
func newFakeClock() *testclock.Clock { return testclock.New(testNow) }

type keys struct {
	rsa *rsa.PrivateKey
	ec  *ecdsa.PrivateKey
	ed  ed25519.PrivateKey
}

var testKeys = sync.OnceValue(func() keys {
	r, _ := rsa.GenerateKey(rand.Reader, 2048)
	e, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	_, d, _ := ed25519.GenerateKey(rand.Reader)
	return keys{r, e, d}
})

func jwksAuthenticator(t *testing.T, j *auth.JWKS, now func() time.Time) *auth.Authenticator {
	return mustNew(t, auth.Config{
		Issuers:   []auth.TrustedIssuer{{Issuer: testIssuer, JWKS: j}},
		Audiences: []string{testAudience},
		Now:       now,
	})
}

func TestJWKSResourceServer(t *testing.T) {
	k := testKeys()
	srv := newJWKSServer(t, jwksBody(rsaJWK("r1", "RS256", &k.rsa.PublicKey), ecJWK("e1", &k.ec.PublicKey), okpJWK("d1", k.ed.Public().(ed25519.PublicKey))))
	j, err := auth.NewJWKS(auth.JWKSConfig{URL: srv.URL, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	a := jwksAuthenticator(t, j, clock)
	tests := []struct {
		name string
		tok  string
		want error
	}{
		{"RS256", signWith(t, jwt.SigningMethodRS256, `{"alg":"RS256","typ":"at+jwt","kid":"r1"}`, claims(nil), k.rsa), nil},
		{"ES256", signWith(t, jwt.SigningMethodES256, `{"alg":"ES256","typ":"at+jwt","kid":"e1"}`, claims(nil), k.ec), nil},
		{"EdDSA", signWith(t, jwt.SigningMethodEdDSA, `{"alg":"EdDSA","typ":"at+jwt","kid":"d1"}`, claims(nil), k.ed), nil},
		{"RS256 key named as PS256", signWith(t, jwt.SigningMethodPS256, `{"alg":"PS256","typ":"at+jwt","kid":"r1"}`, claims(nil), k.rsa), auth.ErrTokenInvalid},
		{"HS256 never comes from a JWKS", hs256(`{"alg":"HS256","typ":"at+jwt","kid":"r1"}`, claims(nil), testSecret), auth.ErrTokenInvalid},
		{"embedded jwk header is ignored", signWith(t, jwt.SigningMethodES256,
			`{"alg":"ES256","typ":"at+jwt","kid":"nope","jwk":`+mustJSON(ecJWK("nope", &k.ec.PublicKey))+`}`, claims(nil), k.ec), auth.ErrTokenInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := a.VerifyToken(t.Context(), tc.tok)
			if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
				t.Fatalf("err %v, want %v", err, tc.want)
			}
		})
	}
	if n := srv.hits.Load(); n != 1 {
		t.Errorf("%d fetches, want 1", n)
	}
}

func mustJSON(v any) string { b, _ := json.Marshal(v); return string(b) }

func TestJWKSRotationAndUnknownKID(t *testing.T) {
	k := testKeys()
	k2, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	srv := newJWKSServer(t, jwksBody(ecJWK("e1", &k.ec.PublicKey)))
	clk := newFakeClock()
	j, _ := auth.NewJWKS(auth.JWKSConfig{URL: srv.URL, Now: clk.Now, MinRefreshInterval: time.Minute})
	if err := j.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	srv.waitHit(t)
	a := jwksAuthenticator(t, j, clk.Now)
	tok2 := signWith(t, jwt.SigningMethodES256, `{"alg":"ES256","typ":"at+jwt","kid":"e2"}`, claims(nil), k2)

	// Too soon after the last fetch: an unknown kid does not refetch.
	if _, err := a.VerifyToken(t.Context(), tok2); !errors.Is(err, auth.ErrTokenInvalid) {
		t.Fatalf("err %v", err)
	}
	if n := srv.hits.Load(); n != 1 {
		t.Fatalf("%d fetches, want 1", n)
	}
	// The issuer rotates; a minute later the unknown kid triggers a fetch.
	srv.set(func(s *jwksServer) { s.body = jwksBody(ecJWK("e1", &k.ec.PublicKey), ecJWK("e2", &k2.PublicKey)) })
	clk.Add(time.Minute)
	if _, err := a.VerifyToken(t.Context(), tok2); err != nil {
		t.Fatalf("rotated key rejected: %v", err)
	}
	// Random kids cannot make it fetch again within the interval.
	for i := range 20 {
		tok := signWith(t, jwt.SigningMethodES256, `{"alg":"ES256","typ":"at+jwt","kid":"x`+string(rune('a'+i))+`"}`, claims(nil), k2)
		if _, err := a.VerifyToken(t.Context(), tok); err == nil {
			t.Fatal("unknown kid accepted")
		}
	}
	if n := srv.hits.Load(); n != 2 {
		t.Fatalf("%d fetches, want 2", n)
	}
}

func TestJWKSStaleIfErrorAndBackgroundRefresh(t *testing.T) {
	k := testKeys()
	srv := newJWKSServer(t, jwksBody(ecJWK("e1", &k.ec.PublicKey)))
	srv.cc = "public, max-age=5" // below the clamp: treated as MinRefreshInterval
	clk := newFakeClock()
	j, _ := auth.NewJWKS(auth.JWKSConfig{URL: srv.URL, Now: clk.Now, MinRefreshInterval: time.Minute, MaxRefreshInterval: time.Hour})
	a := jwksAuthenticator(t, j, clk.Now)
	tok := signWith(t, jwt.SigningMethodES256, `{"alg":"ES256","typ":"at+jwt","kid":"e1"}`, claims(nil), k.ec)
	// The first request waits for the first fetch.
	if _, err := a.VerifyToken(t.Context(), tok); err != nil {
		t.Fatal(err)
	}
	srv.waitHit(t)

	// Within the clamped interval no refresh happens.
	clk.Add(30 * time.Second)
	if _, err := a.VerifyToken(t.Context(), tok); err != nil {
		t.Fatal(err)
	}
	// Past it, a request starts a background refresh and is not blocked
	// by it, even while the issuer hangs.
	gate := make(chan struct{})
	srv.set(func(s *jwksServer) { s.gate, s.status = gate, 500 })
	clk.Add(31 * time.Second)
	start := time.Now()
	if _, err := a.VerifyToken(t.Context(), tok); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("request blocked %v on a background refresh", d)
	}
	srv.waitHit(t) // the background fetch is in flight
	close(gate)
	// Refresh joins the in-flight fetch, which fails with 500.
	if err := j.Refresh(t.Context()); !errors.Is(err, auth.ErrJWKSFetch) {
		t.Fatalf("err %v", err)
	}
	// Stale-if-error: the last good set still serves.
	if _, err := a.VerifyToken(t.Context(), tok); err != nil {
		t.Fatalf("last good set dropped: %v", err)
	}
}

// gatedTransport answers every request with body once gate is closed,
// counting requests. It lets TestJWKSSingleFlight run in a synctest
// bubble, where a real socket would not count as durably blocked.
type gatedTransport struct {
	body string
	gate chan struct{}
	hits atomic.Int32
}

func (g *gatedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	g.hits.Add(1)
	select {
	case <-g.gate:
	case <-r.Context().Done():
		return nil, r.Context().Err()
	}
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(g.body)), Request: r}, nil
}

// TestJWKSSingleFlight: ten concurrent Refresh calls make one fetch. The
// bubble's Wait guarantees all ten have joined before the fetch ends, so
// the count cannot depend on scheduling.
func TestJWKSSingleFlight(t *testing.T) {
	k := testKeys()
	synctest.Test(t, func(t *testing.T) {
		tr := &gatedTransport{body: jwksBody(ecJWK("e1", &k.ec.PublicKey)), gate: make(chan struct{})}
		j, err := auth.NewJWKS(auth.JWKSConfig{URL: "https://issuer.test/jwks", HTTPClient: &http.Client{Transport: tr}})
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make(chan error, 10)
		for range 10 {
			wg.Go(func() { errs <- j.Refresh(context.Background()) })
		}
		synctest.Wait() // every caller is waiting on the one fetch
		if n := tr.hits.Load(); n != 1 {
			t.Fatalf("%d fetches started for 10 concurrent refreshes", n)
		}
		close(tr.gate)
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if n := tr.hits.Load(); n != 1 {
			t.Fatalf("%d fetches for 10 concurrent refreshes", n)
		}
	})
}

func TestJWKSFetchBounds(t *testing.T) {
	k := testKeys()
	good := jwksBody(ecJWK("e1", &k.ec.PublicKey))
	tests := []struct {
		name  string
		cfg   func(*auth.JWKSConfig)
		serve func(s *jwksServer)
	}{
		{"hanging server times out", func(c *auth.JWKSConfig) { c.Timeout = 200 * time.Millisecond },
			func(s *jwksServer) { s.gate = make(chan struct{}) }},
		{"huge body", nil, func(s *jwksServer) { s.body = `{"keys":[` + strings.Repeat(" ", 2<<20) + `]}` }},
		{"body over a custom cap", func(c *auth.JWKSConfig) { c.MaxBodyBytes = 64 }, func(s *jwksServer) {}},
		{"server error", nil, func(s *jwksServer) { s.status = 503 }},
		// One fetch: the request and its two allowed redirects.
		{"redirect loop", nil, func(s *jwksServer) { s.status = 302; s.hitsPerFetch = 3 }},
		{"not JSON", nil, func(s *jwksServer) { s.body = "<html>" }},
		{"no usable keys", nil, func(s *jwksServer) { s.body = jwksBody(map[string]any{"kty": "oct", "k": enc(testSecret)}) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newJWKSServer(t, good)
			tc.serve(srv)
			cfg := auth.JWKSConfig{URL: srv.URL}
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			j, err := auth.NewJWKS(cfg)
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			if err := j.Refresh(t.Context()); !errors.Is(err, auth.ErrJWKSFetch) {
				t.Fatalf("err %v", err)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Fatalf("took %v", d)
			}
			a := jwksAuthenticator(t, j, clock)
			tok := signWith(t, jwt.SigningMethodES256, `{"alg":"ES256","typ":"at+jwt","kid":"e1"}`, claims(nil), k.ec)
			ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
			defer cancel()
			// With no key set ever fetched, the answer is 503, not a
			// verdict on the token.
			if _, err := a.VerifyToken(ctx, tok); !errors.Is(err, auth.ErrUnavailable) {
				t.Fatalf("err %v", err)
			}
			if w := serve(a.Handler(echo), bearer(tok)); w.Code != http.StatusServiceUnavailable {
				t.Fatalf("status %d", w.Code)
			}
			// Requests right after a failure do not refetch.
			if n := srv.hits.Load(); n != max(1, srv.hitsPerFetch) {
				t.Fatalf("%d requests, want one fetch", n)
			}
		})
	}
}

func TestParseJWKS(t *testing.T) {
	k := testKeys()
	small, _ := rsa.GenerateKey(rand.Reader, 1024)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	badPoint := ecJWK("bad", &k.ec.PublicKey)
	badPoint["y"] = badPoint["x"]
	enc1 := rsaJWK("enc", "RS256", &k.rsa.PublicKey)
	enc1["use"] = "enc"
	tests := []struct {
		name string
		body string
		want []string // "kid:alg" of the keys kept
	}{
		{"all kinds", jwksBody(rsaJWK("r", "PS384", &k.rsa.PublicKey), ecJWK("e", &k.ec.PublicKey), ecJWK("p", &p384.PublicKey),
			okpJWK("d", k.ed.Public().(ed25519.PublicKey))), []string{"r:PS384", "e:ES256", "p:ES384", "d:EdDSA"}},
		{"RSA without alg is RS256", jwksBody(rsaJWK("r", "", &k.rsa.PublicKey)), []string{"r:RS256"}},
		{"skips oct, enc, RSA-1024, off-curve, mismatched alg", jwksBody(
			map[string]any{"kty": "oct", "kid": "o", "k": enc(testSecret), "alg": "HS256"}, enc1,
			rsaJWK("small", "RS256", &small.PublicKey), badPoint,
			func() map[string]any { m := ecJWK("m", &k.ec.PublicKey); m["alg"] = "ES384"; return m }(),
			rsaJWK("hs", "HS256", &k.rsa.PublicKey),
			func() map[string]any {
				m := ecJWK("ops", &k.ec.PublicKey)
				m["key_ops"] = []string{"encrypt"}
				return m
			}(),
			ecJWK("ok", &k.ec.PublicKey)), []string{"ok:ES256"}},
		{"nothing usable", jwksBody(map[string]any{"kty": "oct", "k": "AAAA"}), nil},
		{"not a set", `[]`, nil},
		{"too many keys", jwksBody(slices.Repeat([]map[string]any{ecJWK("e", &k.ec.PublicKey)}, 101)...), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := auth.ParseJWKS([]byte(tc.body))
			if tc.want == nil {
				if err == nil {
					t.Fatalf("parsed %d keys", len(got))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, k := range got {
				names = append(names, k.ID+":"+k.Algorithm)
			}
			if !slices.Equal(names, tc.want) {
				t.Fatalf("%v, want %v", names, tc.want)
			}
		})
	}
}

func TestNewJWKSInvalid(t *testing.T) {
	tests := []struct {
		name string
		cfg  auth.JWKSConfig
		want []string
	}{
		{"zero", auth.JWKSConfig{}, []string{"auth: JWKSConfig.URL: required"}},
		{"plain http", auth.JWKSConfig{URL: "http://issuer.example/jwks"}, []string{"auth: JWKSConfig.URL: must be https (http only on a loopback host)"}},
		{"relative", auth.JWKSConfig{URL: "/jwks"}, []string{"auth: JWKSConfig.URL: not an absolute URL"}},
		{"credentials", auth.JWKSConfig{URL: "https://u:p@issuer.example/jwks"}, []string{"auth: JWKSConfig.URL: must not contain credentials"}},
		{"bounds", auth.JWKSConfig{URL: "https://issuer.example/jwks", Timeout: -1, MaxBodyBytes: -1, MinRefreshInterval: 2 * time.Hour, MaxRefreshInterval: time.Hour},
			[]string{"auth: JWKSConfig.Timeout: negative", "auth: JWKSConfig.MinRefreshInterval: greater than MaxRefreshInterval", "auth: JWKSConfig.MaxBodyBytes: negative"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := auth.NewJWKS(tc.cfg)
			if got := configErrors(t, err); !slices.Equal(got, tc.want) {
				t.Fatalf("%q", got)
			}
		})
	}
}

func TestKeyfunc(t *testing.T) {
	k := testKeys()
	var seen atomic.Value
	cfg := auth.Config{Audiences: []string{testAudience}, Now: clock, Issuers: []auth.TrustedIssuer{{
		Issuer: testIssuer, Algorithms: []string{"ES256", "HS256"},
		Keyfunc: func(tok *jwt.Token) (any, error) {
			if kid, ok := tok.Header["kid"].(string); ok {
				seen.Store(kid)
			}
			if tok.Method.Alg() == "HS256" {
				return []byte("short"), nil // too weak: refused like a static key
			}
			return &k.ec.PublicKey, nil
		}}}}
	a := mustNew(t, cfg)
	ok := signWith(t, jwt.SigningMethodES256, `{"alg":"ES256","typ":"at+jwt","kid":"kf"}`, claims(nil), k.ec)
	if _, err := a.VerifyToken(t.Context(), ok); err != nil || seen.Load() != "kf" {
		t.Fatalf("%v %v", err, seen.Load())
	}
	weak := hs256(hdrHS256, claims(nil), []byte("short"))
	if _, err := a.VerifyToken(t.Context(), weak); !errors.Is(err, auth.ErrTokenInvalid) {
		t.Fatalf("weak keyfunc key accepted: %v", err)
	}
	rs := signWith(t, jwt.SigningMethodRS256, `{"alg":"RS256","typ":"at+jwt"}`, claims(nil), k.rsa)
	if _, err := a.VerifyToken(t.Context(), rs); !errors.Is(err, auth.ErrTokenInvalid) {
		t.Fatalf("alg outside Algorithms accepted: %v", err)
	}
}

// Each issuer trusts only its own JWKS, and Algorithms narrows a JWKS.
func TestJWKSBoundToIssuer(t *testing.T) {
	k := testKeys()
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	srvA := newJWKSServer(t, jwksBody(ecJWK("a", &k.ec.PublicKey), rsaJWK("ra", "RS256", &k.rsa.PublicKey)))
	srvB := newJWKSServer(t, jwksBody(ecJWK("b", &other.PublicKey)))
	ja, _ := auth.NewJWKS(auth.JWKSConfig{URL: srvA.URL})
	jb, _ := auth.NewJWKS(auth.JWKSConfig{URL: srvB.URL})
	a := mustNew(t, auth.Config{
		Issuers: []auth.TrustedIssuer{
			{Issuer: "https://a.example", JWKS: ja, Algorithms: []string{"ES256"}},
			{Issuer: "https://b.example", JWKS: jb},
		},
		Audiences: []string{testAudience},
		Now:       clock,
	})
	es := func(kid, iss string, key *ecdsa.PrivateKey) string {
		return signWith(t, jwt.SigningMethodES256, `{"alg":"ES256","typ":"at+jwt","kid":"`+kid+`"}`, claims(map[string]any{"iss": iss}), key)
	}
	tests := []struct {
		name string
		tok  string
		want error
	}{
		{"A with A's key", es("a", "https://a.example", k.ec), nil},
		{"B with B's key", es("b", "https://b.example", other), nil},
		{"A claiming B's kid", es("b", "https://a.example", other), auth.ErrTokenInvalid},
		{"B claiming A's kid", es("a", "https://b.example", k.ec), auth.ErrTokenInvalid},
		{"RS256 outside A's Algorithms", signWith(t, jwt.SigningMethodRS256, `{"alg":"RS256","typ":"at+jwt","kid":"ra"}`,
			claims(map[string]any{"iss": "https://a.example"}), k.rsa), auth.ErrTokenInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := a.VerifyToken(t.Context(), tc.tok)
			if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
				t.Fatalf("err %v, want %v", err, tc.want)
			}
		})
	}
}

// A long max-age is clamped to MaxRefreshInterval, and the refresh comes
// at most 10% early (jitter), never later.
func TestJWKSMaxAgeClampAndJitter(t *testing.T) {
	k := testKeys()
	srv := newJWKSServer(t, jwksBody(ecJWK("e1", &k.ec.PublicKey)))
	srv.cc = "max-age=31536000"
	clk := newFakeClock()
	j, _ := auth.NewJWKS(auth.JWKSConfig{URL: srv.URL, Now: clk.Now, MaxRefreshInterval: time.Hour})
	if err := j.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	srv.waitHit(t)
	a := jwksAuthenticator(t, j, clk.Now)
	tok := signWith(t, jwt.SigningMethodES256, `{"alg":"ES256","typ":"at+jwt","kid":"e1"}`,
		claims(map[string]any{"exp": testNow.Add(24 * time.Hour).Unix()}), k.ec)
	clk.Add(53 * time.Minute) // before the earliest jittered refresh (54 min)
	if _, err := a.VerifyToken(t.Context(), tok); err != nil {
		t.Fatal(err)
	}
	select { // a refresh would start synchronously with the request
	case <-srv.hitCh:
		t.Fatal("refreshed before the clamped interval")
	case <-time.After(200 * time.Millisecond):
	}
	clk.Add(8 * time.Minute) // past the clamped interval (60 min)
	if _, err := a.VerifyToken(t.Context(), tok); err != nil {
		t.Fatal(err)
	}
	srv.waitHit(t) // the background refresh
}
