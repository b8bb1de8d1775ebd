package auth

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"time"
)

// Issuer lifetimes.
const (
	DefaultTokenLifetime = 15 * time.Minute
	MaxTokenLifetime     = 24 * time.Hour
)

// IssuerConfig configures [NewIssuer]. Its zero value is invalid:
// Issuer, Audience and Key are required. NewIssuer copies it.
type IssuerConfig struct {
	_ [0]func()
	// Issuer is the "iss" claim, and Audience the "aud" claim; both
	// required.
	Issuer   string
	Audience []string
	// Key signs the tokens: an HS256/384/512 Secret, or an RS*, PS*, ES*
	// or EdDSA algorithm with PrivateKey. Key.ID becomes the "kid"
	// header; it is required, so keys can be rotated.
	Key        Key
	PrivateKey crypto.Signer
	// Lifetime is the default token lifetime; zero means 15 min.
	// MaxLifetime caps per-token lifetimes; zero means Lifetime. Neither
	// may exceed 24 h.
	Lifetime    time.Duration
	MaxLifetime time.Duration
	// Type is the "typ" header; zero means "at+jwt".
	Type string
	// Logger receives authn_token_created events (subject, jti; never the
	// token). Nil disables logging.
	Logger *slog.Logger
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// Issuer mints access tokens for first-party APIs (RFC 9068). It is safe
// for concurrent use; its configuration cannot change after NewIssuer.
type Issuer struct {
	iss      string
	aud      []string
	al       alg
	key      any
	header   string // encoded protected header and the dot
	lifetime time.Duration
	maxLife  time.Duration
	logger   *slog.Logger
	now      func() time.Time
}

// Grant is what one token grants. The zero value is invalid (Subject is
// required).
type Grant struct {
	Subject string
	Roles   []string
	Scopes  []string
	// ClientID is the "client_id" claim; optional.
	ClientID string
	// Lifetime overrides IssuerConfig.Lifetime, up to MaxLifetime.
	Lifetime time.Duration
}

// NewIssuer checks cfg and returns an Issuer, or every problem at once.
func NewIssuer(cfg IssuerConfig) (*Issuer, error) {
	var errs []error
	bad := func(f, r string) { errs = append(errs, &ConfigError{Field: "IssuerConfig." + f, Reason: r}) }
	if cfg.Issuer == "" {
		bad("Issuer", "required")
	}
	if len(cfg.Audience) == 0 {
		bad("Audience", "required")
	}
	for i, a := range cfg.Audience {
		if a == "" {
			bad("Audience["+strconv.Itoa(i)+"]", "empty")
		}
	}
	if cfg.Key.ID == "" {
		bad("Key.ID", "required")
	}
	is := &Issuer{iss: cfg.Issuer, aud: append([]string(nil), cfg.Audience...),
		lifetime: cfg.Lifetime, maxLife: cfg.MaxLifetime, logger: cfg.Logger, now: cfg.Now}
	is.al = parseAlg(cfg.Key.Algorithm)
	switch {
	case cfg.Key.Algorithm == "":
		bad("Key.Algorithm", "required")
	case is.al == algUnknown:
		bad("Key.Algorithm", strconv.Quote(cfg.Key.Algorithm)+" is not a supported algorithm")
	case is.al.hmac():
		if cfg.PrivateKey != nil {
			bad("PrivateKey", "must be nil for "+is.al.String())
		}
		_, kerrs := checkKey("IssuerConfig.Key", cfg.Key)
		errs = append(errs, kerrs...)
		is.key = append([]byte(nil), cfg.Key.Secret...)
	default:
		if cfg.PrivateKey == nil {
			bad("PrivateKey", "required for "+is.al.String())
			break
		}
		pub := publicOf(cfg.PrivateKey)
		if pub == nil {
			bad("PrivateKey", "must be a complete *rsa.PrivateKey, *ecdsa.PrivateKey or ed25519.PrivateKey")
			break
		}
		_, kerrs := checkKey("IssuerConfig.PrivateKey", Key{Algorithm: cfg.Key.Algorithm, PublicKey: pub})
		errs = append(errs, kerrs...)
		is.key = cfg.PrivateKey
	}
	switch {
	case is.lifetime == 0:
		is.lifetime = DefaultTokenLifetime
	case is.lifetime < time.Second:
		bad("Lifetime", "at least 1s")
	case is.lifetime > MaxTokenLifetime:
		bad("Lifetime", "at most "+MaxTokenLifetime.String())
	}
	switch {
	case is.maxLife == 0:
		is.maxLife = is.lifetime
	case is.maxLife < is.lifetime:
		bad("MaxLifetime", "less than Lifetime")
	case is.maxLife > MaxTokenLifetime:
		bad("MaxLifetime", "at most "+MaxTokenLifetime.String())
	}
	typ := cfg.Type
	if typ == "" {
		typ = "at+jwt"
	}
	if !printable(typ) {
		bad("Type", "contains control or non-ASCII characters")
	}
	if errs != nil {
		return nil, errors.Join(errs...)
	}
	if is.now == nil {
		is.now = time.Now
	}
	h, _ := json.Marshal(struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
		Typ string `json:"typ"`
	}{is.al.String(), cfg.Key.ID, typ})
	is.header = base64.RawURLEncoding.EncodeToString(h) + "."
	return is, nil
}

// publicOf returns the public half of a supported private key, or nil for
// another type or a key without its private part (a typed nil, a zero
// struct, a short ed25519 key): Public would panic on those, or signing
// would.
func publicOf(k crypto.Signer) crypto.PublicKey {
	switch k := k.(type) {
	case *rsa.PrivateKey:
		if k != nil && k.N != nil && k.D != nil {
			return &k.PublicKey
		}
	case *ecdsa.PrivateKey:
		//lint:ignore SA1019 only its presence is read: Bytes panics without it
		if k != nil && k.Curve != nil && k.X != nil && k.Y != nil && k.D != nil {
			if _, err := k.Bytes(); err == nil {
				return &k.PublicKey
			}
		}
	case ed25519.PrivateKey:
		if len(k) == ed25519.PrivateKeySize {
			return k.Public()
		}
	}
	return nil
}

// ErrGrant is returned by [Issuer.Issue] for an unusable grant.
var ErrGrant = errors.New("auth: invalid grant")

type issuedClaims struct {
	Iss      string   `json:"iss"`
	Sub      string   `json:"sub"`
	Aud      []string `json:"aud"`
	Exp      int64    `json:"exp"`
	Nbf      int64    `json:"nbf"`
	Iat      int64    `json:"iat"`
	Jti      string   `json:"jti"`
	ClientID string   `json:"client_id,omitempty"`
	Roles    []string `json:"roles,omitempty"`
	Scope    string   `json:"scope,omitempty"`
}

// Issue mints a signed token for g and returns it with its claims. The
// token carries iss, sub, aud, exp, nbf, iat, a random jti, client_id,
// roles and scope, and the typ and kid headers.
func (is *Issuer) Issue(g Grant) (string, *Claims, error) {
	life := g.Lifetime
	if life == 0 {
		life = is.lifetime
	}
	switch {
	case g.Subject == "":
		return "", nil, errors.Join(ErrGrant, errors.New("subject required"))
	case life < 0 || life > is.maxLife:
		return "", nil, errors.Join(ErrGrant, errors.New("lifetime out of range"))
	}
	for _, s := range g.Scopes {
		if s == "" || strings.ContainsAny(s, " \t\r\n\"\\") {
			return "", nil, errors.Join(ErrGrant, errors.New("scope names must be non-empty with no spaces, quotes or backslashes"))
		}
	}
	now := is.now().Truncate(time.Second)
	c := issuedClaims{Iss: is.iss, Sub: g.Subject, Aud: is.aud, Iat: now.Unix(), Nbf: now.Unix(),
		Exp: now.Add(life).Unix(), Jti: rand.Text(), ClientID: g.ClientID, Roles: g.Roles,
		Scope: strings.Join(g.Scopes, " ")}
	payload, err := json.Marshal(c)
	if err != nil {
		return "", nil, err
	}
	input := is.header + base64.RawURLEncoding.EncodeToString(payload)
	sig, err := is.al.method().Sign(input, is.key)
	if err != nil {
		return "", nil, err
	}
	tok := input + "." + base64.RawURLEncoding.EncodeToString(sig)
	if is.logger != nil {
		is.logger.Info("authn_token_created", slog.String("subject", g.Subject), slog.String("jti", c.Jti),
			slog.String("issuer", is.iss), slog.Time("expires", now.Add(life)))
	}
	return tok, &Claims{Issuer: is.iss, Subject: g.Subject, Audience: append([]string(nil), is.aud...), ExpiresAt: now.Add(life),
		NotBefore: now, IssuedAt: now, ID: c.Jti, ClientID: g.ClientID, Roles: g.Roles, Scopes: g.Scopes,
		Algorithm: is.al.String(), Raw: string(payload)}, nil
}
