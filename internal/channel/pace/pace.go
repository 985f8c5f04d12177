// Package pace keeps one token bucket per chat, for the platforms' "about
// one message a second to one chat" rule. It imports golang.org/x/time/rate.
package pace

import (
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
	lastSweep time.Time
}

// New returns limiters of every tokens a second with burst.
func New[K comparable](every rate.Limit, burst int) *PerChat[K] {
	return &PerChat[K]{every: every, burst: burst, m: make(map[K]*rate.Limiter)}
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
		c.lastSweep = now
	}
	l := rate.NewLimiter(c.every, c.burst)
	c.m[id] = l
	return l
}

// Len is how many chats have a limiter (for tests and metrics).
func (c *PerChat[K]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}
