package password

import (
	"encoding/base64"
	"strings"

	"github.com/apisec-go/apisec/crypto"
)

type algorithm uint8

const (
	algArgon2id algorithm = iota + 1
	algArgon2i
	algBcrypt
	algScrypt
)

// maxHashLen bounds a stored hash string. The longest valid one, an
// argon2 hash with a 64-byte salt, a 128-byte hash and a pepper id, is
// well under it.
const maxHashLen = 400

// parsed is a stored hash whose parameters are within bounds.
type parsed struct {
	alg    algorithm
	m, t   uint32 // argon2
	p      uint8  // argon2 and scrypt
	ln     uint8  // scrypt: N = 1 << ln
	r      uint32 // scrypt
	cost   int    // bcrypt
	pepper string // argon2id only; "" when none
	salt   string // encoded (argon2, scrypt)
	hash   string // encoded (argon2, scrypt); the whole string for bcrypt
}

var b64 = base64.RawStdEncoding.Strict()

// parse checks the syntax and bounds of a stored hash without hashing or
// decoding anything: its cost is linear in len(s) ≤ maxHashLen, so O(1).
// It returns ErrMalformedHash or ErrHashTooCostly.
func (pol *policy) parse(s string) (parsed, error) {
	var h parsed
	if len(s) > maxHashLen || len(s) < 4 || s[0] != '$' {
		return h, ErrMalformedHash
	}
	if s[1] == '2' {
		return pol.parseBcrypt(s)
	}
	id, rest, _ := strings.Cut(s[1:], "$")
	switch id {
	case "argon2id":
		h.alg = algArgon2id
	case "argon2i":
		h.alg = algArgon2i
	case "scrypt":
		h.alg = algScrypt
	default:
		return h, ErrMalformedHash
	}
	if h.alg != algScrypt {
		var v string
		v, rest, _ = strings.Cut(rest, "$")
		if v != "v=19" { // x/crypto/argon2 implements version 0x13 only
			return h, ErrMalformedHash
		}
	}
	params, rest, ok := strings.Cut(rest, "$")
	if !ok {
		return h, ErrMalformedHash
	}
	salt, hash, ok := strings.Cut(rest, "$")
	if !ok || strings.IndexByte(hash, '$') >= 0 {
		return h, ErrMalformedHash
	}
	if !b64Len(salt, 8, 64) || !b64Len(hash, 16, 128) {
		return h, ErrMalformedHash
	}
	h.salt, h.hash = salt, hash
	if h.alg == algScrypt {
		return pol.scryptParams(h, params)
	}
	return pol.argonParams(h, params)
}

func (pol *policy) argonParams(h parsed, params string) (parsed, error) {
	var ok bool
	var p uint32
	if params, ok = strings.CutPrefix(params, "m="); !ok {
		return h, ErrMalformedHash
	}
	if h.m, params, ok = cutUint(params, ','); !ok {
		return h, ErrMalformedHash
	}
	if params, ok = strings.CutPrefix(params, "t="); !ok {
		return h, ErrMalformedHash
	}
	if h.t, params, ok = cutUint(params, ','); !ok {
		return h, ErrMalformedHash
	}
	if params, ok = strings.CutPrefix(params, "p="); !ok {
		return h, ErrMalformedHash
	}
	if p, params, ok = cutUint(params, ','); !ok {
		return h, ErrMalformedHash
	}
	if params != "" {
		pep, ok := strings.CutPrefix(params, "pepper=")
		if !ok || h.alg != algArgon2id || !validID(pep) {
			return h, ErrMalformedHash
		}
		h.pepper = pep
	}
	if h.m == 0 || h.t == 0 || p == 0 || p > 255 || h.m < 8*p {
		return h, ErrMalformedHash
	}
	if h.m > pol.maxM || h.t > pol.maxT || p > uint32(pol.maxP) {
		return h, ErrHashTooCostly
	}
	h.p = uint8(p)
	return h, nil
}

func (pol *policy) scryptParams(h parsed, params string) (parsed, error) {
	var ok bool
	var ln, p uint32
	if params, ok = strings.CutPrefix(params, "ln="); !ok {
		return h, ErrMalformedHash
	}
	if ln, params, ok = cutUint(params, ','); !ok {
		return h, ErrMalformedHash
	}
	if params, ok = strings.CutPrefix(params, "r="); !ok {
		return h, ErrMalformedHash
	}
	if h.r, params, ok = cutUint(params, ','); !ok {
		return h, ErrMalformedHash
	}
	if params, ok = strings.CutPrefix(params, "p="); !ok {
		return h, ErrMalformedHash
	}
	if p, params, ok = cutUint(params, ','); !ok || params != "" {
		return h, ErrMalformedHash
	}
	if ln == 0 || ln > 62 || h.r == 0 || p == 0 || p > 255 {
		return h, ErrMalformedHash
	}
	// scrypt needs 128·r·N bytes. 128·r·2^ln ≤ max ⟺ r ≤ ⌊max/2^(7+ln)⌋,
	// so shift the bound down instead of the product up: 128·r << ln wraps
	// (r=2^20, ln=37 gives 2^64, that is 0). ln ≤ 62 here, so the shift is
	// defined.
	maxBytes := uint64(pol.maxM) * 1024
	if ln > 40 || h.r > 1<<20 || uint64(h.r) > (maxBytes>>7)>>ln || p > uint32(pol.maxP) {
		return h, ErrHashTooCostly
	}
	h.ln, h.p = uint8(ln), uint8(p)
	return h, nil
}

// parseBcrypt accepts $2a$, $2b$ and $2y$ hashes: 60 bytes, a two-digit
// cost, then 22 salt and 31 hash characters of bcrypt's base64 alphabet.
func (pol *policy) parseBcrypt(s string) (parsed, error) {
	h := parsed{alg: algBcrypt}
	if len(s) != 60 || s[1] != '2' || (s[2] != 'a' && s[2] != 'b' && s[2] != 'y') || s[3] != '$' || s[6] != '$' {
		return h, ErrMalformedHash
	}
	if s[4] < '0' || s[4] > '9' || s[5] < '0' || s[5] > '9' {
		return h, ErrMalformedHash
	}
	h.cost = int(s[4]-'0')*10 + int(s[5]-'0')
	for i := 7; i < 60; i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '/') {
			return h, ErrMalformedHash
		}
	}
	if h.cost < 4 || h.cost > 31 {
		return h, ErrMalformedHash
	}
	if h.cost > pol.maxBcrypt {
		return h, ErrHashTooCostly
	}
	h.hash = s
	return h, nil
}

// cutUint reads a decimal number without sign or leading zeros, at most
// ten digits, up to sep or the end of s.
func cutUint(s string, sep byte) (n uint32, rest string, ok bool) {
	i := 0
	var v uint64
	for i < len(s) && s[i] != sep {
		c := s[i]
		if c < '0' || c > '9' || i == 10 || (i == 1 && s[0] == '0') {
			return 0, "", false
		}
		v = v*10 + uint64(c-'0')
		i++
	}
	if i == 0 || v > 1<<32-1 {
		return 0, "", false
	}
	if i < len(s) {
		i++ // skip sep
		if i == len(s) {
			return 0, "", false // trailing separator
		}
	}
	return uint32(v), s[i:], true
}

// b64Len reports whether s is plausible unpadded standard base64 of
// minLen to maxLen bytes, checking only its length and alphabet.
func b64Len(s string, minLen, maxLen int) bool {
	if len(s)%4 == 1 {
		return false
	}
	n := len(s) * 3 / 4
	if n < minLen || n > maxLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '+' || c == '/') {
			return false
		}
	}
	return true
}

func validID(id string) bool {
	if id == "" || len(id) > crypto.MaxKeyIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}
