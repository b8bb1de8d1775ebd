// Package version negotiates the API version of each request, tells
// clients when a version is deprecated and when it will be retired, and
// routes each version to its own handler.
//
// # Threat model
//
// Versioning is a security practice because old versions are where old
// bugs live: an endpoint fixed in v2 stays exploitable for as long as v1 is
// served. A [Negotiator] therefore makes the life cycle explicit. Each
// [Version] can carry a deprecation date and a sunset date; clients are
// told through the standard headers, every use of a deprecated version is
// logged with who made it (the [principal] subject and the [clientip]
// address) so that its owners can be contacted, and after the sunset the
// version answers 410 Gone instead of silently staying reachable.
//
// Every version value a request carries is attacker-controlled. It is
// parsed without allocation, matched only against the configured versions
// (never used to build a response, a path or a log line), and refused when
// sources disagree ([ErrConflict]): a request whose header says one
// version and whose path says another is ambiguous, and a proxy or cache
// and the application must never pick different answers. Rejections are
// generic RFC 9457 problem+json bodies listing the versions still served.
//
// # Sources
//
// A request may name its version in the places [Config.Sources] enables,
// read in this priority order:
//
//   - a header, API-Version by default ([SourceHeader], the default);
//   - a path segment after [Config.PathPrefix], such as "/api/v2/users"
//     ([SourcePath]); the segment is stripped for the next handler, see
//     [Negotiator.Handler];
//   - the version parameter of a vendor media type in Accept,
//     "application/vnd.acme+json; version=2" ([SourceMediaType]);
//   - a query parameter, api-version by default ([SourceQuery]).
//
// Inbound values are read leniently, as clients send them: surrounding
// whitespace, quotes, a "v" prefix, leading zeros and trailing ".0" are
// ignored, several field lines or comma-separated repeats are accepted
// when they agree. What is emitted is strict: "Deprecation: @<seconds>"
// (an RFC 9651 Date), "Sunset: <IMF-fixdate>", and RFC 8288 Link values
// built from URLs checked by [New].
//
// # Use
//
// [New] checks a [Config] and returns a [Negotiator]. Wrap a handler with
// [Negotiator.Handler] and read the chosen version with [FromContext], or
// let [Negotiator.Route] dispatch each version to its own handler.
// [Negotiator.Negotiate] makes the decision alone, without writing a
// response; on the header source it takes a few tens of nanoseconds and
// does not allocate.
//
// # Place in the chain
//
// After authentication (and rate limiting), so that the deprecation log
// names the principal and a flood of unauthenticated requests is refused
// before any version work; before input validation, because the shape of a
// request depends on its version:
//
//	headers → cors → clientip → audit → ratelimit → auth → version → validate → handler
//
// Standards: [RFC 9745] (Deprecation header, rel="deprecation"),
// [RFC 8594] (Sunset header, rel="sunset"), [RFC 5829]
// (rel="successor-version"), [RFC 8288] (Link), [RFC 9651] (Structured
// Field Dates), [RFC 9110] (Accept, Vary, IMF-fixdate), [RFC 9457]
// (problem details).
//
// [RFC 9745]: https://www.rfc-editor.org/rfc/rfc9745
// [RFC 8594]: https://www.rfc-editor.org/rfc/rfc8594
// [RFC 5829]: https://www.rfc-editor.org/rfc/rfc5829
// [RFC 8288]: https://www.rfc-editor.org/rfc/rfc8288
// [RFC 9651]: https://www.rfc-editor.org/rfc/rfc9651
// [RFC 9110]: https://www.rfc-editor.org/rfc/rfc9110
// [RFC 9457]: https://www.rfc-editor.org/rfc/rfc9457
package version
