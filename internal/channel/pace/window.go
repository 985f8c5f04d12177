package pace

import (
	"context"
	"sync"
	"time"
)

// Slack lengthens the window of a Window beyond one second. A call is
// admitted at a moment but reaches the platform a little later (a goroutine
// scheduled late, a connection written): Slack is the lateness tolerated
// before two calls admitted a window apart could arrive within one second.
const Slack = 50 * time.Millisecond

// Window admits at most n calls in any window of one second (and Slack),
// spaced evenly: one every (1s+Slack)/n. It is the ceiling on the calls a
// bot makes to a platform, whoever makes them (the outbox, a reply), so
// every call that sends a message, a retry too, waits in it first. It
// counts the moments calls were admitted, not the moments they were
// planned for: a waiter that wakes late cannot bunch up with the next. It
// is safe for concurrent use.
type Window struct {
	mu    sync.Mutex
	span  time.Duration
	space time.Duration
	at    []time.Time // the last n admissions, a ring with the oldest at i
	i     int
	last  time.Time
}

// NewWindow returns a window of n calls a second (n < 1 counts as 1).
func NewWindow(n int) *Window {
	n = max(n, 1)
	span := time.Second + Slack
	return &Window{span: span, space: span / time.Duration(n), at: make([]time.Time, n)}
}

// Wait returns when one more call may start, or ctx's error when it ends
// first.
func (w *Window) Wait(ctx context.Context) error {
	for {
		next, ok := w.admit(time.Now())
		if ok {
			return nil
		}
		t := time.NewTimer(time.Until(next))
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		}
	}
}

// admit admits a call at now when the window allows it; otherwise it says
// when to ask again.
func (w *Window) admit(now time.Time) (time.Time, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	next := now
	if oldest := w.at[w.i]; !oldest.IsZero() && oldest.Add(w.span).After(next) {
		next = oldest.Add(w.span)
	}
	if !w.last.IsZero() && w.last.Add(w.space).After(next) {
		next = w.last.Add(w.space)
	}
	if next.After(now) {
		return next, false
	}
	w.at[w.i] = now
	w.i = (w.i + 1) % len(w.at)
	w.last = now
	return now, true
}
