// Package httpsyntax holds the RFC 9110 grammar pieces several apisec
// packages check configuration and headers against.
package httpsyntax
