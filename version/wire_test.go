package version_test

// Strict parsers for the header fields the package emits, written from the
// RFCs independently of the package code, so the tests check the wire
// format rather than echo the implementation.

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// parseSFDate parses an RFC 9651 §3.3.7 Date bare item as sent in the
// Deprecation field (RFC 9745 §2.1): "@" followed by an sf-integer, at
// most 15 digits, optional leading "-", nothing else.
func parseSFDate(s string) (time.Time, error) {
	if !strings.HasPrefix(s, "@") {
		return time.Time{}, errors.New("missing @")
	}
	digits := strings.TrimPrefix(s[1:], "-")
	if digits == "" || len(digits) > 15 {
		return time.Time{}, errors.New("bad integer length")
	}
	for _, c := range []byte(digits) {
		if c < '0' || c > '9' {
			return time.Time{}, errors.New("non-digit in integer")
		}
	}
	if len(digits) > 1 && digits[0] == '0' {
		// RFC 9651 parsers accept leading zeros, but a serializer
		// (§4.1.4) never produces them: we check what we emit.
		return time.Time{}, errors.New("leading zero")
	}
	sec, err := strconv.ParseInt(s[1:], 10, 64)
	if err != nil {
		return time.Time{}, err
	}
	return time.Unix(sec, 0).UTC(), nil
}

// parseIMFFixdate parses an RFC 9110 §5.6.7 IMF-fixdate, as the Sunset
// field requires (RFC 8594 §3), and refuses the obsolete forms and any
// text a strict serializer would not produce (a wrong day name, a zone
// other than GMT, missing zero padding).
func parseIMFFixdate(s string) (time.Time, error) {
	t, err := time.Parse(http.TimeFormat, s)
	if err != nil {
		return time.Time{}, err
	}
	if t.Format(http.TimeFormat) != s {
		return time.Time{}, errors.New("not canonical IMF-fixdate")
	}
	return t, nil
}

// link is one RFC 8288 link-value.
type link struct {
	target string
	params map[string]string // lowercased names
}

// parseLinks parses a Link field value (RFC 8288 §3): a comma-separated
// list of "<" URI-Reference ">" *( OWS ";" OWS link-param ), link-param
// = token BWS [ "=" BWS ( token / quoted-string ) ].
func parseLinks(s string) ([]link, error) {
	var out []link
	i := 0
	skipOWS := func() {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
	}
	token := func() string {
		start := i
		for i < len(s) && isTchar(s[i]) {
			i++
		}
		return s[start:i]
	}
	for {
		skipOWS()
		if i >= len(s) || s[i] != '<' {
			return nil, errors.New("link-value must start with <")
		}
		end := strings.IndexByte(s[i:], '>')
		if end < 0 {
			return nil, errors.New("unterminated <")
		}
		target := s[i+1 : i+end]
		for _, c := range []byte(target) {
			if c <= ' ' || c >= 0x7f || c == '<' || c == '"' {
				return nil, errors.New("invalid character in URI-Reference")
			}
		}
		i += end + 1
		l := link{target: target, params: map[string]string{}}
		for {
			skipOWS()
			if i >= len(s) || s[i] == ',' {
				break
			}
			if s[i] != ';' {
				return nil, errors.New("expected ; or ,")
			}
			i++
			skipOWS()
			name := token()
			if name == "" {
				return nil, errors.New("empty parameter name")
			}
			skipOWS()
			value := ""
			if i < len(s) && s[i] == '=' {
				i++
				skipOWS()
				if i < len(s) && s[i] == '"' {
					i++
					var b strings.Builder
					for ; i < len(s) && s[i] != '"'; i++ {
						if s[i] == '\\' {
							i++
							if i >= len(s) {
								return nil, errors.New("dangling escape")
							}
						}
						b.WriteByte(s[i])
					}
					if i >= len(s) {
						return nil, errors.New("unterminated quoted-string")
					}
					i++
					value = b.String()
				} else if value = token(); value == "" {
					return nil, errors.New("empty parameter value")
				}
			}
			name = strings.ToLower(name)
			if _, dup := l.params[name]; dup && name == "rel" {
				return nil, errors.New("repeated rel (RFC 8288 §3.3)")
			}
			l.params[name] = value
		}
		out = append(out, l)
		if i >= len(s) {
			return out, nil
		}
		i++ // ','
	}
}

func isTchar(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' ||
		strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// linkRels maps each rel of the parsed Link fields to its target.
func linkRels(fields []string) (map[string]string, error) {
	rels := map[string]string{}
	for _, f := range fields {
		links, err := parseLinks(f)
		if err != nil {
			return nil, err
		}
		for _, l := range links {
			for _, rel := range strings.Fields(l.params["rel"]) {
				if _, dup := rels[rel]; dup {
					return nil, errors.New("rel " + rel + " appears twice")
				}
				rels[rel] = l.target
			}
		}
	}
	return rels, nil
}
