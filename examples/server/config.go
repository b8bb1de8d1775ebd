package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// config is the server's configuration, from flags with environment
// variables as fallbacks. Secrets (REDIS_URL, which may carry a password,
// JWT_SECRET, ENCRYPTION_KEYS, ADMIN_PASSWORD) are read from the
// environment only: a command line is visible to every user of the machine
// through ps and /proc, and -h prints each flag's default, which is the
// value of its environment variable.
type config struct {
	Addr           string
	JWTSecret      []byte
	JWTIssuer      string
	JWTAudience    string
	JWKSURL        string
	JWKSIssuer     string
	RedisURL       string
	RateLimit      string
	LoginRateLimit string
	CORSOrigins    []string
	TrustedProxies []string
	EncryptionKeys string
	AuditLog       string
	TLSCert        string
	TLSKey         string
	RedirectAddr   string
	AllowedHosts   []string
	AdminEmail     string
	AdminPassword  string
}

// configError names the variable at fault, so a bad start says exactly
// what to fix. It never includes a secret's value.
type configError struct {
	Variable string
	Reason   string
}

func (e *configError) Error() string { return e.Variable + ": " + e.Reason }

// secretVars are read from the environment only and never become flags.
var secretVars = []struct{ name, usage string }{
	{"REDIS_URL", "Redis for rate limits and revocation, redis://[:password@]host:port/db; in memory if unset"},
	{"JWT_SECRET", "HS256 signing key, at least 32 bytes; ephemeral if unset"},
	{"ENCRYPTION_KEYS", "id:base64key,... for data at rest; ephemeral if unset"},
	{"ADMIN_PASSWORD", "password of the ADMIN_EMAIL account"},
}

// loadConfig parses args (without the program name) and reads env through
// getenv. Every problem is reported together. Usage and parse errors go to
// out; -h returns flag.ErrHelp.
func loadConfig(args []string, getenv func(string) string, out io.Writer) (*config, error) {
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() {
		fmt.Fprintln(out, "Usage: server [flags]\n\nFlags, each falling back to the environment variable named in parentheses:")
		fs.PrintDefaults()
		fmt.Fprintln(out, "\nSecrets, read from the environment only:")
		for _, v := range secretVars {
			fmt.Fprintf(out, "  %s\n    \t%s\n", v.name, v.usage)
		}
	}
	envOr := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	c := &config{}
	var origins, proxies, hosts string
	fs.StringVar(&c.Addr, "addr", envOr("ADDR", "127.0.0.1:8080"), "listen address (ADDR)")
	fs.StringVar(&c.JWTIssuer, "jwt-issuer", envOr("JWT_ISSUER", "apisec-example"), "token issuer (JWT_ISSUER)")
	fs.StringVar(&c.JWTAudience, "jwt-audience", envOr("JWT_AUDIENCE", "apisec-example-api"), "token audience (JWT_AUDIENCE)")
	fs.StringVar(&c.JWKSURL, "jwks-url", envOr("JWKS_URL", ""), "JWKS URL of a second issuer (JWKS_URL)")
	fs.StringVar(&c.JWKSIssuer, "jwks-issuer", envOr("JWKS_ISSUER", ""), "issuer whose tokens JWKS_URL verifies (JWKS_ISSUER)")
	fs.StringVar(&c.RateLimit, "rate-limit", envOr("RATE_LIMIT", "100/m"), "per-IP API limit (RATE_LIMIT)")
	fs.StringVar(&c.LoginRateLimit, "login-rate-limit", envOr("LOGIN_RATE_LIMIT", "5/m"), "per-IP and per-account login limit (LOGIN_RATE_LIMIT)")
	fs.StringVar(&origins, "cors-origins", envOr("CORS_ORIGINS", "http://localhost:3000"), "comma-separated allowed origins (CORS_ORIGINS)")
	fs.StringVar(&proxies, "trusted-proxies", envOr("TRUSTED_PROXIES", ""), "comma-separated proxy addresses or CIDRs (TRUSTED_PROXIES)")
	fs.StringVar(&c.AuditLog, "audit-log", envOr("AUDIT_LOG", "-"), "audit log path, or - for stdout (AUDIT_LOG)")
	fs.StringVar(&c.TLSCert, "tls-cert", envOr("TLS_CERT", ""), "TLS certificate file (TLS_CERT)")
	fs.StringVar(&c.TLSKey, "tls-key", envOr("TLS_KEY", ""), "TLS key file (TLS_KEY)")
	fs.StringVar(&c.RedirectAddr, "redirect-addr", envOr("REDIRECT_ADDR", ""), "plain-HTTP address redirecting to HTTPS, with TLS only (REDIRECT_ADDR)")
	fs.StringVar(&hosts, "allowed-hosts", envOr("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]"), "host names the HTTPS redirect may target (ALLOWED_HOSTS)")
	fs.StringVar(&c.AdminEmail, "admin-email", envOr("ADMIN_EMAIL", ""), "seeded admin's email (ADMIN_EMAIL; password from ADMIN_PASSWORD)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	c.RedisURL = getenv("REDIS_URL")
	c.JWTSecret = []byte(getenv("JWT_SECRET"))
	c.EncryptionKeys = getenv("ENCRYPTION_KEYS")
	c.AdminPassword = getenv("ADMIN_PASSWORD")
	c.CORSOrigins = splitList(origins)
	c.TrustedProxies = splitList(proxies)
	c.AllowedHosts = splitList(hosts)

	var errs []error
	bad := func(v, reason string) { errs = append(errs, &configError{v, reason}) }
	if c.Addr == "" {
		bad("ADDR", "must not be empty")
	}
	if len(c.JWTSecret) > 0 && len(c.JWTSecret) < 32 {
		bad("JWT_SECRET", fmt.Sprintf("must be at least 32 bytes for HS256, got %d", len(c.JWTSecret)))
	}
	if c.JWTIssuer == "" {
		bad("JWT_ISSUER", "must not be empty")
	}
	if c.JWTAudience == "" {
		bad("JWT_AUDIENCE", "must not be empty")
	}
	if (c.JWKSURL == "") != (c.JWKSIssuer == "") {
		bad("JWKS_URL", "JWKS_URL and JWKS_ISSUER must be set together")
	}
	if c.JWKSIssuer != "" && c.JWKSIssuer == c.JWTIssuer {
		bad("JWKS_ISSUER", "must differ from JWT_ISSUER")
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		bad("TLS_CERT", "TLS_CERT and TLS_KEY must be set together")
	}
	if c.RedirectAddr != "" && c.TLSCert == "" {
		bad("REDIRECT_ADDR", "needs TLS_CERT and TLS_KEY: there is no HTTPS to redirect to")
	}
	if (c.AdminEmail == "") != (c.AdminPassword == "") {
		bad("ADMIN_EMAIL", "ADMIN_EMAIL and ADMIN_PASSWORD must be set together")
	}
	if len(c.CORSOrigins) == 0 {
		bad("CORS_ORIGINS", "must list at least one origin")
	}
	if c.AuditLog == "" {
		bad("AUDIT_LOG", `must be a path or "-"`)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return c, nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
