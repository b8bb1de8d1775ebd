package auth

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"hash"
	"strconv"
	"sync"
	"unsafe"

	"github.com/golang-jwt/jwt/v5"
)

// Key is one verification key, pinned to one algorithm (RFC 8725 §3.1):
// a token is checked with a key only when its "alg" equals Key.Algorithm,
// so an RSA public key can never be used as an HMAC secret.
//
// The zero value is invalid. New and NewIssuer copy Secret, so later
// changes to it have no effect; a PublicKey is shared and must not be
// mutated.
type Key struct {
	// ID is matched against the token's "kid" header. A key with an empty
	// ID matches only tokens without a kid.
	ID string
	// Algorithm is one of HS256, HS384, HS512, RS256, RS384, RS512,
	// PS256, PS384, PS512, ES256, ES384, ES512 or EdDSA.
	Algorithm string
	// Secret is the shared secret for HS256/384/512, at least as long as
	// the hash output (32, 48 or 64 bytes).
	Secret []byte
	// PublicKey is an *rsa.PublicKey (at least 2048 bits) for RS*/PS*, an
	// *ecdsa.PublicKey on the matching curve for ES*, or an
	// ed25519.PublicKey for EdDSA.
	PublicKey crypto.PublicKey
}

// alg is a supported JWS algorithm.
type alg uint8

const (
	algUnknown alg = iota
	algHS256
	algHS384
	algHS512
	algRS256
	algRS384
	algRS512
	algPS256
	algPS384
	algPS512
	algES256
	algES384
	algES512
	algEdDSA
	algCount
)

var algNames = [algCount]string{"", "HS256", "HS384", "HS512", "RS256", "RS384", "RS512",
	"PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}

func (a alg) String() string { return algNames[a] }

func (a alg) hmac() bool  { return a >= algHS256 && a <= algHS512 }
func (a alg) rsa() bool   { return a >= algRS256 && a <= algPS512 }
func (a alg) ecdsa() bool { return a >= algES256 && a <= algES512 }

func (a alg) method() jwt.SigningMethod { return jwt.GetSigningMethod(a.String()) }

func parseAlg[T text](s T) alg {
	for i := algHS256; i < algCount; i++ {
		if string(s) == algNames[i] { // no allocation: compared in place
			return i
		}
	}
	return algUnknown
}

// verifier is a compiled key.
type verifier struct {
	id     string
	alg    alg
	method jwt.SigningMethod
	key    any // []byte for HMAC, or the public key
	macs   *sync.Pool
}

func newVerifier(id string, a alg, key any) *verifier {
	v := &verifier{id: id, alg: a, method: a.method(), key: key}
	if a.hmac() {
		secret := key.([]byte)
		var h func() hash.Hash
		switch a {
		case algHS256:
			h = sha256.New
		case algHS384:
			h = sha512.New384
		default:
			h = sha512.New
		}
		v.macs = &sync.Pool{New: func() any { return hmac.New(h, secret) }}
	}
	return v
}

// verify checks sig over input. HMAC uses pooled hashers, so it does not
// allocate; other algorithms go through golang-jwt's SigningMethod.Verify.
func (v *verifier) verify(input string, sig []byte) bool {
	if v.macs != nil {
		m := v.macs.Get().(hash.Hash)
		m.Reset()
		// hash.Hash.Write neither keeps nor modifies its argument.
		m.Write(unsafe.Slice(unsafe.StringData(input), len(input)))
		var buf [sha512.Size]byte
		ok := hmac.Equal(m.Sum(buf[:0]), sig)
		v.macs.Put(m)
		return ok
	}
	return v.method.Verify(input, sig, v.key) == nil
}

var hmacSizes = map[alg]int{algHS256: 32, algHS384: 48, algHS512: 64}

var curves = map[alg]elliptic.Curve{algES256: elliptic.P256(), algES384: elliptic.P384(), algES512: elliptic.P521()}

// checkKey validates k and returns the compiled verifier, or the reasons
// it is unusable.
func checkKey(field string, k Key) (*verifier, []error) {
	var errs []error
	bad := func(f, reason string) { errs = append(errs, &ConfigError{Field: field + f, Reason: reason}) }
	a := parseAlg(k.Algorithm)
	switch {
	case k.Algorithm == "":
		bad(".Algorithm", "required")
		return nil, errs
	case a == algUnknown:
		bad(".Algorithm", strconv.Quote(k.Algorithm)+" is not a supported algorithm (none is never allowed)")
		return nil, errs
	}
	var key any
	switch {
	case a.hmac():
		if k.PublicKey != nil {
			bad(".PublicKey", "must be nil for "+a.String())
		}
		if len(k.Secret) < hmacSizes[a] {
			bad(".Secret", a.String()+" needs at least "+strconv.Itoa(hmacSizes[a])+" bytes")
		}
		key = append([]byte(nil), k.Secret...)
	case a.rsa():
		pk, ok := k.PublicKey.(*rsa.PublicKey)
		switch {
		case !ok || pk == nil || pk.N == nil:
			bad(".PublicKey", a.String()+" needs an *rsa.PublicKey")
		case pk.N.BitLen() < 2048:
			bad(".PublicKey", "RSA keys must have at least 2048 bits")
		}
		key = pk
	case a.ecdsa():
		pk, ok := k.PublicKey.(*ecdsa.PublicKey)
		switch {
		case !ok || pk == nil:
			bad(".PublicKey", a.String()+" needs an *ecdsa.PublicKey")
		case pk.Curve != curves[a]:
			bad(".PublicKey", a.String()+" needs a key on "+curves[a].Params().Name)
		}
		key = pk
	case a == algEdDSA:
		pk, ok := k.PublicKey.(ed25519.PublicKey)
		if !ok || len(pk) != ed25519.PublicKeySize {
			bad(".PublicKey", "EdDSA needs an ed25519.PublicKey")
		}
		key = pk
	}
	if !a.hmac() && len(k.Secret) != 0 {
		bad(".Secret", "must be empty for "+a.String())
	}
	if errs != nil {
		return nil, errs
	}
	return newVerifier(k.ID, a, key), nil
}
