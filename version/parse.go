package version

import (
	"net/url"
	"strings"
	"time"
)

// Inbound parsing is lenient about the forms clients send in the wild and
// strict about everything else: a value is a version number or a date,
// optionally quoted, optionally prefixed with "v" or "V", surrounded by
// optional whitespace. Leading zeros and trailing ".0" components are
// ignored ("v02.0" is version 2). Anything else names no known version.

// maxValueLen bounds one inbound version value; no version is longer.
const maxValueLen = 64

// maxComponents bounds the dot-separated components of an inbound number.
const maxComponents = 8

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// looksLikeDate reports whether s has the shape dddd-dd-dd.
func looksLikeDate(s string) bool {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return false
	}
	for i := 0; i < 10; i++ {
		if i != 4 && i != 7 && !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// parseDate parses a valid calendar date YYYY-MM-DD (years 0001-9999).
func parseDate(s string) (versionKey, bool) {
	if !looksLikeDate(s) {
		return versionKey{}, false
	}
	y := atoi(s[0:4])
	m := atoi(s[5:7])
	d := atoi(s[8:10])
	if y < 1 || m < 1 || m > 12 || d < 1 || d > 31 {
		return versionKey{}, false
	}
	if time.Date(int(y), time.Month(m), int(d), 0, 0, 0, 0, time.UTC).Day() != int(d) {
		return versionKey{}, false // 2026-02-30
	}
	return versionKey{date: true, n: [3]uint32{y, m, d}}, true
}

// atoi converts a short run of ASCII digits; callers check the digits.
func atoi(s string) uint32 {
	var n uint32
	for i := 0; i < len(s); i++ {
		n = n*10 + uint32(s[i]-'0')
	}
	return n
}

// parseNumber parses "2", "1.1" or "1.2.3". In strict mode (configured
// names) leading zeros are refused; otherwise they are ignored, and
// components beyond the third are accepted when they are zero.
func parseNumber(s string, strict bool) (versionKey, bool) {
	var k versionKey
	if s == "" {
		return k, false
	}
	for i := 0; ; i++ {
		part, rest, more := strings.Cut(s, ".")
		if part == "" || len(part) > 9 {
			return versionKey{}, false
		}
		for j := 0; j < len(part); j++ {
			if !isDigit(part[j]) {
				return versionKey{}, false
			}
		}
		if strict && len(part) > 1 && part[0] == '0' {
			return versionKey{}, false
		}
		v := atoi(part)
		if i < len(k.n) {
			k.n[i] = v
		} else if strict || v != 0 {
			return versionKey{}, false
		}
		if !more {
			return k, true
		}
		if i >= maxComponents {
			return versionKey{}, false
		}
		s = rest
	}
}

// parseValue leniently parses one inbound version value.
func parseValue(s string) (versionKey, bool) {
	s = trimOWS(s)
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = trimOWS(s[1 : len(s)-1])
	}
	if len(s) > maxValueLen {
		return versionKey{}, false
	}
	if len(s) > 1 && (s[0] == 'v' || s[0] == 'V') {
		s = s[1:]
	}
	if k, ok := parseDate(s); ok {
		return k, true
	}
	return parseNumber(s, false)
}

// pathSegmentNamesVersion reports whether a path segment is meant as a
// version: "v" or "V" followed by a digit, or a date. Other segments
// ("users", "vendors") name no version.
func pathSegmentNamesVersion(seg string) bool {
	if len(seg) >= 2 && (seg[0] == 'v' || seg[0] == 'V') && isDigit(seg[1]) {
		return true
	}
	return looksLikeDate(seg)
}

func trimOWS(s string) string {
	for s != "" && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for s != "" && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

// nextElement splits s at the first sep that is outside a quoted string
// (RFC 9110 §5.6.4, with backslash escapes), returning the element and
// the rest. An unterminated quote runs to the end of s.
func nextElement(s string, sep byte) (elem, rest string, more bool) {
	inQuote := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case inQuote && c == '\\':
			i++
		case c == '"':
			inQuote = !inQuote
		case !inQuote && c == sep:
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// parseQ parses an RFC 9110 §12.4.2 weight into thousandths.
func parseQ(s string) (int, bool) {
	if s == "" || len(s) > 5 {
		return 0, false
	}
	switch {
	case s[0] == '0':
	case s[0] == '1':
		for i := 2; i < len(s); i++ {
			if s[i] != '0' {
				return 0, false
			}
		}
	default:
		return 0, false
	}
	if len(s) == 1 {
		return int(s[0]-'0') * 1000, true
	}
	if s[1] != '.' {
		return 0, false
	}
	q := int(s[0]-'0') * 1000
	scale := 100
	for i := 2; i < len(s); i++ {
		if !isDigit(s[i]) {
			return 0, false
		}
		q += int(s[i]-'0') * scale
		scale /= 10
	}
	return q, true
}

// acceptVersion is the result of reading the Accept header.
type acceptVersion struct {
	best      *compiled
	named     bool // some range of our media type named a version with q > 0
	supported bool // and at least one of those versions is configured
}

// fromAccept picks, among the Accept ranges of the vendor media type that
// carry a version parameter, the supported version with the highest
// weight (the first one on a tie). When another source already chose
// want, want is the result if any range accepts it.
func (n *Negotiator) fromAccept(lines []string, want *compiled) acceptVersion {
	var res acceptVersion
	bestQ := -1
	for _, line := range lines {
		for more := true; more; {
			var elem string
			elem, line, more = nextElement(line, ',')
			mt, params, _ := strings.Cut(elem, ";")
			if !strings.EqualFold(trimOWS(mt), n.mediaType) {
				continue
			}
			var ver string
			hasVer, dupVer, q := false, false, 1000
			for p := true; p; {
				var param string
				param, params, p = nextElement(params, ';')
				name, value, ok := strings.Cut(param, "=")
				if !ok {
					continue
				}
				name = trimOWS(name)
				switch {
				case strings.EqualFold(name, "version"):
					dupVer = hasVer // a range naming two versions names none
					ver, hasVer = value, true
				case strings.EqualFold(name, "q"):
					if q, ok = parseQ(trimOWS(value)); !ok {
						q = 0 // a malformed weight does not select
					}
				}
			}
			if !hasVer || q == 0 {
				continue
			}
			res.named = true
			k, ok := parseValue(ver)
			if !ok || dupVer {
				continue
			}
			cv := n.find(k)
			if cv == nil {
				continue
			}
			res.supported = true
			if want != nil {
				if cv == want {
					res.best = want
					return res
				}
				continue
			}
			if q > bestQ {
				res.best, bestQ = cv, q
			}
		}
	}
	return res
}

// fromQuery reads the version query parameter from a raw query string.
// Every occurrence must name the same version.
func (n *Negotiator) fromQuery(raw string) (*compiled, error) {
	var found *compiled
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		key, value, _ := strings.Cut(pair, "=")
		if strings.ContainsAny(key, "%+") {
			var err error
			if key, err = url.QueryUnescape(key); err != nil {
				continue
			}
		}
		if key != n.query {
			continue
		}
		if strings.ContainsAny(value, "%+") {
			var err error
			if value, err = url.QueryUnescape(value); err != nil {
				return nil, ErrUnsupported
			}
		}
		if trimOWS(value) == "" {
			continue
		}
		var err error
		if found, err = n.agree(found, value); err != nil {
			return nil, err
		}
	}
	return found, nil
}
