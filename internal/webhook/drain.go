package webhook

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"xabot/internal/domain"
)

const (
	// workers is how many senders are in hand at once: a sender whose
	// replies wait for the platform's pace holds one, not the others.
	workers = 64
	// perSender is how many of one sender's updates are taken at once.
	perSender = 4
	// lease is how long taken rows are a worker's; it is renewed every
	// renewEvery while the worker lives, so after a kill -9 the rows are
	// taken again within lease.
	lease       = 15 * time.Second
	renewEvery  = lease / 3
	idlePoll    = time.Second // retries come due without a wake
	gaugeEvery  = time.Second // the backlog gauge's refresh
	maxAttempts = 5
	retryMin    = time.Second
	retryMax    = time.Minute
)

// Waker tells Drain a delivery was stored. Its zero value is not usable:
// make one with NewWaker.
type Waker struct{ c chan struct{} }

// NewWaker returns a Waker.
func NewWaker() *Waker { return &Waker{c: make(chan struct{}, 1)} }

// Wake never blocks; wakes while Drain is busy fold into one.
func (w *Waker) Wake() {
	select {
	case w.c <- struct{}{}:
	default:
	}
}

// Drain handles src's stored deliveries until ctx is cancelled, then lets
// the senders in hand finish (an unfinished lease simply runs out and the
// rows are taken again after a restart). It keeps up to workers senders
// in hand, each on its own goroutine handling its rows in order, and takes
// more as they finish: the outcomes of the finished and the next take go
// to the store in one transaction. A delivery that fails maxAttempts times
// is dropped with an error log. m may be nil.
func Drain(ctx context.Context, src Source, q Queue, wake *Waker, now func() time.Time, log *slog.Logger, m Counter) error {
	d := &drain{src: src, q: q, now: now, log: log, hctx: context.WithoutCancel(ctx),
		finished: make(chan []domain.Settled, workers)}
	var settled []domain.Settled
	var due time.Time // the soonest retry this loop gave back
	inHand := 0
	var gauged time.Time
	for {
		free := workers - inHand
		var items []domain.Inbound
		var err error
		if free > 0 || len(settled) > 0 {
			items, err = q.TakeInbound(ctx, domain.InboxTake{Channel: src.Channel, Now: now(), Lease: lease,
				Senders: free, PerSender: perSender, Settled: settled})
			if err != nil {
				if ctx.Err() == nil {
					log.Error("webhook inbox unreadable", "channel", src.Channel, "err", err)
				}
			} else {
				due = soonest(due, settled)
				settled = nil
			}
		}
		senders := d.start(items)
		inHand += senders
		if m != nil && time.Since(gauged) >= gaugeEvery {
			gauged = time.Now()
			if n, err := q.InboundCount(ctx, src.Channel); err == nil {
				m.InboxBacklog(src.Channel, n)
			}
		}
		if free > 0 && senders == free {
			continue // more may be ready
		}
		// Wait for something to do, gathering what finished meanwhile; a
		// retry of this loop's comes due without a wake.
		wait := idlePoll
		if !due.IsZero() {
			wait, due = min(wait, max(due.Sub(now()), 0)), time.Time{}
		}
		select {
		case <-ctx.Done():
			for ; inHand > 0; inHand-- {
				settled = append(settled, <-d.finished...)
			}
			if _, err := q.TakeInbound(d.hctx, domain.InboxTake{Channel: src.Channel, Settled: settled}); err != nil {
				log.Error("webhook inbox", "channel", src.Channel, "err", err)
			}
			return nil
		case s := <-d.finished:
			settled = append(settled, s...)
			inHand--
		case <-wake.c:
		case <-time.After(wait):
		}
		for more := true; more; {
			select {
			case s := <-d.finished:
				settled = append(settled, s...)
				inHand--
			default:
				more = false
			}
		}
	}
}

// soonest is the earliest retry time among due (zero: none) and settled's.
func soonest(due time.Time, settled []domain.Settled) time.Time {
	for _, s := range settled {
		if !s.Retry.IsZero() && (due.IsZero() || s.Retry.Before(due)) {
			due = s.Retry
		}
	}
	return due
}

// drain is one Drain loop's workers.
type drain struct {
	src      Source
	q        Queue
	now      func() time.Time
	log      *slog.Logger
	hctx     context.Context // not cancelled at shutdown: what is in hand finishes
	finished chan []domain.Settled
}

// start hands each sender's rows (items come sender by sender) to a
// goroutine of its own and says how many senders there were.
func (d *drain) start(items []domain.Inbound) int {
	n := 0
	for i := 0; i < len(items); {
		j := i + 1
		for j < len(items) && items[j].Group == items[i].Group {
			j++
		}
		go d.sender(items[i:j])
		n++
		i = j
	}
	return n
}

// sender handles one sender's rows in order, renewing their lease while it
// works; a row to be retried holds the ones after it, given back.
func (d *drain) sender(items []domain.Inbound) {
	stop := make(chan struct{})
	var held atomic.Int32 // the first row not yet settled
	go d.renew(items, &held, stop)
	out := make([]domain.Settled, 0, len(items))
	for i, in := range items {
		s := d.handle(in)
		out = append(out, s)
		held.Store(int32(i + 1))
		if !s.Done {
			for _, later := range items[i+1:] {
				out = append(out, domain.Settled{ID: later.ID})
			}
			break
		}
	}
	close(stop)
	d.finished <- out
}

// renew extends the lease of the rows not yet settled until stop.
func (d *drain) renew(items []domain.Inbound, held *atomic.Int32, stop <-chan struct{}) {
	t := time.NewTicker(renewEvery)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		var ids []int64
		for _, in := range items[held.Load():] {
			ids = append(ids, in.ID)
		}
		if err := d.q.ExtendInbound(d.hctx, ids, d.now().Add(lease)); err != nil {
			d.log.Error("webhook inbox lease", "channel", d.src.Channel, "err", err)
		}
	}
}

// handle processes one delivery and says what became of it.
func (d *drain) handle(in domain.Inbound) domain.Settled {
	err := safeProcess(d.hctx, d.src, in.Body)
	if err == nil {
		return domain.Settled{ID: in.ID, Done: true}
	}
	if d.src.FloodWait != nil {
		if w, ok := d.src.FloodWait(err); ok && in.Flooded+w <= d.src.MaxFlood {
			// The platform asked to wait (a reply's 429): not the update's
			// fault, so no attempt is used up.
			d.log.Info("webhook update waits for the platform", "channel", d.src.Channel, "key", in.Key, "retry_in", w)
			if w <= 0 {
				w = retryMin
			}
			return domain.Settled{ID: in.ID, Retry: d.now().Add(w), Flood: w}
		}
	}
	if in.Attempts+1 >= maxAttempts {
		d.log.Error("webhook update dropped after errors", "channel", d.src.Channel, "key", in.Key,
			"attempts", in.Attempts+1, "err", err)
		return domain.Settled{ID: in.ID, Done: true}
	}
	wait := min(retryMin<<in.Attempts, retryMax)
	d.log.Warn("webhook update failed, will retry", "channel", d.src.Channel, "key", in.Key,
		"attempt", in.Attempts+1, "retry_in", wait, "err", err)
	return domain.Settled{ID: in.ID, Retry: d.now().Add(wait)}
}

// safeProcess keeps a panicking update from killing the drain loop.
func safeProcess(ctx context.Context, src Source, body []byte) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("webhook: panic: %v", p)
		}
	}()
	return src.Process(ctx, body)
}
