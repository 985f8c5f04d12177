// Package pace paces the calls that send messages to a platform: one token
// bucket per chat, for the platforms' "about one message a second to one
// chat" rule, with a hold when the platform asked a chat to wait, and a
// Window that is the ceiling on a bot's calls per second. It imports
// golang.org/x/time/rate.
package pace

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Buckets that have refilled completely carry no state and are swept once
// the map grows, so a digest to 10,000 chats does not keep 10,000 limiters
// forever.
const (
	SweepSize  = 1024
	sweepEvery = time.Minute
)

// PerChat holds one limiter per chat id.
type PerChat[K comparable] struct {
	every     rate.Limit
	burst     int
	mu        sync.Mutex
	m         map[K]*rate.Limiter
	held      map[K]time.Time // chat → nothing before (the platform said wait)
	lastSweep time.Time
}

// New returns limiters of every tokens a second with burst.
func New[K comparable](every rate.Limit, burst int) *PerChat[K] {
	return &PerChat[K]{every: every, burst: burst, m: make(map[K]*rate.Limiter), held: make(map[K]time.Time)}
}

// Get returns id's limiter, made on first use.
func (c *PerChat[K]) Get(id K, now time.Time) *rate.Limiter {
	c.mu.Lock()
	defer c.mu.Unlock()
	if l, ok := c.m[id]; ok {
		return l
	}
	if len(c.m) >= SweepSize && now.Sub(c.lastSweep) >= sweepEvery {
		for k, l := range c.m {
			if l.TokensAt(now) >= float64(c.burst) {
				delete(c.m, k)
			}
		}
		for k, until := range c.held {
			if !until.After(now) {
				delete(c.held, k)
			}
		}
		c.lastSweep = now
	}
	l := rate.NewLimiter(c.every, c.burst)
	c.m[id] = l
	return l
}

// Hold keeps id waiting until until: the platform answered "too many
// requests, retry after". A later hold extends it, an earlier one does not
// shorten it.
func (c *PerChat[K]) Hold(id K, until time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if until.After(c.held[id]) {
		c.held[id] = until
	}
}

// Wait returns when id may be sent one more message: after its hold, if
// any, and a token of its bucket; or ctx's error when it ends first.
func (c *PerChat[K]) Wait(ctx context.Context, id K) error {
	now := time.Now()
	c.mu.Lock()
	until := c.held[id]
	c.mu.Unlock()
	if d := until.Sub(now); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		}
		now = time.Now()
	}
	return c.Get(id, now).Wait(ctx)
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

// Len is how many chats have a limiter (for tests and metrics).
func (c *PerChat[K]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}
