package auth

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/apisec-go/apisec/internal/httpsyntax"
	"github.com/golang-jwt/jwt/v5"
)

// Defaults and limits.
const (
	DefaultLeeway        = 30 * time.Second
	MaxLeeway            = 5 * time.Minute
	DefaultMaxTokenBytes = 8 << 10
	// MaxMaxTokenBytes bounds Config.MaxTokenBytes.
	MaxMaxTokenBytes   = 64 << 10
	DefaultRealm       = "api"
	DefaultRolesClaim  = "roles"
	DefaultScopeClaim  = "scope"
	DefaultScopesClaim = "scp"
	DefaultAPIKeyField = "X-API-Key"
)

// Config configures an [Authenticator]. Its zero value is not usable:
// Issuers and Audiences are required. Every other zero field means the safe
// default. New copies what it needs, so mutating a Config after New has no
// effect.
type Config struct {
	_ [0]func()

	// Issuers are the token issuers trusted, each with its own keys. A
	// token's "iss" selects exactly one of them.
	Issuers []TrustedIssuer
	// Audiences identify this API; a token's "aud" must contain one.
	Audiences []string
	// Types are the accepted values of the "typ" header, compared
	// case-insensitively; an empty string in the list accepts tokens
	// without typ. Empty means "at+jwt" and "application/at+jwt" (RFC 9068
	// §2.1).
	Types []string
	// Leeway absorbs clock skew on exp, nbf and iat. Zero means
	// DefaultLeeway; at most MaxLeeway.
	Leeway time.Duration
	// MaxTokenBytes caps the token length, checked before any decoding.
	// Zero means DefaultMaxTokenBytes; at most MaxMaxTokenBytes.
	MaxTokenBytes int
	// Realm is sent in WWW-Authenticate challenges. Zero means
	// DefaultRealm.
	Realm string

	// RolesClaim names the claim holding a JSON array of roles; zero means
	// "roles". ScopeClaim names the space-separated scope string (zero
	// means "scope") and ScopesClaim a JSON array alternative (zero means
	// "scp").
	RolesClaim  string
	ScopeClaim  string
	ScopesClaim string

	// CookieName, when set, also accepts the token from that cookie.
	// QueryParameter, when set, also accepts it from that URL query
	// parameter (RFC 6750 §2.3 discourages this: URLs are logged). A token
	// found in more than one place is an invalid request. Browsers send
	// cookies on cross-site requests too: with CookieName, also use
	// SameSite cookies and CSRF protection such as
	// net/http.CrossOriginProtection.
	CookieName     string
	QueryParameter string

	// CredentialsOptional lets requests without any credentials through
	// without a principal. Invalid credentials are still rejected.
	CredentialsOptional bool

	// Revocations, if set, is consulted after a token is verified. When it
	// fails the request is refused with 503, unless
	// DangerouslyIgnoreRevocationErrors is set.
	Revocations                       RevocationList
	DangerouslyIgnoreRevocationErrors bool

	// APIKeys, if set, enables API keys read from the APIKeyHeader field
	// (zero means "X-API-Key"). API keys are never read from the query.
	APIKeys      APIKeyStore
	APIKeyHeader string

	// ErrorHandler, if set, writes rejections instead of the default
	// problem+json body. It receives an error wrapping one of the
	// sentinels; WWW-Authenticate is already set when it runs.
	ErrorHandler func(w http.ResponseWriter, r *http.Request, err error)
	// Logger receives authn_token_invalid, authn_token_expired,
	// authn_token_revoked and authz_fail events. Nil disables logging.
	Logger *slog.Logger
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// TrustedIssuer is one issuer and where its keys come from: static Keys, a
// JWKS, or both, or a Keyfunc. Its zero value is invalid. New copies it;
// the JWKS it points to is shared, not copied.
type TrustedIssuer struct {
	// Issuer is compared byte for byte with the token's "iss".
	Issuer string
	// Keys are static verification keys.
	Keys []Key
	// JWKS supplies keys fetched from the issuer's JWKS URL.
	JWKS *JWKS
	// Keyfunc is an escape hatch for key sources apisec does not cover.
	// It receives a token whose Header holds alg, kid and typ and whose
	// Claims are nil. Algorithms is required with it.
	Keyfunc jwt.Keyfunc
	// Algorithms restricts JWKS keys to these algorithms, and lists the
	// algorithms allowed with Keyfunc. Static keys pin their own.
	Algorithms []string
}

type compiledIssuer struct {
	name    string
	keys    []*verifier
	jwks    *JWKS
	keyfunc jwt.Keyfunc
	algs    [algCount]bool
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

var registeredClaims = []string{"iss", "sub", "aud", "exp", "nbf", "iat", "jti", "client_id"}

func (c *Config) validate(a *Authenticator) error {
	var errs []error
	bad := func(field, reason string) { errs = append(errs, &ConfigError{Field: field, Reason: reason}) }

	if len(c.Issuers) == 0 && c.APIKeys == nil {
		bad("Issuers", "at least one trusted issuer (or APIKeys) is required")
	}
	seen := map[string]bool{}
	for i, is := range c.Issuers {
		f := "Issuers[" + strconv.Itoa(i) + "]"
		ci := &compiledIssuer{name: is.Issuer, jwks: is.JWKS, keyfunc: is.Keyfunc}
		switch {
		case is.Issuer == "":
			bad(f+".Issuer", "required")
		case seen[is.Issuer]:
			bad(f+".Issuer", "duplicate issuer")
		}
		seen[is.Issuer] = true
		if len(is.Keys) == 0 && is.JWKS == nil && is.Keyfunc == nil {
			bad(f, "needs Keys, JWKS or Keyfunc")
		}
		if is.Keyfunc != nil && (len(is.Keys) != 0 || is.JWKS != nil) {
			bad(f+".Keyfunc", "cannot be combined with Keys or JWKS")
		}
		if is.Keyfunc != nil && len(is.Algorithms) == 0 {
			bad(f+".Algorithms", "required with Keyfunc")
		}
		if is.Keyfunc == nil && is.JWKS == nil && len(is.Algorithms) != 0 {
			bad(f+".Algorithms", "only used with JWKS or Keyfunc; static keys pin their own algorithm")
		}
		for j, name := range is.Algorithms {
			al := parseAlg(name)
			if al == algUnknown {
				bad(f+".Algorithms["+strconv.Itoa(j)+"]", strconv.Quote(name)+" is not a supported algorithm")
				continue
			}
			ci.algs[al] = true
		}
		if is.JWKS != nil && len(is.Algorithms) == 0 {
			for al := algRS256; al < algCount; al++ { // asymmetric only
				ci.algs[al] = true
			}
		}
		type kidAlg struct {
			id string
			a  string
		}
		dup := map[kidAlg]bool{}
		for j, k := range is.Keys {
			kf := f + ".Keys[" + strconv.Itoa(j) + "]"
			v, kerrs := checkKey(kf, k)
			errs = append(errs, kerrs...)
			if dup[kidAlg{k.ID, k.Algorithm}] {
				bad(kf+".ID", "duplicate key ID for this algorithm")
			}
			dup[kidAlg{k.ID, k.Algorithm}] = true
			if v != nil {
				ci.keys = append(ci.keys, v)
				ci.algs[v.alg] = true
			}
		}
		a.issuers = append(a.issuers, ci)
	}
	if len(c.Issuers) != 0 && len(c.Audiences) == 0 {
		bad("Audiences", "required")
	}
	for i, aud := range c.Audiences {
		if aud == "" {
			bad("Audiences["+strconv.Itoa(i)+"]", "empty")
		}
	}
	a.audiences = append([]string(nil), c.Audiences...)

	a.types = append([]string(nil), c.Types...)
	if len(a.types) == 0 {
		a.types = []string{"at+jwt", "application/at+jwt"}
	}
	for i, t := range c.Types {
		if !printable(t) {
			bad("Types["+strconv.Itoa(i)+"]", "contains control or non-ASCII characters")
		}
	}

	a.leeway = c.Leeway
	switch {
	case c.Leeway == 0:
		a.leeway = DefaultLeeway
	case c.Leeway < 0:
		bad("Leeway", "negative")
	case c.Leeway > MaxLeeway:
		bad("Leeway", "at most "+MaxLeeway.String())
	}
	a.maxToken = c.MaxTokenBytes
	switch {
	case c.MaxTokenBytes == 0:
		a.maxToken = DefaultMaxTokenBytes
	case c.MaxTokenBytes < 64:
		bad("MaxTokenBytes", "at least 64")
	case c.MaxTokenBytes > MaxMaxTokenBytes:
		bad("MaxTokenBytes", "at most "+strconv.Itoa(MaxMaxTokenBytes))
	}

	a.realm = c.Realm
	if a.realm == "" {
		a.realm = DefaultRealm
	}
	if !printable(a.realm) {
		bad("Realm", "contains control or non-ASCII characters")
	}

	claimName := func(field, v, def string) string {
		if v == "" {
			return def
		}
		if len(v) > maxName {
			bad(field, "at most "+strconv.Itoa(maxName)+" bytes")
		}
		for _, r := range registeredClaims {
			if strings.EqualFold(v, r) {
				bad(field, strconv.Quote(v)+" is a registered claim")
			}
		}
		return v
	}
	a.rolesClaim = claimName("RolesClaim", c.RolesClaim, DefaultRolesClaim)
	a.scopeClaim = claimName("ScopeClaim", c.ScopeClaim, DefaultScopeClaim)
	a.scopesClaim = claimName("ScopesClaim", c.ScopesClaim, DefaultScopesClaim)
	if strings.EqualFold(a.rolesClaim, a.scopeClaim) || strings.EqualFold(a.rolesClaim, a.scopesClaim) ||
		strings.EqualFold(a.scopeClaim, a.scopesClaim) {
		bad("RolesClaim", "RolesClaim, ScopeClaim and ScopesClaim must differ")
	}

	if c.CookieName != "" && !httpsyntax.IsToken(c.CookieName) {
		bad("CookieName", "not a valid cookie name")
	}
	a.cookie = c.CookieName
	if c.QueryParameter != "" && !printable(c.QueryParameter) {
		bad("QueryParameter", "contains control or non-ASCII characters")
	}
	a.query = c.QueryParameter
	a.optional = c.CredentialsOptional
	a.revocations = c.Revocations
	a.ignoreRevErr = c.DangerouslyIgnoreRevocationErrors
	if c.DangerouslyIgnoreRevocationErrors && c.Revocations == nil {
		bad("DangerouslyIgnoreRevocationErrors", "set without Revocations")
	}
	a.apiKeys = c.APIKeys
	a.apiKeyHeader = c.APIKeyHeader
	if a.apiKeyHeader == "" {
		a.apiKeyHeader = DefaultAPIKeyField
	}
	if !httpsyntax.IsToken(a.apiKeyHeader) {
		bad("APIKeyHeader", "not a valid header field name")
	} else if strings.EqualFold(a.apiKeyHeader, "Authorization") || strings.EqualFold(a.apiKeyHeader, "Cookie") {
		bad("APIKeyHeader", "must not be Authorization or Cookie")
	}
	a.apiKeyHeader = http.CanonicalHeaderKey(a.apiKeyHeader)
	a.errorHandler = c.ErrorHandler
	a.logger = c.Logger
	a.now = c.Now
	if a.now == nil {
		a.now = time.Now
	}
	if len(errs) == 0 {
		return nil
	}
	return errors.Join(errs...)
}
