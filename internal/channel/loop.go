package channel

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"xabot/internal/chat"
)

// How often, and how patiently, an update is handed to the handler before
// it is given up on (logged), so that one poison update cannot stall a
// channel.
const (
	HandleAttempts = 3
	HandleBackoff  = 500 * time.Millisecond
)

// Loop hands a platform's updates to the handler.
type Loop struct {
	Name  string // "telegram": the first word of the log lines
	Log   *slog.Logger
	Sleep func(ctx context.Context, d time.Duration) error // Sleep when nil
}

// Handle hands u to h, in hctx, until it is handled. A failure is tried
// again after a doubling backoff, HandleAttempts times in all, then given
// up on with an error log; a wait the platform asked of a reply (a 429,
// chat.FloodWait) uses up no attempt, up to chat.MaxFloodWait in all.
// attrs say which update it is in the logs (never its text).
//
// It reports false only when ctx ended while it waited to try again: the
// update was not handled, and the caller leaves it unconfirmed (the
// platform or the inbox offers it again). Handled or given up, it is true.
func (l Loop) Handle(ctx, hctx context.Context, h chat.Handler, u chat.Update, attrs ...any) bool {
	sleep := l.Sleep
	if sleep == nil {
		sleep = Sleep
	}
	var flooded time.Duration
	for attempt := 1; ; attempt++ {
		err := l.Safe(hctx, h, u)
		if err == nil {
			return true
		}
		if d, ok := chat.FloodWait(err); ok && flooded+d <= chat.MaxFloodWait {
			// The platform asked to wait (a reply's 429): not a fault of
			// the update, so it does not use up an attempt.
			flooded += d
			attempt--
			if ctx.Err() != nil || sleep(ctx, max(d, HandleBackoff)) != nil {
				return false
			}
			continue
		}
		if attempt == HandleAttempts {
			l.Log.Error(l.Name+" update skipped after handler errors",
				append(attrs, "chat_id", u.ChatID, "kind", KindName(u.Kind), "attempts", attempt, "err", err)...)
			return true
		}
		wait := HandleBackoff << (attempt - 1)
		l.Log.Warn(l.Name+" handler failed, retrying",
			append(attrs, "chat_id", u.ChatID, "attempt", attempt, "retry_in", wait, "err", err)...)
		if ctx.Err() != nil || sleep(ctx, wait) != nil {
			return false
		}
	}
}

// Safe calls h and turns a panic into an error, logged with its stack: a
// panicking update would otherwise crash the process, be delivered again,
// and crash it again. The caller retries or gives up on the error as on
// any other.
func (l Loop) Safe(ctx context.Context, h chat.Handler, u chat.Update) (err error) {
	defer func() {
		if r := recover(); r != nil {
			l.Log.Error(l.Name+" handler panic", "chat_id", u.ChatID, "kind", KindName(u.Kind),
				"panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = fmt.Errorf("%s: handler panic: %v", l.Name, r)
		}
	}()
	return h.Handle(ctx, u)
}

// ShutdownGrace is how long the updates in hand may still take once a
// poll loop is told to stop.
const ShutdownGrace = 10 * time.Second

// Grace is the context a poll loop hands updates to: it ends ShutdownGrace
// after ctx does, so an update in hand finishes instead of being cut in
// the middle of its turn. stop releases it.
func Grace(ctx context.Context) (hctx context.Context, stop func()) {
	hctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	after := context.AfterFunc(ctx, func() { time.AfterFunc(ShutdownGrace, cancel) })
	return hctx, func() { after(); cancel() }
}

// Backoff is a poll loop's wait after a failed poll: 1s, doubling up to
// 30s, back to nothing after a poll that worked.
type Backoff struct{ d time.Duration }

// The bounds of Backoff.
const (
	BackoffMin = time.Second
	BackoffMax = 30 * time.Second
)

// Next is the wait after one more failure.
func (b *Backoff) Next() time.Duration {
	b.d = min(max(2*b.d, BackoffMin), BackoffMax)
	return b.d
}

// Reset forgets the failures.
func (b *Backoff) Reset() { b.d = 0 }
