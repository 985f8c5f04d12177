package channel

import (
	"context"
	"time"

	"xabot/internal/channel/pace"
	"xabot/internal/chat"
)

// Gate paces the calls that send: a gap per chat (pace.PerChat) and the
// bot's ceiling (pace.Window, shared with the outbox). A reply waits for
// both; a step of the outbox does not (the outbox paced it), but either
// way the chat's next message waits its gap after the call, and a 429
// holds the chat for what the platform asked.
type Gate[K comparable] struct {
	Chats  *pace.PerChat[K]
	Global *pace.Window
	Now    func() time.Time
}

// Send makes one call to chat id through send, paced first when paced. It
// does not retry: the call's error comes back as it is.
func (g Gate[K]) Send(ctx context.Context, id K, paced bool, send func(ctx context.Context) error) error {
	var turn *pace.Turn
	if paced {
		if err := g.Chats.Wait(ctx, id); err != nil {
			return err
		}
		t, err := g.Global.Take(ctx)
		if err != nil {
			return err
		}
		turn, ctx = t, pace.WithTurn(ctx, t)
	}
	// Unpaced, the turn is the caller's (the outbox's), in ctx.
	err := send(pace.Traced(ctx))
	turn.End(time.Now())
	g.Chats.Done(id, g.Now())
	if err == nil || ctx.Err() != nil {
		return err
	}
	if d, ok := chat.FloodWait(err); ok {
		g.Chats.Hold(id, g.Now().Add(d))
	}
	return err
}
