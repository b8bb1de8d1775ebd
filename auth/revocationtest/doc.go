// Package revocationtest checks an [auth.RevocationList] implementation
// against the contract the Authenticator relies on, as testing/slogtest
// does for slog handlers.
package revocationtest
