package pace

import (
	"testing"
	"time"
)

func TestSweep(t *testing.T) {
	c := New[int64](1, 1)
	now := time.Now()
	for i := range SweepSize {
		c.Get(int64(i), now)
	}
	c.Get(0, now).AllowN(now, 1) // chat 0 has just been sent to
	c.Get(-1, now.Add(100*time.Millisecond))
	if _, ok := c.m[0]; !ok {
		t.Error("a chat with a spent token was swept")
	}
	if c.Len() != 2 {
		t.Errorf("%d limiters after sweep, want 2", c.Len())
	}
	if l := c.Get(5, now); l.Limit() != 1 || l.Burst() != 1 {
		t.Errorf("per-chat limiter %v/s burst %d", l.Limit(), l.Burst())
	}
	// No second sweep within the minute.
	for i := range SweepSize {
		c.Get(int64(10000+i), now.Add(time.Second))
	}
	if c.Len() < SweepSize {
		t.Errorf("swept again within a minute: %d left", c.Len())
	}
}
