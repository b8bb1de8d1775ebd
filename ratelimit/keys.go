package ratelimit

import (
	"net/http"
	"net/textproto"
	"strconv"
	"unsafe"

	"github.com/apisec-go/apisec/clientip"
	"github.com/apisec-go/apisec/principal"
)

// KeyFunc appends the rate-limit key of r to dst and returns the extended
// slice. The [Limiter] passes an empty dst with room to spare and takes
// the returned slice as the key, so a KeyFunc may also return a slice of
// its own (it is copied, never written to or kept). Returning an empty
// slice (dst as it came, or nil) means "no key of mine": the middleware
// then keys the request by client IP, so a request is never left
// unlimited by a missing credential. The key functions of this package
// that wrap another call it the same way.
//
// The Limiter itself puts the key of a request that a [Route] matched in
// that route's namespace, whatever the KeyFunc returns, so routes never
// share counters with each other or with [Config.Policies].
//
// Keys are namespaced by their kind ("ip:", "sub:", "hdr:") so that one
// kind can never be made to collide with another.
type KeyFunc func(dst []byte, r *http.Request) []byte

// maxHeaderKey bounds a key taken from a request header.
const maxHeaderKey = 256

// KeyByIP keys requests by client address, as resolved by
// [clientip.FromRequest] (put a [clientip.Resolver] before the limiter when
// behind proxies; forwarding headers are never read by this package). IPv6
// addresses are grouped by their first ipv6Bits bits (0 means 64, which
// one subscriber usually controls); IPv4 addresses stand alone.
func KeyByIP(ipv6Bits int) KeyFunc {
	return func(dst []byte, r *http.Request) []byte { return appendIPKey(dst, r, ipv6Bits) }
}

func appendIPKey(dst []byte, r *http.Request, ipv6Bits int) []byte {
	dst = append(dst, "ip:"...)
	p := clientip.Prefix(clientip.FromRequest(r), ipv6Bits)
	if !p.IsValid() {
		return append(dst, "unknown"...)
	}
	dst = p.Addr().AppendTo(dst)
	if p.Addr().Is6() {
		dst = append(dst, '/')
		dst = strconv.AppendInt(dst, int64(p.Bits()), 10)
	}
	return dst
}

// KeyByPrincipal keys authenticated requests by the subject (and issuer)
// of the [principal.Principal] an authentication middleware stored in the
// context, and anonymous requests with fallback (nil means [KeyByIP](0)).
// Place it after the authentication middleware.
func KeyByPrincipal(fallback KeyFunc) KeyFunc {
	if fallback == nil {
		fallback = KeyByIP(0)
	}
	return func(dst []byte, r *http.Request) []byte {
		p, ok := principal.FromContext(r.Context())
		if !ok || p.Subject == "" {
			return fallback(dst, r)
		}
		dst = append(dst, "sub:"...)
		dst = strconv.AppendInt(dst, int64(len(p.Issuer)), 10)
		dst = append(dst, ':')
		dst = append(dst, p.Issuer...)
		return append(dst, p.Subject...)
	}
}

// KeyByHeader keys requests by the value of the request header name (for
// example an API key's identifier, after it has been authenticated: a
// client can put anything in a header). A missing, repeated, empty,
// over-long (more than 256 bytes) or non-printable value falls back to
// fallback (nil means [KeyByIP](0)).
func KeyByHeader(name string, fallback KeyFunc) KeyFunc {
	if fallback == nil {
		fallback = KeyByIP(0)
	}
	name = textproto.CanonicalMIMEHeaderKey(name)
	return func(dst []byte, r *http.Request) []byte {
		vs := r.Header[name]
		if len(vs) != 1 || !printable(vs[0]) {
			return fallback(dst, r)
		}
		dst = append(dst, "hdr:"...)
		return append(dst, vs[0]...)
	}
}

func printable(s string) bool {
	if s == "" || len(s) > maxHeaderKey {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// KeyByRoute prefixes the key from inner (nil means [KeyByIP](0)) with the
// [http.Request.Pattern] that [http.ServeMux] matched, giving each route a
// quota of its own. The pattern, unlike the URL path, is not chosen by the
// client. It is empty unless the limiter runs inside the mux (wrap each
// handler, not the mux).
func KeyByRoute(inner KeyFunc) KeyFunc {
	if inner == nil {
		inner = KeyByIP(0)
	}
	return func(dst []byte, r *http.Request) []byte {
		dst = append(dst, "rt:"...)
		dst = strconv.AppendInt(dst, int64(len(r.Pattern)), 10)
		dst = append(dst, ':')
		dst = append(dst, r.Pattern...)
		return appendKey(dst, inner, r)
	}
}

// appendKey appends to dst the key k gives r, or the client-IP key when k
// gives none. k gets the free capacity of dst as an empty slice, so that
// what it returns is all key, whether it appended in place, grew a copy or
// returned a slice of its own; only the first is used without copying, so
// dst never ends up aliasing memory k owns.
func appendKey(dst []byte, k KeyFunc, r *http.Request) []byte {
	n := len(dst)
	free := dst[n:]
	switch kb := k(free, r); {
	case len(kb) == 0:
		return appendIPKey(dst, r, 0)
	case cap(free) > 0 && unsafe.SliceData(kb) == unsafe.SliceData(free):
		return dst[:n+len(kb)] // appended in place
	default:
		return append(dst, kb...)
	}
}
