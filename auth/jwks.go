package auth

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// JWKS defaults and clamps.
const (
	DefaultJWKSTimeout         = 30 * time.Second
	DefaultJWKSMaxBodyBytes    = 1 << 20
	DefaultJWKSMinRefresh      = 1 * time.Minute
	DefaultJWKSMaxRefresh      = 24 * time.Hour
	DefaultJWKSRefreshInterval = 1 * time.Hour
	maxJWKSKeys                = 100
)

// JWKSConfig configures [NewJWKS]. Only URL is required; NewJWKS copies
// it, so later changes have no effect.
type JWKSConfig struct {
	_ [0]func()
	// URL is the issuer's JWKS endpoint (RFC 7517). It must be https,
	// except on a loopback host.
	URL string
	// HTTPClient fetches the set; nil means a client with no cookie jar
	// and Timeout.
	HTTPClient *http.Client
	// Timeout bounds one fetch; zero means 30 s.
	Timeout time.Duration
	// MaxBodyBytes caps the response body; zero means 1 MiB.
	MaxBodyBytes int64
	// RefreshInterval is used when the response has no Cache-Control
	// max-age; zero means 1 h. Every interval is clamped to
	// [MinRefreshInterval, MaxRefreshInterval], zero meaning 1 min and
	// 24 h. MinRefreshInterval also spaces refreshes caused by unknown
	// key IDs and retries after failures.
	RefreshInterval    time.Duration
	MinRefreshInterval time.Duration
	MaxRefreshInterval time.Duration
	// Logger receives jwks_refresh_fail events; nil disables logging.
	Logger *slog.Logger
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// JWKS is a JSON Web Key Set fetched from one issuer's URL and kept
// fresh. Requests read the current set without locking; a set past its
// refresh time is refreshed in the background (with jitter) while the old
// one keeps serving; a failed refresh keeps the last good set; concurrent
// refreshes are merged into one fetch. A token naming an unknown kid
// triggers at most one refresh per MinRefreshInterval and waits only for
// that fetch, never blocking requests with known keys.
//
// Keys are used only with the algorithm they are pinned to: the JWK's
// "alg", or the one implied by its curve (RSA keys without "alg" are
// RS256). Symmetric ("oct") keys, keys whose "use" is not "sig", RSA keys
// under 2048 bits and invalid curve points are skipped. Keys named by a
// token (jku, x5u, jwk, x5c) are never fetched.
//
// Create one with [NewJWKS]; it is safe for concurrent use and needs no
// Close, since it runs goroutines only while a fetch is in flight.
type JWKS struct {
	url                     string
	client                  *http.Client
	timeout                 time.Duration
	maxBody                 int64
	refresh, minRef, maxRef time.Duration
	logger                  *slog.Logger
	now                     func() time.Time

	set atomic.Pointer[keySet]
	// noRetryUntil (Unix ns) lets stale-set requests skip the lock while a
	// refresh is not allowed yet.
	noRetryUntil atomic.Int64

	mu          sync.Mutex
	inflight    chan struct{}
	lastAttempt time.Time
	lastErr     error
}

type keySet struct {
	keys      []*verifier
	refreshAt time.Time
}

// ErrJWKSFetch wraps every JWKS fetch or parse failure.
var ErrJWKSFetch = errors.New("auth: JWKS fetch failed")

// NewJWKS checks cfg and returns a JWKS that fetches on first use. Call
// [JWKS.Refresh] at startup to fail fast when the issuer is unreachable.
func NewJWKS(cfg JWKSConfig) (*JWKS, error) {
	var errs []error
	bad := func(f, r string) { errs = append(errs, &ConfigError{Field: "JWKSConfig." + f, Reason: r}) }
	u, err := url.Parse(cfg.URL)
	switch {
	case cfg.URL == "":
		bad("URL", "required")
	case err != nil || u.Host == "":
		bad("URL", "not an absolute URL")
	case u.User != nil:
		bad("URL", "must not contain credentials")
	case u.Scheme == "https":
	case u.Scheme == "http" && isLoopback(u.Hostname()):
	default:
		bad("URL", "must be https (http only on a loopback host)")
	}
	j := &JWKS{url: cfg.URL, client: cfg.HTTPClient, timeout: cfg.Timeout, maxBody: cfg.MaxBodyBytes,
		refresh: cfg.RefreshInterval, minRef: cfg.MinRefreshInterval, maxRef: cfg.MaxRefreshInterval,
		logger: cfg.Logger, now: cfg.Now}
	def := func(f string, d *time.Duration, v time.Duration) {
		if *d < 0 {
			bad(f, "negative")
		}
		if *d == 0 {
			*d = v
		}
	}
	def("Timeout", &j.timeout, DefaultJWKSTimeout)
	def("RefreshInterval", &j.refresh, DefaultJWKSRefreshInterval)
	def("MinRefreshInterval", &j.minRef, DefaultJWKSMinRefresh)
	def("MaxRefreshInterval", &j.maxRef, DefaultJWKSMaxRefresh)
	if j.minRef > j.maxRef {
		bad("MinRefreshInterval", "greater than MaxRefreshInterval")
	}
	switch {
	case j.maxBody < 0:
		bad("MaxBodyBytes", "negative")
	case j.maxBody == 0:
		j.maxBody = DefaultJWKSMaxBodyBytes
	}
	if errs != nil {
		return nil, errors.Join(errs...)
	}
	if j.client == nil {
		j.client = &http.Client{Timeout: j.timeout, CheckRedirect: secureRedirect}
	}
	if j.now == nil {
		j.now = time.Now
	}
	return j, nil
}

// secureRedirect follows at most 3 redirects, and never from https to a
// plain-http URL off the loopback interface.
func secureRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 3 {
		return errors.New("too many redirects")
	}
	if req.URL.Scheme != "https" && !(req.URL.Scheme == "http" && isLoopback(req.URL.Hostname())) {
		return errors.New("redirect to a non-https URL")
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Refresh fetches the set now (joining a fetch already in flight) and
// returns its error. The last good set is kept on failure.
func (j *JWKS) Refresh(ctx context.Context) error {
	done := j.start(true)
	select {
	case <-done:
	case <-ctx.Done():
		return ctx.Err()
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.lastErr
}

// start begins a fetch unless one is running, or, when force is false,
// unless the last attempt is younger than MinRefreshInterval (then it
// returns nil). It returns a channel closed when the fetch ends.
func (j *JWKS) start(force bool) <-chan struct{} {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.inflight != nil {
		return j.inflight
	}
	now := j.now()
	if !force && !j.lastAttempt.IsZero() && now.Sub(j.lastAttempt) < j.minRef {
		return nil
	}
	j.lastAttempt = now
	j.noRetryUntil.Store(now.Add(j.minRef).UnixNano())
	ch := make(chan struct{})
	j.inflight = ch
	go j.fetch(ch)
	return ch
}

func (j *JWKS) fetch(done chan struct{}) {
	set, err := j.get()
	j.mu.Lock()
	j.lastErr = err
	if err == nil {
		j.set.Store(set)
	}
	j.inflight = nil
	j.mu.Unlock()
	close(done)
	if err != nil && j.logger != nil {
		j.logger.LogAttrs(context.Background(), slog.LevelError, "jwks_refresh_fail",
			slog.String("url", j.url), slog.String("error", err.Error()))
	}
}

func (j *JWKS) get() (*keySet, error) {
	ctx, cancel := context.WithTimeout(context.Background(), j.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, j.url, nil)
	if err != nil {
		return nil, errors.Join(ErrJWKSFetch, err)
	}
	req.Header.Set("Accept", "application/jwk-set+json, application/json")
	resp, err := j.client.Do(req)
	if err != nil {
		return nil, errors.Join(ErrJWKSFetch, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, errors.Join(ErrJWKSFetch, errors.New("status "+strconv.Itoa(resp.StatusCode)))
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, j.maxBody+1))
	if err != nil {
		return nil, errors.Join(ErrJWKSFetch, err)
	}
	if int64(len(body)) > j.maxBody {
		return nil, errors.Join(ErrJWKSFetch, errors.New("body larger than "+strconv.FormatInt(j.maxBody, 10)+" bytes"))
	}
	parsed, err := ParseJWKS(body)
	if err != nil {
		return nil, errors.Join(ErrJWKSFetch, err)
	}
	keys := make([]*verifier, 0, len(parsed))
	for _, k := range parsed {
		if v, errs := checkKey("", k); errs == nil {
			keys = append(keys, v)
		}
	}
	interval := j.refresh
	if age, ok := maxAge(resp.Header.Get("Cache-Control")); ok {
		interval = age
	}
	interval = min(max(interval, j.minRef), j.maxRef)
	// Up to 10% earlier, so that many servers do not refresh in step.
	jitter := time.Duration(rand.Int64N(int64(interval)/10 + 1))
	return &keySet{keys: keys, refreshAt: j.now().Add(interval - jitter)}, nil
}

// maxAge returns the max-age of a Cache-Control value; no-store and
// no-cache count as zero.
func maxAge(cc string) (time.Duration, bool) {
	for _, d := range strings.Split(cc, ",") {
		d = strings.TrimSpace(strings.ToLower(d))
		if d == "no-store" || d == "no-cache" {
			return 0, true
		}
		if v, ok := strings.CutPrefix(d, "max-age="); ok {
			n, err := strconv.ParseInt(strings.Trim(v, `"`), 10, 64)
			if err != nil || n < 0 {
				return 0, false
			}
			if n > int64(365*24*3600) {
				n = 365 * 24 * 3600
			}
			return time.Duration(n) * time.Second, true
		}
	}
	return 0, false
}

// find returns the key for (alg, kid), refreshing the set when it is stale
// (in the background) or when the kid is unknown (waiting for that fetch
// only, bounded by ctx and the fetch timeout). It returns errNoKey when
// the set lacks the key, and errKeysUnavailable when no set was ever
// fetched.
func (j *JWKS) find(ctx context.Context, al alg, kid []byte, hasKid bool) (*verifier, *Error) {
	set := j.set.Load()
	if set != nil {
		if now := j.now(); !now.Before(set.refreshAt) && now.UnixNano() >= j.noRetryUntil.Load() {
			j.start(false)
		}
		if v := set.lookup(al, kid, hasKid); v != nil {
			return v, nil
		}
	}
	// Even without any set yet, fetches are spaced by MinRefreshInterval,
	// so an unreachable issuer is not hammered by every request.
	done := j.start(false)
	if done != nil {
		select {
		case <-done:
		case <-ctx.Done():
		}
	}
	if set = j.set.Load(); set == nil {
		return nil, errKeysUnavailable
	}
	if v := set.lookup(al, kid, hasKid); v != nil {
		return v, nil
	}
	return nil, errNoKey
}

func (s *keySet) lookup(al alg, kid []byte, hasKid bool) *verifier {
	var only *verifier
	n := 0
	for _, v := range s.keys {
		if v.alg != al {
			continue
		}
		if hasKid && v.id == string(kid) || !hasKid && v.id == "" {
			return v
		}
		only = v
		n++
	}
	if !hasKid && n == 1 {
		return only // a token without kid, and one key for its alg
	}
	return nil
}

// jwk is one JSON Web Key (RFC 7517 §4, RFC 7518 §6, RFC 8037).
type jwk struct {
	Kty string   `json:"kty"`
	Kid string   `json:"kid"`
	Use string   `json:"use"`
	Ops []string `json:"key_ops"`
	Alg string   `json:"alg"`
	Crv string   `json:"crv"`
	N   string   `json:"n"`
	E   string   `json:"e"`
	X   string   `json:"x"`
	Y   string   `json:"y"`
}

// ParseJWKS parses a JWK Set document (RFC 7517 §5) into verification
// keys, each pinned to one algorithm, skipping keys that cannot be used
// safely. It fails when no usable key remains. The keys can be used as
// static [TrustedIssuer.Keys].
func ParseJWKS(data []byte) ([]Key, error) {
	var doc struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, errors.New("invalid JWK Set JSON")
	}
	if len(doc.Keys) > maxJWKSKeys {
		return nil, errors.New("too many keys")
	}
	var out []Key
	for _, raw := range doc.Keys {
		var k jwk
		if json.Unmarshal(raw, &k) != nil {
			continue
		}
		if key, ok := k.key(); ok {
			out = append(out, key)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no usable keys")
	}
	return out, nil
}

func (k *jwk) key() (Key, bool) {
	if k.Use != "" && k.Use != "sig" || k.Ops != nil && !slices.Contains(k.Ops, "verify") {
		return Key{}, false
	}
	var (
		a   alg
		key any
	)
	switch k.Kty {
	case "RSA":
		a = algRS256
		if k.Alg != "" {
			a = parseAlg(k.Alg)
		}
		n, err1 := b64.DecodeString(k.N)
		e, err2 := b64.DecodeString(k.E)
		if err1 != nil || err2 != nil || len(e) == 0 || len(e) > 4 || len(n) == 0 || n[0] == 0 {
			return Key{}, false
		}
		exp := 0
		for _, b := range e {
			exp = exp<<8 | int(b)
		}
		if exp < 3 || exp%2 == 0 {
			return Key{}, false
		}
		key = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: exp}
	case "EC":
		switch k.Crv {
		case "P-256":
			a = algES256
		case "P-384":
			a = algES384
		case "P-521":
			a = algES512
		default:
			return Key{}, false
		}
		if k.Alg != "" && parseAlg(k.Alg) != a {
			return Key{}, false
		}
		x, err1 := b64.DecodeString(k.X)
		y, err2 := b64.DecodeString(k.Y)
		size := (curves[a].Params().BitSize + 7) / 8
		if err1 != nil || err2 != nil || len(x) != size || len(y) != size {
			return Key{}, false
		}
		pt := append(append([]byte{4}, x...), y...)
		pk, err := ecdsa.ParseUncompressedPublicKey(curves[a], pt)
		if err != nil {
			return Key{}, false
		}
		key = pk
	case "OKP":
		if k.Crv != "Ed25519" || (k.Alg != "" && k.Alg != "EdDSA" && k.Alg != "Ed25519") {
			return Key{}, false
		}
		a = algEdDSA
		x, err := b64.DecodeString(k.X)
		if err != nil || len(x) != ed25519.PublicKeySize {
			return Key{}, false
		}
		key = ed25519.PublicKey(x)
	default:
		return Key{}, false // never "oct": a published symmetric key is no secret
	}
	out := Key{ID: k.Kid, Algorithm: a.String(), PublicKey: key}
	if _, errs := checkKey("", out); errs != nil {
		return Key{}, false
	}
	return out, true
}
