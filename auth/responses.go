package auth

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/apisec-go/apisec/internal/problem"
)

// LevelCritical is the level of authz_fail events, above slog.LevelError,
// matching the OWASP vocabulary's CRITICAL.
const LevelCritical = slog.LevelError + 4

// responses are the rejection bodies and challenges, compiled in New.
type responses struct {
	challenge, invalidRequest, invalidToken string
	realm                                   string
	missing, badRequest, badToken, badKey   *problem.Compiled
	unavailable                             *problem.Compiled
}

// quote returns s as an RFC 9110 quoted-string.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
	return b.String()
}

func newResponses(realm string) responses {
	base := "Bearer realm=" + quote(realm)
	return responses{
		realm:          realm,
		challenge:      base,
		invalidRequest: base + `, error="invalid_request"`,
		invalidToken:   base + `, error="invalid_token"`,
		missing: problem.MustCompile(problem.Problem{Status: http.StatusUnauthorized,
			Detail: "Authentication is required to access this resource."}),
		badRequest: problem.MustCompile(problem.Problem{Status: http.StatusBadRequest,
			Detail: "The request's credentials are malformed or ambiguous."}),
		badToken: problem.MustCompile(problem.Problem{Status: http.StatusUnauthorized,
			Detail: "The access token is invalid, expired or revoked."}),
		badKey: problem.MustCompile(problem.Problem{Status: http.StatusUnauthorized,
			Detail: "The API key is invalid."}),
		unavailable: problem.MustCompile(problem.Problem{Status: http.StatusServiceUnavailable,
			Detail: "Credentials cannot be verified right now."}),
	}
}

func setChallenge(w http.ResponseWriter, v string) {
	w.Header()["Www-Authenticate"] = []string{v}
}

// fail logs and answers a rejection (RFC 6750 §3).
func (a *Authenticator) fail(w http.ResponseWriter, r *http.Request, e *Error) {
	var body *problem.Compiled
	switch e.kind {
	case ErrTokenMissing:
		setChallenge(w, a.resp.challenge)
		body = a.resp.missing
	case ErrInvalidRequest:
		setChallenge(w, a.resp.invalidRequest)
		body = a.resp.badRequest
	case ErrAPIKeyInvalid:
		setChallenge(w, a.resp.challenge)
		body = a.resp.badKey
	case ErrUnavailable:
		body = a.resp.unavailable
	default:
		setChallenge(w, a.resp.invalidToken)
		body = a.resp.badToken
	}
	if a.logger != nil {
		a.log(r, e)
	}
	if a.errorHandler != nil {
		a.errorHandler(w, r, e)
		return
	}
	body.Write(w)
}

func (a *Authenticator) log(r *http.Request, e *Error) {
	event, level := "authn_token_invalid", slog.LevelWarn
	switch {
	case e.kind == ErrTokenMissing:
		return // not a security event: the client simply did not log in
	case e.kind == ErrTokenExpired:
		event = "authn_token_expired"
	case e.kind == ErrTokenRevoked:
		event = "authn_token_revoked"
	case e.kind == ErrUnavailable:
		level = slog.LevelError
	}
	method := principalMethod(e)
	a.logger.LogAttrs(r.Context(), level, event,
		slog.String("reason", e.Reason),
		slog.String("method", method))
}

func principalMethod(e *Error) string {
	if errors.Is(e, ErrAPIKeyInvalid) || e == errMultipleAPIKeys || e == errAPIKeyStoreFailed {
		return "apikey"
	}
	return "jwt"
}
