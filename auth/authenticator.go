package auth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"math"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/golang-jwt/jwt/v5"

	"github.com/apisec-go/apisec/principal"
)

// Authenticator verifies bearer tokens (and, when configured, API keys)
// and stores the caller as a [principal.Principal] in the request context.
//
// Create one with [New]; the zero value is not usable. An Authenticator is
// safe for concurrent use, and its configuration cannot change after New.
type Authenticator struct {
	issuers      []*compiledIssuer
	audiences    []string
	types        []string
	leeway       time.Duration
	maxToken     int
	realm        string
	rolesClaim   string
	scopeClaim   string
	scopesClaim  string
	cookie       string
	query        string
	optional     bool
	revocations  RevocationList
	ignoreRevErr bool
	apiKeys      APIKeyStore
	apiKeyHeader string
	errorHandler func(http.ResponseWriter, *http.Request, error)
	logger       *slog.Logger
	now          func() time.Time

	scratch sync.Pool
	resp    responses
}

// New checks cfg and returns an Authenticator, or every configuration
// problem at once as [*ConfigError] values joined with errors.Join.
func New(cfg Config) (*Authenticator, error) {
	a := &Authenticator{}
	if err := cfg.validate(a); err != nil {
		return nil, err
	}
	size := a.maxToken
	a.scratch.New = func() any { b := make([]byte, size); return &b }
	a.resp = newResponses(a.realm)
	return a, nil
}

// Handler authenticates every request before calling next. Requests with
// valid credentials reach next with a principal in their context (read it
// with principal.FromContext); the rest get 400, 401 or 503 with a
// problem+json body and, for 400 and 401, a WWW-Authenticate challenge.
func (a *Authenticator) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := a.authenticate(r)
		if err != nil {
			if err == errNoCredentials && a.optional {
				next.ServeHTTP(w, r)
				return
			}
			a.fail(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(principal.NewContext(r.Context(), p)))
	})
}

// Authenticate verifies the request's credentials without HTTP plumbing.
// The error wraps one of the package sentinels; it is ErrTokenMissing
// when the request has no credentials at all.
func (a *Authenticator) Authenticate(r *http.Request) (*principal.Principal, error) {
	p, err := a.authenticate(r)
	if err != nil {
		return nil, err
	}
	return p, nil
}

// VerifyToken verifies a raw compact JWS as Handler would, for tokens that
// arrive outside HTTP (a WebSocket message, a queue).
func (a *Authenticator) VerifyToken(ctx context.Context, token string) (*principal.Principal, error) {
	if len(token) > a.maxToken {
		return nil, errTokenSize
	}
	if !isB64Token(token) {
		return nil, errTokenCharset
	}
	p, err := a.verify(ctx, token)
	if err != nil {
		return nil, err
	}
	return p, nil
}

type credKind uint8

const (
	credNone credKind = iota
	credBearer
	credCookie
	credQuery
	credAPIKey
)

var errUnsupportedScheme = reject(ErrTokenMissing, "unsupported authorization scheme")

func (a *Authenticator) authenticate(r *http.Request) (*principal.Principal, *Error) {
	cred, kind, err := a.extract(r)
	if err != nil {
		return nil, err
	}
	if kind == credAPIKey {
		return a.authenticateAPIKey(r.Context(), cred)
	}
	if len(cred) > a.maxToken {
		return nil, errTokenSize
	}
	if !isB64Token(cred) {
		return nil, errTokenCharset
	}
	return a.verify(r.Context(), cred)
}

// extract finds the one credential of the request (RFC 6750 §2).
func (a *Authenticator) extract(r *http.Request) (string, credKind, *Error) {
	var (
		cred string
		kind credKind
		n    int
	)
	authz := r.Header["Authorization"]
	switch len(authz) {
	case 0:
	case 1:
		n++
		v := authz[0]
		i := 0
		for i < len(v) && v[i] != ' ' && v[i] != '\t' {
			i++
		}
		if !strings.EqualFold(v[:i], "Bearer") {
			if i == 0 {
				return "", 0, errAuthzSyntax
			}
			cred, kind = "", credNone // another scheme: not ours
			break
		}
		if i == len(v) || v[i] != ' ' {
			return "", 0, errAuthzSyntax // no token, or HTAB instead of SP
		}
		for i < len(v) && v[i] == ' ' {
			i++
		}
		if i == len(v) {
			return "", 0, errAuthzSyntax
		}
		cred, kind = v[i:], credBearer
	default:
		return "", 0, errMultipleAuthz
	}
	if a.apiKeys != nil {
		switch vals := r.Header[a.apiKeyHeader]; len(vals) {
		case 0:
		case 1:
			n++
			cred, kind = vals[0], credAPIKey
		default:
			return "", 0, errMultipleAPIKeys
		}
	}
	if a.cookie != "" {
		switch cs := r.CookiesNamed(a.cookie); len(cs) {
		case 0:
		case 1:
			n++
			cred, kind = cs[0].Value, credCookie
		default:
			return "", 0, errMultipleSources
		}
	}
	if a.query != "" && r.URL != nil && r.URL.RawQuery != "" {
		switch vs := r.URL.Query()[a.query]; len(vs) {
		case 0:
		case 1:
			n++
			cred, kind = vs[0], credQuery
		default:
			return "", 0, errMultipleSources
		}
	}
	switch {
	case n == 0:
		return "", 0, errNoCredentials
	case n > 1:
		return "", 0, errMultipleSources
	case kind == credNone:
		return "", 0, errUnsupportedScheme
	}
	return cred, kind, nil
}

// isB64Token reports whether s matches RFC 6750's b64token:
// 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
func isB64Token(s string) bool {
	i := 0
	for i < len(s) && b64tokenChar[s[i]] {
		i++
	}
	if i == 0 {
		return false
	}
	for i < len(s) && s[i] == '=' {
		i++
	}
	return i == len(s)
}

var b64tokenChar, b64urlChar = func() (t, u [256]bool) {
	for c := 'A'; c <= 'Z'; c++ {
		t[c], u[c] = true, true
		t[c+'a'-'A'], u[c+'a'-'A'] = true, true
	}
	for c := '0'; c <= '9'; c++ {
		t[c], u[c] = true, true
	}
	for _, c := range "-._~+/" {
		t[c] = true
	}
	u['-'], u['_'] = true, true
	return
}()

var b64 = base64.RawURLEncoding.Strict()

func bytesOf(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// maxSigChars fits the largest signature supported (RSA-16384).
const maxSigChars = 2732

// claim bits, for duplicate detection.
const (
	cIss = 1 << iota
	cSub
	cAud
	cExp
	cNbf
	cIat
	cJti
	cClientID
	cRoles
	cScope
	cScopes
)

type rawClaims struct {
	seen                                        int
	iss, sub, aud, exp, nbf, iat, jti, clientID string
	roles, scope, scopes                        string
}

// identity allocates the principal and its claims together.
type identity struct {
	p principal.Principal
	c Claims
}

// verify checks a token whose size and charset were already checked.
func (a *Authenticator) verify(ctx context.Context, tok string) (*principal.Principal, *Error) {
	// Shape: exactly three non-empty base64url segments. This also rejects
	// the CR and LF that Go's base64 decoder would silently skip.
	dot1, dot2 := -1, -1
	for i := 0; i < len(tok); i++ {
		c := tok[i]
		if c == '.' {
			switch {
			case dot1 < 0:
				dot1 = i
			case dot2 < 0:
				dot2 = i
			default:
				return nil, errTokenShape
			}
			continue
		}
		if !b64urlChar[c] {
			return nil, errTokenShape
		}
	}
	if dot1 <= 0 || dot2 <= dot1+1 || dot2 == len(tok)-1 || len(tok)-dot2-1 > maxSigChars {
		return nil, errTokenShape
	}
	hseg, pseg, sseg := tok[:dot1], tok[dot1+1:dot2], tok[dot2+1:]

	bufp := a.scratch.Get().(*[]byte)
	defer a.scratch.Put(bufp)
	buf := *bufp

	hn, err := b64.Decode(buf, bytesOf(hseg))
	if err != nil {
		return nil, errTokenBase64
	}
	header := buf[:hn]
	if !json.Valid(header) || !utf8.Valid(header) {
		return nil, errTokenHeaderJSON
	}
	pn, err := b64.Decode(buf[hn:], bytesOf(pseg))
	if err != nil {
		return nil, errTokenBase64
	}
	payload := buf[hn : hn+pn]
	sn, err := b64.Decode(buf[hn+pn:], bytesOf(sseg))
	if err != nil {
		return nil, errTokenBase64
	}
	sig := buf[hn+pn : hn+pn+sn]
	if !json.Valid(payload) || !utf8.Valid(payload) {
		return nil, errTokenPayloadJSON
	}

	// Protected header: alg, typ, kid; crit is never understood. Escaped
	// member names are decoded into nameBuf: a forged token full of them
	// costs no allocation.
	var nameBuf [maxName]byte
	var (
		al             alg
		kid            []byte
		hasKid, hasTyp bool
		typ            []byte
		seenAlg        bool
	)
	obj, ok := openObject(header)
	if !ok {
		return nil, errTokenHeaderJSON
	}
	for {
		k, v, esc, more := obj.next()
		if !more {
			break
		}
		if esc {
			s, long, ok := unescapeName(&nameBuf, k)
			if !ok {
				return nil, errTokenHeaderJSON
			}
			if long {
				continue // longer than any parameter we read
			}
			k = nameBuf[:len(s)] // s is these bytes: no copy
		}
		switch string(k) {
		case "alg":
			if seenAlg {
				return nil, errHeaderParam
			}
			seenAlg = true
			s, ok := jsonString(string(v))
			if !ok {
				return nil, errHeaderParam
			}
			if strings.EqualFold(s, "none") {
				return nil, errAlgNone
			}
			if al = parseAlg(s); al == algUnknown {
				return nil, errAlgNotAllowed
			}
		case "typ":
			if hasTyp {
				return nil, errHeaderParam
			}
			hasTyp = true
			if typ, ok = jsonBytes(v); !ok {
				return nil, errTyp
			}
		case "kid":
			if hasKid {
				return nil, errHeaderParam
			}
			hasKid = true
			if kid, ok = jsonBytes(v); !ok {
				return nil, errHeaderParam
			}
		case "crit":
			return nil, errCrit // RFC 7515 §4.1.11: we understand no extension
		default:
			// 12 bytes: four letters, each possibly a 3-byte rune that
			// folds to ASCII (U+212A KELVIN SIGN is a "k").
			if len(k) <= 12 && (strings.EqualFold(string(k), "alg") || strings.EqualFold(string(k), "typ") ||
				strings.EqualFold(string(k), "kid") || strings.EqualFold(string(k), "crit")) {
				return nil, errHeaderParam
			}
		}
	}
	if !seenAlg {
		return nil, errAlgNotAllowed
	}
	typName, typOK := "", false
	for _, t := range a.types {
		if (t == "" && !hasTyp) || (hasTyp && t != "" && strings.EqualFold(string(typ), t)) {
			typName, typOK = t, true
			break
		}
	}
	if !typOK {
		return nil, errTyp
	}

	// Claims, matched by exact name; a case variant or a duplicate of a
	// claim we read is rejected.
	ps := string(payload)
	var rc rawClaims
	pobj, ok := openObject(ps)
	if !ok {
		return nil, errTokenPayloadJSON
	}
	for {
		k, v, esc, more := pobj.next()
		if !more {
			break
		}
		if esc {
			s, long, ok := unescapeName(&nameBuf, k)
			if !ok {
				return nil, errTokenPayloadJSON
			}
			if long {
				continue // longer than any claim we read
			}
			k = s
		}
		var bit int
		var dst *string
		switch k {
		case "iss":
			bit, dst = cIss, &rc.iss
		case "sub":
			bit, dst = cSub, &rc.sub
		case "aud":
			bit, dst = cAud, &rc.aud
		case "exp":
			bit, dst = cExp, &rc.exp
		case "nbf":
			bit, dst = cNbf, &rc.nbf
		case "iat":
			bit, dst = cIat, &rc.iat
		case "jti":
			bit, dst = cJti, &rc.jti
		case "client_id":
			bit, dst = cClientID, &rc.clientID
		case a.rolesClaim:
			bit, dst = cRoles, &rc.roles
		case a.scopeClaim:
			bit, dst = cScope, &rc.scope
		case a.scopesClaim:
			bit, dst = cScopes, &rc.scopes
		default:
			if a.caseVariant(k) {
				return nil, errClaimCase
			}
			continue
		}
		if rc.seen&bit != 0 {
			return nil, errClaimDuplicate
		}
		rc.seen |= bit
		if v != "null" {
			*dst = v
		}
	}

	// Issuer, then the key pinned to (issuer, alg, kid), then the signature.
	iss, ok := jsonString(rc.iss)
	if !ok {
		return nil, errIssuer
	}
	var ci *compiledIssuer
	for _, c := range a.issuers {
		if c.name == iss {
			ci = c
			break
		}
	}
	if ci == nil {
		return nil, errIssuer
	}
	if !ci.algs[al] {
		return nil, errAlgNotAllowed
	}
	input := tok[:dot2]
	if ci.keyfunc != nil {
		if e := a.verifyKeyfunc(ci, al, kid, hasKid, typ, hasTyp, input, sig); e != nil {
			return nil, e
		}
	} else {
		v := ci.find(al, kid, hasKid)
		if v == nil && ci.jwks != nil {
			var e *Error
			if v, e = ci.jwks.find(ctx, al, kid, hasKid); e != nil {
				return nil, e
			}
		}
		if v == nil {
			return nil, errNoKey
		}
		if !v.verify(input, sig) {
			return nil, errSignature
		}
	}

	// Any duplicate member name, even of a custom claim, would let two JSON
	// parsers disagree (RFC 7519 §4 says to reject or keep the last; we
	// reject). Checked after the signature, so only trusted issuers' tokens
	// pay for it.
	if hasDuplicateKeys(ps) {
		return nil, errClaimDuplicate
	}

	// Registered claims (RFC 7519 §4.1, RFC 9068 §2.2).
	id := &identity{}
	c := &id.c
	c.Issuer = ci.name
	c.Raw = ps
	c.Algorithm = al.String()
	c.Type = typName
	if hasKid {
		c.KeyID = string(kid)
	}
	if rc.sub == "" {
		return nil, errMissingSub
	}
	if c.Subject, ok = jsonString(rc.sub); !ok || c.Subject == "" {
		return nil, errMissingSub
	}
	if rc.aud == "" {
		return nil, errAudience
	}
	if c.Audience, ok = jsonStrings(rc.aud, true); !ok {
		return nil, errClaimType
	}
	if !a.audienceOK(c.Audience) {
		return nil, errAudience
	}
	if rc.exp == "" {
		return nil, errMissingExp
	}
	if c.ExpiresAt, ok = numericDate(rc.exp); !ok {
		return nil, errClaimType
	}
	if rc.iat == "" {
		return nil, errMissingIat
	}
	if c.IssuedAt, ok = numericDate(rc.iat); !ok {
		return nil, errClaimType
	}
	if rc.nbf != "" {
		if c.NotBefore, ok = numericDate(rc.nbf); !ok {
			return nil, errClaimType
		}
	}
	if rc.jti != "" {
		if c.ID, ok = jsonString(rc.jti); !ok {
			return nil, errClaimType
		}
	}
	if rc.clientID != "" {
		if c.ClientID, ok = jsonString(rc.clientID); !ok {
			return nil, errClaimType
		}
	}
	if rc.roles != "" {
		if c.Roles, ok = jsonStrings(rc.roles, false); !ok {
			return nil, errClaimType
		}
	}
	switch {
	case rc.scope != "":
		s, ok := jsonString(rc.scope)
		if !ok {
			return nil, errClaimType
		}
		c.Scopes = strings.Fields(s)
	case rc.scopes != "":
		if c.Scopes, ok = jsonStrings(rc.scopes, false); !ok {
			return nil, errClaimType
		}
	}

	now := a.now()
	if !now.Before(c.ExpiresAt.Add(a.leeway)) {
		return nil, errExpired
	}
	if !c.NotBefore.IsZero() && now.Add(a.leeway).Before(c.NotBefore) {
		return nil, errNotYetValid
	}
	if now.Add(a.leeway).Before(c.IssuedAt) {
		return nil, errIssuedInFuture
	}

	if a.revocations != nil {
		revoked, err := a.revocations.IsRevoked(ctx, c.TokenInfo())
		switch {
		case err != nil && !a.ignoreRevErr:
			return nil, errRevocationFailed
		case revoked:
			return nil, errRevoked
		}
	}

	id.p = principal.Principal{
		Subject:   c.Subject,
		Issuer:    c.Issuer,
		Audience:  c.Audience,
		Roles:     c.Roles,
		Scopes:    c.Scopes,
		Method:    principal.MethodJWT,
		ExpiresAt: c.ExpiresAt,
		Claims:    c,
	}
	return &id.p, nil
}

// caseVariant reports whether k differs only in case from a claim we read.
func (a *Authenticator) caseVariant(k string) bool {
	for _, r := range registeredClaims {
		if strings.EqualFold(k, r) {
			return true
		}
	}
	return strings.EqualFold(k, a.rolesClaim) || strings.EqualFold(k, a.scopeClaim) || strings.EqualFold(k, a.scopesClaim)
}

func (a *Authenticator) audienceOK(aud []string) bool {
	for _, x := range aud {
		for _, y := range a.audiences {
			if x == y {
				return true
			}
		}
	}
	return false
}

// maxNumericDate is 9999-12-31T23:59:59Z.
const maxNumericDate = 253402300799

func numericDate(v string) (time.Time, bool) {
	f, ok := jsonNumber(v)
	if !ok || math.IsNaN(f) || f < 0 || f > maxNumericDate {
		return time.Time{}, false
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)), true
}

func (ci *compiledIssuer) find(al alg, kid []byte, hasKid bool) *verifier {
	for _, v := range ci.keys {
		if v.alg == al && (hasKid && v.id == string(kid) || !hasKid && v.id == "") {
			return v
		}
	}
	return nil
}

func (a *Authenticator) verifyKeyfunc(ci *compiledIssuer, al alg, kid []byte, hasKid bool, typ []byte, hasTyp bool, input string, sig []byte) *Error {
	method := al.method()
	t := &jwt.Token{Method: method, Header: map[string]any{"alg": al.String()}}
	if hasKid {
		t.Header["kid"] = string(kid)
	}
	if hasTyp {
		t.Header["typ"] = string(typ)
	}
	key, err := ci.keyfunc(t)
	if err != nil || key == nil {
		return errNoKey
	}
	if set, ok := key.(jwt.VerificationKeySet); ok {
		for _, k := range set.Keys {
			if keyMatches(al, k) && method.Verify(input, sig, k) == nil {
				return nil
			}
		}
		return errSignature
	}
	if !keyMatches(al, key) {
		return errNoKey
	}
	if method.Verify(input, sig, key) != nil {
		return errSignature
	}
	return nil
}

// keyMatches pins a Keyfunc key to the algorithm family and strength that
// New would require of a static key.
func keyMatches(al alg, key any) bool {
	var k Key
	k.Algorithm = al.String()
	if b, ok := key.([]byte); ok {
		k.Secret = b
	} else {
		k.PublicKey = key
	}
	_, errs := checkKey("", k)
	return errs == nil
}
