package main

import (
	"github.com/redis/go-redis/v9"

	"github.com/apisec-go/apisec/auth"
)

// newRedisRevocations is wired once auth ships its Redis revocation list;
// until then REDIS_URL is refused rather than silently keeping revocations
// per process.
func newRedisRevocations(redis.UniversalClient) (auth.RevocationList, error) {
	return nil, &configError{"REDIS_URL", "the Redis revocation list is not available in this build"}
}
