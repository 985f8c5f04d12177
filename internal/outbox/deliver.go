package outbox

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

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

// deliver sends one row, records the outcome and frees its chat and worker.
func (o *Outbox) deliver(base context.Context, m domain.Outgoing, sem chan struct{}, wg *sync.WaitGroup) {
	defer wg.Done()
	defer func() {
		<-sem
		signal(o.done)
	}()
	err := o.send(base, m)
	o.record(base, m, err, time.Now())
}

// send decodes m and hands it to its channel's sender. A panicking sender
// is an error of the row, not the end of the process.
func (o *Outbox) send(base context.Context, m domain.Outgoing) (err error) {
	ch, id, ok := parseTo(m.To)
	if !ok {
		return permanentError{fmt.Errorf("bad recipient")}
	}
	s := o.senders[ch]
	if s == nil {
		return permanentError{fmt.Errorf("no sender for channel %q", ch)}
	}
	r, err := decode(m.Payload)
	if err != nil {
		return permanentError{fmt.Errorf("bad payload: %w", err)}
	}
	r.ChatID = id
	ctx, cancel := context.WithTimeout(base, sendTimeout)
	defer cancel()
	if err := o.window.enter(ctx); err != nil {
		return err
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("sender panicked: %v", p)
		}
	}()
	if ps, ok := s.(chat.PartSender); ok {
		return ps.SendParts(ctx, r, m.PartsSent, func(n int) { o.markParts(base, m, n) })
	}
	return s.Send(ctx, r)
}

// markParts records that n messages of m are out. Should the write fail,
// a retry may send those again: at least once, as for whole rows.
func (o *Outbox) markParts(base context.Context, m domain.Outgoing, n int) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(base), markTimeout)
	defer cancel()
	if err := o.repo.MarkParts(ctx, m.ID, n); err != nil {
		o.log.Warn("outbox: recording a part sent failed", "id", m.ID, "key", m.Key, "part", n, "err", err)
	}
}

// record marks the row after a send that ended at end (real clock), then
// frees its chat: a row is never seen unmarked with its chat free, so it
// cannot be sent twice.
func (o *Outbox) record(base context.Context, m domain.Outgoing, err error, end time.Time) {
	now := o.cfg.Now()
	attempt := m.Attempts + 1
	log := o.log.With("id", m.ID, "key", m.Key, "to", m.To, "attempt", attempt)
	var (
		op       func(context.Context) error
		chatWait time.Duration // beyond PerChat
		pause    time.Duration // every chat
	)
	var ra RetryAfter
	var gl global
	switch {
	case err == nil:
		op = func(ctx context.Context) error { return o.repo.MarkSent(ctx, m.ID, now) }
		log.Debug("outbox: sent")
	case base.Err() != nil:
		// Cut by the end of the shutdown grace: whether it arrived is
		// unknown, so the row stays queued and is sent again later.
		log.Warn("outbox: send cut by shutdown, the row stays queued", "class", classTransient, "err", err)
	case errors.Is(err, chat.ErrBlocked):
		op = func(ctx context.Context) error { return o.repo.StopChat(ctx, m.To, now) }
		log.Info("outbox: the chat blocked the bot, stopping it", "class", classBlocked)
	case errors.As(err, &permanentError{}):
		msg := lastError(classInvalid, err)
		op = func(ctx context.Context) error { return o.repo.MarkFailed(ctx, m.ID, msg) }
		log.Error("outbox: message cannot be sent", "class", classInvalid, "err", err)
	case errors.As(err, &ra) && ra.RetryAfter() > 0:
		wait := ra.RetryAfter()
		msg := lastError(classFlood, err)
		isGlobal := errors.As(err, &gl) && gl.Global()
		if attempt >= floodFactor*o.cfg.MaxAttempts {
			op = func(ctx context.Context) error { return o.repo.MarkFailed(ctx, m.ID, msg) }
			log.Error("outbox: giving up after flood waits", "class", classFlood, "err", err)
			break
		}
		next := now.Add(wait)
		op = func(ctx context.Context) error { return o.repo.MarkRetry(ctx, m.ID, next, msg) }
		chatWait = wait
		if isGlobal {
			pause = wait
		}
		log.Warn("outbox: platform asked to wait", "class", classFlood, "retry_in", wait, "global", isGlobal)
	default:
		msg := lastError(classTransient, err)
		if attempt >= o.cfg.MaxAttempts {
			op = func(ctx context.Context) error { return o.repo.MarkFailed(ctx, m.ID, msg) }
			log.Error("outbox: giving up", "class", classTransient, "err", err)
			break
		}
		wait := o.cfg.Backoff(m.Attempts)
		next := now.Add(wait)
		op = func(ctx context.Context) error { return o.repo.MarkRetry(ctx, m.ID, next, msg) }
		log.Warn("outbox: send failed, retrying", "class", classTransient, "retry_in", wait, "err", err)
	}
	var markErr error
	if op != nil {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(base), markTimeout)
		markErr = op(ctx)
		cancel()
		if markErr != nil {
			log.Error("outbox: recording the outcome failed; retrying it before this row may go again", "err", markErr)
		}
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if markErr != nil {
		o.pending[m.ID] = op
	}
	delete(o.inflight, m.To)
	o.seq++
	o.ended[m.ID] = o.seq
	until := end.Add(max(o.cfg.PerChat, chatWait))
	if until.After(o.next[m.To]) {
		o.next[m.To] = until
	}
	if pause > 0 {
		if p := end.Add(pause); p.After(o.pause) {
			o.pause = p
		}
	}
}

// retryPending runs again the marks that failed; a row with one is not
// sent until it is stored. It returns the first error.
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
		if err != nil && !errors.Is(err, domain.ErrNotFound) {
			o.log.Error("outbox: recording an outcome failed again", "id", id, "err", err)
			if first == nil {
				first = fmt.Errorf("outbox: %w", err)
			}
			continue
		}
		o.mu.Lock()
		delete(o.pending, id)
		o.mu.Unlock()
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

// signal wakes whoever waits on c, without blocking.
func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// payload is a reply as stored, with its own field names so renaming a
// chat field cannot make queued rows unreadable.
