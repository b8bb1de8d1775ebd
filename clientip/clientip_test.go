package clientip_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/apisec-go/apisec/clientip"
	"github.com/apisec-go/apisec/internal/configtest"
)

func req(remote string, hdr ...string) *http.Request {
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = remote
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Add(hdr[i], hdr[i+1])
	}
	return r
}

func mustNew(t testing.TB, cfg clientip.Config) *clientip.Resolver {
	t.Helper()
	r, err := clientip.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

var proxies = []string{"10.0.0.0/8", "192.0.2.1", "2001:db8:ffff::/48"}

type resolveCase struct {
	name   string
	source clientip.Source
	remote string
	hdr    []string
	want   string
}

var resolveCases = []resolveCase{
	// Direct peer.
	{"no source uses peer", clientip.SourceNone, "203.0.113.9:1234", []string{"X-Forwarded-For", "1.1.1.1"}, "203.0.113.9"},
	{"bare RemoteAddr without port", clientip.SourceNone, "203.0.113.9", nil, "203.0.113.9"},
	{"IPv6 peer", clientip.SourceNone, "[2001:db8::1]:443", nil, "2001:db8::1"},
	{"IPv4-mapped peer is unmapped", clientip.SourceNone, "[::ffff:203.0.113.9]:1", nil, "203.0.113.9"},
	{"zoned peer loses zone", clientip.SourceNone, "[fe80::1%eth0]:1", nil, "fe80::1"},
	{"unparsable RemoteAddr", clientip.SourceNone, "@unix", nil, "invalid IP"},

	// X-Forwarded-For.
	{"xff untrusted peer ignored", clientip.SourceXForwardedFor, "203.0.113.9:1", []string{"X-Forwarded-For", "1.1.1.1"}, "203.0.113.9"},
	{"xff one hop", clientip.SourceXForwardedFor, "10.0.0.1:1", []string{"X-Forwarded-For", "198.51.100.7"}, "198.51.100.7"},
	{"xff rightmost untrusted wins", clientip.SourceXForwardedFor, "10.0.0.1:1", []string{"X-Forwarded-For", "6.6.6.6, 198.51.100.7, 10.1.1.1"}, "198.51.100.7"},
	// Only SP and HTAB are optional whitespace (RFC 9110 §5.6.3); found by FuzzResolve.
	{"xff spaces and tabs trimmed", clientip.SourceXForwardedFor, "10.0.0.1:1", []string{"X-Forwarded-For", " \t198.51.100.7\t "}, "198.51.100.7"},
	{"xff form feed is not whitespace", clientip.SourceXForwardedFor, "10.0.0.1:1", []string{"X-Forwarded-For", "198.51.100.7\f"}, "10.0.0.1"},
	{"x-real-ip vertical tab is not whitespace", clientip.SourceXRealIP, "10.0.0.1:1", []string{"X-Real-Ip", "\v198.51.100.7"}, "10.0.0.1"},
	{"xff spoofed leftmost ignored", clientip.SourceXForwardedFor, "10.0.0.1:1", []string{"X-Forwarded-For", "127.0.0.1, 198.51.100.7"}, "198.51.100.7"},
	{"xff several field lines form one list", clientip.SourceXForwardedFor, "10.0.0.1:1", []string{"X-Forwarded-For", "6.6.6.6", "X-Forwarded-For", "198.51.100.7, 192.0.2.1"}, "198.51.100.7"},
	{"xff all trusted gives leftmost", clientip.SourceXForwardedFor, "10.0.0.1:1", []string{"X-Forwarded-For", "10.9.9.9, 192.0.2.1"}, "10.9.9.9"},
	{"xff empty header uses peer", clientip.SourceXForwardedFor, "10.0.0.1:1", []string{"X-Forwarded-For", ""}, "10.0.0.1"},
	{"xff absent uses peer", clientip.SourceXForwardedFor, "10.0.0.1:1", nil, "10.0.0.1"},
	{"xff garbage falls back to peer", clientip.SourceXForwardedFor, "10.0.0.1:1", []string{"X-Forwarded-For", "not-an-ip"}, "10.0.0.1"},
	{"xff trailing comma falls back", clientip.SourceXForwardedFor, "10.0.0.1:1", []string{"X-Forwarded-For", "198.51.100.7,"}, "10.0.0.1"},
	{"xff garbage beyond first untrusted is not read", clientip.SourceXForwardedFor, "10.0.0.1:1", []string{"X-Forwarded-For", "garbage, 198.51.100.7"}, "198.51.100.7"},
	{"xff ipv4 with port", clientip.SourceXForwardedFor, "10.0.0.1:1", []string{"X-Forwarded-For", "198.51.100.7:5555"}, "198.51.100.7"},
	{"xff bracketed ipv6 with port", clientip.SourceXForwardedFor, "10.0.0.1:1", []string{"X-Forwarded-For", "[2001:db8::7]:443"}, "2001:db8::7"},
	{"xff bare ipv6", clientip.SourceXForwardedFor, "10.0.0.1:1", []string{"X-Forwarded-For", "2001:db8::7"}, "2001:db8::7"},
	{"xff zone falls back", clientip.SourceXForwardedFor, "10.0.0.1:1", []string{"X-Forwarded-For", "fe80::1%eth0"}, "10.0.0.1"},
	{"xff bracket without close falls back", clientip.SourceXForwardedFor, "10.0.0.1:1", []string{"X-Forwarded-For", "[2001:db8::7"}, "10.0.0.1"},
	{"xff bracketed ipv4 falls back", clientip.SourceXForwardedFor, "10.0.0.1:1", []string{"X-Forwarded-For", "[198.51.100.7]"}, "10.0.0.1"},
	{"xff bad port falls back", clientip.SourceXForwardedFor, "10.0.0.1:1", []string{"X-Forwarded-For", "198.51.100.7:http"}, "10.0.0.1"},
	{"xff mapped is unmapped and checked as ipv4", clientip.SourceXForwardedFor, "10.0.0.1:1", []string{"X-Forwarded-For", "198.51.100.7, ::ffff:10.2.2.2"}, "198.51.100.7"},
	{"xff from trusted ipv6 peer", clientip.SourceXForwardedFor, "[2001:db8:ffff::1]:1", []string{"X-Forwarded-For", "198.51.100.7"}, "198.51.100.7"},
	{"xff mapped trusted peer", clientip.SourceXForwardedFor, "[::ffff:10.0.0.1]:1", []string{"X-Forwarded-For", "198.51.100.7"}, "198.51.100.7"},

	// Forwarded (RFC 7239).
	{"fwd untrusted peer ignored", clientip.SourceForwarded, "203.0.113.9:1", []string{"Forwarded", "for=1.1.1.1"}, "203.0.113.9"},
	{"fwd simple", clientip.SourceForwarded, "10.0.0.1:1", []string{"Forwarded", "for=198.51.100.7"}, "198.51.100.7"},
	{"fwd rfc 7239 example with params", clientip.SourceForwarded, "10.0.0.1:1", []string{"Forwarded", "for=192.0.2.60;proto=http;by=203.0.113.43"}, "192.0.2.60"},
	{"fwd case-insensitive parameter name", clientip.SourceForwarded, "10.0.0.1:1", []string{"Forwarded", "For=198.51.100.7"}, "198.51.100.7"},
	{"fwd quoted ipv6 with port", clientip.SourceForwarded, "10.0.0.1:1", []string{"Forwarded", `for="[2001:db8:cafe::17]:4711"`}, "2001:db8:cafe::17"},
	{"fwd quoted ipv4 with port", clientip.SourceForwarded, "10.0.0.1:1", []string{"Forwarded", `for="198.51.100.7:4711"`}, "198.51.100.7"},
	{"fwd unquoted ipv6 falls back", clientip.SourceForwarded, "10.0.0.1:1", []string{"Forwarded", `for=[2001:db8::17]`}, "10.0.0.1"},
	{"fwd rightmost untrusted wins", clientip.SourceForwarded, "10.0.0.1:1", []string{"Forwarded", "for=6.6.6.6, for=198.51.100.7;proto=https, for=10.3.3.3"}, "198.51.100.7"},
	{"fwd several lines", clientip.SourceForwarded, "10.0.0.1:1", []string{"Forwarded", "for=6.6.6.6", "Forwarded", "for=198.51.100.7"}, "198.51.100.7"},
	{"fwd obfuscated identifier falls back", clientip.SourceForwarded, "10.0.0.1:1", []string{"Forwarded", "for=_hidden"}, "10.0.0.1"},
	{"fwd unknown falls back", clientip.SourceForwarded, "10.0.0.1:1", []string{"Forwarded", "for=unknown"}, "10.0.0.1"},
	{"fwd element without for falls back", clientip.SourceForwarded, "10.0.0.1:1", []string{"Forwarded", "proto=https"}, "10.0.0.1"},
	{"fwd repeated for falls back", clientip.SourceForwarded, "10.0.0.1:1", []string{"Forwarded", "for=198.51.100.7;for=6.6.6.6"}, "10.0.0.1"},
	{"fwd pair without equals falls back", clientip.SourceForwarded, "10.0.0.1:1", []string{"Forwarded", "for"}, "10.0.0.1"},
	{"fwd quote inside quoted value falls back", clientip.SourceForwarded, "10.0.0.1:1", []string{"Forwarded", `for="1.2.3.4\""`}, "10.0.0.1"},
	{"fwd ignores x-forwarded-for", clientip.SourceForwarded, "10.0.0.1:1", []string{"X-Forwarded-For", "198.51.100.7"}, "10.0.0.1"},

	// X-Real-IP.
	{"xri trusted", clientip.SourceXRealIP, "10.0.0.1:1", []string{"X-Real-IP", "198.51.100.7"}, "198.51.100.7"},
	{"xri untrusted peer ignored", clientip.SourceXRealIP, "203.0.113.9:1", []string{"X-Real-IP", "198.51.100.7"}, "203.0.113.9"},
	{"xri two lines fall back", clientip.SourceXRealIP, "10.0.0.1:1", []string{"X-Real-IP", "198.51.100.7", "X-Real-IP", "6.6.6.6"}, "10.0.0.1"},
	{"xri list falls back", clientip.SourceXRealIP, "10.0.0.1:1", []string{"X-Real-IP", "198.51.100.7, 6.6.6.6"}, "10.0.0.1"},
	{"xri garbage falls back", clientip.SourceXRealIP, "10.0.0.1:1", []string{"X-Real-IP", "x"}, "10.0.0.1"},
}

func TestResolve(t *testing.T) {
	for _, tt := range resolveCases {
		t.Run(tt.name, func(t *testing.T) {
			res := mustNew(t, clientip.Config{TrustedProxies: proxies, Source: tt.source})
			if tt.source == clientip.SourceNone {
				res = mustNew(t, clientip.Config{TrustedProxies: proxies})
			}
			got := res.Resolve(req(tt.remote, tt.hdr...))
			if got.String() != tt.want {
				t.Fatalf("Resolve = %s, want %s", got, tt.want)
			}
		})
	}
}

// TestUntrustedPeerCannotSpoof defends the core promise: whatever a client
// that is not a trusted proxy puts in any forwarding header, the result is
// its own address.
func TestUntrustedPeerCannotSpoof(t *testing.T) {
	spoofs := []string{"127.0.0.1", "10.0.0.1", "::1", "198.51.100.7, 10.0.0.1", "for=127.0.0.1", strings.Repeat("1.1.1.1,", 1000)}
	for _, src := range []clientip.Source{clientip.SourceXForwardedFor, clientip.SourceForwarded, clientip.SourceXRealIP} {
		res := mustNew(t, clientip.Config{TrustedProxies: proxies, Source: src})
		for _, s := range spoofs {
			r := req("203.0.113.9:1", "X-Forwarded-For", s, "Forwarded", s, "X-Real-IP", s)
			if got := res.Resolve(r); got.String() != "203.0.113.9" {
				t.Errorf("%v with %q: got %s", src, s, got)
			}
		}
	}
}

// TestZeroConfigReadsNoHeader defends the secure default: no proxy is
// trusted, no header is read, even from a loopback peer.
func TestZeroConfigReadsNoHeader(t *testing.T) {
	res := mustNew(t, clientip.Config{})
	r := req("127.0.0.1:1", "X-Forwarded-For", "198.51.100.7", "Forwarded", "for=198.51.100.7", "X-Real-IP", "198.51.100.7")
	if got := res.Resolve(r); got.String() != "127.0.0.1" {
		t.Fatalf("got %s", got)
	}
	if res.TrustedPeer(r) {
		t.Fatal("zero config trusts the peer")
	}
}

// TestTooManyTrustedHopsFallsBack bounds the walk: a chain longer than
// MaxHops is not followed.
func TestTooManyTrustedHopsFallsBack(t *testing.T) {
	res := mustNew(t, clientip.Config{TrustedProxies: proxies, Source: clientip.SourceXForwardedFor, MaxHops: 3})
	r := req("10.0.0.1:1", "X-Forwarded-For", "198.51.100.7, 10.0.0.4, 10.0.0.3, 10.0.0.2")
	if got := res.Resolve(r); got.String() != "10.0.0.1" {
		t.Fatalf("got %s", got)
	}
	r = req("10.0.0.1:1", "X-Forwarded-For", "198.51.100.7, 10.0.0.3, 10.0.0.2")
	if got := res.Resolve(r); got.String() != "198.51.100.7" {
		t.Fatalf("within MaxHops: got %s", got)
	}
}

func TestHandlerAndFromRequest(t *testing.T) {
	res := mustNew(t, clientip.Config{TrustedProxies: proxies, Source: clientip.SourceXForwardedFor})
	var got netip.Addr
	var sameReq bool
	orig := req("10.0.0.1:1", "X-Forwarded-For", "198.51.100.7")
	res.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = clientip.FromRequest(r)
		sameReq = r == orig
	})).ServeHTTP(httptest.NewRecorder(), orig)
	if got.String() != "198.51.100.7" {
		t.Fatalf("FromRequest in handler = %s", got)
	}
	if sameReq {
		t.Fatal("Handler passed the incoming request on instead of a copy")
	}
	if _, ok := clientip.FromContext(orig.Context()); ok {
		t.Fatal("Handler mutated the incoming request's context")
	}
	// Without a Handler, FromRequest never reads a header.
	if got := clientip.FromRequest(orig); got.String() != "10.0.0.1" {
		t.Fatalf("FromRequest without Handler = %s", got)
	}
}

func TestPrefix(t *testing.T) {
	tests := []struct {
		addr string
		bits int
		want string
	}{
		{"198.51.100.7", 0, "198.51.100.7/32"},
		{"198.51.100.7", 48, "198.51.100.7/32"},
		{"::ffff:198.51.100.7", 0, "198.51.100.7/32"},
		{"2001:db8:1:2:3:4:5:6", 0, "2001:db8:1:2::/64"},
		{"2001:db8:1:2:3:4:5:6", 48, "2001:db8:1::/48"},
		{"2001:db8:1:2:3:4:5:6", 200, "2001:db8:1:2:3:4:5:6/128"},
		{"fe80::1%eth0", 0, "fe80::/64"},
	}
	for _, tt := range tests {
		t.Run(tt.addr+"/"+string(rune('0'+tt.bits%10)), func(t *testing.T) {
			got := clientip.Prefix(netip.MustParseAddr(tt.addr), tt.bits)
			if got.String() != tt.want {
				t.Fatalf("Prefix = %s, want %s", got, tt.want)
			}
		})
	}
	if p := clientip.Prefix(netip.Addr{}, 0); p.IsValid() {
		t.Fatalf("Prefix of invalid addr = %s", p)
	}
}

// TestIPv6RotationWithinPrefixIsOneKey defends rate limits against a client
// rotating addresses inside its own /64.
func TestIPv6RotationWithinPrefixIsOneKey(t *testing.T) {
	first := clientip.Prefix(netip.MustParseAddr("2001:db8:aa:bb::1"), 0)
	for _, a := range []string{"2001:db8:aa:bb::2", "2001:db8:aa:bb:ffff:ffff:ffff:ffff", "2001:db8:aa:bb:1234::"} {
		if p := clientip.Prefix(netip.MustParseAddr(a), 0); p != first {
			t.Errorf("%s grouped as %s, want %s", a, p, first)
		}
	}
	if p := clientip.Prefix(netip.MustParseAddr("2001:db8:aa:bc::1"), 0); p == first {
		t.Error("a neighbouring /64 shares the key")
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  clientip.Config
		want []string
	}{
		{"source without proxies", clientip.Config{Source: clientip.SourceXForwardedFor},
			[]string{"clientip: Source: X-Forwarded-For requires at least one TrustedProxies entry; without one the header would never be read"}},
		{"bad entries all reported", clientip.Config{TrustedProxies: []string{"", "10.0.0.1/33", "nope", "10.0.0.1/8", "fe80::1%eth0", "::ffff:10.0.0.0/104"}},
			[]string{
				"clientip: TrustedProxies[0]: empty entry",
				`clientip: TrustedProxies[1]: "10.0.0.1/33" is not a CIDR prefix`,
				`clientip: TrustedProxies[2]: "nope" is not an IP address or CIDR prefix`,
				`clientip: TrustedProxies[3]: "10.0.0.1/8" has host bits set; did you mean 10.0.0.0/8?`,
				`clientip: TrustedProxies[4]: "fe80::1%eth0": zones are not allowed`,
				`clientip: TrustedProxies[5]: "::ffff:10.0.0.0/104": write IPv4-mapped prefixes as IPv4`,
			}},
		{"unknown source", clientip.Config{TrustedProxies: []string{"10.0.0.1"}, Source: 9},
			[]string{"clientip: Source: unknown source Source(9)"}},
		{"max hops out of range", clientip.Config{MaxHops: 257},
			[]string{"clientip: MaxHops: must be between 0 and 256, got 257"}},
		{"negative max hops", clientip.Config{MaxHops: -1},
			[]string{"clientip: MaxHops: must be between 0 and 256, got -1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := clientip.New(tt.cfg)
			if err == nil || res != nil {
				t.Fatalf("New = %v, %v; want error", res, err)
			}
			var got []string
			for _, ce := range configtest.Leaves[clientip.ConfigError](t, err) {
				got = append(got, ce.Error())
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Fatalf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestConfigIsCopied(t *testing.T) {
	cfg := clientip.Config{TrustedProxies: []string{"10.0.0.1"}, Source: clientip.SourceXForwardedFor}
	res := mustNew(t, cfg)
	cfg.TrustedProxies[0] = "203.0.113.9"
	r := req("203.0.113.9:1", "X-Forwarded-For", "198.51.100.7")
	if got := res.Resolve(r); got.String() != "203.0.113.9" {
		t.Fatalf("mutating the config after New changed behaviour: %s", got)
	}
}

func TestSourceString(t *testing.T) {
	for s, want := range map[clientip.Source]string{clientip.SourceNone: "none", clientip.SourceXForwardedFor: "X-Forwarded-For", clientip.SourceForwarded: "Forwarded", clientip.SourceXRealIP: "X-Real-IP"} {
		if s.String() != want {
			t.Errorf("%d.String() = %q", int(s), s.String())
		}
	}
}

func TestResolveAllocs(t *testing.T) {
	res := mustNew(t, clientip.Config{TrustedProxies: proxies, Source: clientip.SourceXForwardedFor})
	r := req("10.0.0.1:1", "X-Forwarded-For", "6.6.6.6, 198.51.100.7, 10.1.1.1")
	if n := testing.AllocsPerRun(100, func() { res.Resolve(r) }); n != 0 {
		t.Fatalf("Resolve allocates %v times, want 0", n)
	}
	fwd := mustNew(t, clientip.Config{TrustedProxies: proxies, Source: clientip.SourceForwarded})
	r = req("10.0.0.1:1", "Forwarded", `for="[2001:db8::1]:80";proto=https, for=10.1.1.1`)
	if n := testing.AllocsPerRun(100, func() { fwd.Resolve(r) }); n != 0 {
		t.Fatalf("Resolve(Forwarded) allocates %v times, want 0", n)
	}
}

// TestHugeHeaderIsBounded defends against a 1 MiB forwarding header: an
// entry longer than any address ends the walk without scanning the rest.
func TestHugeHeaderIsBounded(t *testing.T) {
	res := mustNew(t, clientip.Config{TrustedProxies: proxies, Source: clientip.SourceXForwardedFor})
	for name, v := range map[string]string{
		"one huge entry":         strings.Repeat("a", 1<<20),
		"huge entry then client": strings.Repeat("a", 1<<20) + ",198.51.100.7",
		"10000 entries":          strings.Repeat("6.6.6.6,", 10_000) + "198.51.100.7",
		"huge trusted tail":      "198.51.100.7," + strings.Repeat(" ", 1<<20),
	} {
		got := res.Resolve(req("10.0.0.1:1", "X-Forwarded-For", v))
		want := map[string]string{"one huge entry": "10.0.0.1", "huge entry then client": "198.51.100.7", "10000 entries": "198.51.100.7", "huge trusted tail": "10.0.0.1"}[name]
		if got.String() != want {
			t.Errorf("%s: got %s, want %s", name, got, want)
		}
	}
}

func TestContextKeepsParentValuesAndCancellation(t *testing.T) {
	type k struct{}
	parent, cancel := context.WithCancel(context.WithValue(context.Background(), k{}, "v"))
	ctx := clientip.NewContext(parent, netip.MustParseAddr("198.51.100.7"))
	if ctx.Value(k{}) != "v" {
		t.Fatal("parent value lost")
	}
	if a, ok := clientip.FromContext(ctx); !ok || a.String() != "198.51.100.7" {
		t.Fatalf("FromContext = %s, %v", a, ok)
	}
	cancel()
	<-ctx.Done() // closes at once: cancellation propagates
	if _, ok := clientip.FromContext(clientip.NewContext(context.Background(), netip.Addr{})); ok {
		t.Fatal("an invalid address was reported as present")
	}
}

func TestHandlerAllocs(t *testing.T) {
	res := mustNew(t, clientip.Config{TrustedProxies: proxies, Source: clientip.SourceXForwardedFor})
	h := res.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { clientip.FromRequest(r) }))
	r := req("10.0.0.1:1", "X-Forwarded-For", "198.51.100.7")
	w := httptest.NewRecorder()
	// One for the context, one for the request copy.
	if n := testing.AllocsPerRun(100, func() { h.ServeHTTP(w, r) }); n > 2 {
		t.Fatalf("Handler allocates %v times, want <= 2", n)
	}
}
