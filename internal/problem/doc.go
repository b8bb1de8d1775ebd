// Package problem writes RFC 9457 problem details (application/problem+json)
// for every apisec package.
//
// Bodies are generic by design: callers pass fixed titles and details, never
// request data or internal error text. Responses that a middleware sends on
// a hot reject path are compiled once with [Compile] and written with
// [Compiled.Write], which costs one small allocation for the header values.
//
// [RFC 9457]: https://www.rfc-editor.org/rfc/rfc9457
package problem
