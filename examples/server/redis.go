package main

import (
	"github.com/redis/go-redis/v9"

	"github.com/apisec-go/apisec/auth"
	"github.com/apisec-go/apisec/auth/redisrevoke"
)

// newRedisRevocations keeps revoked tokens in Redis, so a logout on one
// instance is seen by every instance at once.
func newRedisRevocations(rdb redis.UniversalClient) (auth.RevocationList, error) {
	return redisrevoke.New(redisrevoke.Config{Client: rdb, Prefix: "apisec-example:revoke:"})
}
