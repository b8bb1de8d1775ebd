// Package testenv finds the real programs tests run against (Python with
// Debian's interop packages, headless Chromium), skipping a test that
// needs a missing one, or failing it when CI=true, since CI must run
// every test.
package testenv
