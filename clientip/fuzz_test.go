package clientip_test

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/apisec-go/apisec/clientip"
)

// FuzzResolve feeds arbitrary forwarding headers from a trusted peer and an
// untrusted one. It checks that nothing panics, that an untrusted peer
// always resolves to itself, and that a trusted peer resolves to the peer
// or to an address that appears in the header.
func FuzzResolve(f *testing.F) {
	for _, tc := range resolveCases {
		v := ""
		if len(tc.hdr) >= 2 {
			v = tc.hdr[1]
		}
		f.Add(v, uint8(tc.source))
	}
	f.Add("for=\"[::1]:1\", for=_x;by=y", uint8(clientip.SourceForwarded))
	f.Add(",,,", uint8(clientip.SourceXForwardedFor))
	f.Fuzz(func(t *testing.T, value string, src uint8) {
		source := clientip.Source(src%3 + 1)
		res, err := clientip.New(clientip.Config{TrustedProxies: []string{"10.0.0.0/8"}, Source: source})
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"X-Forwarded-For", "Forwarded", "X-Real-Ip"} {
			r := req("203.0.113.9:1")
			r.Header[name] = []string{value}
			if got := res.Resolve(r); got != netip.MustParseAddr("203.0.113.9") {
				t.Fatalf("untrusted peer resolved to %s", got)
			}
			r.RemoteAddr = "10.0.0.1:1"
			got := res.Resolve(r)
			if !got.IsValid() {
				t.Fatalf("trusted peer resolved to invalid address for %q", value)
			}
			if got != netip.MustParseAddr("10.0.0.1") && got.Zone() != "" {
				t.Fatalf("resolved to zoned address %s", got)
			}
			if got.Is4In6() {
				t.Fatalf("resolved to mapped address %s", got)
			}
			if got != netip.MustParseAddr("10.0.0.1") && !headerNames(value, got) {
				t.Fatalf("resolved to %s, which %q does not name", got, value)
			}
		}
	})
}

// headerNames reports whether some address written in the header value is
// a (possibly IPv4-mapped) form of a: the resolver may only pick an
// address the header holds, never make one up.
func headerNames(value string, a netip.Addr) bool {
	for _, tok := range strings.FieldsFunc(value, func(r rune) bool { return strings.ContainsRune(",; \t\"=[]", r) }) {
		if b, err := netip.ParseAddr(tok); err == nil && b.Unmap() == a.WithZone("") {
			return true
		}
		if ap, err := netip.ParseAddrPort(tok); err == nil && ap.Addr().Unmap() == a {
			return true
		}
	}
	return false
}
