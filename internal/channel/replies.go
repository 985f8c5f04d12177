package channel

import (
	"context"

	"xabot/internal/chat"
)

// Replies gives an adapter Send, SendParts and SendStep (chat.PartSender,
// chat.StepSender) from the one function that sends a reply's messages.
// An adapter embeds it and sets Deliver when it is built.
//
// Send is SendParts from the first message. SendParts skips the first skip
// messages of r and calls sent(n) once the nth is out: the router resumes
// a turn's reply after a failure midway. SendStep sends message done+1 with
// one call, without waiting for the rate limits: the outbox paces and
// counts its calls itself. None retries; a failure is a classified *Error.
type Replies struct {
	// Deliver sends the messages of r that p says must go now (p.Next),
	// telling p of each one out (p.Out); numbered the same on every call.
	// paced: each call first waits for the bot's limits (a reply), or not
	// (a step of the outbox, which paced it).
	Deliver func(ctx context.Context, r chat.Reply, p *chat.Parts, paced bool) error
}

// Send delivers a reply.
func (s Replies) Send(ctx context.Context, r chat.Reply) error { return s.SendParts(ctx, r, 0, nil) }

// SendParts sends r after its first skip messages (chat.PartSender).
func (s Replies) SendParts(ctx context.Context, r chat.Reply, skip int, sent func(n int)) error {
	return s.Deliver(ctx, r, &chat.Parts{Skip: skip, Sent: sent}, true)
}

// SendStep sends message done+1 of r, unpaced (chat.StepSender).
func (s Replies) SendStep(ctx context.Context, r chat.Reply, done int) (int, error) {
	return chat.Step(done, func(p *chat.Parts) error { return s.Deliver(ctx, r, p, false) })
}
