package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/apisec-go/apisec/audit"
	"github.com/apisec-go/apisec/auth"
	"github.com/apisec-go/apisec/clientip"
	"github.com/apisec-go/apisec/cors"
	apicrypto "github.com/apisec-go/apisec/crypto"
	"github.com/apisec-go/apisec/crypto/password"
	"github.com/apisec-go/apisec/headers"
	"github.com/apisec-go/apisec/ratelimit"
	"github.com/apisec-go/apisec/ratelimit/redisstore"
	"github.com/apisec-go/apisec/validate"
	"github.com/apisec-go/apisec/version"
)

// application is the composed handler and what must be closed with it.
type application struct {
	handler http.Handler
	api     *api // the handlers' shared state, which tests inspect
	closers []func() error
}

func (a *application) Close() {
	for i := len(a.closers) - 1; i >= 0; i-- {
		_ = a.closers[i]()
	}
}

// build wires every package. The chain, outermost first, is the one
// DESIGN.md gives: headers → cors → clientip → audit → ratelimit (by IP) →
// auth → version → validate → handler.
func build(ctx context.Context, cfg *config, stdout io.Writer, ops *slog.Logger) (*application, error) {
	app := &application{}
	fail := func(err error) (*application, error) {
		app.Close()
		return nil, err
	}

	// Audit: security events as JSON, cleaned and redacted by audit.Handler,
	// with a detector for brute force, stuffing and enumeration.
	var sink io.Writer = stdout
	if cfg.AuditLog != "-" {
		f, err := audit.OpenFile(cfg.AuditLog)
		if err != nil {
			return fail(&configError{"AUDIT_LOG", err.Error()})
		}
		app.closers = append(app.closers, f.Close)
		sink = f
	}
	detector, err := audit.NewDetector(audit.DetectorConfig{
		Next: slog.NewJSONHandler(sink, &slog.HandlerOptions{Level: slog.LevelInfo, ReplaceAttr: audit.ReplaceLevelNames}),
		OnAlert: func(_ context.Context, a audit.Alert) {
			ops.Warn("security alert", "rule", a.Rule)
		},
	})
	if err != nil {
		return fail(err)
	}
	auditHandler, err := audit.NewHandler(audit.HandlerConfig{Next: detector})
	if err != nil {
		return fail(err)
	}
	logger := slog.New(auditHandler)
	events, err := audit.NewRecorder(audit.RecorderConfig{Logger: logger, FailedLoginHashKey: randomKey(32)})
	if err != nil {
		return fail(err)
	}
	auditMW, err := audit.New(audit.Config{Logger: logger, Skip: func(r *http.Request) bool { return r.URL.Path == "/healthz" }})
	if err != nil {
		return fail(err)
	}

	// Keys.
	var ring *apicrypto.Keyring
	if cfg.EncryptionKeys != "" {
		keys, err := apicrypto.ParseKeys(cfg.EncryptionKeys)
		if err != nil {
			return fail(&configError{"ENCRYPTION_KEYS", err.Error()})
		}
		if ring, err = apicrypto.New(apicrypto.Config{Keys: keys, Logger: logger}); err != nil {
			return fail(&configError{"ENCRYPTION_KEYS", err.Error()})
		}
	} else {
		if ring, err = apicrypto.NewEphemeral(); err != nil {
			return fail(err)
		}
		ops.Warn("ENCRYPTION_KEYS is unset: using an ephemeral key; encrypted data will not survive a restart")
	}
	secret := cfg.JWTSecret
	if len(secret) == 0 {
		secret = randomKey(32)
		ops.Warn("JWT_SECRET is unset: using an ephemeral signing key; tokens will not survive a restart")
	}
	hasher, err := password.New(password.Config{Logger: logger})
	if err != nil {
		return fail(err)
	}

	// Shared state: Redis when configured, else memory.
	var (
		revocations auth.RevocationList
		store       ratelimit.Store
		loginStore  ratelimit.Store
	)
	if cfg.RedisURL != "" {
		opts, err := redis.ParseURL(cfg.RedisURL)
		if err != nil {
			return fail(&configError{"REDIS_URL", "not a redis:// URL"})
		}
		// Context deadlines reach the socket: the stores' short timeouts hold
		// and an idle rate-limit decision costs one round trip, no hand-off.
		opts.ContextTimeoutEnabled = true
		rdb := redis.NewClient(opts)
		app.closers = append(app.closers, rdb.Close)
		if store, err = redisstore.New(redisstore.Config{Client: rdb, Prefix: "apisec-example:rl"}); err != nil {
			return fail(err)
		}
		if loginStore, err = redisstore.New(redisstore.Config{Client: rdb, Prefix: "apisec-example:login"}); err != nil {
			return fail(err)
		}
		if revocations, err = newRedisRevocations(rdb); err != nil {
			return fail(err)
		}
		ops.Info("using Redis for rate limits and revocations")
	} else {
		mem, err := auth.NewMemoryRevocationList(auth.MemoryRevocationConfig{})
		if err != nil {
			return fail(err)
		}
		revocations = mem
	}

	// Rate limits.
	apiRate, err := ratelimit.ParseRate(cfg.RateLimit)
	if err != nil {
		return fail(&configError{"RATE_LIMIT", err.Error()})
	}
	loginRate, err := ratelimit.ParseRate(cfg.LoginRateLimit)
	if err != nil {
		return fail(&configError{"LOGIN_RATE_LIMIT", err.Error()})
	}
	apiLimiter, err := ratelimit.New(ratelimit.Config{
		Policies:    []ratelimit.Policy{apiRate},
		Store:       store,
		Key:         ratelimit.KeyByIP(0),
		ExemptPaths: []string{"/healthz"},
		Logger:      logger,
	})
	if err != nil {
		return fail(err)
	}
	app.closers = append(app.closers, apiLimiter.Close)
	loginIP, err := ratelimit.New(ratelimit.Config{Policies: []ratelimit.Policy{loginRate}, Store: loginStore, Logger: logger})
	if err != nil {
		return fail(err)
	}
	app.closers = append(app.closers, loginIP.Close)
	loginAccount, err := ratelimit.New(ratelimit.Config{Policies: []ratelimit.Policy{loginRate}, Store: loginStore, Logger: logger})
	if err != nil {
		return fail(err)
	}
	app.closers = append(app.closers, loginAccount.Close)

	// Authentication.
	hsKey := auth.Key{ID: "hs1", Algorithm: "HS256", Secret: secret}
	issuer, err := auth.NewIssuer(auth.IssuerConfig{
		Issuer:   cfg.JWTIssuer,
		Audience: []string{cfg.JWTAudience},
		Key:      hsKey,
		Lifetime: 15 * time.Minute,
		Logger:   logger,
	})
	if err != nil {
		return fail(&configError{"JWT_SECRET", err.Error()})
	}
	issuers := []auth.TrustedIssuer{{Issuer: cfg.JWTIssuer, Keys: []auth.Key{hsKey}}}
	if cfg.JWKSURL != "" {
		jwks, err := auth.NewJWKS(auth.JWKSConfig{URL: cfg.JWKSURL, Logger: logger})
		if err != nil {
			return fail(&configError{"JWKS_URL", err.Error()})
		}
		if err := jwks.Refresh(ctx); err != nil {
			ops.Warn("JWKS not reachable yet; will retry in the background", "error", err.Error())
		}
		issuers = append(issuers, auth.TrustedIssuer{
			Issuer:     cfg.JWKSIssuer,
			JWKS:       jwks,
			Algorithms: []string{"RS256", "PS256", "ES256", "ES384", "EdDSA"},
		})
	}
	authn, err := auth.New(auth.Config{
		Issuers:     issuers,
		Audiences:   []string{cfg.JWTAudience},
		Realm:       "apisec-example",
		Revocations: revocations,
		Logger:      logger,
	})
	if err != nil {
		return fail(err)
	}

	// Versions: v1 deprecated (sunset in a year), v2 current.
	now := time.Now().UTC().Truncate(24 * time.Hour)
	negotiator, err := version.New(version.Config{
		Versions: []version.Version{
			{Name: "1", Deprecated: now.AddDate(0, -1, 0), Sunset: now.AddDate(1, 0, 0), Link: "/docs/deprecations/v1", Successor: "2", SuccessorLink: "/docs/v2"},
			{Name: "2"},
		},
		Sources:    version.SourcePath,
		PathPrefix: "/api",
		Logger:     logger,
	})
	if err != nil {
		return fail(err)
	}

	// Validation.
	decoder, err := validate.New(validate.Config{MaxBodyBytes: 16 << 10, Logger: logger})
	if err != nil {
		return fail(err)
	}
	policy, err := validate.NewPasswordPolicy(validate.PasswordConfig{ContextWords: []string{"apisec"}})
	if err != nil {
		return fail(err)
	}
	regRules, loginRules := newRules(policy)

	users, err := newUserStore(ring)
	if err != nil {
		return fail(err)
	}
	a := &api{
		users: users, hasher: hasher, issuer: issuer, issuerName: cfg.JWTIssuer, revocations: revocations,
		decoder: decoder, registerRule: regRules, loginRule: loginRules,
		loginIP: loginIP, loginAccount: loginAccount, events: events, log: logger,
	}
	if cfg.AdminEmail != "" {
		if err := seedAdmin(ctx, a, cfg, policy); err != nil {
			return fail(err)
		}
	}

	// Routes.
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", healthz)
	mux.HandleFunc("POST /api/users", a.register)
	mux.HandleFunc("POST /api/login", a.login)
	// authed authenticates, then tells the audit middleware who is calling,
	// so every request event after authentication names its subject.
	authed := func(h http.Handler) http.Handler { return authn.Handler(audit.Identify(h)) }
	mux.Handle("POST /api/logout", authed(http.HandlerFunc(a.logout)))
	byVersion, err := negotiator.Route(map[string]http.Handler{
		"1": http.HandlerFunc(a.listUsersV1),
		"2": http.HandlerFunc(a.listUsersV2),
	})
	if err != nil {
		return fail(err)
	}
	mux.Handle("GET /api/v1/users", authed(byVersion))
	mux.Handle("GET /api/v2/users", authed(byVersion))
	mux.Handle("GET /api/users/{id}", authed(http.HandlerFunc(a.getUser)))
	mux.Handle("DELETE /api/users/{id}", authed(authn.RequireRoles("admin")(http.HandlerFunc(a.deleteUser))))

	// Outer chain.
	resolver, err := clientip.New(clientip.Config{TrustedProxies: cfg.TrustedProxies, Source: proxySource(cfg)})
	if err != nil {
		return fail(&configError{"TRUSTED_PROXIES", err.Error()})
	}
	corsMW, err := cors.New(cors.Config{
		Origins:        cfg.CORSOrigins,
		Methods:        []string{"GET", "POST", "DELETE"},
		RequestHeaders: []string{"Authorization", "Content-Type"},
		ExposedHeaders: []string{"RateLimit", "RateLimit-Policy", "Retry-After", "Deprecation", "Sunset", "Link", "API-Version"},
		MaxAge:         10 * time.Minute,
		Logger:         logger,
	})
	if err != nil {
		return fail(&configError{"CORS_ORIGINS", err.Error()})
	}
	// With TLS, HSTS goes on every HTTPS response and plain-HTTP requests
	// (on REDIRECT_ADDR) are redirected to the TLS port, but only for the
	// allowed hosts, so a forged Host cannot make an open redirect.
	hdrCfg := headers.Config{Logger: logger}
	if len(cfg.TrustedProxies) > 0 {
		// The proxies that set X-Forwarded-For also say, in
		// X-Forwarded-Proto, whether the client used HTTPS (for HSTS and
		// the redirect); no other peer is believed.
		hdrCfg.TrustedProxies = cfg.TrustedProxies
		hdrCfg.ProtoSource = headers.ProtoFromXForwardedProto
	}
	if cfg.TLSCert != "" {
		hdrCfg.RedirectHTTPS = true
		hdrCfg.AllowedHosts = cfg.AllowedHosts
		if _, port, err := net.SplitHostPort(cfg.Addr); err == nil {
			hdrCfg.HTTPSPort, _ = strconv.Atoi(port)
		}
	}
	hdr, err := headers.New(hdrCfg)
	if err != nil {
		return fail(headersConfigError(err))
	}

	var h http.Handler = mux
	h = apiLimiter.Handler(h)
	h = auditMW.Handler(h)
	h = resolver.Handler(h)
	h = corsMW.Handler(h)
	h = hdr.Handler(h)
	app.handler = h
	app.api = a
	return app, nil
}

// headersConfigError labels each of headers.New's problems with the
// variable that set the field at fault. A field no variable sets is the
// program's own mistake and keeps the package's label alone.
func headersConfigError(err error) error {
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	out := make([]error, 0, len(errs))
	for _, e := range errs {
		var ce *headers.ConfigError
		if !errors.As(e, &ce) {
			out = append(out, e)
			continue
		}
		switch {
		case strings.HasPrefix(ce.Field, "AllowedHosts"):
			out = append(out, &configError{"ALLOWED_HOSTS", e.Error()})
		case strings.HasPrefix(ce.Field, "TrustedProxies"), ce.Field == "ProtoSource", ce.Field == "MaxHops":
			out = append(out, &configError{"TRUSTED_PROXIES", e.Error()})
		case ce.Field == "HTTPSPort":
			out = append(out, &configError{"ADDR", e.Error()})
		default:
			out = append(out, e)
		}
	}
	return errors.Join(out...)
}

func proxySource(cfg *config) clientip.Source {
	if len(cfg.TrustedProxies) == 0 {
		return clientip.SourceNone
	}
	return clientip.SourceXForwardedFor
}

// seedAdmin creates the configured admin account at start-up.
func seedAdmin(ctx context.Context, a *api, cfg *config, policy *validate.PasswordPolicy) error {
	if err := validate.Email(cfg.AdminEmail); err != nil {
		return &configError{"ADMIN_EMAIL", "not a valid email address"}
	}
	if err := policy.Check(ctx, cfg.AdminPassword, cfg.AdminEmail); err != nil {
		var fe validate.FieldError
		if errors.As(err, &fe) {
			return &configError{"ADMIN_PASSWORD", "rejected by the password policy (" + fe.Code + ")"}
		}
		return &configError{"ADMIN_PASSWORD", "rejected by the password policy"}
	}
	hash, err := a.hasher.Hash(ctx, cfg.AdminPassword)
	if err != nil {
		return fmt.Errorf("hashing the admin password: %w", err)
	}
	_, err = a.users.create(cfg.AdminEmail, "Administrator", 30, hash, []string{"admin"})
	return err
}
