package ratelimit_test

import (
	"errors"
	"strconv"
	"strings"
)

// A strict parser for the Structured Field Lists of RFC 9651 (formerly
// RFC 8941), as far as the RateLimit fields use them. It rejects anything
// the RFC's parsing algorithm rejects.

type sfItem struct {
	value  any // string (sf-string), sfToken, int64, bool, []byte
	params []sfParam
}

type sfParam struct {
	key   string
	value any
}

type sfToken string

var errSF = errors.New("invalid structured field")

func parseSFList(s string) ([]sfItem, error) {
	p := &sfParser{s: strings.TrimLeft(s, " ")}
	p.s = strings.TrimRight(p.s, " ")
	var items []sfItem
	for p.s != "" {
		it, err := p.item()
		if err != nil {
			return nil, err
		}
		items = append(items, it)
		p.ows()
		if p.s == "" {
			return items, nil
		}
		if p.s[0] != ',' {
			return nil, errSF
		}
		p.s = p.s[1:]
		p.ows()
		if p.s == "" {
			return nil, errSF // trailing comma
		}
	}
	return items, nil
}

type sfParser struct{ s string }

func (p *sfParser) ows() { p.s = strings.TrimLeft(p.s, " \t") }

func (p *sfParser) item() (sfItem, error) {
	v, err := p.bare()
	if err != nil {
		return sfItem{}, err
	}
	it := sfItem{value: v}
	seen := map[string]bool{}
	for p.s != "" && p.s[0] == ';' {
		p.s = strings.TrimLeft(p.s[1:], " ")
		k, err := p.key()
		if err != nil {
			return sfItem{}, err
		}
		var pv any = true
		if p.s != "" && p.s[0] == '=' {
			p.s = p.s[1:]
			if pv, err = p.bare(); err != nil {
				return sfItem{}, err
			}
		}
		if seen[k] {
			return sfItem{}, errSF // we refuse duplicates outright: a server should never send them
		}
		seen[k] = true
		it.params = append(it.params, sfParam{k, pv})
	}
	return it, nil
}

func (p *sfParser) key() (string, error) {
	if p.s == "" || !(p.s[0] >= 'a' && p.s[0] <= 'z' || p.s[0] == '*') {
		return "", errSF
	}
	i := 1
	for i < len(p.s) {
		c := p.s[i]
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.' || c == '*' {
			i++
			continue
		}
		break
	}
	k := p.s[:i]
	p.s = p.s[i:]
	return k, nil
}

func (p *sfParser) bare() (any, error) {
	if p.s == "" {
		return nil, errSF
	}
	switch c := p.s[0]; {
	case c == '-' || c >= '0' && c <= '9':
		return p.integer()
	case c == '"':
		return p.str()
	case c == '?':
		if len(p.s) < 2 || (p.s[1] != '0' && p.s[1] != '1') {
			return nil, errSF
		}
		b := p.s[1] == '1'
		p.s = p.s[2:]
		return b, nil
	case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '*':
		i := 1
		for i < len(p.s) && strings.IndexByte("!#$%&'*+-.^_`|~:/", p.s[i]) >= 0 || i < len(p.s) && (p.s[i] >= '0' && p.s[i] <= '9' || p.s[i] >= 'a' && p.s[i] <= 'z' || p.s[i] >= 'A' && p.s[i] <= 'Z') {
			i++
		}
		t := sfToken(p.s[:i])
		p.s = p.s[i:]
		return t, nil
	}
	return nil, errSF
}

func (p *sfParser) integer() (int64, error) {
	i := 0
	if p.s[0] == '-' {
		i = 1
	}
	j := i
	for j < len(p.s) && p.s[j] >= '0' && p.s[j] <= '9' {
		j++
	}
	if j == i || j-i > 15 {
		return 0, errSF
	}
	if j < len(p.s) && p.s[j] == '.' {
		return 0, errSF // decimals are not used by these fields
	}
	n, err := strconv.ParseInt(p.s[:j], 10, 64)
	if err != nil {
		return 0, errSF
	}
	p.s = p.s[j:]
	return n, nil
}

func (p *sfParser) str() (string, error) {
	var b strings.Builder
	for i := 1; i < len(p.s); i++ {
		c := p.s[i]
		switch {
		case c == '\\':
			i++
			if i >= len(p.s) || (p.s[i] != '"' && p.s[i] != '\\') {
				return "", errSF
			}
			b.WriteByte(p.s[i])
		case c == '"':
			p.s = p.s[i+1:]
			return b.String(), nil
		case c < 0x20 || c > 0x7e:
			return "", errSF
		default:
			b.WriteByte(c)
		}
	}
	return "", errSF
}
