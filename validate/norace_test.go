//go:build !race

package validate_test

// raceSlack is zero without the race detector: allocation pins are exact.
const raceSlack = 0
