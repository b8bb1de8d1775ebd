package password

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
		return 128 * uint64(ph.r) << ph.ln / 1024, nil
	case algBcrypt:
		return 4, nil
	}
	return uint64(ph.m), nil
}
