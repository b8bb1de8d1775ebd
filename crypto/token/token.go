package token

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
)

// RandomBytes is the number of random bytes in a [Random] token (256 bits).
const RandomBytes = 32

// Random returns a fresh token of [RandomBytes] random bytes as unpadded
// base64url: 43 characters, safe in URLs, headers and cookies.
func Random() string {
	var b [RandomBytes]byte
	_, _ = rand.Read(b[:]) // never fails since Go 1.24
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// Text returns crypto/rand.Text: 26 characters of base32 (A-Z, 2-7)
// carrying 130 bits, easy to read aloud or type.
func Text() string { return rand.Text() }

// Equal reports whether two tokens are equal in time that depends only on
// their lengths, never on where they first differ.
func Equal(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
