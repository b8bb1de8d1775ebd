// Package validate decodes JSON request bodies strictly, validates them with
// rules that read well at the call site, checks new passwords against NIST
// SP 800-63B rev 4, and answers bad input with errors a client can act on,
// without ever echoing that input back.
//
// # Threat model
//
// The body of a request is attacker-controlled. validate defends against:
//
//   - parser differentials: encoding/json keeps the last of two duplicate
//     members, matches member names regardless of case, replaces invalid
//     UTF-8 and lone surrogates with U+FFFD and ignores unknown members, so
//     a proxy, a WAF or a second service can read a different value from
//     the same bytes. validate rejects duplicate keys (at every depth),
//     unknown members (by default), invalid UTF-8 and lone surrogate
//     escapes, and matches member names exactly;
//   - resource exhaustion: the body is read up to [Config.MaxBodyBytes]
//     (1 MiB) and never further, nesting is capped at [Config.MaxDepth] (32),
//     error lists are capped at [MaxErrors] (then end with one
//     [CodeTooManyErrors] entry, and checking stops), and duplicate
//     detection stays linear;
//   - silent truncation: a number that does not fit its field (300 into an
//     int8, -1 into a uint, 1e400 into a float64, 1.5 into an int) is an
//     error, not a wrapped or rounded value;
//   - smuggling: exactly one JSON value per body, one Content-Type field that
//     says JSON in UTF-8, one value per query parameter;
//   - leaks: problem details carry fixed texts and JSON Pointers built from
//     the schema's own names; logs carry pointers and codes, never values.
//
// # Decoding
//
// [New] builds a [Decoder] from a [Config]. [JSON] turns it into a
// middleware that stores a *T for [FromContext]; [Decode] does the same from
// inside a handler; [Unmarshal] works on bytes without HTTP. Rejections are
// RFC 9457 problem+json: 415 for a wrong Content-Type, 413 for an oversized
// body, 400 for bodies that are not one well-formed JSON value (with an
// errors array when a location is known), 422 for values that do not fit
// the type or break a rule, 503 when a dependency of validation (a breach
// check) is down. GET, HEAD and OPTIONS pass through the middleware.
//
// Decoding runs in one pass over the body with a plan built once per type,
// checking syntax, UTF-8, depth and duplicates as it fills the value; it is
// faster than encoding/json on the same struct, and follows its rules for
// tags, embedded structs, pointers, json.Unmarshaler and
// encoding.TextUnmarshaler. Types it does not plan for (the ",string" tag
// option, maps with non-string keys, non-empty interfaces) are checked by
// the same strict pass and then decoded by encoding/json; for those types
// only, member names match regardless of case.
//
// # Validation
//
// A type is validated by a [RuleSet] ([Rules] of [Field] and [Check]), by
// its own Validate() error or ValidateContext(ctx) error method, or both.
// Rules are plain functions: [Required], [Length] (in code points), [Range],
// [Email] (an RFC 5322 addr-spec through net/mail, no display name), [URL]
// (http and https, no userinfo), [UUID], [OneOf], [Pattern] (precompiled,
// matched whole), [Each], [Items], [Struct], [Optional]. Errors are
// collected per field as [FieldError] values: a JSON Pointer (RFC 6901), a
// stable code and a fixed detail. A problem body lists them in its "errors"
// extension member; past [MaxErrors] the list ends with one entry of code
// "too_many_errors" and no pointer, meaning more were found and dropped.
//
// [Query] and [Path] read request parameters with the same error shape,
// with caps for limit and offset.
//
// # Passwords
//
// [PasswordPolicy] follows NIST SP 800-63B rev 4 §3.1.1.2: at least 15 code
// points (8 when the password is one of two factors), at least 64 allowed
// (128 by default), no composition rules unless asked for, no truncation, a
// blocklist and context words (the user's email and name, the service
// name), no whitespace-only passwords, no long runs of repeated or
// consecutive characters, and an optional [BreachChecker] such as
// [PwnedPasswords], which uses the k-anonymity range API and sends only
// five hex characters of the SHA-1.
//
// The embedded blocklist holds about 19,600 entries (235 KB) composed by
// gen_blocklist.go from well-known weak patterns: popular words and first
// names, keyboard row and column walks (qwerty, 1qaz2wsx), letters
// interleaved with digits (q1w2e3r4, a1b2c3d4), keypad walks (147258369),
// digit runs, doubled words and the digits and symbols people append. It is not a breach corpus and was not derived from one;
// passwords are also compared after undoing common substitutions
// ("p@ssw0rd") and after trimming digits and symbols from both ends. For
// real breach data, configure a BreachChecker.
//
// # Where it goes
//
// validate is the innermost middleware, just before the handler:
//
//	headers → cors → clientip → audit → ratelimit → auth → version → validate → handler
//
// Rate limiting and authentication come first so that unauthenticated
// floods are refused before anyone pays for reading and decoding a body;
// audit comes earlier so that it sees every input_validation_fail event
// logged here through [Config.Logger].
//
// [RFC 9457]: https://www.rfc-editor.org/rfc/rfc9457
// [RFC 8259]: https://www.rfc-editor.org/rfc/rfc8259
// [RFC 6901]: https://www.rfc-editor.org/rfc/rfc6901
// [NIST SP 800-63B rev 4]: https://pages.nist.gov/800-63-4/sp800-63b.html
package validate
