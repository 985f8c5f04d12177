// Package pace paces the calls that send messages to a platform: a gap
// per chat, for the platforms' "about one message a second to one chat"
// rule, with a hold when the platform asked a chat to wait, and a Window
// that is the ceiling on a bot's calls per second.
package pace

import (
	"context"
	"sync"
	"time"
)

// Chats whose next time has passed carry no state and are swept once the
// map grows, so a digest to 10,000 chats does not keep 10,000 entries.
const (
	SweepSize  = 1024
	sweepEvery = time.Minute
)

// PerChat keeps, for each chat, the moment it may get its next message:
// Gap after the end of the last call to it (a platform counts a message
// when it arrives, which is before the call ends), or later when the
// platform asked it to wait.
type PerChat[K comparable] struct {
	gap       time.Duration
	mu        sync.Mutex
	next      map[K]time.Time
	lastSweep time.Time
}

// New returns a pace of gap between two messages to one chat (0: none).
func New[K comparable](gap time.Duration) *PerChat[K] {
	return &PerChat[K]{gap: gap, next: make(map[K]time.Time)}
}

// Wait returns when id may be sent one more message, and keeps the chat
// for that call (another waits a gap after it, until Done says when the
// call ended); or ctx's error when it ends first.
func (c *PerChat[K]) Wait(ctx context.Context, id K) error {
	for {
		now := time.Now()
		c.mu.Lock()
		until := c.next[id]
		if !until.After(now) {
			c.sweep(now)
			c.next[id] = now.Add(c.gap)
			c.mu.Unlock()
			return nil
		}
		c.mu.Unlock()
		t := time.NewTimer(until.Sub(now))
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		}
	}
}

// Done records that a call to id ended at end, whether or not it went
// through Wait (the outbox paces its own calls): the next message to id
// goes no sooner than end+Gap.
func (c *PerChat[K]) Done(id K, end time.Time) { c.Hold(id, end.Add(c.gap)) }

// Hold keeps id waiting until until: the platform answered "too many
// requests, retry after". A later hold extends it, an earlier one does not
// shorten it.
func (c *PerChat[K]) Hold(id K, until time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if until.After(c.next[id]) {
		c.sweep(until)
		c.next[id] = until
	}
}

// sweep forgets the chats whose next time has passed, at most once a
// minute and only once many are kept; c.mu is held.
func (c *PerChat[K]) sweep(now time.Time) {
	if len(c.next) < SweepSize || now.Sub(c.lastSweep) < sweepEvery {
		return
	}
	for k, t := range c.next {
		if !t.After(now) {
			delete(c.next, k)
		}
	}
	c.lastSweep = now
}

// Len is how many chats are kept (for tests and metrics).
func (c *PerChat[K]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.next)
}

// FloodWait is how long a platform's "429 Too Many Requests" asks to wait:
// its retry_after, or a second when it gave none; 0 for any other status.
func FloodWait(status int, retryAfter time.Duration) time.Duration {
	switch {
	case status != 429:
		return 0
	case retryAfter <= 0:
		return time.Second
	}
	return retryAfter
}
