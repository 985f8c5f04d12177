package pace

import (
	"context"
	"testing"
	"time"
)

func TestSweep(t *testing.T) {
	c := New[int64](time.Second)
	past := time.Now().Add(-time.Hour)
	for i := range SweepSize {
		c.Done(int64(i), past)
	}
	c.Done(0, time.Now()) // chat 0 has just been sent to
	if err := c.Wait(t.Context(), -1); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.next[0]; !ok {
		t.Error("a chat inside its gap was swept")
	}
	if c.Len() != 2 {
		t.Errorf("%d chats kept after sweep, want 2", c.Len())
	}
	// No second sweep within the minute.
	for i := range SweepSize {
		c.Done(int64(10000+i), past)
	}
	if err := c.Wait(t.Context(), -2); err != nil {
		t.Fatal(err)
	}
	if c.Len() < SweepSize {
		t.Errorf("swept again within a minute: %d left", c.Len())
	}
}

// One chat gets its gap after the end of the last call to it; another chat
// is not held up.
func TestGapFromTheEndOfTheCall(t *testing.T) {
	c := New[int64](300 * time.Millisecond)
	start := time.Now()
	if err := c.Wait(t.Context(), 1); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // the call takes this long
	c.Done(1, time.Now())
	if err := c.Wait(t.Context(), 2); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 250*time.Millisecond {
		t.Errorf("another chat waited %v", d)
	}
	if err := c.Wait(t.Context(), 1); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 400*time.Millisecond {
		t.Errorf("the chat's next message went %v after its first call began, want ≥ 100ms + 300ms", d)
	}
}

// A chat whose call is in flight (Wait, no Done yet) keeps a second
// caller waiting.
func TestWaitKeepsTheChat(t *testing.T) {
	c := New[int64](200 * time.Millisecond)
	if err := c.Wait(t.Context(), 1); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if err := c.Wait(ctx, 1); err == nil {
		t.Error("two callers went to one chat at once")
	}
}

// A chat the platform asked to wait gets nothing before the time said;
// other chats are not held up.
func TestHold(t *testing.T) {
	c := New[int64](0)
	start := time.Now()
	c.Hold(1, start.Add(300*time.Millisecond))
	c.Hold(1, start.Add(100*time.Millisecond)) // does not shorten it
	if err := c.Wait(t.Context(), 2); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 100*time.Millisecond {
		t.Errorf("another chat waited %v", d)
	}
	if err := c.Wait(t.Context(), 1); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 300*time.Millisecond {
		t.Errorf("the held chat went after %v, want ≥ 300ms", d)
	}
	c.Hold(1, time.Now().Add(time.Hour))
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	if err := c.Wait(ctx, 1); err == nil {
		t.Error("a held chat was let through before its time")
	}
}
