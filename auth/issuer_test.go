package auth_test

import (
	"crypto"
	"crypto/ed25519"
	"errors"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"github.com/apisec-go/apisec/auth"
)

// Every algorithm the Issuer can sign with verifies through an
// Authenticator holding only the public half (or the same secret).
func TestIssuerAlgorithms(t *testing.T) {
	k := testKeys()
	secret64 := []byte(strings.Repeat("s", 64))
	tests := []struct {
		alg    string
		secret []byte
		priv   crypto.Signer
		pub    crypto.PublicKey
	}{
		{"HS384", secret64[:48], nil, nil},
		{"HS512", secret64, nil, nil},
		{"RS256", nil, k.rsa, &k.rsa.PublicKey},
		{"PS512", nil, k.rsa, &k.rsa.PublicKey},
		{"ES256", nil, k.ec, &k.ec.PublicKey},
		{"EdDSA", nil, k.ed, k.ed.Public().(ed25519.PublicKey)},
	}
	for _, tc := range tests {
		t.Run("alg="+tc.alg, func(t *testing.T) {
			is, err := auth.NewIssuer(auth.IssuerConfig{Issuer: testIssuer, Audience: []string{testAudience},
				Key: auth.Key{ID: "k", Algorithm: tc.alg, Secret: tc.secret}, PrivateKey: tc.priv, Now: clock})
			if err != nil {
				t.Fatal(err)
			}
			tok, _, err := is.Issue(auth.Grant{Subject: "s"})
			if err != nil {
				t.Fatal(err)
			}
			cfg := baseConfig()
			cfg.Issuers[0].Keys = []auth.Key{{ID: "k", Algorithm: tc.alg, Secret: tc.secret, PublicKey: tc.pub}}
			if _, err := mustNew(t, cfg).VerifyToken(t.Context(), tok); err != nil {
				t.Fatal(err)
			}
		})
	}
	t.Run("private key of the wrong kind", func(t *testing.T) {
		_, err := auth.NewIssuer(auth.IssuerConfig{Issuer: "i", Audience: []string{"a"},
			Key: auth.Key{ID: "k", Algorithm: "ES256"}, PrivateKey: k.rsa})
		if got := configErrors(t, err); len(got) != 1 || got[0] != "auth: IssuerConfig.PrivateKey.PublicKey: ES256 needs an *ecdsa.PublicKey" {
			t.Fatalf("%q", got)
		}
	})
}

func TestErrorMessages(t *testing.T) {
	_, err := mustNew(t, baseConfig()).VerifyToken(t.Context(), hs256(`{"alg":"HS256","typ":"JWT"}`, claims(nil), testSecret))
	if err == nil || err.Error() != "auth: invalid token: typ" {
		t.Fatalf("%v", err)
	}
	if !errors.Is(err, auth.ErrTokenInvalid) || errors.Is(err, auth.ErrTokenExpired) {
		t.Fatal("wrong sentinel")
	}
}

// A Keyfunc may return a jwt.VerificationKeySet; each key is still
// checked against the pinned algorithm.
func TestKeyfuncKeySet(t *testing.T) {
	k := testKeys()
	cfg := baseConfig()
	cfg.Issuers = []auth.TrustedIssuer{{Issuer: testIssuer, Algorithms: []string{"ES256"},
		Keyfunc: func(*jwt.Token) (any, error) {
			return jwt.VerificationKeySet{Keys: []jwt.VerificationKey{&k.rsa.PublicKey, &k.ec.PublicKey}}, nil
		}}}
	a := mustNew(t, cfg)
	tok := signWith(t, jwt.SigningMethodES256, `{"alg":"ES256","typ":"at+jwt"}`, claims(nil), k.ec)
	if _, err := a.VerifyToken(t.Context(), tok); err != nil {
		t.Fatal(err)
	}
	if _, err := a.VerifyToken(t.Context(), tok[:len(tok)-4]+"AAAA"); !errors.Is(err, auth.ErrTokenInvalid) {
		t.Fatalf("%v", err)
	}
}
