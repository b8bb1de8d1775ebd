// Package token makes unguessable tokens and keyed MACs.
//
// [Random] and [Text] return tokens from crypto/rand for session ids, API
// keys, password-reset and e-mail verification links, CSRF tokens: 256
// bits as unpadded base64url, or 130 bits as crypto/rand.Text's base32.
// [Equal] compares tokens in constant time, so a server checking a
// presented token cannot be probed byte by byte through response timing.
//
// A [Signer] computes and checks HMAC-SHA256 tags under named keys, for
// values that travel through the client and must come back unmodified
// (signed cookies, stateless links). Tags carry the key id, so keys rotate
// like a [github.com/apisec-go/apisec/crypto.Keyring]: sign with the
// primary, verify with any. A [Config.Purpose] separates uses sharing keys,
// so a tag made for an e-mail link is never accepted as a reset link.
//
// Threat model: guessing (tokens carry at least 128 bits of entropy from
// the operating system's CSPRNG), timing side channels on comparison, and
// forgery or replay across purposes. A signed value is not encrypted and
// does not expire by itself: put an expiry inside the signed message, or
// store tokens server-side and compare them with Equal.
//
// Tags follow RFC 2104 (HMAC) with SHA-256 over len(purpose) ‖ purpose ‖
// message, len being one byte (0 without a purpose), and are written as
// "<key id>.<base64url tag>" (RFC 4648 §5, no padding).
package token
