package auth

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// The scanner below walks the top level of a JSON object that
// encoding/json's Valid has already accepted. It exists so that claim and
// header names are matched byte for byte: encoding/json matches struct
// fields case-insensitively ("EXP" fills Exp) and keeps the last of
// duplicate keys, two differentials an attacker can use against a second
// parser in the chain.

type text interface{ ~string | ~[]byte }

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func skipSpace[T text](s T, i int) int {
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	return i
}

// skipString returns the index just past the string starting at s[i]=='"'.
func skipString[T text](s T, i int) int {
	for i++; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(s)
}

// skipValue returns the index just past the value starting at s[i].
func skipValue[T text](s T, i int) int {
	switch s[i] {
	case '"':
		return skipString(s, i)
	case '{', '[':
		depth := 0
		for i < len(s) {
			switch s[i] {
			case '"':
				i = skipString(s, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return len(s)
	default:
		for i < len(s) && s[i] != ',' && s[i] != '}' && s[i] != ']' && !isSpace(s[i]) {
			i++
		}
		return i
	}
}

// object iterates over the members of a valid JSON object.
type object[T text] struct {
	s T
	i int
}

// openObject starts iterating; ok is false when s is not an object.
func openObject[T text](s T) (object[T], bool) {
	i := skipSpace(s, 0)
	if i >= len(s) || s[i] != '{' {
		return object[T]{}, false
	}
	return object[T]{s: s, i: i + 1}, true
}

// next returns the next member. key is the raw key between the quotes
// (escapes not decoded; escaped reports whether it has any) and val the
// raw value. ok is false after the last member.
func (o *object[T]) next() (key, val T, escaped, ok bool) {
	s := o.s
	i := skipSpace(s, o.i)
	if i < len(s) && s[i] == ',' {
		i = skipSpace(s, i+1)
	}
	if i >= len(s) || s[i] != '"' {
		return key, val, false, false
	}
	end := skipString(s, i)
	key = s[i+1 : end-1]
	for j := 0; j < len(key); j++ {
		if key[j] == '\\' {
			escaped = true
			break
		}
	}
	i = skipSpace(s, end)
	i = skipSpace(s, i+1) // the colon
	vend := skipValue(s, i)
	val = s[i:vend]
	o.i = vend
	return key, val, escaped, true
}

// maxName is the longest member name the Authenticator reads (a claim
// name configured longer than this is a configuration error), and the
// size of the buffer escaped names are decoded into.
const maxName = 128

// unescapeName decodes a member name that contains escapes into buf,
// without allocating, and returns it as a string that shares buf's memory:
// it is compared, never kept. ok is false for an invalid escape or a raw
// control character, as for encoding/json. long reports a name that does
// not fit in buf, so it is longer than any name we read; it is still
// checked to the end. Invalid UTF-8 is copied as is: it cannot equal, or
// fold to, any name we read either way.
func unescapeName[T text](buf *[maxName]byte, key T) (name string, long, ok bool) {
	n := 0
	put := func(b ...byte) {
		if n+len(b) > len(buf) {
			long = true
			return
		}
		n += copy(buf[n:], b)
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case c < 0x20:
			return "", false, false
		case c != '\\':
			put(c)
			continue
		}
		if i++; i >= len(key) {
			return "", false, false
		}
		switch key[i] {
		case '"', '\\', '/':
			put(key[i])
		case 'b':
			put('\b')
		case 'f':
			put('\f')
		case 'n':
			put('\n')
		case 'r':
			put('\r')
		case 't':
			put('\t')
		case 'u':
			r, ok := hex4(key, i+1)
			if !ok {
				return "", false, false
			}
			i += 4
			if utf16.IsSurrogate(r) {
				// A high surrogate followed by an escaped low one is one
				// character; a lone surrogate is U+FFFD.
				if r2, ok := hex4(key, i+3); ok && i+2 < len(key) && key[i+1] == '\\' && key[i+2] == 'u' {
					if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
						r, i = d, i+6
					} else {
						r = utf8.RuneError
					}
				} else {
					r = utf8.RuneError
				}
			}
			var enc [utf8.UTFMax]byte
			put(enc[:utf8.EncodeRune(enc[:], r)]...)
		default:
			return "", false, false
		}
	}
	if long {
		return "", true, true
	}
	return unsafe.String(&buf[0], n), false, true
}

// hex4 reads the four hex digits of a \u escape starting at i.
func hex4[T text](s T, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[i : i+4]) {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// unescapeKey decodes a key that contains escapes into a new string, for
// callers that keep it (the duplicate check, after the signature).
func unescapeKey[T text](key T) (string, bool) {
	var out string
	b := make([]byte, 0, len(key)+2)
	b = append(b, '"')
	b = append(b, key...)
	b = append(b, '"')
	if json.Unmarshal(b, &out) != nil {
		return "", false
	}
	return out, true
}

// jsonBytes decodes a JSON string value held in a []byte. Values without
// escapes are returned as a subslice of v, without copying; only a value
// with escapes is decoded into a new slice.
func jsonBytes(v []byte) ([]byte, bool) {
	if len(v) < 2 || v[0] != '"' {
		return nil, false
	}
	if bytes.IndexByte(v, '\\') < 0 {
		return v[1 : len(v)-1], true
	}
	var out string
	if json.Unmarshal(v, &out) != nil {
		return nil, false
	}
	return []byte(out), true
}

// jsonString decodes a JSON string value. Values without escapes are
// returned as a substring of v, without copying.
func jsonString(v string) (string, bool) {
	if len(v) < 2 || v[0] != '"' {
		return "", false
	}
	inner := v[1 : len(v)-1]
	for i := 0; i < len(inner); i++ {
		if inner[i] == '\\' {
			var out string
			if json.Unmarshal([]byte(v), &out) != nil {
				return "", false
			}
			return out, true
		}
	}
	return inner, true
}

// jsonNumber decodes a JSON number.
func jsonNumber(v string) (float64, bool) {
	if v == "" || (v[0] != '-' && (v[0] < '0' || v[0] > '9')) {
		return 0, false
	}
	f, err := strconv.ParseFloat(v, 64)
	return f, err == nil
}

// jsonStrings decodes a JSON array of strings. A bare string is accepted as
// a one-element list when single is true (the "aud" claim).
func jsonStrings(v string, single bool) ([]string, bool) {
	if single && len(v) > 0 && v[0] == '"' {
		s, ok := jsonString(v)
		if !ok {
			return nil, false
		}
		return []string{s}, true
	}
	if len(v) < 2 || v[0] != '[' {
		return nil, false
	}
	// Count first so the slice is allocated once.
	n := 0
	for i := skipSpace(v, 1); i < len(v) && v[i] != ']'; {
		if v[i] != '"' {
			return nil, false
		}
		i = skipString(v, i)
		n++
		i = skipSpace(v, i)
		if i < len(v) && v[i] == ',' {
			i = skipSpace(v, i+1)
		}
	}
	if n == 0 {
		return nil, true
	}
	out := make([]string, 0, n)
	for i := skipSpace(v, 1); i < len(v) && v[i] != ']'; {
		end := skipString(v, i)
		s, ok := jsonString(v[i:end])
		if !ok {
			return nil, false
		}
		out = append(out, s)
		i = skipSpace(v, end)
		if i < len(v) && v[i] == ',' {
			i = skipSpace(v, i+1)
		}
	}
	return out, true
}

// hasDuplicateKeys reports whether the valid JSON object s repeats a
// member name (after unescaping).
func hasDuplicateKeys(s string) bool {
	obj, ok := openObject(s)
	if !ok {
		return false
	}
	var small [32]string
	keys := small[:0]
	var seen map[string]bool
	for {
		k, _, esc, more := obj.next()
		if !more {
			return false
		}
		if esc {
			if k, ok = unescapeKey(k); !ok {
				return true
			}
		}
		if seen != nil {
			if seen[k] {
				return true
			}
			seen[k] = true
			continue
		}
		for _, x := range keys {
			if x == k {
				return true
			}
		}
		keys = append(keys, k)
		if len(keys) == len(small) {
			seen = make(map[string]bool, 2*len(small))
			for _, x := range keys {
				seen[x] = true
			}
		}
	}
}
