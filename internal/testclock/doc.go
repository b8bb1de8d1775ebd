// Package testclock is the injectable clock tests hand to a Config's Now,
// so that time passes only when the test says so.
package testclock
