package headers

import (
	"strconv"
	"strings"

	"github.com/apisec-go/apisec/internal/httpsyntax"
)

// This file holds the parsers that check header values in New: Content
// Security Policy (CSP Level 3 §2.2), Referrer-Policy (W3C Referrer Policy
// §4) and Permissions-Policy (a Structured-Field Dictionary, RFC 8941).

// maxValueLen caps every configured header value.
const maxValueLen = 8192

// cspDirective is one parsed directive: a lowercase name and its tokens.
type cspDirective struct {
	name   string
	tokens []string
}

// cspKind says how a directive's value is checked.
type cspKind int

const (
	cspSourceList   cspKind = iota // serialized-source-list
	cspAncestors                   // frame-ancestors: no script keywords
	cspNoValue                     // upgrade-insecure-requests
	cspSandbox                     // sandbox tokens
	cspURIs                        // report-uri
	cspToken                       // report-to
	cspTrustedTypes                // trusted-types
	cspRequireTT                   // require-trusted-types-for
	cspWebRTC                      // webrtc
)

var cspDirectives = map[string]cspKind{
	"default-src":               cspSourceList,
	"script-src":                cspSourceList,
	"script-src-elem":           cspSourceList,
	"script-src-attr":           cspSourceList,
	"style-src":                 cspSourceList,
	"style-src-elem":            cspSourceList,
	"style-src-attr":            cspSourceList,
	"img-src":                   cspSourceList,
	"font-src":                  cspSourceList,
	"connect-src":               cspSourceList,
	"media-src":                 cspSourceList,
	"object-src":                cspSourceList,
	"frame-src":                 cspSourceList,
	"child-src":                 cspSourceList,
	"worker-src":                cspSourceList,
	"manifest-src":              cspSourceList,
	"base-uri":                  cspSourceList,
	"form-action":               cspSourceList,
	"frame-ancestors":           cspAncestors,
	"upgrade-insecure-requests": cspNoValue,
	"block-all-mixed-content":   cspNoValue,
	"sandbox":                   cspSandbox,
	"report-uri":                cspURIs,
	"report-to":                 cspToken,
	"trusted-types":             cspTrustedTypes,
	"require-trusted-types-for": cspRequireTT,
	"webrtc":                    cspWebRTC,
}

// scriptDirectives are the directives that govern script execution; unsafe
// keywords there defeat the point of a CSP.
var scriptDirectives = map[string]bool{
	"default-src": true, "script-src": true, "script-src-elem": true, "script-src-attr": true,
}

var cspKeywords = map[string]bool{
	"'self'": true, "'none'": true, "'unsafe-inline'": true, "'unsafe-eval'": true,
	"'strict-dynamic'": true, "'unsafe-hashes'": true, "'report-sample'": true,
	"'unsafe-allow-redirects'": true, "'wasm-unsafe-eval'": true,
	"'inline-speculation-rules'": true, "'trusted-types-eval'": true,
}

var sandboxTokens = map[string]bool{
	"allow-downloads": true, "allow-forms": true, "allow-modals": true,
	"allow-orientation-lock": true, "allow-pointer-lock": true, "allow-popups": true,
	"allow-popups-to-escape-sandbox": true, "allow-presentation": true,
	"allow-same-origin": true, "allow-scripts": true, "allow-storage-access-by-user-activation": true,
	"allow-top-navigation": true, "allow-top-navigation-by-user-activation": true,
	"allow-top-navigation-to-custom-protocols": true,
}

// parseCSP checks a serialized policy and returns its directives in order.
// insecureOK lets 'unsafe-inline', 'unsafe-eval' and wildcard script sources
// through. Every problem found is returned.
func parseCSP(s string, insecureOK bool) ([]cspDirective, []string) {
	var (
		dirs  []cspDirective
		probs []string
		seen  = map[string]bool{}
	)
	if len(s) > maxValueLen {
		return nil, []string{"longer than " + strconv.Itoa(maxValueLen) + " bytes"}
	}
	if strings.TrimSpace(s) == "" {
		return nil, []string{"empty policy"}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ',' {
			return nil, []string{"',' is not allowed: it separates policies, send one policy per field"}
		}
		if c < 0x20 && c != '\t' || c >= 0x7f {
			return nil, []string{"contains a control or non-ASCII character"}
		}
	}
	for _, raw := range strings.Split(s, ";") {
		fields := strings.Fields(raw)
		if len(fields) == 0 {
			continue
		}
		name := strings.ToLower(fields[0])
		kind, ok := cspDirectives[name]
		if !ok {
			probs = append(probs, "unknown directive "+strconv.Quote(fields[0]))
			continue
		}
		if seen[name] {
			probs = append(probs, "duplicate directive "+name+" (browsers ignore all but the first)")
			continue
		}
		seen[name] = true
		toks := fields[1:]
		for k, t := range toks {
			if t[0] != '\'' {
				continue
			}
			// Keywords and the algorithm prefix are case-insensitive; the
			// base64 part of a hash is not.
			if lt := strings.ToLower(t); cspKeywords[lt] {
				toks[k] = lt
			} else if i := strings.IndexByte(t, '-'); i > 0 {
				toks[k] = strings.ToLower(t[:i]) + t[i:]
			}
		}
		probs = append(probs, checkDirective(name, kind, toks, insecureOK)...)
		dirs = append(dirs, cspDirective{name: name, tokens: toks})
	}
	if len(dirs) == 0 && len(probs) == 0 {
		probs = append(probs, "empty policy")
	}
	return dirs, probs
}

func checkDirective(name string, kind cspKind, toks []string, insecureOK bool) []string {
	var probs []string
	bad := func(msg string) { probs = append(probs, name+": "+msg) }
	switch kind {
	case cspNoValue:
		if len(toks) > 0 {
			bad("takes no value")
		}
	case cspSourceList, cspAncestors:
		if len(toks) == 0 {
			bad("empty source list; write 'none' to allow nothing")
			return probs
		}
		for _, t := range toks {
			if t == "'none'" && len(toks) > 1 {
				bad("'none' cannot be combined with other sources")
			}
			if msg := checkSource(t, kind == cspAncestors); msg != "" {
				bad(msg)
				continue
			}
			if scriptDirectives[name] && !insecureOK {
				switch t {
				case "'unsafe-inline'", "'unsafe-eval'", "*", "http:", "https:", "data:", "blob:":
					bad(t + " lets injected scripts run (set InsecureAllowWeakValues to accept it)")
				}
			}
		}
	case cspSandbox:
		for _, t := range toks {
			if !sandboxTokens[strings.ToLower(t)] {
				bad("unknown sandbox token " + strconv.Quote(t))
			}
		}
	case cspURIs:
		if len(toks) == 0 {
			bad("needs at least one URI")
		}
		for _, t := range toks {
			if !validReportURI(t) {
				bad(strconv.Quote(t) + " is not a URI reference")
			}
		}
	case cspToken:
		if len(toks) != 1 || !httpsyntax.IsToken(toks[0]) {
			bad("needs exactly one endpoint name")
		}
	case cspRequireTT:
		if len(toks) != 1 || toks[0] != "'script'" {
			bad("the only value is 'script'")
		}
	case cspTrustedTypes:
		for _, t := range toks {
			switch {
			case t == "'none'" || t == "'allow-duplicates'" || t == "*":
			case t[0] == '\'':
				bad("unknown keyword " + t)
			case !isPolicyName(t):
				bad(strconv.Quote(t) + " is not a policy name")
			}
		}
	case cspWebRTC:
		if len(toks) != 1 || (toks[0] != "'allow'" && toks[0] != "'block'") {
			bad("the value is 'allow' or 'block'")
		}
	}
	return probs
}

// checkSource checks one source expression (CSP3 §2.3.1) and returns a
// reason it is wrong, or "".
func checkSource(t string, ancestors bool) string {
	if t[0] == '\'' {
		if len(t) < 3 || t[len(t)-1] != '\'' {
			return "unterminated quoted source " + strconv.Quote(t)
		}
		if strings.HasPrefix(t, "'nonce-") {
			return "a fixed nonce in the configuration is reused by every response; nonces are generated per response"
		}
		if h, ok := hashSource(t); ok {
			if ancestors {
				return "hash sources do not apply to frame-ancestors"
			}
			if !validBase64(h) {
				return "hash source " + t + " is not base64"
			}
			return ""
		}
		if !cspKeywords[t] {
			return "unknown keyword " + t
		}
		if ancestors && t != "'self'" && t != "'none'" {
			return "only 'self' and 'none' are allowed, not " + t
		}
		return ""
	}
	switch strings.ToLower(t) {
	case "self", "none", "unsafe-inline", "unsafe-eval", "strict-dynamic", "unsafe-hashes", "report-sample", "wasm-unsafe-eval":
		return "keyword " + t + " must be single-quoted: '" + strings.ToLower(t) + "'"
	}
	if strings.HasPrefix(t, "nonce-") || strings.HasPrefix(t, "sha256-") || strings.HasPrefix(t, "sha384-") || strings.HasPrefix(t, "sha512-") {
		return t + " must be single-quoted"
	}
	if t == "*" {
		return ""
	}
	if isSchemeSource(t) {
		return ""
	}
	if !isHostSource(t) {
		return strconv.Quote(t) + " is not a valid source expression"
	}
	return ""
}

func hashSource(t string) (string, bool) {
	for _, p := range []string{"'sha256-", "'sha384-", "'sha512-"} {
		if strings.HasPrefix(t, p) {
			return t[len(p) : len(t)-1], true
		}
	}
	return "", false
}

func validBase64(s string) bool {
	if s == "" {
		return false
	}
	n := len(s)
	for n > 0 && s[n-1] == '=' {
		n--
	}
	if len(s)-n > 2 || n == 0 {
		return false
	}
	for i := 0; i < n; i++ {
		c := s[i]
		if !(isAlnum(c) || c == '+' || c == '/' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func isAlpha(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isAlnum(c byte) bool { return isAlpha(c) || isDigit(c) }

// isSchemeSource reports whether t is scheme ":" (e.g. "https:").
func isSchemeSource(t string) bool {
	if len(t) < 2 || t[len(t)-1] != ':' {
		return false
	}
	return isScheme(t[:len(t)-1])
}

func isScheme(s string) bool {
	if s == "" || !isAlpha(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !(isAlnum(c) || c == '+' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// isHostSource checks [scheme "://"] host [":" port] [path].
func isHostSource(t string) bool {
	if i := strings.Index(t, "://"); i >= 0 {
		if !isScheme(t[:i]) {
			return false
		}
		t = t[i+3:]
	}
	path := ""
	if i := strings.IndexByte(t, '/'); i >= 0 {
		t, path = t[:i], t[i:]
	}
	if i := strings.LastIndexByte(t, ':'); i >= 0 {
		port := t[i+1:]
		t = t[:i]
		if port != "*" {
			if port == "" || len(port) > 5 {
				return false
			}
			for j := 0; j < len(port); j++ {
				if !isDigit(port[j]) {
					return false
				}
			}
		}
	}
	if strings.HasPrefix(t, "*.") {
		t = t[2:]
	} else if t == "*" {
		t = ""
		return path == ""
	}
	if t == "" {
		return false
	}
	for _, label := range strings.Split(t, ".") {
		if label == "" {
			return false
		}
		for j := 0; j < len(label); j++ {
			if !isAlnum(label[j]) && label[j] != '-' {
				return false
			}
		}
	}
	for j := 0; j < len(path); j++ {
		c := path[j]
		if c <= ' ' || c == '\'' || c == '"' || c == ';' || c == ',' || c >= 0x7f {
			return false
		}
	}
	return true
}

func validReportURI(t string) bool {
	if t == "" || t[0] == '\'' {
		return false
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if c <= ' ' || c == '"' || c == '\'' || c == '<' || c == '>' || c == '\\' || c >= 0x7f {
			return false
		}
	}
	if i := strings.Index(t, "://"); i >= 0 {
		return isScheme(t[:i]) && len(t) > i+3
	}
	return t[0] == '/'
}

func isPolicyName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(isAlnum(c) || strings.IndexByte("-#=_/@.%", c) >= 0) {
			return false
		}
	}
	return s != ""
}

// onlyNone reports whether a source list is exactly 'none' (keywords are
// lowercased by parseCSP).
func onlyNone(toks []string) bool { return len(toks) == 1 && toks[0] == "'none'" }

// serializeCSP writes directives back as "name tok tok; name tok". When
// nonceIn names directives, the returned parts are split where a nonce source
// goes: parts[0] + nonce + parts[1] + nonce + ... .
func serializeCSP(dirs []cspDirective, nonceIn map[string]bool) []string {
	var parts []string
	var b strings.Builder
	for i, d := range dirs {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(d.name)
		if nonceIn[d.name] {
			b.WriteString(" 'nonce-")
			parts = append(parts, b.String())
			b.Reset()
			b.WriteByte('\'')
		}
		for _, t := range d.tokens {
			b.WriteByte(' ')
			b.WriteString(t)
		}
	}
	return append(parts, b.String())
}

var referrerTokens = map[string]bool{
	"no-referrer": true, "no-referrer-when-downgrade": true, "same-origin": true,
	"origin": true, "strict-origin": true, "origin-when-cross-origin": true,
	"strict-origin-when-cross-origin": true, "unsafe-url": true,
}

// checkReferrerPolicy checks a comma list of policy tokens (the last one a
// browser understands wins).
func checkReferrerPolicy(s string, insecureOK bool) []string {
	var probs []string
	n := 0
	for _, tok := range strings.Split(s, ",") {
		tok = strings.TrimSpace(tok)
		if tok == "" {
			continue
		}
		n++
		if !referrerTokens[tok] {
			probs = append(probs, "unknown policy "+strconv.Quote(tok))
			continue
		}
		if !insecureOK && (tok == "unsafe-url" || tok == "no-referrer-when-downgrade") {
			probs = append(probs, tok+" leaks full URLs, query strings included, to other sites (set InsecureAllowWeakValues to accept it)")
		}
	}
	if n == 0 {
		probs = append(probs, "empty policy")
	}
	return probs
}

// checkPermissionsPolicy checks an RFC 8941 Dictionary whose members are
// features mapped to an allowlist: *, self, src, an origin string, or an
// inner list of those.
func checkPermissionsPolicy(s string) []string {
	var probs []string
	seen := map[string]bool{}
	if strings.TrimSpace(s) == "" {
		return []string{"empty policy"}
	}
	for _, member := range strings.Split(s, ",") {
		member = strings.Trim(member, " \t")
		key, val, ok := strings.Cut(member, "=")
		if !ok {
			probs = append(probs, strconv.Quote(member)+" is not feature=allowlist")
			continue
		}
		if !isSFKey(key) {
			probs = append(probs, strconv.Quote(key)+" is not a lowercase feature name")
			continue
		}
		if seen[key] {
			probs = append(probs, "duplicate feature "+key)
		}
		seen[key] = true
		if !isAllowlist(val) {
			probs = append(probs, key+": "+strconv.Quote(val)+" is not an allowlist (*, self, \"origin\" or an inner list such as () or (self \"https://a.example\"))")
		}
	}
	return probs
}

func isSFKey(s string) bool {
	if s == "" || !(s[0] >= 'a' && s[0] <= 'z' || s[0] == '*') {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || isDigit(c) || c == '_' || c == '-' || c == '.' || c == '*') {
			return false
		}
	}
	return true
}

func isAllowlist(v string) bool {
	if v == "" {
		return false
	}
	if v[0] == '(' {
		if v[len(v)-1] != ')' {
			return false
		}
		for _, item := range strings.Split(v[1:len(v)-1], " ") {
			if item == "" {
				continue
			}
			if !isAllowItem(item) || item == "*" {
				return false
			}
		}
		return true
	}
	return isAllowItem(v)
}

func isAllowItem(v string) bool {
	switch v {
	case "*", "self", "src":
		return true
	}
	if len(v) < 3 || v[0] != '"' || v[len(v)-1] != '"' {
		return false
	}
	o := v[1 : len(v)-1]
	scheme, host, ok := strings.Cut(o, "://")
	if !ok || !isScheme(scheme) || host == "" {
		return false
	}
	return !strings.ContainsAny(host, "/\"\\ ?#")
}

// validFieldValue reports whether v is a non-empty RFC 9110 field value
// without control characters (CR and LF included) or leading/trailing
// whitespace.
func validFieldValue(v string) bool {
	if v == "" || v[0] == ' ' || v[0] == '\t' || v[len(v)-1] == ' ' || v[len(v)-1] == '\t' {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c < 0x20 && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}
