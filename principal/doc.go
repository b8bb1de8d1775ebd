// Package principal carries the authenticated caller through a request's
// context.
//
// It is the one piece every apisec package shares: auth stores a
// [*Principal] after it verifies a token or an API key, and ratelimit,
// audit, version and the application's handlers read it back with
// [FromContext]. The package has no dependencies beyond the standard
// library, and its context key is unexported, so only [NewContext] can
// place a principal in a context: a handler cannot be tricked into reading
// a value that some other code stored under a colliding key.
//
// A Principal describes who is calling, not what they may do: the
// authorization decision belongs to the middleware that reads it
// (auth.RequireRoles, auth.RequireScopes) or to the handler.
package principal
