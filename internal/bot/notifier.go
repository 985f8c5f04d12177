package bot

import (
	"context"
	"fmt"
	"strings"

	"xabot/internal/chat"
	"xabot/internal/domain"
	"xabot/internal/i18n"
	"xabot/internal/service/citizen"
)

// Queue is the durable outbox as the notifier sees it.
type Queue interface {
	Put(ctx context.Context, key, to string, priority int, r chat.Reply) (bool, error)
}

// NotifierConfig holds what the notifier renders with.
type NotifierConfig struct {
	Texts    *i18n.Catalog
	Citizens *citizen.Service
	Queue    Queue
	Lang     string // default language, "vi"
	Commune  string // the commune's name, said in notices
	// Office is the one-stop shop as a notice points to it: name, phone,
	// hours (the commune profile).
	Office string
	// OfficeName is its name alone ({office_name}); empty: Office.
	OfficeName string
	// MaxText is how many units one message holds on each channel; a
	// channel not in it gets SmallestText.
	MaxText map[chat.Channel]int
}

// SmallestText is the least a message holds on any channel xabot speaks
// (Zalo's 2,000 characters).
const SmallestText = 2000

// Notifier renders services' notices in each recipient's language and
// queues them; it implements notify.Sender.
type Notifier struct {
	cfg NotifierConfig
}

// NewNotifier returns a Notifier.
func NewNotifier(cfg NotifierConfig) *Notifier {
	if cfg.Lang == "" {
		cfg.Lang = "vi"
	}
	return &Notifier{cfg: cfg}
}

// Notify renders n and puts it in the outbox; false when its key was queued before.
// A bounded notice, or any notice to a citizen, takes at most two messages
// of the recipient's app (see bounded).
func (n *Notifier) Notify(ctx context.Context, no domain.Notice) (bool, error) {
	c, err := n.cfg.Citizens.Get(ctx, no.To)
	if err != nil {
		return false, fmt.Errorf("bot: notify %s: %w", no.Key, err)
	}
	lang := c.Lang
	if lang == "" {
		lang = n.cfg.Lang
	}
	t := func(key string, args map[string]string) string {
		return n.cfg.Texts.T(lang, key, withGlobals(args, n.cfg.Commune, n.cfg.Office, n.cfg.OfficeName))
	}
	render := func(l domain.Line) string { return t(l.Key, l.Args) }
	var text string
	if no.Bounded || c.Role == domain.RoleCitizen {
		text = bounded(no.Lines, domain.NoticeBudget(n.maxText(no.To)), render)
	} else {
		lines := make([]string, 0, len(no.Lines))
		for _, l := range no.Lines {
			lines = append(lines, render(l))
		}
		text = strings.Join(lines, "\n")
	}
	r := chat.Reply{Text: text}
	for _, b := range no.Buttons {
		data, err := intentData(b.Intent)
		if err != nil {
			return false, fmt.Errorf("bot: notify %s: %w", no.Key, err)
		}
		r.Buttons = append(r.Buttons, []chat.Button{{Label: t(b.Key, b.Args), Data: data}})
	}
	fresh, err := n.cfg.Queue.Put(ctx, no.Key, no.To, no.Priority, r)
	if err != nil || !fresh {
		return fresh, err
	}
	for i, id := range no.Photos {
		img := chat.Reply{Image: &chat.Image{FileID: id}}
		if _, err := n.cfg.Queue.Put(ctx, fmt.Sprintf("%s|photo|%d", no.Key, i), no.To, no.Priority, img); err != nil {
			return true, fmt.Errorf("bot: notify %s photo %d: %w", no.Key, i, err)
		}
	}
	return true, nil
}

// maxText is what one message holds on the chat key's channel.
func (n *Notifier) maxText(to string) int {
	ch, _, _ := strings.Cut(to, ":")
	if m := n.cfg.MaxText[chat.Channel(ch)]; m > 0 {
		return m
	}
	return SmallestText
}

// bounded renders lines, joined by newlines, in at most budget units: long
// values are clipped and the pointer to the one-stop shop added
// (domain.Fit); should the text still be longer, the hard cap cuts it and
// the pointer ends it all the same. Every bounded text is made here: the
// notices, the lookup card, a ticket's status.
func bounded(lines []domain.Line, budget int, render func(domain.Line) string) string {
	lines, _ = domain.Fit(lines, budget, render)
	parts := make([]string, len(lines))
	for i, l := range lines {
		parts[i] = render(l)
	}
	text := strings.Join(parts, "\n")
	if domain.Units(text) <= budget {
		return text
	}
	pointer := render(domain.Line{Key: domain.ClippedKey})
	text = strings.TrimSuffix(text, "\n"+pointer)
	text, _ = domain.Clip(text, max(budget-domain.Units(pointer)-1, 0))
	return text + "\n" + pointer
}
