package bot

import (
	"context"
	"log/slog"
	"strconv"
	"strings"

	"xabot/internal/chat"
	"xabot/internal/session"
)

// Buttons pressed by number. On a channel without buttons (Zalo) a pushed
// notice's buttons («Ngừng nhận thông báo», the rating levels) go out as
// numbered lines, and the person's next bare number presses one. The
// outbox sends those notices, outside any turn: RememberPresses, around
// the channel's sender, stores what the numbers press in the session store
// once the message is out, and the turn that reads the number takes them
// from there (session.Turn.Presses). So a number typed after a restart, or
// read by another replica, still presses the button; any reply of the bot
// in between (Stage) makes its own numbers the ones that count.

// pressed turns a bare number typed on a channel without buttons into the
// press of the button it numbered in the latest message, if that message
// had such buttons; any other update is returned as it came.
func pressed(u chat.Update, feat chat.Features, presses []string) chat.Update {
	if feat.Buttons || u.Kind != chat.Text || len(presses) == 0 {
		return u
	}
	n, err := strconv.Atoi(strings.TrimSpace(u.Text))
	if err != nil || n < 1 || n > len(presses) {
		return u
	}
	u.Kind, u.Data, u.Text = chat.Callback, presses[n-1], ""
	return u
}

// RememberPresses wraps the outbox's sender of channel ch, a channel
// without buttons: once a message's last part is out, the data of its
// buttons (none: forgotten) is stored for its chat with sessions.Offer. A
// failure to store is logged, not returned: the message is out, and
// sending it again would double it; the person's number is then read as
// text.
func RememberPresses(ch chat.Channel, s chat.Sender, sessions session.Store, log *slog.Logger) chat.Sender {
	m := memory{next: s, ch: ch, sessions: sessions, log: log}
	if step, ok := s.(chat.StepSender); ok {
		return stepMemory{memory: m, step: step}
	}
	return m
}

type memory struct {
	next     chat.Sender
	ch       chat.Channel
	sessions session.Store
	log      *slog.Logger
}

func (m memory) Send(ctx context.Context, r chat.Reply) error {
	if err := m.next.Send(ctx, r); err != nil {
		return err
	}
	m.offer(ctx, r)
	return nil
}

// offer stores what r's numbers press, in the order the channel numbers
// them: reading order, a button without a label left out.
func (m memory) offer(ctx context.Context, r chat.Reply) {
	var data []string
	for _, row := range r.Buttons {
		for _, b := range row {
			if strings.TrimSpace(b.Label) != "" {
				data = append(data, b.Data)
			}
		}
	}
	user := chat.UserKey{Channel: m.ch, ID: r.ChatID}.String()
	if err := m.sessions.Offer(context.WithoutCancel(ctx), user, data); err != nil {
		m.log.Warn("buttons sent as numbers not remembered", "channel", string(m.ch), "err", err)
	}
}

// stepMemory is memory for a sender the outbox drives one message at a
// time (chat.StepSender): the buttons are remembered with the last.
type stepMemory struct {
	memory
	step chat.StepSender
}

func (m stepMemory) SendStep(ctx context.Context, r chat.Reply, done int) (int, error) {
	total, err := m.step.SendStep(ctx, r, done)
	if err == nil && done+1 >= total {
		m.offer(ctx, r)
	}
	return total, err
}
