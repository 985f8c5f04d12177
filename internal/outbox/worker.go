package outbox

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"xabot/internal/domain"
)

// Run sends due rows until ctx is cancelled. Then it starts no new send,
// lets the sends in flight finish (within a grace of shutdownGrace, after
// which they are cancelled and their rows stay queued) and marks them, and
// returns nil. Store errors are logged and retried.
func (o *Outbox) Run(ctx context.Context) error {
	err := o.loop(ctx, false)
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// Flush sends until no row is due, within the same limits as Run, and
// returns the first store error. Rows waiting for a retry later are left
// for Run; due rows whose chat must wait (its gap, a flood wait) are
// waited for. Cancelling ctx stops it as it stops Run, returning ctx's
// error.
func (o *Outbox) Flush(ctx context.Context) error {
	if err := o.loop(ctx, true); err != nil {
		return err
	}
	return ctx.Err()
}

var errRunning = errors.New("outbox: already running")

func (o *Outbox) loop(ctx context.Context, flush bool) error {
	if !o.running.CompareAndSwap(false, true) {
		return errRunning
	}
	defer o.running.Store(false)
	// Sends outlive ctx, so a shutdown does not cut a message in half; the
	// grace timer below bounds them.
	base, cancelBase := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelBase()
	var wg sync.WaitGroup
	sem := make(chan struct{}, o.cfg.Workers)
	err := o.dispatch(ctx, flush, base, &wg, sem)
	stop := time.AfterFunc(o.grace, cancelBase)
	wg.Wait()
	stop.Stop()
	// One last try for marks that failed; after a restart their rows go
	// again.
	mctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), markTimeout)
	defer cancel()
	if perr := o.retryPending(mctx); perr != nil && err == nil && flush {
		err = perr
	}
	return err
}

// dispatch fetches due rows and starts their sends until ctx ends, or for
// a flush until nothing is due.
func (o *Outbox) dispatch(ctx context.Context, flush bool, base context.Context, wg *sync.WaitGroup, sem chan struct{}) error {
	for ctx.Err() == nil {
		if err := o.retryPending(ctx); err != nil && flush {
			return err
		}
		o.mu.Lock()
		inflight, pending := len(o.inflight), len(o.pending)
		fetched := o.seq
		for id, s := range o.ended {
			if s <= fetched {
				delete(o.ended, id)
			}
		}
		o.mu.Unlock()
		limit := batch + inflight
		rows, err := o.repo.DueOutgoing(ctx, o.cfg.Now(), limit)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if flush {
				return fmt.Errorf("outbox: %w", err)
			}
			o.log.Error("outbox: fetching due rows failed", "err", err)
			o.sleep(ctx, time.Time{})
			continue
		}
		if flush && len(rows) == 0 && inflight == 0 && pending == 0 {
			return nil
		}
		started, wakeAt := o.round(ctx, rows, fetched, base, wg, sem)
		if started > 0 && len(rows) == limit {
			continue // probably more due
		}
		o.sleep(ctx, wakeAt)
	}
	return nil
}

// round starts the sends of rows that may go now, in order. It returns how
// many it started and the earliest time a skipped row may go (zero when
// none waits for a time; rows whose chat is in flight wait for its end).
func (o *Outbox) round(ctx context.Context, rows []domain.Outgoing, fetched uint64, base context.Context, wg *sync.WaitGroup, sem chan struct{}) (int, time.Time) {
	var wakeAt time.Time
	started := 0
	o.sweep()
	for _, m := range rows {
		if wait, ok := o.ready(m, fetched); !ok {
			if !wait.IsZero() && (wakeAt.IsZero() || wait.Before(wakeAt)) {
				wakeAt = wait
			}
			continue
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			return started, wakeAt
		}
		// A send that ended while we waited for a worker may have paused
		// everything.
		if wait := o.paused(); !wait.IsZero() {
			<-sem
			return started, wait
		}
		if !o.take(ctx) {
			<-sem
			return started, wakeAt
		}
		o.mu.Lock()
		o.inflight[m.To] = true
		o.mu.Unlock()
		wg.Add(1)
		go o.deliver(base, m, sem, wg)
		started++
	}
	return started, wakeAt
}

// ready says whether m may be sent now; if not, when it may (zero: when
// its chat's send in flight ends or its mark is stored).
func (o *Outbox) ready(m domain.Outgoing, fetched uint64) (time.Time, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	now := time.Now()
	if _, ok := o.pending[m.ID]; ok || o.inflight[m.To] {
		return time.Time{}, false
	}
	if s, ok := o.ended[m.ID]; ok && s > fetched {
		return time.Time{}, false // stale: the next fetch tells
	}
	if until := o.next[m.To]; now.Before(until) {
		return until, false
	}
	if now.Before(o.pause) {
		return o.pause, false
	}
	return time.Time{}, true
}

func (o *Outbox) paused() time.Time {
	o.mu.Lock()
	defer o.mu.Unlock()
	if time.Now().Before(o.pause) {
		return o.pause
	}
	return time.Time{}
}

// take waits for a token of the global rate; false when ctx ended first.
func (o *Outbox) take(ctx context.Context) bool {
	r := o.limiter.Reserve()
	d := r.Delay()
	if d == 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		r.Cancel()
		return false
	}
}

// window holds the moments of the last Rate sends (real clock). The token
// bucket spaces sends as they are dispatched; the window makes the bound
// hold at the moment each send starts, however unevenly the goroutines
// carrying them are scheduled: no second ever holds more than Rate.
type window struct {
	mu sync.Mutex
	at []time.Time // a ring, oldest at i
	i  int
}

// enter waits until a send may start without making Rate+1 in a second,
// and records it.
func (w *window) enter(ctx context.Context) error {
	for {
		w.mu.Lock()
		now := time.Now()
		oldest := w.at[w.i]
		if oldest.IsZero() || now.Sub(oldest) >= time.Second {
			w.at[w.i] = now
			w.i = (w.i + 1) % len(w.at)
			w.mu.Unlock()
			return nil
		}
		w.mu.Unlock()
		t := time.NewTimer(oldest.Add(time.Second).Sub(now))
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		}
	}
}

// sweep forgets chats whose gap has passed once many are remembered, so a
// digest to 10,000 chats does not keep 10,000 entries.
func (o *Outbox) sweep() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.next) < chatSweepSize {
		return
	}
	now := time.Now()
	for k, t := range o.next {
		if !now.Before(t) {
			delete(o.next, k)
		}
	}
}

// sleep waits for a Put, the end of a send, wakeAt or Poll, whichever
// comes first.
func (o *Outbox) sleep(ctx context.Context, wakeAt time.Time) {
	d := o.cfg.Poll
	if !wakeAt.IsZero() {
		d = max(min(d, time.Until(wakeAt)), 0)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-o.wake:
	case <-o.done:
	case <-t.C:
	}
}
