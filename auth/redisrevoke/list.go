package redisrevoke

import (
	"context"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/apisec-go/apisec/auth"
)

// DefaultPrefix starts every key.
const DefaultPrefix = "apisec:revoke:"

// Config configures [New].
type Config struct {
	_ [0]func()
	// Client is a *redis.Client, *redis.ClusterClient or
	// *redis.Ring-compatible UniversalClient; required.
	Client redis.UniversalClient
	// Prefix starts every key; zero means DefaultPrefix. It must not
	// contain '{' or '}'.
	Prefix string
}

// List is a Redis-backed [auth.RevocationList]. It is safe for concurrent
// use; its configuration cannot change after New.
type List struct {
	c      redis.UniversalClient
	prefix string
}

var _ auth.RevocationList = (*List)(nil)

// New checks cfg and returns a List.
func New(cfg Config) (*List, error) {
	var errs []error
	if cfg.Client == nil {
		errs = append(errs, &auth.ConfigError{Field: "redisrevoke.Config.Client", Reason: "required"})
	}
	p := cfg.Prefix
	if p == "" {
		p = DefaultPrefix
	}
	if strings.ContainsAny(p, "{}") {
		errs = append(errs, &auth.ConfigError{Field: "redisrevoke.Config.Prefix", Reason: "must not contain { or }"})
	}
	if errs != nil {
		return nil, errors.Join(errs...)
	}
	return &List{c: cfg.Client, prefix: p}, nil
}

var b64 = base64.RawURLEncoding

// tag groups a subject's keys in one cluster slot.
func (l *List) tag(issuer, subject string) string {
	return l.prefix + "{" + b64.EncodeToString([]byte(issuer)) + "." + b64.EncodeToString([]byte(subject)) + "}"
}

func (l *List) jtiKey(t auth.TokenInfo) string {
	return l.tag(t.Issuer, t.Subject) + ":jti:" + b64.EncodeToString([]byte(t.ID))
}

func (l *List) subKey(issuer, subject string) string { return l.tag(issuer, subject) + ":sub" }

// IsRevoked implements [auth.RevocationList] with one MGET.
func (l *List) IsRevoked(ctx context.Context, t auth.TokenInfo) (bool, error) {
	sub := l.subKey(t.Issuer, t.Subject)
	var vals []any
	var err error
	if t.ID == "" {
		vals, err = l.c.MGet(ctx, sub).Result()
	} else {
		vals, err = l.c.MGet(ctx, l.jtiKey(t), sub).Result()
	}
	if err != nil {
		return false, err
	}
	if t.ID != "" && vals[0] != nil {
		return true, nil
	}
	if s, ok := vals[len(vals)-1].(string); ok {
		before, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return false, errors.New("redisrevoke: corrupt subject entry")
		}
		return t.IssuedAt.UnixMilli() <= before, nil
	}
	return false, nil
}

// Revoke implements [auth.RevocationList]: the entry expires at the
// token's exp plus [auth.MaxLeeway], by the Redis server clock.
func (l *List) Revoke(ctx context.Context, t auth.TokenInfo) error {
	if t.ID == "" {
		return auth.ErrNoTokenID
	}
	until := t.ExpiresAt.Add(auth.MaxLeeway)
	if !time.Now().Before(until) {
		return nil
	}
	return l.c.SetArgs(ctx, l.jtiKey(t), "1", redis.SetArgs{ExpireAt: until}).Err()
}

// The cut-off only moves forward and the entry lives at least ttl.
var revokeSubject = redis.NewScript(`
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
local before = tonumber(ARGV[1])
if cur > before then before = cur end
local ttl = tonumber(ARGV[2])
local left = redis.call('PTTL', KEYS[1])
if left > ttl then ttl = left end
redis.call('SET', KEYS[1], before, 'PX', ttl)
return 1`)

// RevokeSubject implements [auth.RevocationList]: the entry lives
// ttl + [auth.MaxLeeway], or longer if an earlier call asked for more.
func (l *List) RevokeSubject(ctx context.Context, issuer, subject string, before time.Time, ttl time.Duration) error {
	if ttl <= 0 {
		return nil
	}
	ms := (ttl + auth.MaxLeeway).Milliseconds()
	return revokeSubject.Run(ctx, l.c, []string{l.subKey(issuer, subject)}, before.UnixMilli(), ms).Err()
}
