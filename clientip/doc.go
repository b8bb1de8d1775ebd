// Package clientip resolves the address of the client that made a request,
// trusting forwarding headers only from proxies the operator named.
//
// # Threat model
//
// Every header a client sends is under its control. A limiter or an audit
// log keyed on X-Forwarded-For as it arrives lets any client pick its own
// address: rotate it to escape a rate limit, or name a victim's address to
// get the victim blocked. A Resolver therefore reads no header at all unless
// [Config.Source] names one and the direct peer (the TCP connection's
// address, [net/http.Request.RemoteAddr]) is inside [Config.TrustedProxies].
// It then walks the header right to left, skipping addresses of trusted
// proxies, and stops at the first untrusted hop: that is the address the
// nearest trusted proxy saw, and the only one nobody else could have
// written. An entry it cannot parse at that point (garbage, a zone, an
// obfuscated RFC 7239 identifier such as "unknown" or "_hidden") makes it
// fall back to the direct peer rather than guess.
//
// Work is bounded: the walk inspects at most [Config.MaxHops] entries and
// scans headers from the end, so a 1 MiB header costs no more than a short
// one.
//
// # Place in the chain
//
// Put [Resolver.Handler] after headers and cors and before audit and
// ratelimit: those read [FromRequest] to log and to key limits on the
// resolved address. Packages that only need the address call [FromRequest],
// which falls back to RemoteAddr when no Resolver ran.
//
// IPv6 clients usually control a whole /64, so [Prefix] groups an address
// into its /64 (IPv4 stays /32) for use as a rate-limit key.
//
// Standards: [RFC 7239] (Forwarded), the de-facto X-Forwarded-For and
// X-Real-IP headers.
//
// [RFC 7239]: https://www.rfc-editor.org/rfc/rfc7239
package clientip
