package audit

import "strings"

// DefaultSensitiveKeys returns the attribute keys whose values a [Handler]
// always redacts, in addition to [HandlerConfig.SensitiveKeys]. The
// result is a fresh copy.
//
// A key matches when one of its words is in this list, words being split
// at punctuation and at lower-to-upper case changes ("api_key", "apiKey",
// "X-Api-Key" all contain the word "key"), a trailing "s" ignored; or when
// the key with its punctuation removed contains one of the longer entries
// (marked below) anywhere ("accesstoken", "dbpassword"). Matching ignores
// case. The list errs on the side of redacting too much.
func DefaultSensitiveKeys() []string { return append([]string(nil), defaultSensitiveKeys[:]...) }

var defaultSensitiveKeys = [...]string{
	// Also matched inside longer words:
	"password", "passwd", "passphrase", "secret", "token", "authorization",
	"cookie", "credential", "apikey", "privatekey", "sessionid", "bearer",
	// Matched as whole words only:
	"pwd", "pass", "creds", "key", "session", "jwt", "otp", "pin", "cvv", "ssn",
	"signature", "salt", "nonce", "csrf", "xsrf",
}

// substringMin is the length from which a sensitive entry is also matched
// inside longer words; shorter entries ("key", "pin") would match too many
// innocent words ("monkey", "spinner").
const substringMin = 6

// keyMatcher decides whether an attribute key names a secret. It is built
// once and then read concurrently.
type keyMatcher struct {
	words   [][]string      // whole-word entries by length, lower case
	subs    []string        // substring entries, lower case
	first   [256]bool       // first bytes of subs
	allowed map[string]bool // lower-cased keys never redacted by name
}

func newKeyMatcher(extra, allowed []string) *keyMatcher {
	m := &keyMatcher{allowed: map[string]bool{}}
	add := func(s string) {
		s = strings.ToLower(s)
		for len(m.words) <= len(s) {
			m.words = append(m.words, nil)
		}
		m.words[len(s)] = append(m.words[len(s)], s)
		if len(s) >= substringMin {
			m.subs = append(m.subs, s)
			m.first[s[0]] = true
		}
	}
	for _, s := range defaultSensitiveKeys {
		add(s)
	}
	for _, s := range extra {
		add(normalizeEntry(s))
	}
	for _, s := range allowed {
		m.allowed[strings.ToLower(s)] = true
	}
	return m
}

// normalizeEntry removes punctuation from a configured entry, so that
// "set-cookie" and "x_api_key" are compared as the keys are.
func normalizeEntry(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := lower(s[i]); isAlnum(c) {
			b.WriteByte(c)
		}
	}
	return b.String()
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func isAlnum(c byte) bool { return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' }

// sensitive reports whether key names a secret.
func (m *keyMatcher) sensitive(key string) bool {
	if len(key) == 0 {
		return false
	}
	if len(m.allowed) > 0 && m.allowed[strings.ToLower(key)] {
		return false
	}
	// Normalised form: lower case, punctuation dropped. Keys longer than
	// the buffer are checked on their first 128 bytes: real keys are short.
	var buf [128]byte
	n := 0
	wordStart := 0
	for i := 0; i < len(key) && n < len(buf); i++ {
		c := key[i]
		lc := lower(c)
		if !isAlnum(lc) {
			if m.word(buf[wordStart:n]) {
				return true
			}
			wordStart = n
			continue
		}
		// A lower-to-upper change ("apiKey") starts a new word.
		if c != lc && i > 0 && 'a' <= key[i-1] && key[i-1] <= 'z' {
			if m.word(buf[wordStart:n]) {
				return true
			}
			wordStart = n
		}
		buf[n] = lc
		n++
	}
	if m.word(buf[wordStart:n]) {
		return true
	}
	norm := buf[:n]
	for i := range norm {
		if !m.first[norm[i]] {
			continue
		}
		for _, s := range m.subs {
			if len(norm)-i >= len(s) && string(norm[i:i+len(s)]) == s {
				return true
			}
		}
	}
	return false
}

func (m *keyMatcher) word(w []byte) bool {
	if len(w) == 0 || len(w) > len(m.words) {
		return false
	}
	if len(w) < len(m.words) {
		for _, s := range m.words[len(w)] {
			if string(w) == s {
				return true
			}
		}
	}
	if w[len(w)-1] == 's' {
		for _, s := range m.words[len(w)-1] {
			if string(w[:len(w)-1]) == s {
				return true
			}
		}
	}
	return false
}
