package password

import (
	"math"
	"math/bits"
)

// HoldSlots takes n slots of h's limiter, as n hashes in progress would,
// and returns the function that frees them.
func HoldSlots(h *Hasher, n int) (release func()) {
	for range n {
		h.slots <- struct{}{}
	}
	return func() {
		for range n {
			<-h.slots
		}
	}
}

// ParsedMemoryKiB returns the memory a stored hash would make Verify use,
// or an error without doing any work: the fuzz target checks the bound.
func ParsedMemoryKiB(h *Hasher, hash string) (uint64, error) {
	ph, err := h.pol.parse(hash)
	if err != nil {
		return 0, err
	}
	switch ph.alg {
	case algScrypt:
		// 128·r·2^ln, saturated at MaxUint64 instead of wrapping, so an
		// overflow in parse's bound shows up as a huge value.
		hi, lo := bits.Mul64(128*uint64(ph.r), 1<<ph.ln)
		if hi != 0 {
			return math.MaxUint64, nil
		}
		return lo / 1024, nil
	case algBcrypt:
		return 4, nil
	}
	return uint64(ph.m), nil
}
