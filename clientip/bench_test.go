package clientip_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/apisec-go/apisec/clientip"
)

func BenchmarkResolve(b *testing.B) {
	xff := mustNew(b, clientip.Config{TrustedProxies: proxies, Source: clientip.SourceXForwardedFor})
	fwd := mustNew(b, clientip.Config{TrustedProxies: proxies, Source: clientip.SourceForwarded})
	none := mustNew(b, clientip.Config{})
	long := strings.Repeat("6.6.6.6, ", 10_000) + "198.51.100.7, 10.1.1.1"
	huge := strings.Repeat("a", 1<<20) + ", 198.51.100.7"
	cases := []struct {
		name string
		res  *clientip.Resolver
		r    *http.Request
	}{
		{"source=none", none, req("203.0.113.9:1")},
		{"source=xff/hops=2", xff, req("10.0.0.1:1", "X-Forwarded-For", "198.51.100.7, 10.1.1.1")},
		{"source=xff/entries=10000", xff, req("10.0.0.1:1", "X-Forwarded-For", long)},
		{"source=xff/size=1MiB", xff, req("10.0.0.1:1", "X-Forwarded-For", huge)},
		{"source=forwarded/hops=2", fwd, req("10.0.0.1:1", "Forwarded", `for="[2001:db8::1]:80";proto=https, for=10.1.1.1`)},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				c.res.Resolve(c.r)
			}
		})
	}
}

func BenchmarkHandler(b *testing.B) {
	res := mustNew(b, clientip.Config{TrustedProxies: proxies, Source: clientip.SourceXForwardedFor})
	next := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	r := req("10.0.0.1:1", "X-Forwarded-For", "198.51.100.7")
	w := httptest.NewRecorder()
	b.Run("mw=none", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			next.ServeHTTP(w, r)
		}
	})
	h := res.Handler(next)
	b.Run("mw=clientip", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			h.ServeHTTP(w, r)
		}
	})
}
