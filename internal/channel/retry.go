package channel

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"xabot/internal/chat"
)

// Retry makes a short call that must succeed before a channel works
// (getMe, setWebhook): a blip at start should not need an operator, a
// rejected token should fail at once.
type Retry struct {
	What     string        // "telegram: getMe": the start of its errors and log lines
	Attempts int           // in all
	First    time.Duration // the first wait; each next one doubles
	Timeout  time.Duration // of one call; 0: none beyond ctx
	Log      *slog.Logger  // nil: retries are not logged
	// Sleep waits between calls; nil is Sleep (tests record instead).
	Sleep func(ctx context.Context, d time.Duration) error
}

// Do calls f until it succeeds, fails with a class that is not
// Retryable, or has been tried Attempts times; a Throttled failure waits
// what the platform asked instead of the backoff. Its error starts with
// What and says why: "token rejected", "failed N times", or the call's
// (or ctx's) error.
func (r Retry) Do(ctx context.Context, f func(ctx context.Context) error) error {
	sleep := r.Sleep
	if sleep == nil {
		sleep = Sleep
	}
	delay := r.First
	for attempt := 1; ; attempt++ {
		cctx, cancel := ctx, context.CancelFunc(func() {})
		if r.Timeout > 0 {
			cctx, cancel = context.WithTimeout(ctx, r.Timeout)
		}
		err := f(cctx)
		cancel()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("%s: %w", r.What, ctx.Err())
		}
		switch c := ClassOf(err); {
		case c == TokenRejected:
			return fmt.Errorf("%s: token rejected: %w", r.What, err)
		case !c.Retryable():
			return fmt.Errorf("%s: %w", r.What, err)
		case attempt >= r.Attempts:
			return fmt.Errorf("%s failed %d times: %w", r.What, attempt, err)
		}
		wait := delay
		if d, ok := chat.FloodWait(err); ok {
			wait = d
		}
		if r.Log != nil {
			r.Log.Warn(r.What+" failed", "attempt", attempt, "retry_in", wait, "err", err)
		}
		if err := sleep(ctx, wait); err != nil {
			return fmt.Errorf("%s: %w", r.What, err)
		}
		delay *= 2
	}
}
