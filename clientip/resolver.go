package clientip

import (
	"context"
	"net/http"
	"net/netip"
	"strings"

	"github.com/apisec-go/apisec/internal/httpsyntax"
)

// Resolver finds a request's client address. It is safe for concurrent use;
// its configuration is fixed by [New].
type Resolver struct {
	trusted []netip.Prefix
	source  Source
	maxHops int
}

// New checks cfg and returns a Resolver. Every problem is reported, joined,
// as [*ConfigError] values. Changing cfg afterwards has no effect.
func New(cfg Config) (*Resolver, error) {
	return cfg.compile()
}

// MustNew is like [New] but panics on a bad config. It is meant for
// package-level variables.
func MustNew(cfg Config) *Resolver {
	r, err := New(cfg)
	if err != nil {
		panic(err)
	}
	return r
}

// IsTrusted reports whether addr belongs to a configured trusted proxy.
func (res *Resolver) IsTrusted(addr netip.Addr) bool {
	addr = addr.Unmap()
	for _, p := range res.trusted {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// TrustedPeer reports whether r's direct peer is a trusted proxy, so that
// other headers it sets (X-Forwarded-Proto, X-Forwarded-Host) may be
// believed.
func (res *Resolver) TrustedPeer(r *http.Request) bool {
	peer := RemoteAddr(r)
	return peer.IsValid() && res.IsTrusted(peer)
}

// Resolve returns the client address of r. It is the direct peer unless
// that peer is a trusted proxy and the configured header names a client
// further out. It returns the zero Addr only when RemoteAddr cannot be
// parsed and no trusted header applies.
func (res *Resolver) Resolve(r *http.Request) netip.Addr {
	peer := RemoteAddr(r)
	if res.source == SourceNone || !peer.IsValid() || !res.IsTrusted(peer) {
		return peer
	}
	var (
		addr netip.Addr
		ok   bool
	)
	switch res.source {
	case SourceXForwardedFor:
		addr, ok = res.walk(r.Header["X-Forwarded-For"], parseXFFEntry)
	case SourceForwarded:
		addr, ok = res.walk(r.Header["Forwarded"], parseForwardedElement)
	case SourceXRealIP:
		addr, ok = parseXRealIP(r.Header["X-Real-Ip"])
	}
	if !ok {
		return peer
	}
	return addr
}

// walk visits the comma-separated entries of lines from the last to the
// first, skipping trusted proxies, and returns the first untrusted address.
// If every entry is trusted it returns the leftmost one. It reports false
// when an entry it must read is malformed, when there are no entries, or
// when more than maxHops entries are trusted.
func (res *Resolver) walk(lines []string, parse func(string) (netip.Addr, bool)) (netip.Addr, bool) {
	var last netip.Addr
	hops := 0
	for i := len(lines) - 1; i >= 0; i-- {
		line := lines[i]
		for {
			entry := line
			j := lastComma(line)
			if j >= 0 {
				entry = line[j+1:]
			} else if len(line) > maxElementLen {
				return netip.Addr{}, false
			}
			entry = httpsyntax.TrimOWS(entry)
			if entry == "" {
				// An empty element (a trailing comma, or an empty
				// line) is not an address; a proxy never writes
				// one, so the chain is not trustworthy.
				if j < 0 && len(lines) > 1 && httpsyntax.TrimOWS(line) == "" {
					break // tolerate a wholly empty field line
				}
				return netip.Addr{}, false
			}
			hops++
			if hops > res.maxHops {
				return netip.Addr{}, false
			}
			a, ok := parse(entry)
			if !ok {
				return netip.Addr{}, false
			}
			if !res.IsTrusted(a) {
				return a, true
			}
			last = a
			if j < 0 {
				break
			}
			line = line[:j]
		}
	}
	return last, last.IsValid()
}

// maxEntryLen bounds a single address entry; no address with a port needs
// more. maxElementLen bounds a whole RFC 7239 element with its parameters.
const (
	maxEntryLen   = 64
	maxElementLen = 4 * maxEntryLen
)

// lastComma returns the index of the last comma in s, looking only at the
// final maxElementLen+1 bytes, so that one entry's scan is bounded however
// long the header is. It returns -1 when there is no comma in that window.
func lastComma(s string) int {
	off := 0
	if len(s) > maxElementLen+1 {
		off = len(s) - (maxElementLen + 1)
	}
	if j := strings.LastIndexByte(s[off:], ','); j >= 0 {
		return off + j
	}
	return -1
}

// parseXFFEntry parses one X-Forwarded-For entry: an IP address, optionally
// with a port ("192.0.2.1:8080", "[2001:db8::1]:443") as some proxies write.
func parseXFFEntry(s string) (netip.Addr, bool) {
	if len(s) > maxEntryLen {
		return netip.Addr{}, false
	}
	return parseNode(s)
}

// parseNode parses an address with an optional port, bracketed for IPv6
// when a port is present. Zones are rejected: they name a local interface
// and are never a client address.
func parseNode(s string) (netip.Addr, bool) {
	if s == "" {
		return netip.Addr{}, false
	}
	if s[0] == '[' {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return netip.Addr{}, false
		}
		rest := s[end+1:]
		if rest != "" && !validPort(rest) {
			return netip.Addr{}, false
		}
		a, err := netip.ParseAddr(s[1:end])
		if err != nil || !a.Is6() || a.Zone() != "" {
			return netip.Addr{}, false
		}
		return a.Unmap(), true
	}
	if i := strings.IndexByte(s, ':'); i >= 0 && strings.IndexByte(s[i+1:], ':') < 0 {
		// host:port with an IPv4 host.
		if !validPort(s[i:]) {
			return netip.Addr{}, false
		}
		s = s[:i]
		a, err := netip.ParseAddr(s)
		if err != nil || !a.Is4() {
			return netip.Addr{}, false
		}
		return a, true
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

// validPort reports whether s is ":" followed by 1 to 5 digits.
func validPort(s string) bool {
	if len(s) < 2 || len(s) > 6 || s[0] != ':' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parseForwardedElement finds the "for" parameter of one RFC 7239
// forwarded-element ("for=192.0.2.60;proto=http;by=203.0.113.43") and
// parses its node. Obfuscated identifiers ("_hidden") and "unknown" are
// not addresses, so the element is malformed for our purpose.
func parseForwardedElement(s string) (netip.Addr, bool) {
	if len(s) > maxElementLen {
		return netip.Addr{}, false
	}
	var value string
	found := false
	for s != "" {
		pair := s
		if i := strings.IndexByte(s, ';'); i >= 0 {
			pair, s = s[:i], s[i+1:]
		} else {
			s = ""
		}
		pair = httpsyntax.TrimOWS(pair)
		eq := strings.IndexByte(pair, '=')
		if eq < 0 {
			return netip.Addr{}, false
		}
		if strings.EqualFold(httpsyntax.TrimOWS(pair[:eq]), "for") {
			if found {
				return netip.Addr{}, false // a repeated parameter is invalid (RFC 7239 §4)
			}
			found = true
			value = httpsyntax.TrimOWS(pair[eq+1:])
		}
	}
	if !found {
		return netip.Addr{}, false
	}
	if len(value) >= 2 && value[0] == '"' && value[len(value)-1] == '"' {
		value = value[1 : len(value)-1]
		if strings.ContainsAny(value, `"\`) {
			return netip.Addr{}, false
		}
	} else if strings.ContainsAny(value, `"[]:`) && !isBareIPv4(value) {
		// RFC 7239 §6: IPv6 and ports must be quoted.
		return netip.Addr{}, false
	}
	return parseNode(value)
}

func isBareIPv4(s string) bool {
	a, err := netip.ParseAddr(s)
	return err == nil && a.Is4()
}

// parseXRealIP accepts exactly one X-Real-IP field line holding one address.
func parseXRealIP(lines []string) (netip.Addr, bool) {
	if len(lines) != 1 {
		return netip.Addr{}, false
	}
	v := httpsyntax.TrimOWS(lines[0])
	if len(v) > maxEntryLen || strings.IndexByte(v, ',') >= 0 {
		return netip.Addr{}, false
	}
	return parseNode(v)
}

// RemoteAddr parses r.RemoteAddr ("ip:port", or a bare IP as some test
// servers and Unix-socket setups leave it). IPv4-mapped IPv6 is unmapped and
// zones are dropped. It returns the zero Addr when it cannot parse.
func RemoteAddr(r *http.Request) netip.Addr {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err == nil {
		return ap.Addr().Unmap().WithZone("")
	}
	a, err := netip.ParseAddr(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}
	}
	return a.Unmap().WithZone("")
}

// Handler resolves the client address once and stores it in the request
// context for [FromRequest]. The incoming request is not modified; the next
// handler receives a shallow copy with the new context.
func (res *Resolver) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := res.Resolve(r)
		next.ServeHTTP(w, r.WithContext(NewContext(r.Context(), a)))
	})
}

type ctxKey struct{}

// addrCtx carries the address with one allocation instead of the two that
// context.WithValue plus boxing a netip.Addr would cost.
type addrCtx struct {
	context.Context
	addr netip.Addr
}

func (c *addrCtx) Value(key any) any {
	if key == (ctxKey{}) {
		return &c.addr
	}
	return c.Context.Value(key)
}

func (c *addrCtx) String() string { return "clientip.WithAddr(" + c.addr.String() + ")" }

// NewContext returns a copy of ctx carrying addr as the client address.
func NewContext(ctx context.Context, addr netip.Addr) context.Context {
	return &addrCtx{Context: ctx, addr: addr}
}

// FromContext returns the address stored by [NewContext] or
// [Resolver.Handler].
func FromContext(ctx context.Context) (netip.Addr, bool) {
	a, ok := ctx.Value(ctxKey{}).(*netip.Addr)
	if !ok || !a.IsValid() {
		return netip.Addr{}, false
	}
	return *a, true
}

// FromRequest returns the client address resolved by a [Resolver.Handler]
// earlier in the chain, or else the parsed RemoteAddr. It never reads a
// forwarding header itself.
func FromRequest(r *http.Request) netip.Addr {
	if a, ok := FromContext(r.Context()); ok {
		return a
	}
	return RemoteAddr(r)
}

// DefaultIPv6PrefixBits is how [Prefix] groups IPv6 clients when given 0:
// one /64, the smallest block a subscriber is usually assigned (RFC 6177).
const DefaultIPv6PrefixBits = 64

// Prefix groups addr for rate limiting: an IPv4 address is its own /32; an
// IPv6 address is masked to ipv6Bits (DefaultIPv6PrefixBits when 0; clamped
// to 1..128). An invalid addr gives the zero Prefix.
func Prefix(addr netip.Addr, ipv6Bits int) netip.Prefix {
	if !addr.IsValid() {
		return netip.Prefix{}
	}
	addr = addr.Unmap().WithZone("")
	if addr.Is4() {
		return netip.PrefixFrom(addr, 32)
	}
	switch {
	case ipv6Bits <= 0:
		ipv6Bits = DefaultIPv6PrefixBits
	case ipv6Bits > 128:
		ipv6Bits = 128
	}
	p, _ := addr.Prefix(ipv6Bits) // cannot fail for a valid IPv6 addr and 1..128 bits
	return p
}
