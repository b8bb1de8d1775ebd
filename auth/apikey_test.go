package auth_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apisec-go/apisec/auth"
	"github.com/apisec-go/apisec/principal"
)

type failingStore struct{}

func (failingStore) LookupAPIKey(context.Context, string) (*auth.APIKey, error) {
	return nil, errors.New("down")
}

func TestAPIKeys(t *testing.T) {
	key, hash, err := auth.GenerateAPIKey("svc1")
	if err != nil {
		t.Fatal(err)
	}
	oldKey, oldHash, _ := auth.GenerateAPIKey("old")
	store, err := auth.NewMemoryAPIKeyStore([]auth.APIKey{
		{ID: "svc1", Hash: hash, Subject: "billing-service", Roles: []string{"service"}, Scopes: []string{"invoices:read"}},
		{ID: "old", Hash: oldHash, Subject: "retired", ExpiresAt: testNow},
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg := baseConfig()
	cfg.APIKeys = store
	a := mustNew(t, cfg)
	wrongSecret := key[:len(key)-4] + "AAAA"
	if wrongSecret == key {
		wrongSecret = key[:len(key)-4] + "BBBB"
	}
	header := func(vals ...string) func(*http.Request) {
		return func(r *http.Request) {
			for _, v := range vals {
				r.Header.Add("X-API-Key", v)
			}
		}
	}
	tests := []struct {
		name   string
		setup  func(*http.Request)
		status int
		err    error
	}{
		{"valid key", header(key), 200, nil},
		{"wrong secret", header(wrongSecret), 401, auth.ErrAPIKeyInvalid},
		{"unknown id", header("nobody" + key[strings.IndexByte(key, '.'):]), 401, auth.ErrAPIKeyInvalid},
		{"expired key", header(oldKey), 401, auth.ErrAPIKeyInvalid},
		{"no dot", header("svc1"), 401, auth.ErrAPIKeyInvalid},
		{"short secret", header("svc1.abc"), 401, auth.ErrAPIKeyInvalid},
		{"two header fields", header(key, key), 400, auth.ErrInvalidRequest},
		{"key and bearer token", func(r *http.Request) { header(key)(r); bearer(validToken())(r) }, 400, auth.ErrInvalidRequest},
		{"key in the query is ignored", func(r *http.Request) { r.URL.RawQuery = "X-API-Key=" + key }, 401, auth.ErrTokenMissing},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := serve(a.Handler(echo), tc.setup)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d", w.Code, tc.status)
			}
			r := httptest.NewRequest("GET", "/", nil)
			if tc.setup != nil {
				tc.setup(r)
			}
			p, err := a.Authenticate(r)
			if tc.err == nil {
				if err != nil || p.Method != principal.MethodAPIKey || p.Subject != "billing-service" ||
					!p.HasRole("service") || !p.HasScope("invoices:read") {
					t.Fatalf("%+v %v", p, err)
				}
				return
			}
			if !errors.Is(err, tc.err) {
				t.Fatalf("err %v, want %v", err, tc.err)
			}
		})
	}
	t.Run("store failure is 503", func(t *testing.T) {
		cfg := baseConfig()
		cfg.APIKeys = failingStore{}
		if w := serve(mustNew(t, cfg).Handler(echo), header(key)); w.Code != 503 {
			t.Fatalf("%d", w.Code)
		}
	})
	t.Run("custom header", func(t *testing.T) {
		cfg := baseConfig()
		cfg.APIKeys = store
		cfg.APIKeyHeader = "x-service-key"
		h := mustNew(t, cfg).Handler(echo)
		if w := serve(h, func(r *http.Request) { r.Header.Set("X-Service-Key", key) }); w.Code != 200 {
			t.Fatalf("%d", w.Code)
		}
		if w := serve(h, header(key)); w.Code != 401 {
			t.Fatalf("X-API-Key accepted: %d", w.Code)
		}
	})
	t.Run("API keys only", func(t *testing.T) {
		a := mustNew(t, auth.Config{APIKeys: store, Now: clock})
		if w := serve(a.Handler(echo), header(key)); w.Code != 200 {
			t.Fatalf("%d", w.Code)
		}
		if w := serve(a.Handler(echo), bearer(validToken())); w.Code != 401 {
			t.Fatalf("%d", w.Code)
		}
	})
}

func TestAPIKeyStoresOnlyHashes(t *testing.T) {
	key, hash, _ := auth.GenerateAPIKey("k")
	if hash != auth.HashAPIKey(key) {
		t.Fatal("hash mismatch")
	}
	id, secret, _ := strings.Cut(key, ".")
	if id != "k" || len(secret) != 43 {
		t.Fatalf("key shape %q", key)
	}
	key2, _, _ := auth.GenerateAPIKey("k")
	if key2 == key {
		t.Fatal("keys repeat")
	}
}

func TestNewMemoryAPIKeyStoreInvalid(t *testing.T) {
	_, h, _ := auth.GenerateAPIKey("a")
	tests := []struct {
		name string
		keys []auth.APIKey
		want []string
	}{
		{"bad id", []auth.APIKey{{ID: "a.b", Hash: h, Subject: "s"}}, []string{"auth: keys[0].ID: 1 to 64 characters of A-Z a-z 0-9 _ -"}},
		{"duplicate", []auth.APIKey{{ID: "a", Hash: h, Subject: "s"}, {ID: "a", Hash: h, Subject: "s"}}, []string{"auth: keys[1].ID: duplicate"}},
		{"no subject or hash", []auth.APIKey{{ID: "a"}}, []string{"auth: keys[0].Subject: required", "auth: keys[0].Hash: required"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := auth.NewMemoryAPIKeyStore(tc.keys)
			if got := configErrors(t, err); !slices.Equal(got, tc.want) {
				t.Fatalf("%q", got)
			}
		})
	}
	if _, _, err := auth.GenerateAPIKey("bad id"); err == nil {
		t.Fatal("GenerateAPIKey accepted a bad id")
	}
}

func TestIssuer(t *testing.T) {
	is, err := auth.NewIssuer(auth.IssuerConfig{Issuer: testIssuer, Audience: []string{testAudience},
		Key: auth.Key{ID: "k1", Algorithm: "HS256", Secret: testSecret}, Lifetime: 5 * time.Minute, MaxLifetime: time.Hour, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	cfg := baseConfig()
	cfg.Issuers[0].Keys[0].ID = "k1"
	a := mustNew(t, cfg)
	tok, c, err := is.Issue(auth.Grant{Subject: "alice", Roles: []string{"admin"}, Scopes: []string{"read", "write"}, ClientID: "web"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := a.VerifyToken(t.Context(), tok)
	if err != nil {
		t.Fatal(err)
	}
	got := p.Claims.(*auth.Claims)
	if p.Subject != "alice" || !p.HasRole("admin") || !p.HasAllScopes("read", "write") || got.ID == "" || got.ID != c.ID ||
		got.KeyID != "k1" || got.Type != "at+jwt" || got.ClientID != "web" ||
		!got.ExpiresAt.Equal(testNow.Add(5*time.Minute)) || !got.NotBefore.Equal(testNow) || !got.IssuedAt.Equal(testNow) {
		t.Fatalf("%+v", got)
	}
	if _, c2, _ := is.Issue(auth.Grant{Subject: "alice"}); c2.ID == c.ID {
		t.Fatal("jti repeats")
	}
	grants := []struct {
		name string
		g    auth.Grant
	}{
		{"no subject", auth.Grant{}},
		{"lifetime above max", auth.Grant{Subject: "a", Lifetime: 2 * time.Hour}},
		{"negative lifetime", auth.Grant{Subject: "a", Lifetime: -time.Second}},
		{"scope with space", auth.Grant{Subject: "a", Scopes: []string{"a b"}}},
	}
	for _, tc := range grants {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := is.Issue(tc.g); !errors.Is(err, auth.ErrGrant) {
				t.Fatalf("err %v", err)
			}
		})
	}
	if tok, _, err := is.Issue(auth.Grant{Subject: "a", Lifetime: time.Hour}); err != nil {
		t.Fatal(err)
	} else if _, err := a.VerifyToken(t.Context(), tok); err != nil {
		t.Fatal(err)
	}
}

func TestNewIssuerInvalid(t *testing.T) {
	tests := []struct {
		name string
		cfg  auth.IssuerConfig
		want []string
	}{
		{"zero", auth.IssuerConfig{}, []string{"auth: IssuerConfig.Issuer: required", "auth: IssuerConfig.Audience: required",
			"auth: IssuerConfig.Key.ID: required", "auth: IssuerConfig.Key.Algorithm: required"}},
		{"short secret and long lifetime", auth.IssuerConfig{Issuer: "i", Audience: []string{"a"}, Key: auth.Key{ID: "k", Algorithm: "HS256", Secret: []byte("x")},
			Lifetime: 48 * time.Hour}, []string{"auth: IssuerConfig.Key.Secret: HS256 needs at least 32 bytes", "auth: IssuerConfig.Lifetime: at most 24h0m0s"}},
		{"max below default", auth.IssuerConfig{Issuer: "i", Audience: []string{"a"}, Key: auth.Key{ID: "k", Algorithm: "HS256", Secret: testSecret},
			MaxLifetime: time.Minute}, []string{"auth: IssuerConfig.MaxLifetime: less than Lifetime"}},
		{"RS256 without private key", auth.IssuerConfig{Issuer: "i", Audience: []string{"a"}, Key: auth.Key{ID: "k", Algorithm: "RS256"}},
			[]string{"auth: IssuerConfig.PrivateKey: required for RS256"}},
		{"none", auth.IssuerConfig{Issuer: "i", Audience: []string{"a"}, Key: auth.Key{ID: "k", Algorithm: "none"}},
			[]string{`auth: IssuerConfig.Key.Algorithm: "none" is not a supported algorithm`}},
		// A typed nil or an empty key used to panic in Public(); bad
		// configuration is an error, never a panic.
		{"typed nil RSA key", auth.IssuerConfig{Issuer: "i", Audience: []string{"a"}, Key: auth.Key{ID: "k", Algorithm: "RS256"},
			PrivateKey: (*rsa.PrivateKey)(nil)}, []string{"auth: IssuerConfig.PrivateKey: must be a complete *rsa.PrivateKey, *ecdsa.PrivateKey or ed25519.PrivateKey"}},
		{"zero RSA key", auth.IssuerConfig{Issuer: "i", Audience: []string{"a"}, Key: auth.Key{ID: "k", Algorithm: "RS256"},
			PrivateKey: &rsa.PrivateKey{}}, []string{"auth: IssuerConfig.PrivateKey: must be a complete *rsa.PrivateKey, *ecdsa.PrivateKey or ed25519.PrivateKey"}},
		{"typed nil ECDSA key", auth.IssuerConfig{Issuer: "i", Audience: []string{"a"}, Key: auth.Key{ID: "k", Algorithm: "ES256"},
			PrivateKey: (*ecdsa.PrivateKey)(nil)}, []string{"auth: IssuerConfig.PrivateKey: must be a complete *rsa.PrivateKey, *ecdsa.PrivateKey or ed25519.PrivateKey"}},
		{"zero ECDSA key", auth.IssuerConfig{Issuer: "i", Audience: []string{"a"}, Key: auth.Key{ID: "k", Algorithm: "ES256"},
			PrivateKey: &ecdsa.PrivateKey{}}, []string{"auth: IssuerConfig.PrivateKey: must be a complete *rsa.PrivateKey, *ecdsa.PrivateKey or ed25519.PrivateKey"}},
		{"ECDSA key without its private scalar", auth.IssuerConfig{Issuer: "i", Audience: []string{"a"}, Key: auth.Key{ID: "k", Algorithm: "ES256"},
			PrivateKey: func() *ecdsa.PrivateKey {
				k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
				return &ecdsa.PrivateKey{PublicKey: k.PublicKey}
			}()}, []string{"auth: IssuerConfig.PrivateKey: must be a complete *rsa.PrivateKey, *ecdsa.PrivateKey or ed25519.PrivateKey"}},
		{"short Ed25519 key", auth.IssuerConfig{Issuer: "i", Audience: []string{"a"}, Key: auth.Key{ID: "k", Algorithm: "EdDSA"},
			PrivateKey: ed25519.PrivateKey{1, 2, 3}}, []string{"auth: IssuerConfig.PrivateKey: must be a complete *rsa.PrivateKey, *ecdsa.PrivateKey or ed25519.PrivateKey"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := auth.NewIssuer(tc.cfg)
			if got := configErrors(t, err); !slices.Equal(got, tc.want) {
				t.Fatalf("%q", got)
			}
		})
	}
}
