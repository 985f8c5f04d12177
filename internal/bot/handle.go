package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"
	"unicode/utf8"

	"xabot/internal/chat"
	"xabot/internal/dialog"
	"xabot/internal/domain"
	"xabot/internal/session"
)

// Handle processes one update: it returns once the replies are sent and the
// update marked handled, so the adapter may confirm it. An error means the
// update should be delivered again.
//
// Exactly once, as the person sees it: the turn is computed once, and its
// replies and the session after it are staged together (Sessions.Stage)
// before anything is sent; each message out is recorded; the update is
// marked handled after the last (which that mark records). A process killed anywhere in between
// leaves the update unconfirmed, and its redelivery either computes the
// turn (nothing was staged), resumes sending after the messages recorded
// as out (the turn's database effects are not repeated), or is skipped
// (handled). The one message a kill can double is the one the platform
// accepted just before it, not yet recorded.
func (r *Router) Handle(ctx context.Context, u chat.Update) (err error) {
	// Latency is real elapsed time: the injected clock may stand still.
	begun := time.Now()
	user := u.From.String()
	mu := r.stripeOf(user)
	mu.Lock()
	defer mu.Unlock()

	ctx, cancel := context.WithTimeout(ctx, r.cfg.Timeout)
	defer cancel()
	log := r.log.With("user", user, "update", u.ID)
	ch, ok := r.cfg.Channels[u.From.Channel]
	if !ok {
		return fmt.Errorf("bot: no channel %q", u.From.Channel)
	}
	outcome := Failed
	defer func() {
		if p := recover(); p != nil {
			log.Error("panic handling update", "panic", p, "stack", string(debug.Stack()))
			err, outcome = fmt.Errorf("bot: panic: %v", p), Failed
		}
		r.count(u.From.Channel, outcome, begun)
	}()
	outcome, err = r.handle(ctx, log, ch, u)
	return err
}

func (r *Router) handle(ctx context.Context, log *slog.Logger, ch Channel, u chat.Update) (string, error) {
	user, key := u.From.String(), ""
	if u.ID != "" {
		key = string(u.From.Channel) + ":" + u.ID
	}
	begun, err := r.cfg.Sessions.Begin(ctx, key, user)
	if err != nil {
		log.Error("session store unavailable", "err", err)
		return Failed, r.busy(ctx, log, ch, u)
	}
	switch {
	case begun.Handled:
		log.Debug("duplicate update skipped")
		return Duplicate, nil
	case begun.Staged != nil:
		log.Info("resuming the replies of an interrupted turn", "reply", begun.Staged.Reply, "part", begun.Staged.Part)
		return r.deliver(ctx, log, ch, u.ChatID, key, *begun.Staged)
	}
	t := r.compute(ctx, log, ch.Features(), pressed(u, ch.Features(), begun.Presses), begun.Session)
	replies := t.render(t.say)
	var next *session.Session
	if !t.forget {
		t.sess.V = session.Version
		t.sess.UpdatedAt = r.cfg.Now().UTC()
		next = &t.sess
	}
	staged, err := r.cfg.Sessions.Stage(ctx, key, user, replies, next)
	if err != nil {
		// Without its session the turn is as good as not taken: the person
		// is asked to send it again.
		log.Error("stage turn", "err", err)
		return Failed, r.busy(ctx, log, ch, u)
	}
	if !staged {
		log.Info("update staged or handled elsewhere; skipped")
		return Duplicate, nil
	}
	return r.deliver(ctx, log, ch, u.ChatID, key, session.Staged{Replies: replies})
}

// compute runs the update's turn on the session sess: what to say, and the
// session after it.
func (r *Router) compute(ctx context.Context, log *slog.Logger, feat chat.Features, u chat.Update, sess session.Session) *turn {
	t := &turn{r: r, u: u, user: u.From.String(), feat: feat, log: log, sess: sess, lang: r.cfg.Lang}
	cit, err := r.cfg.Citizens.Get(ctx, t.user)
	if err != nil {
		log.Error("load citizen", "err", err)
		t.add("errors.internal")
		return t
	}
	t.cit = cit
	t.lang = r.langOf(cit, u.Lang)
	if cit.Role != domain.RoleCitizen && r.cfg.Staff != nil {
		// An official bound on two apps reads notices where they now write;
		// ByChat moves them here before any action compares chat keys.
		if _, err := r.cfg.Staff.ByChat(ctx, t.user); err != nil && !errors.Is(err, domain.ErrNotFound) {
			log.Warn("official of chat", "err", err)
		}
	}
	if u.Kind == chat.Command && r.cfg.Resume != nil {
		if err := r.cfg.Resume(ctx, t.user); err != nil {
			log.Warn("resume chat", "err", err)
		}
	}
	t.dispatch(ctx)
	return t
}

// deliver sends the staged replies from where an earlier attempt left
// them, recording each message as it goes out, then marks the update
// handled. A failure returns the update to be delivered again, and the
// next attempt starts after the last message recorded.
func (r *Router) deliver(ctx context.Context, log *slog.Logger, ch Channel, chatID, key string, st session.Staged) (string, error) {
	if st.Replies == nil && key != "" {
		log.Warn("staged replies unreadable (another version wrote them); update marked handled")
	}
	// A message out must be recorded even when the turn's time is up, or
	// the next attempt sends it again.
	rec := context.WithoutCancel(ctx)
	last := len(st.Replies) - 1
	for i := st.Reply; i <= last; i++ {
		rep := st.Replies[i]
		rep.ChatID = chatID
		skip := 0
		if i == st.Reply {
			skip = st.Part
		}
		record := func(n int) {
			if err := r.cfg.Sessions.Sent(rec, key, i, n); err != nil {
				log.Warn("message out but not recorded", "reply", i, "part", n, "err", err)
			}
		}
		if i == last && oneMessage(rep, ch.Features()) {
			// The turn's last message is recorded by Done, right after it.
			record = func(int) {}
		}
		err := sendParts(ctx, ch, rep, skip, record)
		if errors.Is(err, chat.ErrBlocked) {
			log.Info("chat blocked the bot; the rest of the turn dropped")
			break
		}
		if err != nil {
			return Failed, fmt.Errorf("bot: send to %s (reply %d): %w", chatID, i+1, err)
		}
	}
	if err := r.cfg.Sessions.Done(rec, key); err != nil {
		// Everything is out and the adapter confirms the update now: a
		// redelivery is unlikely, and would only resume what is recorded.
		log.Error("update not marked handled", "err", err)
	}
	return Handled, nil
}

// oneMessage says whether rep surely goes as one message: no picture, and
// a text within the channel's limit even if every character took two
// units (Telegram counts UTF-16).
func oneMessage(rep chat.Reply, feat chat.Features) bool {
	return rep.Image == nil && 2*utf8.RuneCountInString(rep.Text) <= feat.MaxText
}

// sendParts sends one reply after its first skip messages, telling sent of
// each message out; a channel that cannot split sends a reply as one.
func sendParts(ctx context.Context, ch Channel, rep chat.Reply, skip int, sent func(int)) error {
	if ps, ok := ch.(chat.PartSender); ok {
		return ps.SendParts(ctx, rep, skip, sent)
	}
	if skip > 0 {
		return nil
	}
	if err := ch.Send(ctx, rep); err != nil {
		return err
	}
	sent(1)
	return nil
}

// busy tells the person their message could not be handled now (the
// session store is down) and to send it again; the update is then
// confirmed, since they were told. Nothing is recorded: there is nowhere
// to record it.
func (r *Router) busy(ctx context.Context, log *slog.Logger, ch Channel, u chat.Update) error {
	t := &turn{r: r, u: u, user: u.From.String(), feat: ch.Features(), log: log, lang: r.cfg.Lang}
	if cit, err := r.cfg.Citizens.Get(ctx, t.user); err == nil {
		t.lang = r.langOf(cit, u.Lang)
	}
	_, err := r.deliver(ctx, log, ch, u.ChatID, "", session.Staged{Replies: t.render([]dialog.Prompt{{Key: "errors.unavailable"}})})
	return err
}

func (r *Router) count(ch chat.Channel, outcome string, begun time.Time) {
	if r.cfg.Metrics == nil {
		return
	}
	r.cfg.Metrics.Update(string(ch), outcome)
	if outcome == Handled {
		r.cfg.Metrics.Reply(string(ch), time.Since(begun))
	}
}
