package redisrevoke_test

import (
	"log"
	"os"

	"github.com/redis/go-redis/v9"

	"github.com/apisec-go/apisec/auth"
	"github.com/apisec-go/apisec/auth/redisrevoke"
)

// Every instance of a service shares one revocation list on Redis, so a
// logout on one instance is refused by all of them at once.
func Example() {
	opts, err := redis.ParseURL(os.Getenv("REDIS_URL"))
	if err != nil {
		log.Fatal(err)
	}
	list, err := redisrevoke.New(redisrevoke.Config{Client: redis.NewClient(opts), Prefix: "myapi:revoke:"})
	if err != nil {
		log.Fatal(err)
	}
	authn, err := auth.New(auth.Config{
		Issuers:     []auth.TrustedIssuer{{Issuer: "https://id.example.com", Keys: []auth.Key{{ID: "k1", Algorithm: "HS256", Secret: []byte(os.Getenv("JWT_SECRET"))}}}},
		Audiences:   []string{"https://api.example.com"},
		Revocations: list, // unreachable Redis: 503, never a silent accept
	})
	if err != nil {
		log.Fatal(err)
	}
	_ = authn
	// On logout: list.Revoke(ctx, claims.TokenInfo()), where claims come
	// from auth.ClaimsFromContext.
}
