// Package configtest takes apart the joined errors every apisec New
// returns, for the config-error tables of each package's tests.
package configtest
