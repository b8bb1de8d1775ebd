package cors

import "github.com/apisec-go/apisec/internal/httpsyntax"

// checkRequestHeaders parses the Access-Control-Request-Headers field lines
// of a preflight, checks each name against the policy and returns the
// number of names. It tolerates what
// RFC 9110 §5.6.1 asks recipients to tolerate (optional whitespace, empty
// elements, several field lines) plus any case and repeats, and allocates
// nothing. The caps are checked on lengths first, so the cost of a huge
// header is bounded by the caps, not by its size.
func (p *policy) checkRequestHeaders(lines []string) (items int, err error) {
	if len(lines) > MaxRequestHeadersLines {
		return 0, ErrHeadersTooLarge
	}
	total := 0
	for _, l := range lines {
		total += len(l)
	}
	if total > MaxRequestHeadersBytes {
		return 0, ErrHeadersTooLarge
	}
	for _, l := range lines {
		for l != "" {
			var item string
			item, l = nextItem(l)
			if item == "" {
				continue
			}
			if items++; items > MaxRequestHeaders {
				return 0, ErrHeadersTooLarge
			}
			if !httpsyntax.IsToken(item) || !p.headerAllowed(item) {
				return 0, ErrHeadersNotAllowed
			}
		}
	}
	return items, nil
}

// nextItem returns the first comma-separated element of s, stripped of
// spaces and tabs, and the rest after the comma.
func nextItem(s string) (item, rest string) {
	i := 0
	for i < len(s) && s[i] != ',' {
		i++
	}
	item = s[:i]
	if i < len(s) {
		rest = s[i+1:]
	}
	for item != "" && (item[0] == ' ' || item[0] == '\t') {
		item = item[1:]
	}
	for item != "" && (item[len(item)-1] == ' ' || item[len(item)-1] == '\t') {
		item = item[:len(item)-1]
	}
	return item, rest
}

// headerAllowed reports whether the token name (any case) is allowed.
func (p *policy) headerAllowed(name string) bool {
	if p.anyHeader {
		// The wildcard never covers Authorization (Fetch, CORS-preflight
		// fetch step 7.7 and the Access-Control-Allow-Headers definition).
		return p.allowAuth || !asciiEqualFold(name, "authorization")
	}
	if p.headerSet == nil {
		for _, h := range p.headers {
			if asciiEqualFold(name, h) {
				return true
			}
		}
		return false
	}
	if isLower(name) {
		_, ok := p.headerSet[name]
		return ok
	}
	var buf [maxHeaderName]byte
	if len(name) > len(buf) {
		return false // longer than any configured name
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	_, ok := p.headerSet[string(buf[:len(name)])]
	return ok
}

func isLower(s string) bool {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			return false
		}
	}
	return true
}

func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	if a == b {
		return true
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
