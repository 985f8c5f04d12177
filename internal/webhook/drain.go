package webhook

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"xabot/internal/domain"
)

const (
	batchSize   = 100
	lease       = 2 * time.Minute
	idlePoll    = time.Second // retries come due without a wake
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
// the batch in hand finish (an unfinished lease simply runs out and the
// rows are taken again after a restart). A delivery that fails
// maxAttempts times is dropped with an error log.
func Drain(ctx context.Context, src Source, q Queue, wake *Waker, now func() time.Time, log *slog.Logger) error {
	hctx := context.WithoutCancel(ctx)
	for {
		items, err := q.TakeInbound(ctx, src.Channel, now(), lease, batchSize)
		if err != nil && ctx.Err() == nil {
			log.Error("webhook inbox unreadable", "channel", src.Channel, "err", err)
		}
		if len(items) > 0 {
			drainBatch(hctx, src, q, items, now, log)
			continue
		}
		select {
		case <-ctx.Done():
			return nil
		case <-wake.c:
		case <-time.After(idlePoll):
		}
	}
}

// drainBatch handles one sender's deliveries in order, senders in parallel.
func drainBatch(ctx context.Context, src Source, q Queue, items []domain.Inbound, now func() time.Time, log *slog.Logger) {
	groups := map[string][]domain.Inbound{}
	var order []string
	for _, in := range items {
		g := in.Group
		if g == "" {
			g = "\x00" // unknown senders share one line, in arrival order
		}
		if _, ok := groups[g]; !ok {
			order = append(order, g)
		}
		groups[g] = append(groups[g], in)
	}
	var wg sync.WaitGroup
	for _, g := range order {
		wg.Go(func() {
			items := groups[g]
			for i, in := range items {
				if handle(ctx, src, q, in, now, log) {
					continue
				}
				// The sender's later updates wait for the failed one.
				for _, later := range items[i+1:] {
					if err := q.ReleaseInbound(ctx, later.ID); err != nil {
						log.Error("webhook inbox", "channel", src.Channel, "key", later.Key, "err", err)
					}
				}
				return
			}
		})
	}
	wg.Wait()
}

// handle processes one delivery; it reports false when it is to be retried.
func handle(ctx context.Context, src Source, q Queue, in domain.Inbound, now func() time.Time, log *slog.Logger) bool {
	err := safeProcess(ctx, src, in.Body)
	if err == nil || in.Attempts+1 >= maxAttempts {
		if err != nil {
			log.Error("webhook update dropped after errors", "channel", src.Channel, "key", in.Key,
				"attempts", in.Attempts+1, "err", err)
		}
		if derr := q.DoneInbound(ctx, in.ID); derr != nil {
			log.Error("webhook inbox", "channel", src.Channel, "key", in.Key, "err", derr)
		}
		return true
	}
	wait := min(retryMin<<in.Attempts, retryMax)
	log.Warn("webhook update failed, will retry", "channel", src.Channel, "key", in.Key,
		"attempt", in.Attempts+1, "retry_in", wait, "err", err)
	if rerr := q.RetryInbound(ctx, in.ID, now().Add(wait)); rerr != nil {
		log.Error("webhook inbox", "channel", src.Channel, "key", in.Key, "err", rerr)
	}
	return false
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
