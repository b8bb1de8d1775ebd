package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/apisec-go/apisec/audit"
	"github.com/apisec-go/apisec/auth"
	"github.com/apisec-go/apisec/clientip"
	"github.com/apisec-go/apisec/crypto/password"
	"github.com/apisec-go/apisec/principal"
	"github.com/apisec-go/apisec/ratelimit"
	"github.com/apisec-go/apisec/validate"
)

// registration is the body of POST /api/users, the seed's schema.
type registration struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	Name     string `json:"name"`
	Age      int    `json:"age"`
}

type credentials struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// api holds the handlers and what they share.
type api struct {
	users        *userStore
	hasher       *password.Hasher
	issuer       *auth.Issuer
	issuerName   string
	revocations  auth.RevocationList
	decoder      *validate.Decoder
	registerRule *validate.RuleSet[registration]
	loginRule    *validate.RuleSet[credentials]
	loginIP      *ratelimit.Limiter
	loginAccount *ratelimit.Limiter
	events       *audit.Recorder
	log          *slog.Logger
}

func newRules(policy *validate.PasswordPolicy) (*validate.RuleSet[registration], *validate.RuleSet[credentials]) {
	reg := validate.Rules(
		validate.Field("/email", func(r *registration) string { return r.Email }, validate.Required, validate.Length(3, 254), validate.Email),
		validate.Field("/name", func(r *registration) string { return r.Name }, validate.Required, validate.Length(2, 50)),
		validate.Field("/age", func(r *registration) int { return r.Age }, validate.Range(13, 120)),
		validate.Check("/password", func(ctx context.Context, r *registration) error {
			return policy.Check(ctx, r.Password, r.Email, r.Name)
		}),
	)
	login := validate.Rules(
		validate.Field("/email", func(c *credentials) string { return c.Email }, validate.Required, validate.Length(3, 254)),
		validate.Field("/password", func(c *credentials) string { return c.Password }, validate.Required, validate.Length(1, 1024)),
	)
	return reg, login
}

type userView struct {
	ID    string `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name"`
}

func (a *api) view(u user) (userView, error) {
	email, err := a.users.email(u)
	if err != nil {
		return userView{}, err
	}
	return userView{ID: u.ID, Email: email, Name: u.Name}, nil
}

// register handles POST /api/users.
func (a *api) register(w http.ResponseWriter, r *http.Request) {
	reg, err := validate.Decode(w, r, a.decoder, a.registerRule)
	if err != nil {
		return // the client has its 4xx problem
	}
	hash, err := a.hasher.Hash(r.Context(), reg.Password)
	if err != nil {
		a.fail(w, r, "hash password", err)
		return
	}
	u, err := a.users.create(reg.Email, reg.Name, reg.Age, hash, []string{"user"})
	if errors.Is(err, errDuplicate) {
		writeProblem(w, http.StatusConflict, "An account with this email already exists.")
		return
	}
	if err != nil {
		a.fail(w, r, "create user", err)
		return
	}
	a.events.SensitiveCreated(r.Context(), u.ID, "user")
	v, err := a.view(u)
	if err != nil {
		a.fail(w, r, "read user", err)
		return
	}
	w.Header().Set("Location", "/api/users/"+u.ID)
	writeJSON(w, http.StatusCreated, v)
}

// login handles POST /api/login: per-IP and per-account limits, argon2id
// with a dummy hash for unknown accounts, a short-lived access token.
func (a *api) login(w http.ResponseWriter, r *http.Request) {
	c, err := validate.Decode(w, r, a.decoder, a.loginRule)
	if err != nil {
		return
	}
	ip := clientip.Prefix(clientip.FromRequest(r), 0).String()
	if res, err := a.loginIP.Allow(r.Context(), ip); err != nil || !res.Allowed {
		a.tooMany(w, r, res, c.Email, "login_rate_limit_ip")
		return
	}
	account := a.users.index(c.Email) // keyed hash: the limiter never sees the address
	if res, err := a.loginAccount.Allow(r.Context(), account); err != nil || !res.Allowed {
		a.tooMany(w, r, res, c.Email, "login_rate_limit_account")
		return
	}
	u, found := a.users.byIndex(account)
	if !found {
		_ = a.hasher.VerifyDummy(r.Context(), c.Password) // same cost as a real check
		a.events.LoginFailed(r.Context(), c.Email, slog.String("reason", "unknown_account"))
		writeUnauthorized(w)
		return
	}
	if err := a.hasher.Verify(r.Context(), u.PasswordHash, c.Password); err != nil {
		if errors.Is(err, password.ErrBusy) {
			w.Header().Set("Retry-After", "1")
			writeProblem(w, http.StatusServiceUnavailable, "The service is busy; retry shortly.")
			return
		}
		a.events.LoginFailed(r.Context(), u.ID, slog.String("reason", "bad_password"))
		writeUnauthorized(w)
		return
	}
	if a.hasher.NeedsRehash(u.PasswordHash) {
		if h, err := a.hasher.Hash(r.Context(), c.Password); err == nil {
			a.users.setHash(u.ID, h)
		}
	}
	roles := u.Roles
	token, claims, err := a.issuer.Issue(auth.Grant{Subject: u.ID, Roles: roles, Scopes: []string{"users:read"}})
	if err != nil {
		a.fail(w, r, "issue token", err)
		return
	}
	a.events.LoginSucceeded(r.Context(), u.ID)
	a.events.TokenCreated(r.Context(), u.ID, slog.String("jti", claims.ID))
	writeJSON(w, http.StatusOK, map[string]any{"token": token, "expires_at": claims.ExpiresAt.UTC().Format(time.RFC3339)})
}

// tooMany refuses a login over its limit. The lock event names the account
// (hashed by the Recorder, since people type passwords into that field).
func (a *api) tooMany(w http.ResponseWriter, r *http.Request, res ratelimit.Result, email, reason string) {
	a.events.LoginLocked(r.Context(), email, reason)
	secs := int(math.Ceil(res.RetryAfter.Seconds()))
	if secs < 1 {
		secs = 1
	}
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	writeProblem(w, http.StatusTooManyRequests, "Too many login attempts; retry later.")
}

// logout handles POST /api/logout: the token's jti is revoked and stops
// working at once, here and on every instance sharing the list.
func (a *api) logout(w http.ResponseWriter, r *http.Request) {
	claims, ok := auth.ClaimsFromContext(r.Context())
	if !ok {
		writeUnauthorized(w)
		return
	}
	if err := a.revocations.Revoke(r.Context(), claims.TokenInfo()); err != nil {
		a.fail(w, r, "revoke token", err)
		return
	}
	a.events.Event(r.Context(), slog.LevelInfo, audit.TokenRevoke, slog.String("jti", claims.ID))
	w.WriteHeader(http.StatusNoContent)
}

// listUsers serves GET /api/v2/users: {"data": [...]}.
func (a *api) listUsersV2(w http.ResponseWriter, r *http.Request) {
	out, err := a.views()
	if err != nil {
		a.fail(w, r, "list users", err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": out})
}

// listUsersV1 serves the deprecated GET /api/v1/users: a bare array.
func (a *api) listUsersV1(w http.ResponseWriter, r *http.Request) {
	out, err := a.views()
	if err != nil {
		a.fail(w, r, "list users", err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *api) views() ([]userView, error) {
	users := a.users.list()
	out := make([]userView, 0, len(users))
	for _, u := range users {
		v, err := a.view(u)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// denyForeign refuses a request whose token was not issued by this
// server. Only such a token speaks for a local account: a second issuer
// (JWKS_URL) names its own users in sub and grants its own roles, so its
// tokens may call the read-only list endpoints but are never a local user
// or a local admin, whatever their sub and roles say.
func (a *api) denyForeign(w http.ResponseWriter, r *http.Request, p *principal.Principal) bool {
	if p != nil && p.Issuer == a.issuerName {
		return false
	}
	var sub, iss string
	if p != nil {
		sub, iss = p.Subject, p.Issuer
	}
	a.events.AuthzFailed(r.Context(), sub, "user", slog.String("iss", iss))
	writeProblem(w, http.StatusForbidden, "Only this service's own accounts may do this.")
	return true
}

// getUser serves GET /api/users/{id}: the user themself or an admin, both
// with a token of this server's own issuer.
func (a *api) getUser(w http.ResponseWriter, r *http.Request) {
	p, _ := principal.FromContext(r.Context())
	if a.denyForeign(w, r, p) {
		return
	}
	id := r.PathValue("id")
	if p.Subject != id && !p.HasRole("admin") {
		a.events.AuthzFailed(r.Context(), p.Subject, "user")
		writeProblem(w, http.StatusForbidden, "You may only read your own account.")
		return
	}
	u, ok := a.users.get(id)
	if !ok {
		writeProblem(w, http.StatusNotFound, "No such user.")
		return
	}
	v, err := a.view(u)
	if err != nil {
		a.fail(w, r, "read user", err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// deleteUser serves DELETE /api/users/{id}, behind RequireRoles("admin"):
// an admin of this server's own issuer only.
func (a *api) deleteUser(w http.ResponseWriter, r *http.Request) {
	p, _ := principal.FromContext(r.Context())
	if a.denyForeign(w, r, p) {
		return
	}
	id := r.PathValue("id")
	if !a.users.delete(id) {
		writeProblem(w, http.StatusNotFound, "No such user.")
		return
	}
	_ = a.revocations.RevokeSubject(r.Context(), a.issuerName, id, time.Now(), auth.MaxTokenLifetime)
	a.events.SensitiveDeleted(r.Context(), p.Subject, "user", slog.String("user_id", id))
	w.WriteHeader(http.StatusNoContent)
}

func healthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// fail answers 500 without detail; the cause goes to the log only.
func (a *api) fail(w http.ResponseWriter, r *http.Request, what string, err error) {
	a.log.LogAttrs(r.Context(), slog.LevelError, "sys_error", slog.String("op", what), slog.String("error", err.Error()))
	writeProblem(w, http.StatusInternalServerError, "")
}

func writeUnauthorized(w http.ResponseWriter) {
	writeProblem(w, http.StatusUnauthorized, "The email or password is incorrect.")
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeProblem sends an RFC 9457 problem with a fixed, generic detail.
func writeProblem(w http.ResponseWriter, status int, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	body := map[string]any{"type": "about:blank", "title": http.StatusText(status), "status": status}
	if detail != "" {
		body["detail"] = detail
	}
	_ = json.NewEncoder(w).Encode(body)
}
