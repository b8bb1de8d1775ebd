package audit

import (
	"strings"
	"unicode/utf8"
)

// Redacted replaces every value the [Handler] withholds.
const Redacted = "[REDACTED]"

// truncatedMark ends a value cut at its length cap.
const truncatedMark = "...[truncated]"

// sanitize returns s with secrets that can be recognised by their shape
// (JWTs, bearer and basic credentials) replaced by [Redacted], with
// characters that could forge or hide log lines escaped, and cut to limit
// bytes (0 means no cap). It returns s itself, without allocating, when
// nothing needs to change.
func sanitize(s string, limit int) string {
	if !needsWork(s, limit) {
		return s
	}
	return rewrite(s, limit)
}

// needsWork is the fast path: one pass over the bytes, with a table
// lookup per byte, that looks for bytes outside printable ASCII and for the
// starts of credentials ("eyJ", a space after "bearer" or "basic").
func needsWork(s string, limit int) bool {
	if limit > 0 && len(s) > limit {
		return true
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !notable[c] {
			continue
		}
		switch {
		case c == 'J':
			if i >= 2 && s[i-2] == 'e' && s[i-1] == 'y' {
				return true
			}
		case c == ' ':
			// Only a word ending in 'r' or 'c' can be a scheme.
			switch s[max(i-1, 0)] | 0x20 {
			case 'r':
				if i >= 6 && strings.EqualFold(s[i-6:i], "bearer") {
					return true
				}
			case 'c':
				if i >= 5 && strings.EqualFold(s[i-5:i], "basic") {
					return true
				}
			}
		default:
			return true
		}
	}
	return false
}

// notable marks the bytes needsWork must look at: everything outside
// printable ASCII, and the 'J' and ' ' that may end a credential's start.
var notable = func() (t [256]bool) {
	for c := range t {
		t[c] = c < 0x20 || c >= 0x7f || c == 'J' || c == ' '
	}
	return t
}()

func rewrite(s string, limit int) string {
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		if n := credentialAt(s, i); n > 0 {
			// Keep the scheme word ("Bearer "), drop the credential.
			if k := schemeLen(s[i:]); k > 0 {
				b.WriteString(s[i : i+k])
			}
			b.WriteString(Redacted)
			i += n
			continue
		}
		c := s[i]
		if c >= 0x20 && c < 0x7f {
			b.WriteByte(c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			b.WriteString(`\ufffd`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case isHidden(r):
			writeEscape(&b, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	out := b.String()
	if limit > 0 && len(out) > limit {
		out = cut(out, limit) + truncatedMark
	}
	return out
}

// isHidden reports whether r must not reach a log verbatim: C0 and C1
// controls (NEL U+0085 included), DEL, the line and paragraph separators
// U+2028/U+2029, zero-width characters and the bidirectional controls
// that can make a line read differently from what it holds (CVE-2021-42574).
func isHidden(r rune) bool {
	switch {
	case r < 0x20, r >= 0x7f && r <= 0x9f:
		return true
	case r == 0x061c, r == 0xfeff:
		return true
	case r >= 0x200b && r <= 0x200f, r >= 0x2028 && r <= 0x202e, r >= 0x2060 && r <= 0x2069:
		return true
	}
	return false
}

const hexDigits = "0123456789abcdef"

func writeEscape(b *strings.Builder, r rune) {
	if r < 0x80 {
		b.WriteString(`\x`)
		b.WriteByte(hexDigits[r>>4])
		b.WriteByte(hexDigits[r&0xf])
		return
	}
	b.WriteString(`\u`)
	b.WriteByte(hexDigits[r>>12&0xf])
	b.WriteByte(hexDigits[r>>8&0xf])
	b.WriteByte(hexDigits[r>>4&0xf])
	b.WriteByte(hexDigits[r&0xf])
}

// cut returns the longest prefix of s of at most n bytes that does not
// split a UTF-8 sequence.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// credentialAt returns the length of a credential starting at s[i], or 0.
// Credentials are recognised only at a word start, so "eyJ" or "basic"
// inside a longer word is left alone.
func credentialAt(s string, i int) int {
	if i > 0 && isBase64URL(s[i-1]) {
		return 0
	}
	rest := s[i:]
	if len(rest) < 8 {
		return 0
	}
	if strings.HasPrefix(rest, "eyJ") {
		return jwtLen(rest)
	}
	if k := schemeLen(rest); k > 0 {
		n := 0
		var lowers, others bool
		for k+n < len(rest) && isToken68(rest[k+n]) {
			c := rest[k+n]
			lowers = lowers || 'a' <= c && c <= 'z'
			others = others || !('a' <= c && c <= 'z')
			n++
		}
		for k+n < len(rest) && rest[k+n] == '=' {
			others = true
			n++
		}
		// A credential is at least 8 characters and not a plain
		// lower-case word ("basic tutorials").
		if n >= 8 && (others || !lowers) {
			return k + n
		}
	}
	return 0
}

// schemeLen returns the length of a leading "Bearer " or "Basic "
// (any case, one or more spaces), or 0.
func schemeLen(s string) int {
	var k int
	switch {
	case len(s) > 7 && strings.EqualFold(s[:6], "bearer"):
		k = 6
	case len(s) > 6 && strings.EqualFold(s[:5], "basic"):
		k = 5
	default:
		return 0
	}
	if s[k] != ' ' {
		return 0
	}
	for k < len(s) && s[k] == ' ' {
		k++
	}
	return k
}

// jwtLen returns the length of the JWS or JWE compact serialisation that
// starts s (base64url segments joined by dots, the first a JSON object),
// or 0 if s does not start with one.
//
// The second segment is empty only in a JWE whose key is not encrypted
// (alg "dir", "ECDH-ES": header..iv.ciphertext.tag, [RFC 7516] section
// 5.1), so it may be empty only when there are five segments (and a
// full stop after them, as in a sentence, is taken along, as it is after
// a JWS).
//
// [RFC 7516]: https://www.rfc-editor.org/rfc/rfc7516
func jwtLen(s string) int {
	n, dots, seg := 0, 0, 0
	noKey := false
	for n < len(s) {
		c := s[n]
		if c == '.' {
			if seg == 0 && dots == 0 {
				return 0 // the header is never empty
			}
			noKey = noKey || seg == 0 && dots == 1
			dots++
			seg = 0
		} else if isBase64URL(c) {
			seg++
		} else {
			break
		}
		n++
	}
	if noKey && dots != 4 && !(dots == 5 && seg == 0) {
		return 0
	}
	if dots < 2 || n < 16 {
		return 0
	}
	return n
}

func isBase64URL(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_'
}

// isToken68 reports whether c may appear in an RFC 9110 token68.
func isToken68(c byte) bool {
	return isBase64URL(c) || c == '.' || c == '~' || c == '+' || c == '/'
}
