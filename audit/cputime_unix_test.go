//go:build unix

package audit_test

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time (user and system) the process has used.
// On a busy machine it measures a benchmark's own work better than the
// wall clock, which also counts time spent waiting for a core.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
