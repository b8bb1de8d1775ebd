package auth_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/apisec-go/apisec/auth"
	"github.com/apisec-go/apisec/internal/configtest"
)

// configErrors splits a joined error into its messages, each from a
// *auth.ConfigError.
func configErrors(t *testing.T, err error) []string {
	t.Helper()
	var out []string
	for _, ce := range configtest.Leaves[auth.ConfigError](t, err) {
		out = append(out, ce.Error())
	}
	return out
}

func TestNewInvalidConfig(t *testing.T) {
	rsa1024, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	key := func(k auth.Key) auth.Config {
		c := baseConfig()
		c.Issuers[0].Keys = []auth.Key{k}
		return c
	}
	tests := []struct {
		name string
		cfg  auth.Config
		want []string
	}{
		{"zero config", auth.Config{}, []string{
			"auth: Issuers: at least one trusted issuer (or APIKeys) is required"}},
		{"no audience", auth.Config{Issuers: baseConfig().Issuers}, []string{"auth: Audiences: required"}},
		{"empty audience", func() auth.Config { c := baseConfig(); c.Audiences = []string{""}; return c }(),
			[]string{"auth: Audiences[0]: empty"}},
		{"issuer without name or keys", auth.Config{Issuers: []auth.TrustedIssuer{{}}, Audiences: []string{"a"}}, []string{
			"auth: Issuers[0].Issuer: required", "auth: Issuers[0]: needs Keys, JWKS or Keyfunc"}},
		{"duplicate issuer", func() auth.Config { c := baseConfig(); c.Issuers = append(c.Issuers, c.Issuers[0]); return c }(),
			[]string{"auth: Issuers[1].Issuer: duplicate issuer"}},
		{"alg none", key(auth.Key{Algorithm: "none"}), []string{
			`auth: Issuers[0].Keys[0].Algorithm: "none" is not a supported algorithm (none is never allowed)`}},
		{"no algorithm", key(auth.Key{Secret: testSecret}), []string{"auth: Issuers[0].Keys[0].Algorithm: required"}},
		{"empty HMAC secret", key(auth.Key{Algorithm: "HS256"}), []string{"auth: Issuers[0].Keys[0].Secret: HS256 needs at least 32 bytes"}},
		{"short HS512 secret", key(auth.Key{Algorithm: "HS512", Secret: testSecret}), []string{"auth: Issuers[0].Keys[0].Secret: HS512 needs at least 64 bytes"}},
		{"RSA-1024", key(auth.Key{Algorithm: "RS256", PublicKey: &rsa1024.PublicKey}), []string{
			"auth: Issuers[0].Keys[0].PublicKey: RSA keys must have at least 2048 bits"}},
		{"RSA alg with an HMAC secret", key(auth.Key{Algorithm: "RS256", Secret: testSecret}), []string{
			"auth: Issuers[0].Keys[0].PublicKey: RS256 needs an *rsa.PublicKey", "auth: Issuers[0].Keys[0].Secret: must be empty for RS256"}},
		{"HMAC alg with a public key", key(auth.Key{Algorithm: "HS256", Secret: testSecret, PublicKey: &p384.PublicKey}), []string{
			"auth: Issuers[0].Keys[0].PublicKey: must be nil for HS256"}},
		{"curve mismatch", key(auth.Key{Algorithm: "ES256", PublicKey: &p384.PublicKey}), []string{
			"auth: Issuers[0].Keys[0].PublicKey: ES256 needs a key on P-256"}},
		{"EdDSA without key", key(auth.Key{Algorithm: "EdDSA"}), []string{"auth: Issuers[0].Keys[0].PublicKey: EdDSA needs an ed25519.PublicKey"}},
		{"duplicate kid", func() auth.Config {
			c := key(auth.Key{ID: "k", Algorithm: "HS256", Secret: testSecret})
			c.Issuers[0].Keys = append(c.Issuers[0].Keys, c.Issuers[0].Keys[0])
			return c
		}(), []string{"auth: Issuers[0].Keys[1].ID: duplicate key ID for this algorithm"}},
		{"Keyfunc without algorithms", auth.Config{Audiences: []string{"a"}, Issuers: []auth.TrustedIssuer{{Issuer: "i",
			Keyfunc: func(*jwt.Token) (any, error) { return nil, nil }}}}, []string{"auth: Issuers[0].Algorithms: required with Keyfunc"}},
		{"Keyfunc with keys", func() auth.Config {
			c := baseConfig()
			c.Issuers[0].Keyfunc = func(*jwt.Token) (any, error) { return nil, nil }
			c.Issuers[0].Algorithms = []string{"HS256"}
			return c
		}(), []string{"auth: Issuers[0].Keyfunc: cannot be combined with Keys or JWKS"}},
		{"algorithms with static keys", func() auth.Config { c := baseConfig(); c.Issuers[0].Algorithms = []string{"HS256"}; return c }(),
			[]string{"auth: Issuers[0].Algorithms: only used with JWKS or Keyfunc; static keys pin their own algorithm"}},
		{"unknown algorithm in list", auth.Config{Audiences: []string{"a"}, Issuers: []auth.TrustedIssuer{{Issuer: "i",
			Keyfunc: func(*jwt.Token) (any, error) { return nil, nil }, Algorithms: []string{"none"}}}},
			[]string{`auth: Issuers[0].Algorithms[0]: "none" is not a supported algorithm`}},
		{"leeway", func() auth.Config { c := baseConfig(); c.Leeway = 6 * time.Minute; return c }(), []string{"auth: Leeway: at most 5m0s"}},
		{"negative leeway", func() auth.Config { c := baseConfig(); c.Leeway = -1; return c }(), []string{"auth: Leeway: negative"}},
		{"token cap too small", func() auth.Config { c := baseConfig(); c.MaxTokenBytes = 10; return c }(), []string{"auth: MaxTokenBytes: at least 64"}},
		{"token cap too large", func() auth.Config { c := baseConfig(); c.MaxTokenBytes = 1 << 20; return c }(), []string{"auth: MaxTokenBytes: at most 65536"}},
		{"realm with CR", func() auth.Config { c := baseConfig(); c.Realm = "a\r\nb"; return c }(), []string{"auth: Realm: contains control or non-ASCII characters"}},
		{"type with LF", func() auth.Config { c := baseConfig(); c.Types = []string{"at+jwt\n"}; return c }(), []string{"auth: Types[0]: contains control or non-ASCII characters"}},
		{"roles claim is registered", func() auth.Config { c := baseConfig(); c.RolesClaim = "Sub"; return c }(), []string{`auth: RolesClaim: "Sub" is a registered claim`}},
		{"scope claim too long", func() auth.Config { c := baseConfig(); c.ScopeClaim = strings.Repeat("s", 129); return c }(), []string{`auth: ScopeClaim: at most 128 bytes`}},
		{"claim names collide", func() auth.Config { c := baseConfig(); c.RolesClaim = "scope"; return c }(), []string{"auth: RolesClaim: RolesClaim, ScopeClaim and ScopesClaim must differ"}},
		{"bad cookie name", func() auth.Config { c := baseConfig(); c.CookieName = "a b"; return c }(), []string{"auth: CookieName: not a valid cookie name"}},
		{"query parameter with control", func() auth.Config { c := baseConfig(); c.QueryParameter = "a\x00"; return c }(), []string{"auth: QueryParameter: contains control or non-ASCII characters"}},
		{"dangerous flag alone", func() auth.Config { c := baseConfig(); c.DangerouslyIgnoreRevocationErrors = true; return c }(),
			[]string{"auth: DangerouslyIgnoreRevocationErrors: set without Revocations"}},
		{"API key header Authorization", func() auth.Config { c := baseConfig(); c.APIKeyHeader = "authorization"; return c }(),
			[]string{"auth: APIKeyHeader: must not be Authorization or Cookie"}},
		{"API key header with space", func() auth.Config { c := baseConfig(); c.APIKeyHeader = "X Key"; return c }(),
			[]string{"auth: APIKeyHeader: not a valid header field name"}},
		{"every problem at once", auth.Config{Issuers: []auth.TrustedIssuer{{Issuer: "i", Keys: []auth.Key{{Algorithm: "HS256", Secret: []byte("short")}}}},
			Leeway: time.Hour, Realm: "\x01"}, []string{
			"auth: Issuers[0].Keys[0].Secret: HS256 needs at least 32 bytes", "auth: Audiences: required",
			"auth: Leeway: at most 5m0s", "auth: Realm: contains control or non-ASCII characters"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, err := auth.New(tc.cfg)
			if a != nil {
				t.Error("New returned an Authenticator with an error")
			}
			got := configErrors(t, err)
			if !slices.Equal(got, tc.want) {
				t.Fatalf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

// Mutating the Config after New must not change the Authenticator.
func TestConfigIsCopied(t *testing.T) {
	cfg := baseConfig()
	secret := append([]byte(nil), testSecret...)
	cfg.Issuers[0].Keys[0].Secret = secret
	a := mustNew(t, cfg)
	secret[0] ^= 0xff
	cfg.Audiences[0] = "changed"
	cfg.Issuers[0].Issuer = "changed"
	if _, err := a.VerifyToken(t.Context(), validToken()); err != nil {
		t.Fatal(err)
	}
}
