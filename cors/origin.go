package cors

import (
	"errors"
	"net/netip"
	"strconv"
	"strings"
)

// An origin pattern compiled from one [Config.Origins] entry that is not a
// plain serialized origin: a subdomain pattern, a port wildcard, or both.
type pattern struct {
	scheme    string
	host      string // exact host, or the base domain of a subdomain pattern
	subdomain bool   // host is "*." + host: one or more whole labels before it
	port      string // "" default port, "*" any port, else the decimal port
}

func (p *pattern) match(scheme, host, port string) bool {
	if scheme != p.scheme {
		return false
	}
	switch p.port {
	case "*":
		if port != "" && !validPort(port) {
			return false
		}
	default:
		if port != p.port {
			return false
		}
	}
	if !p.subdomain {
		return host == p.host
	}
	// Whole labels only: "evilexample.com" and ".example.com" never match
	// "*.example.com".
	n := len(host) - len(p.host)
	return n >= 2 && host[n-1] == '.' && host[n:] == p.host && validLabels(host[:n-1])
}

// splitOrigin splits a serialized origin "scheme://host[:port]" without
// allocating. It checks the shape only; exact matching is done on the whole
// string by the caller.
func splitOrigin(s string) (scheme, host, port string, ok bool) {
	if len(s) > maxOriginLen {
		return "", "", "", false
	}
	i := strings.Index(s, "://")
	if i <= 0 {
		return "", "", "", false
	}
	scheme, rest := s[:i], s[i+3:]
	if rest == "" {
		return "", "", "", false
	}
	if rest[0] == '[' { // IPv6 literal
		j := strings.IndexByte(rest, ']')
		if j < 0 {
			return "", "", "", false
		}
		host, rest = rest[:j+1], rest[j+1:]
	} else if j := strings.IndexByte(rest, ':'); j >= 0 {
		host, rest = rest[:j], rest[j:]
	} else {
		host, rest = rest, ""
	}
	if rest != "" {
		if rest[0] != ':' || len(rest) == 1 {
			return "", "", "", false
		}
		port = rest[1:]
	}
	return scheme, host, port, host != ""
}

// maxOriginLen bounds what the matcher looks at: a 64-byte scheme, a
// 253-byte host, a port and separators.
const maxOriginLen = 64 + len("://") + 255 + len(":65535")

// validLabels reports whether s is one or more non-empty dot-separated
// labels of lowercase letters, digits, hyphens and underscores (the bytes a
// browser leaves in a serialized host).
func validLabels(s string) bool {
	if s == "" {
		return false
	}
	label := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.':
			if label == 0 {
				return false
			}
			label = 0
			continue
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '_':
		default:
			return false
		}
		label++
		if label > 63 {
			return false
		}
	}
	return label > 0
}

// validPort reports whether s is a port as browsers serialize it: 1 to 5
// digits, no leading zero, 1..65535.
func validPort(s string) bool {
	if s == "" || len(s) > 5 || s[0] == '0' {
		return false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return false
		}
		n = n*10 + int(c-'0')
	}
	return n <= 65535
}

func defaultPort(scheme string) string {
	switch scheme {
	case "http", "ws":
		return "80"
	case "https", "wss":
		return "443"
	case "ftp":
		return "21"
	}
	return ""
}

// parsedOrigin is a validated Config.Origins entry.
type parsedOrigin struct {
	exact   string // the serialized origin, when the entry has no wildcard
	pattern *pattern
	http    bool // plain-http scheme (not https)
	loop    bool // loopback host: a potentially trustworthy origin
}

const wildcardRule = `: a wildcard may only be the whole leftmost label ("https://*.example.com") or the whole port ("https://example.com:*")`

// parseOrigin validates one configured origin or pattern. The returned
// error's text is the ConfigError reason.
func parseOrigin(s string) (parsedOrigin, error) {
	var po parsedOrigin
	if s == "" {
		return po, errors.New("empty origin")
	}
	if len(s) > maxOriginLen {
		return po, errors.New("too long to be an origin")
	}
	i := strings.Index(s, "://")
	if i < 0 {
		return po, errors.New(quote(s) + ` is not an origin: expected "scheme://host[:port]"`)
	}
	scheme, rest := s[:i], s[i+3:]
	if scheme == "*" {
		return po, errors.New(quote(s) + wildcardRule)
	}
	if err := checkScheme(scheme); err != nil {
		return po, err
	}
	if j := strings.IndexAny(rest, "/?#"); j >= 0 {
		return po, errors.New(quote(s) + " has a path, query or trailing slash; an origin is only scheme://host[:port], did you mean " + quote(s[:i+3+j]) + "?")
	}
	if strings.ContainsRune(rest, '@') {
		return po, errors.New(quote(s) + " has userinfo; an origin never does")
	}
	if strings.HasPrefix(rest, "*.[") {
		return po, errors.New(quote(s) + ": a subdomain pattern needs a domain name, not an IP address")
	}
	var host, port string
	if strings.HasPrefix(rest, "[") {
		j := strings.IndexByte(rest, ']')
		if j < 0 {
			return po, errors.New(quote(s) + ": unterminated IPv6 literal")
		}
		host, port = rest[:j+1], rest[j+1:]
		if port != "" {
			if port[0] != ':' {
				return po, errors.New(quote(s) + ": unexpected text after the IPv6 literal")
			}
			port = port[1:]
			if port == "" {
				return po, errors.New(quote(s) + ": empty port")
			}
		}
	} else if j := strings.LastIndexByte(rest, ':'); j >= 0 {
		host, port = rest[:j], rest[j+1:]
		if port == "" {
			return po, errors.New(quote(s) + ": empty port")
		}
	} else {
		host = rest
	}
	if port != "" && port != "*" {
		if !validPort(port) {
			return po, errors.New(quote(s) + ": port must be a number from 1 to 65535 without leading zeros")
		}
		if port == defaultPort(scheme) {
			return po, errors.New(quote(s) + " names the default port; browsers omit it, so it would never match: use " + quote(scheme+"://"+host))
		}
	}
	sub := false
	if strings.HasPrefix(host, "*.") {
		sub, host = true, host[2:]
	}
	if strings.ContainsRune(host, '*') {
		return po, errors.New(quote(s) + wildcardRule)
	}
	loop, err := checkHost(s, host)
	if err != nil {
		return po, err
	}
	if sub {
		if host[0] == '[' || isIPv4(host) {
			return po, errors.New(quote(s) + ": a subdomain pattern needs a domain name, not an IP address")
		}
		if !strings.Contains(host, ".") {
			return po, errors.New(quote(s) + " would match every name under a top-level domain")
		}
		if isPublicSuffix(host) {
			return po, errors.New(quote(s) + ": " + host + " is a public suffix where anyone can register a subdomain; list the exact origins instead")
		}
	}
	po.http = scheme == "http" || scheme == "ws"
	po.loop = loop
	if sub || port == "*" {
		po.pattern = &pattern{scheme: scheme, host: host, subdomain: sub, port: port}
		return po, nil
	}
	po.exact = s
	return po, nil
}

func quote(s string) string { return strconv.Quote(s) }

func checkScheme(s string) error {
	if s == "" {
		return errors.New("missing scheme")
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z':
		case i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		case 'A' <= c && c <= 'Z':
			return errors.New("scheme " + quote(s) + " must be lowercase, as browsers serialize it: use " + quote(strings.ToLower(s)))
		default:
			return errors.New("invalid scheme " + quote(s))
		}
	}
	if len(s) > 64 {
		return errors.New("scheme too long")
	}
	return nil
}

// checkHost validates a configured host (without any "*." prefix) and
// reports whether it is a loopback host.
func checkHost(orig, host string) (loopback bool, err error) {
	if host == "" {
		return false, errors.New(quote(orig) + ": missing host")
	}
	if host[0] == '[' {
		inner := host[1 : len(host)-1]
		a, perr := netip.ParseAddr(inner)
		if perr != nil || !a.Is6() || a.Zone() != "" {
			return false, errors.New(quote(orig) + ": invalid IPv6 literal")
		}
		if a.String() != inner {
			return false, errors.New(quote(orig) + ": browsers serialize this address as [" + a.String() + "]")
		}
		return a.IsLoopback(), nil
	}
	if isIPv4(host) {
		a, perr := netip.ParseAddr(host)
		if perr != nil || a.String() != host {
			return false, errors.New(quote(orig) + ": invalid IPv4 address")
		}
		return a.IsLoopback(), nil
	}
	for i := 0; i < len(host); i++ {
		c := host[i]
		if 'A' <= c && c <= 'Z' {
			return false, errors.New(quote(orig) + ": host must be lowercase, as browsers serialize it: use " + quote(strings.ToLower(host)))
		}
		if c >= 0x80 {
			return false, errors.New(quote(orig) + ": internationalized hosts must be written in their ASCII (xn--) form, as browsers serialize them")
		}
	}
	if len(host) > 253 || !validLabels(host) {
		return false, errors.New(quote(orig) + ": invalid host " + quote(host))
	}
	for _, l := range strings.Split(host, ".") {
		if l[0] == '-' || l[len(l)-1] == '-' {
			return false, errors.New(quote(orig) + ": a host label cannot start or end with a hyphen")
		}
	}
	return host == "localhost" || strings.HasSuffix(host, ".localhost"), nil
}

// isIPv4 reports whether a host looks like an IPv4 address: browsers parse
// any host whose last label is numeric as one.
func isIPv4(host string) bool {
	last := host[strings.LastIndexByte(host, '.')+1:]
	if last == "" {
		return false
	}
	for i := 0; i < len(last); i++ {
		if last[i] < '0' || last[i] > '9' {
			return false
		}
	}
	return true
}
