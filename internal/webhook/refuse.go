package webhook

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// refusals counts refused deliveries and logs them at most once a second
// per reason: a flood of 10,000 would otherwise write 10,000 lines. The
// log says how many and why, never who or what (no sender, no text).
type refusals struct {
	channel string
	m       Counter
	log     *slog.Logger
	mu      sync.Mutex
	last    map[string]time.Time
	since   map[string]int
}

func newRefusals(channel string, m Counter, log *slog.Logger) *refusals {
	return &refusals{channel: channel, m: m, log: log, last: map[string]time.Time{}, since: map[string]int{}}
}

func (r *refusals) note(reason string, err error) {
	if r.m != nil {
		r.m.Update(r.channel, "refused")
		r.m.WebhookRefused(r.channel, reason)
	}
	r.mu.Lock()
	r.since[reason]++
	n, now := r.since[reason], time.Now()
	quiet := now.Sub(r.last[reason]) < time.Second
	if !quiet {
		r.last[reason], r.since[reason] = now, 0
	}
	r.mu.Unlock()
	if quiet {
		return
	}
	level := slog.LevelWarn
	if reason == ReasonStore {
		level = slog.LevelError
	}
	r.log.Log(context.Background(), level, "webhook updates refused", "channel", r.channel, "reason", reason, "count", n, "err", err)
}
