// Package auth authenticates API callers with JWT bearer tokens or API
// keys and authorizes them by role and scope.
//
// # Threat model
//
// An attacker can send any request: forged, altered, replayed, expired or
// oversized tokens, tokens signed with "alg":"none" or with an RSA public
// key used as an HMAC secret, tokens naming keys for us to fetch (jku, x5u,
// jwk, x5c), claim names that differ only in case ("EXP"), unknown crit
// extensions, two Authorization fields, or a token in both the header and
// a cookie. The [Authenticator] rejects every one of these by default:
//
//   - Every key is pinned to one algorithm, and the allowed algorithms
//     are derived from the configured keys (RFC 8725 §3.1). "none" is
//     never accepted; HMAC keys shorter than their hash and RSA keys under
//     2048 bits are configuration errors.
//   - Before any decoding, the token's size is capped
//     ([Config.MaxTokenBytes], 8 KiB by default) and its charset checked;
//     base64url is decoded strictly; a malformed token costs no signature
//     work.
//   - Header parameters and claims are read by exact, case-sensitive
//     name; a case variant of a claim apisec reads, or any duplicated
//     member name, is rejected, closing the differentials with
//     encoding/json.
//   - "crit" is rejected (RFC 7515 §4.1.11), "typ" must be at+jwt (RFC
//     9068 §2.1, configurable with [Config.Types]), and iss, aud, exp,
//     iat and sub are required; nbf is honoured; [Config.Leeway] absorbs
//     clock skew.
//   - Credentials come from exactly one Authorization field ("Bearer",
//     case-insensitive, one or more SP, a b64token); cookies and the query
//     are read only when enabled (RFC 6750 §2, RFC 9700 §4.3.2).
//   - A verified token may still be revoked ([RevocationList]), by jti or
//     by subject and issue time.
//
// Rejections follow RFC 6750 §3: 401 with a bare Bearer challenge when
// credentials are missing, 400 error="invalid_request" when the request
// is malformed or ambiguous, 401 error="invalid_token" when the token is
// bad, and 403 error="insufficient_scope" from [Authenticator.RequireRoles]
// and [Authenticator.RequireScopes]. Bodies are RFC 9457 problem+json and
// never say more than that.
//
// # Where it goes
//
// Place the Authenticator after CORS (preflights carry no token), after
// the client-IP resolver and audit logging (so failures are recorded with
// the caller's address), and after a per-IP rate limit (so floods of bad
// tokens are cheap to refuse), but before per-principal rate limits,
// versioning, validation and the handler:
//
//	headers → cors → clientip → audit → ratelimit (IP) → auth → ... → handler
//
// # Keys
//
// Static keys go in [TrustedIssuer.Keys]. A [JWKS] fetches an issuer's key
// set, with bounded fetches, background refresh and stale-if-error; any
// [github.com/golang-jwt/jwt/v5.Keyfunc] is accepted as an escape hatch.
// First-party APIs mint tokens with an [Issuer].
//
// # API keys
//
// Machine clients may present an API key "<id>.<secret>" in one header
// field ([Config.APIKeyHeader], X-API-Key by default; never the query).
// Stores keep only SHA-256 of the key ([HashAPIKey]); the id selects the
// record and the hashes are compared in constant time. The principal's
// Method is "apikey".
//
// # Revocation
//
// [Config.Revocations] is consulted after a token's signature and claims
// are verified, by jti or by subject and issue time.
// [MemoryRevocationList] serves one process; auth/redisrevoke serves many,
// in one Redis round trip. Either way, when the list cannot answer the
// request is refused with 503.
//
// # Logging
//
// With [Config.Logger] set, rejections are logged at the point of decision
// with OWASP vocabulary events: authn_token_invalid, authn_token_expired
// and authn_token_revoked (WARN), and authz_fail ([LevelCritical]), each
// with a fixed "reason" attribute. Tokens and keys are never logged;
// authz_fail names the subject and the roles or scopes required, so the
// denial can be investigated. Missing credentials are not a security event
// and are not logged.
//
// [RFC 6750]: https://www.rfc-editor.org/rfc/rfc6750
// [RFC 7515]: https://www.rfc-editor.org/rfc/rfc7515
// [RFC 7517]: https://www.rfc-editor.org/rfc/rfc7517
// [RFC 8725]: https://www.rfc-editor.org/rfc/rfc8725
// [RFC 9068]: https://www.rfc-editor.org/rfc/rfc9068
// [RFC 9700]: https://www.rfc-editor.org/rfc/rfc9700
package auth
