// Package headers sets the security response headers of the OWASP Secure
// Headers Project, enforces HTTPS (HSTS and a redirect), checks the Host
// header against an allow-list, gives HTML pages a fresh CSP nonce per
// response, and receives CSP violation reports.
//
// # Threat model
//
// Browsers decide how much to trust a response from its headers. Without
// them an API response can be sniffed as HTML and run as script, framed
// for clickjacking, read cross-origin through side channels, kept in a
// shared cache, or leak its URL (and the tokens in it) through Referer.
// [New] with a zero [Config] sends, on every response:
//
//	Content-Security-Policy: default-src 'none'; frame-ancestors 'none'
//	X-Content-Type-Options: nosniff
//	X-Frame-Options: DENY
//	Referrer-Policy: no-referrer
//	Cross-Origin-Resource-Policy: same-origin
//	Cross-Origin-Opener-Policy: same-origin
//	Permissions-Policy: accelerometer=(), camera=(), geolocation=(), … (deny all)
//	X-Permitted-Cross-Domain-Policies: none
//	X-XSS-Protection: 0
//	Cache-Control: no-store (unless the handler sets its own)
//	Strict-Transport-Security: max-age=63072000; includeSubDomains (HTTPS only)
//
// and removes Server and X-Powered-By, even when the handler sets them.
// X-XSS-Protection is 0 because the XSS auditor that "1; mode=block" turned
// on was itself exploitable and is gone from browsers; a value other than 0
// is a configuration error. [ProfileHTML] swaps the policy for a strict
// nonce-based one (script-src 'nonce-…' 'strict-dynamic', object-src
// 'none', base-uri 'none', form-action 'self'); the handler reads the nonce
// with [Nonce]. Both profiles score A+ on Mozilla's HTTP Observatory.
//
// Every header can be changed with [Config.Headers] or dropped with
// [Config.Remove]. Values are checked in New, so a typo ("self" without
// quotes, "scirpt-src", Referrer-Policy "no-referer") is an error rather
// than a policy the browser silently ignores, and values that undo the
// header ('unsafe-inline' scripts, Referrer-Policy unsafe-url) need
// [Config.InsecureAllowWeakValues].
//
// HSTS is sent only on responses the client received over HTTPS: r.TLS is
// set, or the direct peer is one of [Config.TrustedProxies] and its
// [Config.ProtoSource] header says https. A header any client can send
// proves nothing, so none is read by default. HSTS preload is refused
// unless the browsers' conditions hold: max-age of a year or more,
// includeSubDomains, and [Config.RedirectHTTPS].
//
// [Config.RedirectHTTPS] answers plain-HTTP requests with 308 (or 301) to
// the same host over https. The host comes from the Host header, which the
// client controls, so the redirect requires [Config.AllowedHosts]: an
// unknown host is rejected (421, or 400 when malformed) instead of being
// redirected, and X-Forwarded-Host is never read. [HostGuard] is the same
// allow-list as a middleware of its own, against Host header injection in
// password-reset links and cache keys.
//
// [ReportHandler] receives CSP reports (report-uri and Reporting API
// formats) and logs each as malicious_csp_violation, with a size-capped
// body, truncated fields, and query strings stripped from URLs. [TLSConfig]
// is a server TLS configuration for services that terminate TLS
// themselves: TLS 1.2 minimum, AEAD suites, X25519MLKEM768 first.
//
// # Place in the chain
//
// Outermost: headers must be set on every response, including rejections
// by cors, ratelimit and auth further in, and the HTTPS redirect and Host
// check must run before any other work.
//
//	handler := hdr.Handler(corsMW.Handler(resolver.Handler(limiter.Handler(app))))
//
// # Performance
//
// Values are computed in New. Per response, the middleware makes one
// allocation: a response-writer wrapper that also holds the backing array
// of every header value, each header a capacity-1 slice of it, so nothing
// is shared between responses. A nonce adds a policy string and the
// request's context.
//
// Standards: [OWASP Secure Headers Project], [CSP Level 3], [RFC 6797]
// (HSTS), [Referrer Policy], [Permissions Policy] ([RFC 8941] syntax),
// [RFC 9110] §15.5.20 (421 Misdirected Request), [RFC 7239] (Forwarded).
//
// [OWASP Secure Headers Project]: https://owasp.org/www-project-secure-headers/
// [CSP Level 3]: https://www.w3.org/TR/CSP3/
// [RFC 6797]: https://www.rfc-editor.org/rfc/rfc6797
// [Referrer Policy]: https://www.w3.org/TR/referrer-policy/
// [Permissions Policy]: https://www.w3.org/TR/permissions-policy/
// [RFC 8941]: https://www.rfc-editor.org/rfc/rfc8941
// [RFC 9110]: https://www.rfc-editor.org/rfc/rfc9110
// [RFC 7239]: https://www.rfc-editor.org/rfc/rfc7239
package headers
