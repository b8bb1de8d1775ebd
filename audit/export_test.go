package audit

import (
	"log/slog"
	"net/netip"
)

// TrackedKeys returns how many keys the Detector behind h tracks, over all
// rules. h is a Detector or a Handler whose next is one.
func TrackedKeys(h slog.Handler) int {
	if ah, ok := h.(*Handler); ok {
		h = ah.next
	}
	d := h.(*Detector)
	c := d.core
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	if c.user != nil {
		n += len(c.user.m)
	}
	for _, tr := range []*tracker[netip.Prefix]{c.ip, c.stuffing, c.excess404, c.excess403} {
		if tr != nil {
			n += len(tr.m)
		}
	}
	return n
}
