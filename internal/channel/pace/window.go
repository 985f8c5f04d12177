package pace

import (
	"context"
	"net/http/httptrace"
	"slices"
	"sync"
	"time"
)

// Slack is how much later than the moment its request was written a call
// may reach the platform, compared with another call (net/http reports the
// write just before its last flush; the platform's side scheduled late). A
// call is counted no later than its answer, which came after it arrived,
// so Slack only matters when the answer takes longer.
const Slack = 50 * time.Millisecond

// Window admits calls so that no second holds more than n of them at the
// platform, spaced evenly: one every second/n at most. It is the ceiling
// on the calls a bot makes to a platform, whoever makes them (the outbox,
// a reply), so every call that sends a message, a retry too, takes a Turn
// in it first.
//
// A call is counted at the latest moment it can have arrived: its request
// written (Traced's trace says when) plus Slack, or its end when that is
// sooner or it wrote nothing; until it ends it counts as arriving now. A
// new call is admitted once fewer than n calls are counted within the last
// second: its request, written after that, arrives a second or more after
// the n-th call before it. Counting at admission would have to cover the
// whole way from admission to arrival with slack, a goroutine scheduled
// late and a connection dialled included. It is safe for concurrent use.
type Window struct {
	mu      sync.Mutex
	n       int
	space   time.Duration
	counted []time.Time // count moments of ended turns, within the last second
	pending int         // turns taken, not ended
	last    time.Time   // the last admission
	ended   chan struct{}
}

// NewWindow returns a window of n calls a second (n < 1 counts as 1).
func NewWindow(n int) *Window {
	n = max(n, 1)
	return &Window{n: n, space: time.Second / time.Duration(n), ended: make(chan struct{})}
}

// Turn is one call's place in a Window. End must be called once the call
// is over, whatever came of it: until then the call counts as arriving.
// A nil *Turn does nothing.
type Turn struct {
	w     *Window
	wrote time.Time
	done  bool
}

// Take returns when one more call may start, with its turn; or ctx's error
// when it ends first.
func (w *Window) Take(ctx context.Context) (*Turn, error) {
	for {
		next, ended, ok := w.admit(time.Now())
		if ok {
			return &Turn{w: w}, nil
		}
		if err := sleep(ctx, next, ended); err != nil {
			return nil, err
		}
	}
}

// sleep waits until next (zero: no time), until ended is closed or ctx
// ends, then returns ctx's error.
func sleep(ctx context.Context, next time.Time, ended chan struct{}) error {
	var tick <-chan time.Time
	if !next.IsZero() {
		t := time.NewTimer(time.Until(next))
		defer t.Stop()
		tick = t.C
	}
	select {
	case <-tick:
	case <-ended:
	case <-ctx.Done():
	}
	return ctx.Err()
}

// admit admits a call at now when the window allows it; otherwise it says
// when to ask again, or closes ended when a turn ends (zero next: only
// that frees a place).
func (w *Window) admit(now time.Time) (next time.Time, ended chan struct{}, ok bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.counted = slices.DeleteFunc(w.counted, func(c time.Time) bool { return !c.Add(time.Second).After(now) })
	if !w.last.IsZero() && w.last.Add(w.space).After(now) {
		next = w.last.Add(w.space)
	}
	if over := w.pending + len(w.counted) - w.n + 1; over > 0 {
		if over > len(w.counted) {
			return time.Time{}, w.ended, false
		}
		slices.SortFunc(w.counted, time.Time.Compare)
		if free := w.counted[over-1].Add(time.Second); free.After(next) {
			next = free
		}
	}
	if next.After(now) {
		return next, w.ended, false
	}
	w.pending++
	w.last = now
	return now, nil, true
}

// Seen counts calls another process made, which ended at the moments
// given: a process started again after a crash learns them from the
// database, so that its first second does not add a full window to its
// predecessor's last.
func (w *Window) Seen(ends ...time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.counted = append(w.counted, ends...)
}

// Wrote notes that the call's request was written at at; the latest write
// counts.
func (t *Turn) Wrote(at time.Time) {
	if t == nil {
		return
	}
	t.w.mu.Lock()
	defer t.w.mu.Unlock()
	if at.After(t.wrote) {
		t.wrote = at
	}
}

// End counts the call, which ended at end, and frees its turn; calls after
// the first do nothing.
func (t *Turn) End(end time.Time) {
	if t == nil {
		return
	}
	w := t.w
	w.mu.Lock()
	defer w.mu.Unlock()
	if t.done {
		return
	}
	t.done = true
	at := end
	if !t.wrote.IsZero() && t.wrote.Add(Slack).Before(end) {
		at = t.wrote.Add(Slack)
	}
	w.pending--
	w.counted = append(w.counted, at)
	close(w.ended)
	w.ended = make(chan struct{})
}

type turnKey struct{}

// WithTurn returns ctx carrying t, for Traced further down the call.
func WithTurn(ctx context.Context, t *Turn) context.Context {
	return context.WithValue(ctx, turnKey{}, t)
}

// Traced returns ctx with an HTTP trace telling the turn ctx carries when
// a request was written; ctx as it is when it carries none.
func Traced(ctx context.Context) context.Context {
	t, _ := ctx.Value(turnKey{}).(*Turn)
	if t == nil {
		return ctx
	}
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteRequest: func(httptrace.WroteRequestInfo) { t.Wrote(time.Now()) },
	})
}
