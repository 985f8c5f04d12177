package pace

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"
)

// However many wait at once, no window of a second and Slack holds more
// than n admissions, and they are spaced.
func TestWindowCeiling(t *testing.T) {
	const n, callers = 10, 25
	w := NewWindow(n)
	var wg sync.WaitGroup
	start := time.Now()
	for range callers {
		wg.Go(func() {
			if err := w.Wait(t.Context()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	// The ring holds the last n admissions; with the spacing they tell.
	at := slices.Clone(w.at)
	slices.SortFunc(at, time.Time.Compare)
	for i := 1; i < len(at); i++ {
		if d := at[i].Sub(at[i-1]); d < w.space {
			t.Errorf("admissions %v apart, want ≥ %v", d, w.space)
		}
	}
	if d, want := w.last.Sub(start), 24*(time.Second+Slack)/n; d < want {
		t.Errorf("%d admissions end after %v, want ≥ %v", callers, d, want)
	}
}

// admit refuses a call that would make n+1 within the window, however the
// calls before it were spread.
func TestWindowAdmit(t *testing.T) {
	w := NewWindow(3)
	t0 := time.Unix(1000, 0)
	for i, d := range []time.Duration{0, 350 * time.Millisecond, 700 * time.Millisecond} {
		if _, ok := w.admit(t0.Add(d)); !ok {
			t.Fatalf("call %d refused", i)
		}
	}
	if next, ok := w.admit(t0.Add(time.Second)); ok || !next.Equal(t0.Add(time.Second+Slack)) {
		t.Errorf("a 4th call within the window: %v, %v; want refused until %v", next, ok, t0.Add(time.Second+Slack))
	}
	if _, ok := w.admit(t0.Add(time.Second + Slack)); !ok {
		t.Error("refused once the first left the window")
	}
}

// Wait returns at its turn, not before: n+1 calls one after the other
// span a second.
func TestWindowWait(t *testing.T) {
	const n = 10
	w := NewWindow(n)
	start := time.Now()
	for range n + 1 {
		if err := w.Wait(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Since(start); d < time.Second {
		t.Errorf("%d calls admitted within %v", n+1, d)
	}
}

func TestWindowCancelled(t *testing.T) {
	w := NewWindow(1)
	if err := w.Wait(t.Context()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	if err := w.Wait(ctx); err == nil {
		t.Error("a second call within the second was admitted at once")
	}
}
