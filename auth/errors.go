package auth

import (
	"errors"
	"strings"
)

// Sentinel errors. Every error the middleware hands to
// [Config.ErrorHandler] or returns from [Authenticator.Authenticate] wraps
// exactly one of them, so callers can branch with [errors.Is].
var (
	// ErrTokenMissing: the request carries no credentials (401 with a bare
	// Bearer challenge, RFC 6750 §3.1).
	ErrTokenMissing = errors.New("auth: no credentials")
	// ErrInvalidRequest: the credentials are ambiguous or syntactically
	// broken at the HTTP level, such as two Authorization fields, a TAB
	// after "Bearer", or a token in two places (400 invalid_request).
	ErrInvalidRequest = errors.New("auth: invalid request")
	// ErrTokenMalformed: the token is not a well-formed compact JWS of
	// acceptable size (401 invalid_token).
	ErrTokenMalformed = errors.New("auth: malformed token")
	// ErrTokenInvalid: the token is well formed but fails verification: bad
	// signature, disallowed algorithm, unknown key, wrong issuer, audience
	// or typ, unknown crit, missing claims (401 invalid_token).
	ErrTokenInvalid = errors.New("auth: invalid token")
	// ErrTokenExpired: exp is in the past, beyond the leeway (401
	// invalid_token).
	ErrTokenExpired = errors.New("auth: token expired")
	// ErrTokenNotYetValid: nbf or iat is in the future, beyond the leeway
	// (401 invalid_token).
	ErrTokenNotYetValid = errors.New("auth: token not yet valid")
	// ErrTokenRevoked: the revocation list holds the token (401
	// invalid_token).
	ErrTokenRevoked = errors.New("auth: token revoked")
	// ErrAPIKeyInvalid: the API key is unknown, wrong or expired (401).
	ErrAPIKeyInvalid = errors.New("auth: invalid API key")
	// ErrInsufficientScope: the principal lacks a required role or scope
	// (403 insufficient_scope).
	ErrInsufficientScope = errors.New("auth: insufficient scope")
	// ErrUnavailable: a dependency needed for the decision failed (the
	// revocation list, the API key store, or an issuer's JWKS that was
	// never fetched successfully); the request is refused with 503, so
	// clients do not discard good tokens.
	ErrUnavailable = errors.New("auth: verification unavailable")
)

// Error is a request-time rejection: one of the sentinels above plus a
// fixed, non-secret reason for the log ("signature", "alg not allowed",
// "claim name case"). Reasons never contain request data. Errors are
// created once and shared, so rejecting costs no allocation; treat them
// as immutable and compare them with errors.Is against the sentinels.
type Error struct {
	// Reason says why, in a few fixed words.
	Reason string
	kind   error
}

func (e *Error) Error() string { return e.kind.Error() + ": " + e.Reason }

// Unwrap returns the sentinel.
func (e *Error) Unwrap() error { return e.kind }

func reject(kind error, reason string) *Error { return &Error{Reason: reason, kind: kind} }

// Request-time errors, allocated once.
var (
	errNoCredentials     = reject(ErrTokenMissing, "no credentials")
	errMultipleAuthz     = reject(ErrInvalidRequest, "multiple Authorization fields")
	errAuthzSyntax       = reject(ErrInvalidRequest, "Authorization syntax")
	errTokenCharset      = reject(ErrInvalidRequest, "token charset")
	errMultipleSources   = reject(ErrInvalidRequest, "credentials in more than one place")
	errMultipleAPIKeys   = reject(ErrInvalidRequest, "multiple API key fields")
	errTokenSize         = reject(ErrTokenMalformed, "token too large")
	errTokenShape        = reject(ErrTokenMalformed, "not a compact JWS")
	errTokenBase64       = reject(ErrTokenMalformed, "base64")
	errTokenHeaderJSON   = reject(ErrTokenMalformed, "header JSON")
	errTokenPayloadJSON  = reject(ErrTokenMalformed, "claims JSON")
	errAlgNone           = reject(ErrTokenInvalid, "alg none")
	errAlgNotAllowed     = reject(ErrTokenInvalid, "alg not allowed")
	errCrit              = reject(ErrTokenInvalid, "unknown crit")
	errTyp               = reject(ErrTokenInvalid, "typ")
	errHeaderParam       = reject(ErrTokenInvalid, "header parameter")
	errClaimCase         = reject(ErrTokenInvalid, "claim name case")
	errClaimDuplicate    = reject(ErrTokenInvalid, "duplicate claim")
	errClaimType         = reject(ErrTokenInvalid, "claim type")
	errIssuer            = reject(ErrTokenInvalid, "issuer")
	errAudience          = reject(ErrTokenInvalid, "audience")
	errNoKey             = reject(ErrTokenInvalid, "no matching key")
	errSignature         = reject(ErrTokenInvalid, "signature")
	errMissingExp        = reject(ErrTokenInvalid, "missing exp")
	errMissingIat        = reject(ErrTokenInvalid, "missing iat")
	errMissingSub        = reject(ErrTokenInvalid, "missing sub")
	errExpired           = reject(ErrTokenExpired, "exp")
	errNotYetValid       = reject(ErrTokenNotYetValid, "nbf")
	errIssuedInFuture    = reject(ErrTokenNotYetValid, "iat in the future")
	errRevoked           = reject(ErrTokenRevoked, "revoked")
	errRevocationFailed  = reject(ErrUnavailable, "revocation check failed")
	errKeysUnavailable   = reject(ErrUnavailable, "issuer keys unavailable")
	errAPIKeyFormat      = reject(ErrAPIKeyInvalid, "format")
	errAPIKeyUnknown     = reject(ErrAPIKeyInvalid, "unknown or wrong key")
	errAPIKeyExpired     = reject(ErrAPIKeyInvalid, "expired")
	errAPIKeyStoreFailed = reject(ErrUnavailable, "API key store failed")
	errNoPrincipal       = reject(ErrTokenMissing, "no principal")
	errMissingRole       = reject(ErrInsufficientScope, "missing role")
	errMissingScope      = reject(ErrInsufficientScope, "missing scope")
)

// ConfigError is one problem with a configuration passed to [New],
// [NewIssuer], [NewJWKS] or [NewAPIKeyStore]. New returns every problem at
// once, joined with [errors.Join].
type ConfigError struct {
	// Field is the offending field, such as "Issuers[1].Keys[0].Secret".
	Field string
	// Reason says what is wrong with it.
	Reason string
}

func (e *ConfigError) Error() string {
	var b strings.Builder
	b.WriteString("auth: ")
	b.WriteString(e.Field)
	b.WriteString(": ")
	b.WriteString(e.Reason)
	return b.String()
}
