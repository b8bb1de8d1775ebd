package auth

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/apisec-go/apisec/principal"
)

// Claims are the verified claims of a token, stored as
// read-only // [principal.Principal.Claims] for JWT principals. Raw holds the whole
// verified payload for custom claims; see [ClaimsFrom].
type Claims struct {
	Issuer    string
	Subject   string
	Audience  []string
	ExpiresAt time.Time
	NotBefore time.Time // zero when absent
	IssuedAt  time.Time
	ID        string // jti; empty when absent
	ClientID  string // client_id; empty when absent
	Roles     []string
	Scopes    []string
	// Type, KeyID and Algorithm come from the protected header.
	Type      string
	KeyID     string
	Algorithm string
	// Raw is the verified JSON payload.
	Raw string
}

// TokenInfo returns what a [RevocationList] needs to know about the token.
func (c *Claims) TokenInfo() TokenInfo {
	return TokenInfo{Issuer: c.Issuer, Subject: c.Subject, ID: c.ID, IssuedAt: c.IssuedAt, ExpiresAt: c.ExpiresAt}
}

// ClaimsFromContext returns the verified claims of the request's token.
// It reports false when the request was not authenticated with a JWT.
func ClaimsFromContext(ctx context.Context) (*Claims, bool) {
	p, ok := principal.FromContext(ctx)
	if !ok {
		return nil, false
	}
	c, ok := p.Claims.(*Claims)
	return c, ok
}

// ErrNoClaims is returned by [ClaimsFrom] when the request carries no
// verified JWT.
var ErrNoClaims = errors.New("auth: no verified token claims in context")

// ClaimsFrom decodes the verified payload of the request's token into a T,
// for application-specific claims:
//
//	type MyClaims struct{ Tenant string `json:"tenant"` }
//	c, err := auth.ClaimsFrom[MyClaims](r.Context())
//
// The registered claims (iss, sub, aud, exp, nbf, iat) were already
// verified with exact, case-sensitive names; encoding/json matches T's
// fields case-insensitively, so do not make security decisions on custom
// claims whose names differ only in case.
func ClaimsFrom[T any](ctx context.Context) (T, error) {
	var t T
	c, ok := ClaimsFromContext(ctx)
	if !ok {
		return t, ErrNoClaims
	}
	err := json.Unmarshal([]byte(c.Raw), &t)
	return t, err
}
