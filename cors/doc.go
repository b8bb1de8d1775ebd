// Package cors implements Cross-Origin Resource Sharing as the Fetch
// standard specifies it, with a configuration that cannot be written in an
// insecure way by accident.
//
// # Threat model
//
// Browsers send cookies and other credentials with cross-site requests; the
// same-origin policy only stops a page from reading the responses. CORS is
// the server's way to lift that protection for the origins it names, so a
// mistake in the allow-list hands the user's session to another site:
// reflecting any origin with credentials, a pattern that matches
// "evilexample.com" or a whole public suffix ("*.github.io"), "null"
// (sent by sandboxed iframes of any site), plain-http origins that a
// network attacker can inject script into. [New] refuses all of these
// unless the matching Dangerously.../Insecure... field says otherwise, and
// reports every problem of a [Config] at once as [*ConfigError] values.
//
// CORS is not access control: a disallowed origin's request still reaches
// the handler (only the browser withholds the response), and non-browser
// clients ignore CORS entirely. Authenticate and authorize every request;
// against cross-site request forgery on cookie-authenticated endpoints, use
// net/http.CrossOriginProtection or SameSite cookies as well.
//
// At run time the middleware follows the CORS protocol of the Fetch
// standard step by step:
//   - a preflight (OPTIONS with Origin and Access-Control-Request-Method) is
//     answered here with 204 (or 200) and never passed on unless
//     [Config.PreflightPassthrough] is set; a failed preflight gets 403, a
//     generic application/problem+json body and no CORS header, and with
//     [Config.Debug] a Cors-Debug header naming the failed check;
//   - Access-Control-Request-Headers is parsed tolerantly (spaces, case,
//     repeats, several field lines) within hard caps
//     ([MaxRequestHeadersBytes], [MaxRequestHeaders],
//     [MaxRequestHeadersLines]), so an oversized header costs no more than
//     the caps;
//   - "*" in [Config.RequestHeaders] never covers Authorization;
//   - other requests from an allowed origin get Access-Control-Allow-Origin,
//     Access-Control-Allow-Credentials and Access-Control-Expose-Headers;
//   - Vary is appended, never overwritten: Origin on responses that depend
//     on it, plus Access-Control-Request-Method and -Headers on preflights;
//     responses for Origins "*" carry none; requests without Origin pass
//     untouched at near-zero cost unless [Config.VaryNonCORS] is set;
//   - every header value is fresh memory owned by one response, so a
//     handler that edits w.Header() in place cannot corrupt other responses
//     (rs/cors#198). The values are carved from 2 KiB slabs, each response
//     taking its own disjoint slots, so the cost is amortised: one 2 KiB
//     block per 21 to 128 responses, depending on how many headers each
//     writes (one per 32 allowed actual requests, one per 21 preflights);
//     requests without Origin allocate nothing unless [Config.VaryNonCORS]
//     is set. No memory is ever shared between responses.
//
// A credentialed request (Cookie or Authorization) from an origin that is
// not allowed is logged as "malicious_cors" on [Config.Logger].
// [Middleware.Reconfigure] swaps the policy atomically at run time.
//
// # Place in the chain
//
// Put cors outermost after headers, before clientip, audit, ratelimit and
// auth: browsers send preflights without credentials, so a preflight that
// reached auth would fail and block every cross-origin call, and a
// rate-limited or rejected response still needs its CORS headers for the
// calling page to see the error.
//
//	handler := hdr.Handler(corsMW.Handler(ip.Handler(auth.Handler(mux))))
//
// Standards: the [Fetch standard] (CORS protocol, CORS-preflight fetch,
// CORS check, "CORS protocol and HTTP caches"), [RFC 6454] (origins),
// [RFC 9110] (tokens, lists, Vary), [RFC 9457] (problem details).
//
// [Fetch standard]: https://fetch.spec.whatwg.org/#http-cors-protocol
// [RFC 6454]: https://www.rfc-editor.org/rfc/rfc6454
// [RFC 9110]: https://www.rfc-editor.org/rfc/rfc9110
// [RFC 9457]: https://www.rfc-editor.org/rfc/rfc9457
package cors
