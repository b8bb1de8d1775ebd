package redisstore

import (
	"context"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// A batcher sends decisions to Redis with at most max round trips in
// flight, and bounds every caller's wait by its own deadline.
//
// A decision that finds a free slot goes out at once, alone, so a lightly
// loaded store never waits for others. One that finds every slot busy
// joins a queue; when a round trip ends, the queue (up to maxBatch
// decisions) goes out as the next one: one pipeline of EVALSHA commands,
// each its own atomic script, except that decisions for the same key and
// policy share one (gcraScript decides their costs in order). Under load,
// Redis then reads, runs and answers many decisions per system call
// instead of one, which is most of what a decision costs it.
//
// Queued callers wait on a channel with a timer, so they get an answer or
// an error by their deadline. A caller that finds a free slot makes the
// round trip itself when the client applies context deadlines to its
// socket (inline: go-redis's ContextTimeoutEnabled); otherwise go-redis
// would wait for its ReadTimeout (3s by default) on a hung Redis, so the
// round trip runs on a goroutine and the caller waits like the others, at
// the price of a goroutine hand-off (about 30 µs at idle here). Round-trip
// goroutines serve the queue until it is empty, then exit.
type batcher struct {
	client   redis.UniversalClient
	timeout  time.Duration
	max      int
	maxBatch int
	inline   bool

	mu       sync.Mutex
	inflight int
	queue    []*call
	wg       sync.WaitGroup // running round trips, for Close
}

// A call is one decision's command and, once answered, its reply.
type call struct {
	ctx      context.Context
	script   *redis.Script
	keys     []string
	args     []any
	deadline time.Time
	// gcra, for gcraScript: the policy, so that calls for the same key and
	// policy in one round trip can share one command. The reply is then n
	// (or err) instead of cmd.
	gcra *encoded
	cmd  *redis.Cmd
	n    int64
	err  error
	// state moves once from pending to answered (by the round trip, which
	// then signals ready) or to abandoned (by the caller, at its deadline;
	// the round trip then drops the reply, and the call is not reused).
	state atomic.Uint32
	ready chan struct{}
	timer *time.Timer
}

const (
	pending uint32 = iota
	answered
	abandoned
)

var callPool = sync.Pool{New: func() any {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return &call{ready: make(chan struct{}, 1), timer: t}
}}

func getCall() *call { return callPool.Get().(*call) }

// putCall recycles an answered call.
func putCall(c *call) {
	c.ctx, c.script, c.keys, c.args, c.gcra, c.cmd, c.err = nil, nil, nil, nil, nil, nil, nil
	c.state.Store(pending)
	callPool.Put(c)
}

// do sends c and waits for its reply until ctx is done or b.timeout has
// passed. On error, c must not be reused.
func (b *batcher) do(ctx context.Context, c *call) (*redis.Cmd, error) {
	now := time.Now()
	c.ctx = ctx
	c.deadline = now.Add(b.timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(c.deadline) {
		c.deadline = d
	}
	b.mu.Lock()
	if b.inflight < b.max {
		b.inflight++
		if b.inline {
			b.mu.Unlock()
			batch := []*call{c}
			dctx, cancel := context.WithDeadline(ctx, c.deadline)
			b.send(dctx, batch)
			cancel()
			c.state.Store(answered)
			b.handOff()
			return c.cmd, nil
		}
		b.wg.Add(1)
		b.mu.Unlock()
		go b.run([]*call{c})
	} else {
		b.queue = append(b.queue, c)
		b.mu.Unlock()
	}
	c.timer.Reset(c.deadline.Sub(now))
	var err error
	select {
	case <-c.ready:
		c.timer.Stop()
		return c.cmd, nil
	case <-ctx.Done():
		c.timer.Stop()
		err = ctx.Err()
	case <-c.timer.C:
		err = errTimeout
	}
	if c.state.CompareAndSwap(pending, abandoned) {
		return nil, err
	}
	<-c.ready // answered meanwhile
	return c.cmd, nil
}

// handOff frees the slot an inline caller held, or hands it, with the
// queue, to a round-trip goroutine.
func (b *batcher) handOff() {
	b.mu.Lock()
	batch := b.next()
	if batch == nil {
		b.inflight--
		b.mu.Unlock()
		return
	}
	b.wg.Add(1)
	b.mu.Unlock()
	go b.run(batch)
}

// run makes round trips, starting with batch, until the queue is empty,
// then frees its slot.
func (b *batcher) run(batch []*call) {
	defer b.wg.Done()
	for {
		b.sendBatch(batch)
		for _, c := range batch {
			if c.state.CompareAndSwap(pending, answered) {
				c.ready <- struct{}{}
			}
		}
		b.mu.Lock()
		batch = b.next()
		if batch == nil {
			b.inflight--
			b.mu.Unlock()
			return
		}
		b.mu.Unlock()
	}
}

// next takes up to maxBatch waiting calls off the queue, skipping the
// abandoned ones. b.mu is held.
func (b *batcher) next() []*call {
	var batch []*call
	i := 0
	for ; i < len(b.queue) && len(batch) < b.maxBatch; i++ {
		if c := b.queue[i]; c.state.Load() == pending {
			batch = append(batch, c)
		}
	}
	n := copy(b.queue, b.queue[i:])
	clear(b.queue[n:])
	b.queue = b.queue[:n]
	return batch
}

// sendBatch sends batch with a context that carries the first caller's
// values (for tracing hooks) and the latest deadline of the batch, which
// go-redis applies to the socket when ContextTimeoutEnabled is set.
func (b *batcher) sendBatch(batch []*call) {
	deadline := batch[0].deadline
	for _, c := range batch[1:] {
		if c.deadline.After(deadline) {
			deadline = c.deadline
		}
	}
	ctx, cancel := context.WithDeadline(context.WithoutCancel(batch[0].ctx), deadline)
	b.send(ctx, batch)
	cancel()
}

// send makes one round trip for batch.
func (b *batcher) send(ctx context.Context, batch []*call) {
	if len(batch) == 1 {
		c := batch[0]
		c.cmd = c.script.Run(ctx, b.client, c.keys, c.args...)
		if c.gcra != nil {
			c.n, c.err = c.cmd.Int64()
		}
		return
	}
	// One command per call, except that GCRA calls for the same key and
	// policy share one: the script decides their costs in order.
	type command struct {
		calls []*call
		cmd   *redis.Cmd
	}
	var cmds []command
	for _, c := range batch {
		if c.gcra != nil {
			i := slices.IndexFunc(cmds, func(x command) bool {
				return x.calls[0].gcra == c.gcra && x.calls[0].keys[0] == c.keys[0]
			})
			if i >= 0 {
				cmds[i].calls = append(cmds[i].calls, c)
				continue
			}
		}
		cmds = append(cmds, command{calls: []*call{c}})
	}
	run := func(pipe redis.Pipeliner, x *command, eval bool) {
		c := x.calls[0]
		args := c.args
		if len(x.calls) > 1 {
			args = append(args[:len(args):len(args)], make([]any, len(x.calls)-1)...)
			for i, o := range x.calls[1:] {
				args[len(c.args)+i] = o.args[o.gcra.costAt] // the cost, last
			}
		}
		if eval {
			x.cmd = c.script.Eval(ctx, pipe, c.keys, args...)
		} else {
			x.cmd = c.script.EvalSha(ctx, pipe, c.keys, args...)
		}
	}
	pipe := b.client.Pipeline()
	for i := range cmds {
		run(pipe, &cmds[i], false)
	}
	_, _ = pipe.Exec(ctx) // each command carries its own error
	// A server that restarted or failed over has forgotten the script:
	// send those commands again as EVAL, which loads it.
	var again redis.Pipeliner
	for i := range cmds {
		if err := cmds[i].cmd.Err(); err != nil && strings.HasPrefix(err.Error(), "NOSCRIPT") {
			if again == nil {
				again = b.client.Pipeline()
			}
			run(again, &cmds[i], true)
		}
	}
	if again != nil {
		_, _ = again.Exec(ctx)
	}
	for _, x := range cmds {
		c := x.calls[0]
		switch {
		case c.gcra == nil:
			c.cmd = x.cmd
		case len(x.calls) == 1:
			c.n, c.err = x.cmd.Int64()
		default:
			v, err := x.cmd.Int64Slice()
			if err == nil && len(v) != len(x.calls) {
				err = errReply
			}
			for i, o := range x.calls {
				if o.err = err; err == nil {
					o.n = v[i]
				}
			}
		}
	}
}

// wait blocks until no round trip is running.
func (b *batcher) wait() { b.wg.Wait() }
