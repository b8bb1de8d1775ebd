//go:build race

package validate_test

// raceSlack is added to pinned allocation counts under the race detector,
// which makes sync.Pool drop a quarter of what is put back.
const raceSlack = 2
