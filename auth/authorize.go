package auth

import (
	"log/slog"
	"net/http"
	"strings"

	"github.com/apisec-go/apisec/internal/problem"
	"github.com/apisec-go/apisec/principal"
)

var forbidden = problem.MustCompile(problem.Problem{Status: http.StatusForbidden,
	Detail: "The credentials do not grant access to this resource."})

// RequireRoles returns middleware that lets through only principals having
// every one of roles. Without a principal it answers 401 with a bare
// challenge; with a principal lacking a role, 403 insufficient_scope with
// the roles in the scope attribute (RFC 6750 §3.1). An empty list requires
// only that a principal is present.
//
// Place it after [Authenticator.Handler].
func (a *Authenticator) RequireRoles(roles ...string) func(http.Handler) http.Handler {
	roles = append([]string(nil), roles...)
	return a.require(roles, errMissingRole, func(p *principal.Principal) bool { return p.HasAllRoles(roles...) })
}

// RequireAnyRole is like [Authenticator.RequireRoles] but one of roles is
// enough. An empty list lets no principal through.
func (a *Authenticator) RequireAnyRole(roles ...string) func(http.Handler) http.Handler {
	roles = append([]string(nil), roles...)
	return a.require(roles, errMissingRole, func(p *principal.Principal) bool { return p.HasAnyRole(roles...) })
}

// RequireScopes returns middleware that lets through only principals
// granted every one of scopes, answering 401 or 403 as
// [Authenticator.RequireRoles] does.
func (a *Authenticator) RequireScopes(scopes ...string) func(http.Handler) http.Handler {
	scopes = append([]string(nil), scopes...)
	return a.require(scopes, errMissingScope, func(p *principal.Principal) bool { return p.HasAllScopes(scopes...) })
}

func (a *Authenticator) require(names []string, denied *Error, allowed func(*principal.Principal) bool) func(http.Handler) http.Handler {
	challenge := a.resp.challenge + `, error="insufficient_scope", scope=` + quote(strings.Join(names, " "))
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p, ok := principal.FromContext(r.Context())
			if !ok {
				setChallenge(w, a.resp.challenge)
				a.logAuthz(r, nil, errNoPrincipal, names)
				if a.errorHandler != nil {
					a.errorHandler(w, r, errNoPrincipal)
					return
				}
				a.resp.missing.Write(w)
				return
			}
			if !allowed(p) {
				setChallenge(w, challenge)
				a.logAuthz(r, p, denied, names)
				if a.errorHandler != nil {
					a.errorHandler(w, r, denied)
					return
				}
				forbidden.Write(w)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

func (a *Authenticator) logAuthz(r *http.Request, p *principal.Principal, e *Error, required []string) {
	if a.logger == nil {
		return
	}
	sub := ""
	if p != nil {
		sub = p.Subject
	}
	a.logger.LogAttrs(r.Context(), LevelCritical, "authz_fail",
		slog.String("reason", e.Reason),
		slog.String("subject", sub),
		slog.Any("required", required))
}
