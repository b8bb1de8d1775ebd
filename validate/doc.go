// Package validate decodes JSON request bodies strictly and validates them,
// with errors a client can act on and nothing of the input echoed back.
package validate
