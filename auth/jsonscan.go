package auth

import (
	"encoding/json"
	"strconv"
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

// unescapeKey decodes a key that contains escapes.
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
