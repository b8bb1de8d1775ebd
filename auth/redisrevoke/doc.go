// Package redisrevoke is an [auth.RevocationList] on Redis or Redis
// Cluster, so that every instance of a service sees a revocation at once.
//
// Each check is one round trip (MGET of the token's two keys, which share
// a hash tag and so a cluster slot). A revoked jti expires with the token,
// at its exp (SET ... PXAT), so the list never outgrows the live tokens.
// Issuer, subject and jti are base64url-encoded inside keys, so no value
// can forge another's key or break out of the hash tag.
//
// When Redis is unreachable, IsRevoked returns the error and the
// Authenticator refuses the request with 503 (fail closed), unless
// auth.Config.DangerouslyIgnoreRevocationErrors is set.
package redisrevoke
