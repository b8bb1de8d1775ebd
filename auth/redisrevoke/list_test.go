package redisrevoke_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/apisec-go/apisec/auth"
	"github.com/apisec-go/apisec/auth/redisrevoke"
	"github.com/apisec-go/apisec/auth/revocationtest"
	"github.com/apisec-go/apisec/internal/configtest"
	"github.com/apisec-go/apisec/internal/redistest"
)

func newList(t *testing.T, c redis.UniversalClient) *redisrevoke.List {
	t.Helper()
	l, err := redisrevoke.New(redisrevoke.Config{Client: c, Prefix: "t" + strconv.FormatInt(time.Now().UnixNano(), 36) + ":"})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestConformance(t *testing.T) {
	srv := redistest.Start(t)
	c := redis.NewClient(&redis.Options{Addr: srv.Addr})
	t.Cleanup(func() { _ = c.Close() })
	revocationtest.Run(t, func(t *testing.T) auth.RevocationList { return newList(t, c) })
}

func TestConformanceCluster(t *testing.T) {
	cl := redistest.StartCluster(t)
	c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: cl.Addrs})
	t.Cleanup(func() { _ = c.Close() })
	revocationtest.Run(t, func(t *testing.T) auth.RevocationList { return newList(t, c) })
}

// countHook counts commands sent to Redis.
type countHook struct{ n atomic.Int32 }

func (h *countHook) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *countHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error { h.n.Add(1); return next(ctx, cmd) }
}
func (h *countHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error { h.n.Add(1); return next(ctx, cmds) }
}

func TestOneRoundTripAndTTL(t *testing.T) {
	srv := redistest.Start(t)
	c := redis.NewClient(&redis.Options{Addr: srv.Addr})
	t.Cleanup(func() { _ = c.Close() })
	hook := &countHook{}
	c.AddHook(hook)
	l, _ := redisrevoke.New(redisrevoke.Config{Client: c})
	ctx := context.Background()
	exp := time.Now().Add(10 * time.Minute)
	ti := auth.TokenInfo{Issuer: "iss", Subject: "sub", ID: "jti", IssuedAt: time.Now(), ExpiresAt: exp}
	if err := l.Revoke(ctx, ti); err != nil {
		t.Fatal(err)
	}
	hook.n.Store(0)
	if r, err := l.IsRevoked(ctx, ti); err != nil || !r {
		t.Fatalf("%v %v", r, err)
	}
	if n := hook.n.Load(); n != 1 {
		t.Fatalf("%d round trips, want 1", n)
	}
	// The entry lives as long as an Authenticator may accept the token:
	// its exp plus the largest leeway.
	key := redisrevoke.DefaultPrefix + "{" + b64("iss") + "." + b64("sub") + "}:jti:" + b64("jti")
	pttl, err := srv.Do("PTTL", key)
	if err != nil {
		t.Fatal(err)
	}
	ms, _ := strconv.ParseInt(pttl, 10, 64)
	if want := time.Until(exp.Add(auth.MaxLeeway)).Milliseconds(); ms > want+1000 || ms < want-5000 {
		t.Fatalf("PTTL %d ms, want about %d", ms, want)
	}
	// A subject entry likewise lives ttl + MaxLeeway.
	if err := l.RevokeSubject(ctx, "iss", "sub", time.Now(), time.Minute); err != nil {
		t.Fatal(err)
	}
	pttl, err = srv.Do("PTTL", redisrevoke.DefaultPrefix+"{"+b64("iss")+"."+b64("sub")+"}:sub")
	if err != nil {
		t.Fatal(err)
	}
	ms, _ = strconv.ParseInt(pttl, 10, 64)
	if want := (time.Minute + auth.MaxLeeway).Milliseconds(); ms > want || ms < want-5000 {
		t.Fatalf("subject PTTL %d ms, want about %d", ms, want)
	}
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// With Redis down the Authenticator fails closed with 503.
func TestRedisDownFailsClosed(t *testing.T) {
	srv := redistest.Start(t)
	c := redis.NewClient(&redis.Options{Addr: srv.Addr, MaxRetries: -1, DialTimeout: time.Second})
	t.Cleanup(func() { _ = c.Close() })
	l, _ := redisrevoke.New(redisrevoke.Config{Client: c})
	secret := []byte("0123456789abcdef0123456789abcdef")
	a, err := auth.New(auth.Config{
		Issuers:     []auth.TrustedIssuer{{Issuer: "iss", Keys: []auth.Key{{Algorithm: "HS256", Secret: secret}}}},
		Audiences:   []string{"aud"},
		Revocations: l,
	})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().Unix()
	tok := sign(`{"alg":"HS256","typ":"at+jwt"}`, `{"iss":"iss","sub":"u","aud":"aud","jti":"j","iat":`+strconv.FormatInt(now, 10)+`,"exp":`+strconv.FormatInt(now+600, 10)+`}`, secret)
	h := a.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	do := func() int {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Authorization", "Bearer "+tok)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
	if code := do(); code != 200 {
		t.Fatalf("status %d", code)
	}
	p, err := a.VerifyToken(context.Background(), tok)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Revoke(context.Background(), p.Claims.(*auth.Claims).TokenInfo()); err != nil {
		t.Fatal(err)
	}
	if code := do(); code != 401 {
		t.Fatalf("revoked token: status %d", code)
	}
	srv.Stop()
	if code := do(); code != 503 {
		t.Fatalf("Redis down: status %d, want 503", code)
	}
}

func sign(h, p string, secret []byte) string {
	in := b64(h) + "." + b64(p)
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(in))
	return in + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func TestNewInvalid(t *testing.T) {
	_, err := redisrevoke.New(redisrevoke.Config{Prefix: "a{b}"})
	var got []string
	for _, ce := range configtest.Leaves[auth.ConfigError](t, err) {
		got = append(got, ce.Error())
	}
	want := []string{"auth: redisrevoke.Config.Client: required", "auth: redisrevoke.Config.Prefix: must not contain { or }"}
	if !slices.Equal(got, want) {
		t.Fatalf("%q", got)
	}
}
