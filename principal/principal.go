package principal

import (
	"context"
	"slices"
	"time"
)

// Authentication methods recorded in [Principal.Method].
const (
	MethodJWT    = "jwt"
	MethodAPIKey = "apikey"
	MethodMTLS   = "mtls"
)

// Principal is an authenticated caller.
//
// The zero value is an anonymous principal with no roles and no scopes: every
// Has... method reports false for it. A Principal stored in a context must be
// treated as read-only, since every middleware and handler in the request
// shares it; it is then safe for concurrent use.
type Principal struct {
	// Subject identifies the caller within Issuer (the JWT "sub" claim,
	// or the API key's owner).
	Subject string
	// Issuer is who vouched for the caller (the JWT "iss" claim).
	Issuer string
	// Audience lists the audiences the credential was issued for.
	Audience []string
	// Roles and Scopes are what the credential grants.
	Roles  []string
	Scopes []string
	// Method is how the caller authenticated: MethodJWT, MethodAPIKey or
	// MethodMTLS.
	Method string
	// ExpiresAt is when the credential stops being valid; zero if never.
	ExpiresAt time.Time
	// Claims holds the verified claims, typed by the authenticator
	// (for auth, the custom claims type it was configured with).
	Claims any
}

// HasRole reports whether p has the given role. It is false for a nil p.
func (p *Principal) HasRole(role string) bool {
	return p != nil && slices.Contains(p.Roles, role)
}

// HasAnyRole reports whether p has at least one of roles. It is false for a
// nil p and for an empty roles list.
func (p *Principal) HasAnyRole(roles ...string) bool {
	if p == nil {
		return false
	}
	for _, r := range roles {
		if slices.Contains(p.Roles, r) {
			return true
		}
	}
	return false
}

// HasAllRoles reports whether p has every one of roles. It is false for a
// nil p; an empty roles list is trivially satisfied by a non-nil p.
func (p *Principal) HasAllRoles(roles ...string) bool {
	if p == nil {
		return false
	}
	for _, r := range roles {
		if !slices.Contains(p.Roles, r) {
			return false
		}
	}
	return true
}

// HasScope reports whether p was granted scope. It is false for a nil p.
func (p *Principal) HasScope(scope string) bool {
	return p != nil && slices.Contains(p.Scopes, scope)
}

// HasAllScopes reports whether p was granted every one of scopes. It is
// false for a nil p; an empty scopes list is trivially satisfied by a non-nil
// p.
func (p *Principal) HasAllScopes(scopes ...string) bool {
	if p == nil {
		return false
	}
	for _, s := range scopes {
		if !slices.Contains(p.Scopes, s) {
			return false
		}
	}
	return true
}

// Expired reports whether p's credential has expired at t. A zero
// ExpiresAt never expires.
func (p *Principal) Expired(t time.Time) bool {
	return p != nil && !p.ExpiresAt.IsZero() && !t.Before(p.ExpiresAt)
}

// key is unexported so that no other package can store or overwrite the
// principal except through NewContext.
type key struct{}

// NewContext returns a copy of ctx that carries p.
func NewContext(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, key{}, p)
}

// FromContext returns the principal stored in ctx by [NewContext]. It reports
// false when there is none or when a nil principal was stored.
func FromContext(ctx context.Context) (*Principal, bool) {
	p, ok := ctx.Value(key{}).(*Principal)
	return p, ok && p != nil
}
