package ratelimit

import (
	"context"
	"strconv"
	"testing"
	"time"
)

// Large exact sliding windows cost 8 bytes per unit of Limit per key; the
// store bounds their total instead of trusting MaxKeys alone. (The budget
// is lowered here so the test does not need 256 MiB.)
func TestMemoryBoundsLargeSlidingWindows(t *testing.T) {
	m, err := NewMemory(MemoryConfig{SweepInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	m.maxWords = maxTableWords / 64 // 4 MiB
	ps := []Policy{{Name: "s", Limit: MaxSlidingLimit, Window: time.Hour, Algorithm: SlidingWindow}}
	now := time.Now()
	for i := range 1000 {
		if _, err := m.Take(context.Background(), "k"+strconv.Itoa(i), 1, now, ps); err != nil {
			t.Fatal(err)
		}
	}
	// 4 MiB / 64 shards / (10,001 words of 8 bytes) is below one key per
	// shard: one key per shard is kept.
	if n := m.Len(); n > 64 {
		t.Errorf("Len = %d, want at most 64", n)
	}
	ps = []Policy{{Name: "s", Limit: 100, Window: time.Hour, Algorithm: SlidingWindow}}
	for i := range 10_000 {
		if _, err := m.Take(context.Background(), "k"+strconv.Itoa(i), 1, now, ps); err != nil {
			t.Fatal(err)
		}
	}
	// 4 MiB / 64 / 101 words = 81 keys per shard.
	if n := m.Len(); n > 64+64*81 {
		t.Errorf("Len = %d, want at most %d", n, 64+64*81)
	}
}
