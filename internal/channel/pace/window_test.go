package pace

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"
)

// However many take turns at once, no second holds more than n calls from
// admission to end, and they are spaced.
func TestWindowCeiling(t *testing.T) {
	const n, callers = 10, 25
	w := NewWindow(n)
	var wg sync.WaitGroup
	var mu sync.Mutex
	type call struct{ start, end time.Time }
	var calls []call
	for range callers {
		wg.Go(func() {
			turn, err := w.Take(t.Context())
			if err != nil {
				t.Error(err)
				return
			}
			c := call{start: time.Now()}
			time.Sleep(5 * time.Millisecond) // the call
			c.end = time.Now()
			turn.End(c.end)
			mu.Lock()
			calls = append(calls, c)
			mu.Unlock()
		})
	}
	wg.Wait()
	slices.SortFunc(calls, func(a, b call) int { return a.start.Compare(b.start) })
	for i := 1; i < len(calls); i++ {
		if d := calls[i].start.Sub(calls[i-1].start); d < w.space {
			t.Errorf("calls %d and %d started %v apart, want ≥ %v", i-1, i, d, w.space)
		}
	}
	// Call i+n starts a second after call i ended, whenever it arrived.
	for i := 0; i+n < len(calls); i++ {
		if d := calls[i+n].start.Sub(calls[i].end); d < time.Second {
			t.Errorf("call %d started %v after call %d ended, want ≥ 1s", i+n, d, i)
		}
	}
}

// admit refuses a call that would make n+1 within a second of the calls'
// count moments: their end, or their write and Slack when sooner.
func TestWindowAdmit(t *testing.T) {
	w := NewWindow(3)
	t0 := time.Unix(1000, 0)
	take := func(at time.Time) *Turn {
		t.Helper()
		if _, _, ok := w.admit(at); !ok {
			t.Fatalf("call at %v refused", at.Sub(t0))
		}
		return &Turn{w: w}
	}
	take(t0).End(t0.Add(10 * time.Millisecond))
	slow := take(t0.Add(334 * time.Millisecond))
	slow.Wrote(t0.Add(340 * time.Millisecond))
	slow.End(t0.Add(900 * time.Millisecond)) // counted at its write and Slack
	take(t0.Add(668 * time.Millisecond)).End(t0.Add(669 * time.Millisecond))
	if next, _, ok := w.admit(t0.Add(time.Second)); ok || !next.Equal(t0.Add(1010*time.Millisecond)) {
		t.Errorf("a 4th call within the second: %v, %v; want refused until 1.01s", next.Sub(t0), ok)
	}
	take(t0.Add(1010 * time.Millisecond)).End(t0.Add(1011 * time.Millisecond))
	if next, _, ok := w.admit(t0.Add(1100 * time.Millisecond)); ok || !next.Equal(t0.Add(1340*time.Millisecond+Slack)) {
		t.Errorf("the 5th: %v, %v; want refused until the slow call's write, Slack and a second", next.Sub(t0), ok)
	}
}

// A turn not ended counts as arriving now: n of them hold the next call
// until one ends, however long ago they started.
func TestWindowPending(t *testing.T) {
	w := NewWindow(2)
	a, err := w.Take(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Take(t.Context()); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond)
	next, ended, ok := w.admit(time.Now())
	if ok || !next.IsZero() {
		t.Fatalf("a 3rd call while 2 are in flight: %v, %v", next, ok)
	}
	a.End(time.Now().Add(-time.Second))
	select {
	case <-ended:
	default:
		t.Error("an ended turn did not wake the waiters")
	}
	if _, _, ok := w.admit(time.Now()); !ok {
		t.Error("refused once a turn ended more than a second ago")
	}
	a.End(time.Now()) // a second End frees nothing more
	if len(w.counted) != 0 || w.pending != 2 {
		t.Errorf("after two Ends of one turn: %d counted, %d pending; want 0 and 2", len(w.counted), w.pending)
	}
}

// Take returns at its turn, not before: n+1 calls one after the other
// span a second.
func TestWindowTake(t *testing.T) {
	const n = 10
	w := NewWindow(n)
	start := time.Now()
	for range n + 1 {
		turn, err := w.Take(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		turn.End(time.Now())
	}
	if d := time.Since(start); d < time.Second {
		t.Errorf("%d calls admitted within %v", n+1, d)
	}
}

func TestWindowCancelled(t *testing.T) {
	w := NewWindow(1)
	turn, err := w.Take(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	turn.End(time.Now())
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	if _, err := w.Take(ctx); err == nil {
		t.Error("a second call within the second was admitted at once")
	}
}

// Traced tells the turn when the request was written: an answer slower
// than Slack does not push the count moment past the write and Slack.
func TestTracedCountsTheWrite(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		time.Sleep(4 * Slack)
	}))
	defer srv.Close()
	w := NewWindow(5)
	turn, err := w.Take(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	before := time.Now()
	req, _ := http.NewRequestWithContext(Traced(WithTurn(t.Context(), turn)), http.MethodPost, srv.URL, nil)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	end := time.Now()
	turn.End(end)
	if len(w.counted) != 1 {
		t.Fatalf("counted %d", len(w.counted))
	}
	if c := w.counted[0]; c.Before(before.Add(Slack)) || !c.Before(end) {
		t.Errorf("counted %v after the call began (ended after %v), want its write and Slack", c.Sub(before), end.Sub(before))
	}
	if ctx := t.Context(); Traced(ctx) != ctx {
		t.Error("Traced changed a context without a turn")
	}
}
