package outbox

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sync"
	"time"

	"xabot/internal/domain"
)

// Run sends due rows until ctx is cancelled. Then it claims nothing more,
// lets the calls in flight finish (within a grace of shutdownGrace, after
// which they are cancelled and their rows stay queued) and records them,
// and returns nil. Store errors are logged and retried.
func (o *Outbox) Run(ctx context.Context) error {
	err := o.loop(ctx, false)
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// Flush sends until no row is due, within the same limits as Run, and
// returns the first store error. Rows waiting for a retry later are left
// for Run; due rows whose chat must wait (its gap, a flood wait, another
// sender's claim) are waited for. Cancelling ctx stops it as it stops Run,
// returning ctx's error.
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
	o.seedWindow(ctx)
	// Calls outlive ctx, so a shutdown does not cut a message in half; the
	// grace timer below bounds them. The leases outlive them both.
	base, cancelBase := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelBase()
	keep, stopKeeping := context.WithCancel(context.WithoutCancel(ctx))
	kept := make(chan struct{})
	go func() { defer close(kept); o.housekeep(keep) }()
	defer func() { stopKeeping(); <-kept }()
	var wg sync.WaitGroup
	sem := make(chan struct{}, o.cfg.Workers)
	err := o.dispatch(ctx, flush, base, &wg, sem)
	stop := time.AfterFunc(o.grace, cancelBase)
	wg.Wait()
	stop.Stop()
	// One last try for records that failed; after a restart their rows go
	// again once their leases run out.
	mctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), markTimeout)
	defer cancel()
	if perr := o.retryPending(mctx); perr != nil && err == nil && flush {
		err = perr
	}
	return err
}

// dispatch claims rows and starts their calls until ctx ends, or for a
// flush until nothing is due. While the window holds a batch's last row,
// the next batch is claimed (a claim scans the queue, which takes longer
// than the window's spacing once it is long), so the window is not left
// idle between batches.
func (o *Outbox) dispatch(ctx context.Context, flush bool, base context.Context, wg *sync.WaitGroup, sem chan struct{}) error {
	var ahead chan claimed
	defer func() {
		if ahead != nil {
			o.drop((<-ahead).rows, sem)
		}
	}()
	for ctx.Err() == nil {
		var c claimed
		if ahead != nil {
			c, ahead = <-ahead, nil
			// Claimed before the last call ended, which may have paused
			// everything.
			if wait := o.paused(); !wait.IsZero() && len(c.rows) > 0 {
				o.drop(c.rows, sem)
				c = claimed{wait: wait}
			}
		} else {
			c = o.claim(ctx, flush, sem)
		}
		switch {
		case c.err != nil:
			return c.err
		case c.done:
			return nil
		case len(c.rows) == 0:
			if flush && c.wait.IsZero() && o.idle() {
				return nil
			}
			o.sleep(ctx, c.wait)
			continue
		}
		for i, m := range c.rows {
			if i == len(c.rows)-1 {
				ahead = make(chan claimed, 1)
				go func() { ahead <- o.claim(ctx, flush, sem) }()
			}
			turn, err := o.gate.Take(ctx)
			if err != nil {
				o.drop(c.rows[i:], sem)
				return nil
			}
			wg.Add(1)
			go o.deliver(base, m, turn, sem, wg)
		}
	}
	return nil
}

// claimed is what one claim came to: rows held, each with a worker; or
// none and when to look again (zero: after a Poll); or the end of
// dispatch, with err or without (done).
type claimed struct {
	rows []domain.Outgoing
	wait time.Time
	err  error
	done bool
}

// claim records what is pending, takes free workers and claims as many due
// rows, unless the platform paused every call.
func (o *Outbox) claim(ctx context.Context, flush bool, sem chan struct{}) claimed {
	if err := o.retryPending(ctx); err != nil && flush {
		return claimed{err: err}
	}
	free := o.workers(ctx, sem)
	if free == 0 {
		return claimed{done: true}
	}
	// Checked once a worker is free: the call that ended to free it may
	// have paused everything.
	if wait := o.paused(); !wait.IsZero() {
		release(sem, free)
		return claimed{wait: wait}
	}
	rows, wait, err := o.repo.ClaimOutgoing(ctx, domain.Claim{Owner: o.owner, Now: o.cfg.Now(),
		Clock: time.Now(), Lease: o.cfg.Lease, Limit: free, Only: o.cfg.Only})
	release(sem, free-len(rows))
	switch {
	case err != nil && ctx.Err() != nil:
		return claimed{done: true}
	case err != nil && flush:
		return claimed{err: fmt.Errorf("outbox: %w", err)}
	case err != nil:
		o.log.Error("outbox: claiming due rows failed", "err", err)
		return claimed{}
	}
	for _, m := range rows {
		o.hold(m.ID, m.Lease)
	}
	return claimed{rows: rows, wait: wait}
}

// drop gives back claimed rows whose calls will not be made (shutdown came
// first) and frees their workers.
func (o *Outbox) drop(rows []domain.Outgoing, sem chan struct{}) {
	release(sem, len(rows))
	for _, m := range rows {
		o.giveBack(m)
	}
}

// claimBatch is the most rows claimed at once: a few, so that the rows
// waiting in the window behind them are not many and a new chat's message
// (an urgent one too) queued meanwhile waits at most twice that many turns:
// the batch in the window and the one claimed ahead.
const claimBatch = 4

// workers takes a free worker, waiting for one, and up to claimBatch-1
// more that are free now; 0 when ctx ended first.
func (o *Outbox) workers(ctx context.Context, sem chan struct{}) int {
	select {
	case sem <- struct{}{}:
	case <-ctx.Done():
		return 0
	}
	n := 1
	for n < claimBatch {
		select {
		case sem <- struct{}{}:
			n++
		default:
			return n
		}
	}
	return n
}

// release frees n workers.
func release(sem chan struct{}, n int) {
	for range n {
		<-sem
	}
}

// hold notes a row this outbox holds; forget drops it.
func (o *Outbox) hold(id int64, token string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.held[id] = token
}

func (o *Outbox) forget(id int64) {
	o.mu.Lock()
	defer o.mu.Unlock()
	delete(o.held, id)
	delete(o.pending, id)
}

// idle says whether no row is held: none in flight, no record pending.
func (o *Outbox) idle() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.held) == 0
}

// giveBack returns a claimed row untouched (shutdown came before its call).
func (o *Outbox) giveBack(m domain.Outgoing) {
	ctx, cancel := context.WithTimeout(context.Background(), markTimeout)
	defer cancel()
	err := o.repo.SettleOutgoing(ctx, domain.Attempt{ID: m.ID, Lease: m.Lease, Status: domain.OutQueued, Parts: m.PartsSent})
	if err != nil {
		o.log.Warn("outbox: giving a claimed row back failed; it goes once its lease runs out", "id", m.ID, "err", err)
	}
	o.forget(m.ID)
}

func (o *Outbox) paused() time.Time {
	o.mu.Lock()
	defer o.mu.Unlock()
	if time.Now().Before(o.pause) {
		return o.pause
	}
	return time.Time{}
}

// housekeep renews the leases of the rows this outbox holds, so that a
// long call (or a record retried after a disk error) keeps its row, and
// reports the queue's length, until ctx ends.
func (o *Outbox) housekeep(ctx context.Context) {
	renew := time.NewTicker(o.cfg.Lease / 3)
	defer renew.Stop()
	var counted time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-renew.C:
		}
		o.mu.Lock()
		leases := maps.Clone(o.held)
		o.mu.Unlock()
		if err := o.repo.RenewLeases(ctx, leases, time.Now().Add(o.cfg.Lease)); err != nil && ctx.Err() == nil {
			o.log.Error("outbox: renewing leases failed", "rows", len(leases), "err", err)
		}
		if time.Since(counted) >= countEvery {
			counted = time.Now()
			if n, err := o.repo.CountQueued(ctx); err == nil {
				o.metrics.OutboxQueued(n)
			}
		}
	}
}

// sleep waits for a Put, the end of a call, wakeAt or Poll, whichever
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

// seedWindow counts in the window the calls made in the last second that
// the database knows of: a process restarted after kill -9 would otherwise
// start with an empty window on top of its predecessor's full one. Calls
// still in flight at the kill are not known; they are the kill's window.
func (o *Outbox) seedWindow(ctx context.Context) {
	recent, err := o.repo.RecentCalls(ctx, time.Now().Add(-time.Second))
	if err != nil {
		o.log.Warn("outbox: reading the last second's calls failed; the window starts empty", "err", err)
		return
	}
	o.gate.Seen(recent...)
}
