package session

import (
	"context"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// batcher sends the commands of concurrent calls to Redis in one pipeline:
// a call arriving while a pipeline is out goes in the next, with every
// other call that arrived meanwhile. Each update's turn costs three round
// trips (Begin, Stage, Done); under webhook load dozens of turns are in
// hand at once, and a round trip each was an eighth of the process's CPU,
// most of it the system calls, on Redis's side too. A call still waits for
// its own answer, so what it wrote is in Redis when it returns.
type batcher struct {
	rdb     *redis.Client
	mu      sync.Mutex
	pending []*batched
	running bool // a sender goroutine is out; it stops when nothing is pending
}

// batched is one call's commands, queued by queue on the batch's pipeline;
// done is closed once they were answered (each Cmder holds its error).
type batched struct {
	ctx   context.Context
	queue func(ctx context.Context, p redis.Pipeliner)
	done  chan struct{}
}

// do queues the call and waits for its answer or for ctx to end. It
// returns ctx's error only; the commands' own errors are in their Cmders.
// Commands whose caller gave up before their pipeline left are not sent.
func (b *batcher) do(ctx context.Context, queue func(ctx context.Context, p redis.Pipeliner)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c := &batched{ctx: ctx, queue: queue, done: make(chan struct{})}
	b.mu.Lock()
	b.pending = append(b.pending, c)
	if !b.running {
		b.running = true
		go b.send()
	}
	b.mu.Unlock()
	select {
	case <-c.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// send pipelines what is pending until nothing is.
func (b *batcher) send() {
	for {
		b.mu.Lock()
		calls := b.pending
		b.pending = nil
		if len(calls) == 0 {
			b.running = false
			b.mu.Unlock()
			return
		}
		b.mu.Unlock()
		b.pipeline(calls)
	}
}

// pipeline sends calls' commands in one round trip. It lasts no longer
// than the last of their callers waits.
func (b *batcher) pipeline(calls []*batched) {
	defer func() {
		for _, c := range calls {
			close(c.done)
		}
	}()
	var last time.Time
	unbounded := false
	live := calls[:0:0]
	for _, c := range calls {
		if c.ctx.Err() != nil {
			continue
		}
		live = append(live, c)
		if d, ok := c.ctx.Deadline(); !ok {
			unbounded = true
		} else if d.After(last) {
			last = d
		}
	}
	if len(live) == 0 {
		return
	}
	ctx := context.Background()
	if !unbounded {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, last)
		defer cancel()
	}
	p := b.rdb.Pipeline()
	for _, c := range live {
		c.queue(ctx, p)
	}
	// Each command's error, if any, is in its Cmder, read by its caller.
	_, _ = p.Exec(ctx)
}
