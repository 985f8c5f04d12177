package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"xabot/internal/channel/pace"
	"xabot/internal/chat"
	"xabot/internal/domain"
)

// Error classes, for logs and last_error.
const (
	classBlocked   = "blocked"
	classFlood     = "flood"
	classInvalid   = "invalid"
	classTransient = "transient"
)

// permanentError is a row that no retry can send.
type permanentError struct{ error }

func (e permanentError) Unwrap() error { return e.error }

// deliver makes one call for a claimed row, records the outcome and frees
// its worker.
func (o *Outbox) deliver(base context.Context, m domain.Outgoing, turn *pace.Turn, sem chan struct{}, wg *sync.WaitGroup) {
	defer wg.Done()
	defer func() {
		<-sem
		signal(o.done)
	}()
	if err := o.chats.Wait(base, m.To); err != nil {
		turn.End(time.Now())
		o.giveBack(m) // shutdown before the call
		return
	}
	more, stepped, err := o.send(pace.WithTurn(base, turn), m)
	end := time.Now()
	turn.End(end)
	o.chats.Done(m.To, end)
	if d, ok := chat.FloodWait(err); ok {
		o.chats.Hold(m.To, end.Add(d))
	}
	o.record(base, m, outcome{more: more, stepped: stepped, err: err, end: end})
}

// send decodes m and hands it to its channel's sender: the next message of
// it to a chat.StepSender (more: others remain), the whole reply to any
// other sender. A panicking sender is an error of the row, not the end of
// the process.
func (o *Outbox) send(base context.Context, m domain.Outgoing) (more, stepped bool, err error) {
	ch, id, ok := parseTo(m.To)
	if !ok {
		return false, false, permanentError{fmt.Errorf("bad recipient")}
	}
	s := o.senders[ch]
	if s == nil {
		return false, false, permanentError{fmt.Errorf("no sender for channel %q", ch)}
	}
	r, err := decode(m.Payload)
	if err != nil {
		return false, false, permanentError{fmt.Errorf("bad payload: %w", err)}
	}
	r.ChatID = id
	ctx, cancel := context.WithTimeout(base, sendTimeout)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("sender panicked: %v", p)
		}
	}()
	if ss, ok := s.(chat.StepSender); ok {
		total, err := ss.SendStep(ctx, r, m.PartsSent)
		return err == nil && m.PartsSent+1 < total, true, err
	}
	return false, false, s.Send(ctx, r)
}

// outcome is what one call came to.
type outcome struct {
	more    bool // a message out, others of the row remain
	stepped bool // one message of the row was sent (a chat.StepSender)
	err     error
	end     time.Time // real clock
}

// record stores the outcome of a call under the row's claim, which it
// gives back, with the chat's pacing; a record that fails is kept and
// retried, its row still held.
func (o *Outbox) record(base context.Context, m domain.Outgoing, out outcome) {
	now := o.cfg.Now()
	attempt := m.Attempts + 1
	log := o.log.With("id", m.ID, "key", m.Key, "to", m.To, "attempt", attempt)
	a := domain.Attempt{ID: m.ID, Lease: m.Lease, Status: domain.OutQueued, Parts: m.PartsSent,
		ChatLast: out.end, ChatNext: out.end.Add(o.cfg.PerChat)}
	if out.stepped && out.err == nil {
		a.Parts = m.PartsSent + 1
	}
	event := "retried"
	op := func(ctx context.Context) error { return o.repo.SettleOutgoing(ctx, a) }
	var ra RetryAfter
	var gl global
	err := out.err
	switch {
	case err == nil && out.more:
		event = ""
		log.Debug("outbox: message out, more to go", "parts", a.Parts)
	case err == nil:
		a.Status, a.Counted, a.At, event = domain.OutSent, true, now, "sent"
		log.Debug("outbox: sent")
	case base.Err() != nil:
		// Cut by the end of the shutdown grace: whether it arrived is
		// unknown, so the row stays queued, nothing counted, and goes again.
		event = ""
		log.Warn("outbox: send cut by shutdown, the row stays queued", "class", classTransient, "err", err)
	case errors.Is(err, chat.ErrBlocked):
		event = "stopped"
		op = func(ctx context.Context) error { return o.repo.StopChat(ctx, m.To, now) }
		log.Info("outbox: the chat blocked the bot, stopping it", "class", classBlocked)
	case errors.As(err, &permanentError{}) || errors.Is(err, chat.ErrRejected):
		a.Status, a.Counted, a.LastError, event = domain.OutFailed, true, lastError(classInvalid, err), "failed"
		log.Error("outbox: message cannot be sent", "class", classInvalid, "err", err)
	case errors.As(err, &ra) && ra.RetryAfter() > 0:
		o.metrics.RateLimited(channelOf(m.To))
		o.flood(log, &a, attempt, ra.RetryAfter(), errors.As(err, &gl) && gl.Global(), err, out.end)
		if a.Status == domain.OutFailed {
			event = "failed"
		}
	default:
		a.Counted, a.LastError = true, lastError(classTransient, err)
		if attempt >= o.cfg.MaxAttempts {
			a.Status, event = domain.OutFailed, "failed"
			log.Error("outbox: giving up", "class", classTransient, "err", err)
			break
		}
		wait := o.cfg.Backoff(m.Attempts)
		a.NextAt = now.Add(wait)
		log.Warn("outbox: send failed, retrying", "class", classTransient, "retry_in", wait, "err", err)
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(base), markTimeout)
	defer cancel()
	o.settle(ctx, log, m.ID, op)
	if event != "" {
		o.metrics.Outbox(event)
	}
}

// flood records a platform's "wait": the chat (every chat, for a global
// one) waits that long; the row gives up only after many.
func (o *Outbox) flood(log *slog.Logger, a *domain.Attempt, attempt int, wait time.Duration, isGlobal bool, err error, end time.Time) {
	a.Counted, a.LastError = true, lastError(classFlood, err)
	if attempt >= floodFactor*o.cfg.MaxAttempts {
		a.Status = domain.OutFailed
		log.Error("outbox: giving up after flood waits", "class", classFlood, "err", err)
		return
	}
	a.ChatNext = end.Add(max(wait, o.cfg.PerChat))
	if isGlobal {
		o.mu.Lock()
		if p := end.Add(wait); p.After(o.pause) {
			o.pause = p
		}
		o.mu.Unlock()
	}
	log.Warn("outbox: platform asked to wait", "class", classFlood, "retry_in", wait, "global", isGlobal)
}

// settle runs op, the record of a row's outcome. When the lease was lost
// (the row taken by another sender after it ran out) or the row is gone,
// there is nothing left to record; any other failure is kept and retried
// before the row is let go.
func (o *Outbox) settle(ctx context.Context, log *slog.Logger, id int64, op func(context.Context) error) {
	err := op(ctx)
	switch {
	case err == nil:
	case errors.Is(err, domain.ErrNotFound):
		log.Info("outbox: the row was deleted while in hand")
	case errors.Is(err, domain.ErrConflict):
		log.Warn("outbox: the row's lease was lost before its outcome was recorded; another sender may send it again", "err", err)
	default:
		log.Error("outbox: recording the outcome failed; retrying it while the row stays held", "err", err)
		o.mu.Lock()
		o.pending[id] = op
		o.mu.Unlock()
		return
	}
	o.forget(id)
}

// retryPending runs again the records that failed. It returns the first
// error.
func (o *Outbox) retryPending(ctx context.Context) error {
	o.mu.Lock()
	ops := make(map[int64]func(context.Context) error, len(o.pending))
	for id, op := range o.pending {
		ops[id] = op
	}
	o.mu.Unlock()
	var first error
	for id, op := range ops {
		mctx, cancel := context.WithTimeout(ctx, markTimeout)
		err := op(mctx)
		cancel()
		if err != nil && !errors.Is(err, domain.ErrNotFound) && !errors.Is(err, domain.ErrConflict) {
			o.log.Error("outbox: recording an outcome failed again", "id", id, "err", err)
			if first == nil {
				first = fmt.Errorf("outbox: %w", err)
			}
			continue
		}
		o.forget(id)
	}
	return first
}

// lastError is the class and the error, cut to maxLastError bytes.
func lastError(class string, err error) string {
	s := class + ": " + err.Error()
	if len(s) > maxLastError {
		s = strings.ToValidUTF8(s[:maxLastError], "")
	}
	return s
}

// parseTo splits a chat key "tg:123" into its channel and chat id.
func parseTo(to string) (chat.Channel, string, bool) {
	ch, id, ok := strings.Cut(to, ":")
	if !ok || ch == "" || id == "" {
		return "", "", false
	}
	return chat.Channel(ch), id, true
}

// channelOf is the channel part of a chat key, for the metrics.
func channelOf(to string) string {
	ch, _, _ := parseTo(to)
	return string(ch)
}

// signal wakes whoever waits on c, without blocking.
func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}
