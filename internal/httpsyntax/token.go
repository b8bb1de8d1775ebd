package httpsyntax

// tchar marks the bytes of an RFC 9110 token (§5.6.2): letters, digits
// and !#$%&'*+-.^_`|~.
var tchar = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		t[c] = true
	}
	return t
}()

// IsTokenChar reports whether c may appear in an RFC 9110 token.
func IsTokenChar(c byte) bool { return tchar[c] }

// IsToken reports whether s is a non-empty RFC 9110 token.
func IsToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !tchar[s[i]] {
			return false
		}
	}
	return true
}

// TrimOWS removes the optional whitespace of RFC 9110 §5.6.3 (spaces and
// horizontal tabs, nothing else) from both ends of s. strings.TrimSpace
// would also drop CR, LF, VT, FF and U+0085, letting a malformed element
// pass as a clean one.
func TrimOWS(s string) string {
	i, j := 0, len(s)
	for i < j && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	for j > i && (s[j-1] == ' ' || s[j-1] == '\t') {
		j--
	}
	return s[i:j]
}
