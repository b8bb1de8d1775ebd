//go:build race

package token_test

// The race detector makes sync.Pool drop items at random, so allocation
// counts are only pinned without it.
const raceEnabled = true
