package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Memory store defaults.
const (
	// DefaultMaxKeys bounds the keys a [Memory] store keeps per policy set
	// (not in all) when [MemoryConfig.MaxKeys] is 0.
	DefaultMaxKeys = 1 << 20
	// DefaultSweepInterval is how often idle keys are dropped when
	// [MemoryConfig.SweepInterval] is 0.
	DefaultSweepInterval = time.Minute

	numShards  = 64 // a power of two
	shardShift = 64 - 6
	maxTables  = 64
	// maxTableWords caps the memory of one policy set's keys at 256 MiB:
	// with large sliding windows (8 bytes per unit of Limit per key) the
	// key bound shrinks to fit.
	maxTableWords = 1 << 25
	none          = ^uint32(0)
)

// MemoryConfig configures a [Memory] store. The zero value is ready to use.
type MemoryConfig struct {
	_ [0]func()

	// MaxKeys is a hard bound on the number of keys kept per policy set,
	// not in all: the store keeps a table of keys for each distinct policy
	// set it is given (a Limiter's [Config.Policies], each [Route]'s
	// Policies and, with FailLocal, the fallback's; sets of equal policies
	// share one table), up to 64 tables, each bounded by MaxKeys on its
	// own. A Limiter with N routes can thus hold up to (N+1)×MaxKeys keys,
	// and one Memory up to 64×MaxKeys.
	//
	// Once a table is full, a new key evicts a least recently used one in
	// its shard (CLOCK, the usual approximation of LRU); the evicted key
	// gets its full quota back, so size it above your active client count.
	// A new key starts unreferenced, so a flood of one-off keys evicts its
	// own keys before those of returning clients. Policy sets with large
	// sliding windows are further capped at 256 MiB of counters. 0 means
	// DefaultMaxKeys; otherwise it must be at least 64.
	MaxKeys int
	// SweepInterval is how often a background goroutine drops idle keys
	// (keys whose every policy is back to full quota) and rebuilds the
	// shards so their memory is returned. 0 means DefaultSweepInterval; a
	// negative value starts no goroutine (call [Memory.Sweep] yourself).
	SweepInterval time.Duration
	// Now is the clock of background sweeps; give it the clock the store's
	// callers use. Nil means the clock a [Limiter] uses by default (the
	// monotonic clock, anchored to the wall clock once).
	Now func() time.Time
}

// Memory is an in-process [Store]: sharded (no global lock), bounded by
// [MemoryConfig.MaxKeys] keys per policy set with least-recently-used
// eviction (CLOCK), and swept of idle keys in the background. A key costs
// under 64 bytes for one GCRA policy: keys are kept as 62-bit seeded
// hashes, never as strings (two keys colliding would share a quota; with
// a million keys the odds are below one in ten million, and the seed is
// secret and random).
//
// Time never runs backwards inside a shard: a clock reading earlier than
// one already seen is treated as the later one.
//
// The zero value is not usable; call [NewMemory]. A Memory is safe for
// concurrent use; [Memory.Close] stops its goroutine.
type Memory struct {
	seed        maphash.Seed
	maxPerShard int
	maxWords    int // per policy set: maxTableWords
	now         func() time.Time

	mu     sync.Mutex // serialises table creation
	tables atomic.Pointer[[]*table]

	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

type table struct {
	policies []Policy
	stride   int
	maxKeys  int // per shard
	off      [MaxPolicies]int
	interval [MaxPolicies]int64
	tau      [MaxPolicies]int64
	window   [MaxPolicies]int64
	shards   [numShards]shard
}

// A shard keeps its keys in one slice of slots of 1+stride words: the
// key's hash (with the flag bits below), then the policy words. Eviction
// uses CLOCK, the standard approximation of LRU: a use sets the slot's
// reference bit (in a word the decision touches anyway), and the hand
// evicts the first slot whose bit is clear, clearing bits as it passes,
// so a key used since the hand last passed is never evicted before one
// that was not.
const (
	refBit   int64  = -1 << 63 // used since the hand last passed
	freeBit  int64  = 1 << 62  // a free slot; the low 32 bits link the free list
	hashMask uint64 = 1<<62 - 1
	hotValid uint64 = 1 << 63
)

type shard struct {
	mu    sync.Mutex
	last  int64 // latest clock reading seen, in Unix nanoseconds
	index map[uint64]uint32
	slots []int64
	hand  uint32 // CLOCK hand
	free  uint32 // free-slot list head
	n     int
	hot   uint64 // hash|hotValid of the last key decided, which is at hotSlot
	hotAt uint32
	_     [156]byte // 256 bytes in all: no false sharing between shards
}

// NewMemory returns a Memory store. Close it when done.
func NewMemory(cfg MemoryConfig) (*Memory, error) {
	var errs []error
	if cfg.MaxKeys != 0 && (cfg.MaxKeys < numShards || cfg.MaxKeys > 1<<30) {
		errs = append(errs, &ConfigError{Field: "MaxKeys", Reason: fmt.Sprintf("must be 0 or between %d and %d, got %d", numShards, 1<<30, cfg.MaxKeys)})
	}
	if cfg.SweepInterval > 0 && cfg.SweepInterval < time.Second {
		errs = append(errs, &ConfigError{Field: "SweepInterval", Reason: fmt.Sprintf("must be at least 1s (or 0 for the default, or negative for none), got %v", cfg.SweepInterval)})
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	m := &Memory{seed: maphash.MakeSeed(), now: cfg.Now, maxWords: maxTableWords}
	if m.now == nil {
		m.now, _ = monotonicClock()
	}
	maxKeys := cfg.MaxKeys
	if maxKeys == 0 {
		maxKeys = DefaultMaxKeys
	}
	m.maxPerShard = maxKeys / numShards
	every := cfg.SweepInterval
	if every == 0 {
		every = DefaultSweepInterval
	}
	if every > 0 {
		m.stop = make(chan struct{})
		m.done = make(chan struct{})
		go m.janitor(every)
	}
	return m, nil
}

func (m *Memory) janitor(every time.Duration) {
	defer close(m.done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-m.stop:
			return
		case <-t.C:
			m.Sweep(m.now())
		}
	}
}

// Close stops the background sweeper and waits for it to exit. The store
// keeps working afterwards, without background sweeps. Close is idempotent.
func (m *Memory) Close() error {
	m.closeOnce.Do(func() {
		if m.stop != nil {
			close(m.stop)
			<-m.done
		}
	})
	return nil
}

var errPolicies = errors.New("ratelimit: invalid policies for store")

func (m *Memory) table(ps []Policy) (*table, error) {
	if tabs := m.tables.Load(); tabs != nil {
		for _, t := range *tabs {
			if slices.EqualFunc(t.policies, ps, Policy.Equal) {
				return t, nil
			}
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var old []*table
	if tabs := m.tables.Load(); tabs != nil {
		old = *tabs
		for _, t := range old {
			if slices.EqualFunc(t.policies, ps, Policy.Equal) {
				return t, nil
			}
		}
	}
	if len(ps) == 0 || len(ps) > MaxPolicies || len(old) >= maxTables {
		return nil, errPolicies
	}
	t := &table{policies: append([]Policy(nil), ps...)}
	for i, p := range ps {
		if p.Limit < 1 || p.Limit > MaxLimit || p.Window < time.Second || p.Window > MaxWindow ||
			(p.Algorithm == SlidingWindow && p.Limit > MaxSlidingLimit) || (p.Algorithm != GCRA && p.Algorithm != SlidingWindow) {
			return nil, errPolicies
		}
		t.off[i] = t.stride
		t.window[i] = int64(p.Window)
		switch p.Algorithm {
		case GCRA:
			t.interval[i] = int64(p.Interval())
			t.tau[i] = int64(p.Capacity()) * t.interval[i]
			t.stride++
		case SlidingWindow:
			t.stride += 1 + p.Limit // head index, then a ring of timestamps
		}
	}
	t.maxKeys = min(m.maxPerShard, max(1, m.maxWords/numShards/(1+t.stride)))
	for i := range t.shards {
		t.shards[i].free = none
	}
	tabs := append(append(make([]*table, 0, len(old)+1), old...), t)
	m.tables.Store(&tabs)
	return t, nil
}

// Take implements [Store].
func (m *Memory) Take(_ context.Context, key string, cost int, now time.Time, ps []Policy) (Decision, error) {
	var d Decision
	if cost < 0 || cost > MaxCost {
		return d, ErrInvalidCost
	}
	t, err := m.table(ps)
	if err != nil {
		return d, err
	}
	d.Allowed = m.take(t, key, cost, now.UnixNano(), &d.States)
	return d, nil
}

// take decides for key under table t at n (Unix ns), writing each
// policy's state to states. A Limiter calls it directly on its own
// Memory, with tables resolved once, so nothing is copied.
func (m *Memory) take(t *table, key string, cost int, n int64, states *[MaxPolicies]PolicyState) bool {
	h := maphash.String(m.seed, key)
	sh := &t.shards[h>>shardShift]
	h &= hashMask
	sh.mu.Lock()
	if n < sh.last {
		n = sh.last
	} else {
		sh.last = n
	}
	var (
		slot uint32
		ok   bool
	)
	if sh.hot == h|hotValid {
		slot, ok = sh.hotAt, true // the same key again: skip the map
	} else if slot, ok = sh.index[h]; !ok {
		slot = sh.insert(t, h, t.maxKeys)
	}
	base := int(slot) * (1 + t.stride)
	if ok {
		sh.slots[base] |= refBit // a new key starts unreferenced: a one-off key goes first
	}
	words := sh.slots[base+1 : base+1+t.stride]
	// Inside the lock, only what the decision needs: GCRA states are
	// worked out after unlocking, from the arrival times read here.
	var tats [MaxPolicies]int64
	allowed := true
	for i := range t.policies {
		if t.policies[i].Algorithm == GCRA {
			tat := max(words[t.off[i]], n)
			tats[i] = tat
			if !t.gcraAdmits(i, tat, n, cost) {
				allowed = false
			}
			continue
		}
		st := t.decide(i, words, n, cost)
		states[i] = st
		if !st.Allowed {
			allowed = false
		}
	}
	if allowed && cost > 0 {
		for i := range t.policies {
			if t.policies[i].Algorithm == GCRA {
				words[t.off[i]] = tats[i] + int64(cost)*t.interval[i]
			} else {
				t.charge(i, words, n, cost)
			}
		}
	} else {
		if cost > 0 {
			// Nothing was charged: report the state before the charge.
			for i := range t.policies {
				if t.policies[i].Algorithm == SlidingWindow && states[i].Allowed {
					states[i] = t.decide(i, words, n, 0)
					states[i].Allowed = true
				}
			}
		}
		if !ok {
			sh.remove(h, slot, 1+t.stride) // a peek or a denial must not make a key resident
		}
	}
	if ok || (allowed && cost > 0) { // the key is resident
		sh.hot, sh.hotAt = h|hotValid, slot
	}
	sh.mu.Unlock()
	for i := range t.policies {
		if t.policies[i].Algorithm == GCRA {
			states[i] = t.gcraState(i, tats[i], n, cost, allowed)
		}
	}
	return allowed
}

// gcraAdmits reports whether GCRA policy i, with arrival time tat (at
// least n), admits cost at n; a cost of 0 asks whether one unit would be.
func (t *table) gcraAdmits(i int, tat, n int64, cost int) bool {
	T, tau := t.interval[i], t.tau[i]
	if cost == 0 {
		return n+tau-tat >= T
	}
	if cost > t.policies[i].Capacity() {
		return false
	}
	return n >= tat+int64(cost)*T-tau
}

// gcraState describes GCRA policy i after a decision at n on arrival time
// tat (as read before any charge); charged tells whether the cost was
// charged.
func (t *table) gcraState(i int, tat, n int64, cost int, charged bool) PolicyState {
	T, tau := t.interval[i], t.tau[i]
	st := PolicyState{
		Allowed:    t.gcraAdmits(i, tat, n, cost),
		Remaining:  int((n + tau - tat) / T),
		ResetAfter: time.Duration(tat - n),
	}
	switch {
	case st.Allowed && charged && cost > 0:
		newTat := tat + int64(cost)*T
		st.Remaining = int((n + tau - newTat) / T)
		st.ResetAfter = time.Duration(newTat - n)
	case st.Allowed:
	case cost == 0:
		st.RetryAfter = time.Duration(tat + T - tau - n)
	case cost > t.policies[i].Capacity():
		st.RetryAfter = t.policies[i].Window
	default:
		st.RetryAfter = time.Duration(tat + int64(cost)*T - tau - n)
	}
	return st
}

// decide evaluates sliding-window policy i for a cost without changing
// anything. For a positive cost that is admitted, Remaining and ResetAfter
// describe the state after the charge.
func (t *table) decide(i int, words []int64, n int64, cost int) PolicyState {
	p := &t.policies[i]
	w := words[t.off[i]:]
	var st PolicyState
	// Sliding window: w[0] is the ring's head (oldest entry), w[1:] the ring
	// of admission times in chronological order from the head.
	L := p.Limit
	ring := w[1 : 1+L]
	head := int(w[0])
	cut := n - t.window[i] // entries at or before cut have left the window
	// Expired entries form a prefix (from head); find its length.
	lo, hi := 0, L
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if ring[(head+mid)%L] <= cut {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	free := lo
	newest := ring[(head+L-1)%L]
	if free < L {
		st.ResetAfter = time.Duration(newest + t.window[i] - n)
	}
	c := cost
	if c == 0 {
		c = 1
	}
	switch {
	case c > L:
		st.Remaining = free
		st.RetryAfter = p.Window
	case free >= c:
		st.Allowed = true
		st.Remaining = free - cost
		if cost > 0 {
			st.ResetAfter = p.Window
		}
	default:
		st.Remaining = free
		st.RetryAfter = time.Duration(ring[(head+c-1)%L] + t.window[i] - n)
	}
	return st
}

func (t *table) charge(i int, words []int64, n int64, cost int) {
	p := &t.policies[i]
	w := words[t.off[i]:]
	L := p.Limit
	ring := w[1 : 1+L]
	head := int(w[0])
	for j := range cost {
		ring[(head+j)%L] = n
	}
	w[0] = int64((head + cost) % L)
}

// idle reports whether every policy of the key at words is back to its
// full quota at n.
func (t *table) idle(words []int64, n int64) bool {
	for i := range t.policies {
		w := words[t.off[i]:]
		if t.policies[i].Algorithm == GCRA {
			if w[0] > n {
				return false
			}
			continue
		}
		L := t.policies[i].Limit
		if newest := w[1+(int(w[0])+L-1)%L]; newest > n-t.window[i] {
			return false
		}
	}
	return true
}

func (sh *shard) insert(t *table, h uint64, max int) uint32 {
	size := 1 + t.stride
	if sh.n >= max && sh.n > 0 {
		sh.evict(size)
	}
	var slot uint32
	if sh.free != none {
		slot = sh.free
		sh.free = uint32(sh.slots[int(slot)*size])
	} else {
		slot = uint32(len(sh.slots) / size)
		for range size {
			sh.slots = append(sh.slots, 0)
		}
	}
	w := sh.slots[int(slot)*size : (int(slot)+1)*size]
	w[0] = int64(h)
	for j := range w[1:] {
		w[1+j] = math.MinInt64 // "never": earlier than any clock reading
	}
	for i := range t.policies {
		if t.policies[i].Algorithm == SlidingWindow {
			w[1+t.off[i]] = 0 // the ring's head index
		}
	}
	if sh.index == nil {
		sh.index = make(map[uint64]uint32)
	}
	sh.index[h] = slot
	sh.n++
	return slot
}

// evict removes one key chosen by the CLOCK hand.
func (sh *shard) evict(size int) {
	total := uint32(len(sh.slots) / size)
	for range 2*total + 1 {
		if sh.hand >= total {
			sh.hand = 0
		}
		s := sh.hand
		sh.hand++
		w := &sh.slots[int(s)*size]
		switch {
		case *w&freeBit != 0:
		case *w&refBit != 0:
			*w &^= refBit
		default:
			sh.remove(uint64(*w)&hashMask, s, size)
			return
		}
	}
}

func (sh *shard) remove(h uint64, slot uint32, size int) {
	if sh.hot == h|hotValid {
		sh.hot = 0
	}
	delete(sh.index, h)
	sh.slots[int(slot)*size] = freeBit | int64(sh.free)
	sh.free = slot
	sh.n--
}

// Reset implements [Store].
func (m *Memory) Reset(_ context.Context, key string, ps []Policy) error {
	t, err := m.table(ps)
	if err != nil {
		return err
	}
	h := maphash.String(m.seed, key)
	sh := &t.shards[h>>shardShift]
	h &= hashMask
	sh.mu.Lock()
	if slot, ok := sh.index[h]; ok {
		sh.remove(h, slot, 1+t.stride)
	}
	sh.mu.Unlock()
	return nil
}

// Len returns the number of keys held, over all policy sets.
func (m *Memory) Len() int {
	total := 0
	if tabs := m.tables.Load(); tabs != nil {
		for _, t := range *tabs {
			for i := range t.shards {
				sh := &t.shards[i]
				sh.mu.Lock()
				total += sh.n
				sh.mu.Unlock()
			}
		}
	}
	return total
}

// Sweep drops every key that is idle at now (back to its full quota, so
// forgetting it changes no decision) and rebuilds the shards it shrank, so
// that their memory is returned to the runtime (Go maps never shrink). It
// returns the number of keys dropped. It locks one shard at a time.
func (m *Memory) Sweep(now time.Time) int {
	tabs := m.tables.Load()
	if tabs == nil {
		return 0
	}
	n := now.UnixNano()
	dropped := 0
	for _, t := range *tabs {
		for i := range t.shards {
			dropped += t.shards[i].sweep(t, n)
		}
	}
	return dropped
}

func (sh *shard) sweep(t *table, n int64) int {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if n < sh.last {
		n = sh.last
	}
	size := 1 + t.stride
	total := len(sh.slots) / size
	live := 0
	for s := range total {
		w := sh.slots[s*size : (s+1)*size]
		if w[0]&freeBit == 0 && !t.idle(w[1:], n) {
			live++
		}
	}
	dropped := sh.n - live
	if dropped == 0 && total == sh.n {
		return 0
	}
	// Rebuild with exactly the live keys: Go maps never shrink.
	var (
		index map[uint64]uint32
		slots []int64
	)
	if live > 0 {
		index = make(map[uint64]uint32, live)
		slots = make([]int64, 0, live*size)
	}
	for s := range total {
		w := sh.slots[s*size : (s+1)*size]
		if w[0]&freeBit != 0 || t.idle(w[1:], n) {
			continue
		}
		index[uint64(w[0])&hashMask] = uint32(len(slots) / size)
		slots = append(slots, w...)
	}
	sh.index, sh.slots = index, slots
	sh.n, sh.free, sh.hand, sh.hot = live, none, 0, 0
	return dropped
}
