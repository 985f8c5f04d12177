// Package notifier renders the notices services make (domain.Notice) in
// each recipient's language and queues them in the outbox: what the bot
// says on its own. It implements the services' Sender (notify, feedback,
// rating) and imports chat, domain, i18n and service/citizen.
package notifier

import (
	"context"
	"fmt"
	"strings"

	"xabot/internal/chat"
	"xabot/internal/domain"
	"xabot/internal/i18n"
)

// Queue is the durable outbox as the notifier sees it.
type Queue interface {
	Put(ctx context.Context, key, to string, priority int, r chat.Reply) (bool, error)
}

// Citizens reads a recipient's language and role; *citizen.Service.
type Citizens interface {
	Get(ctx context.Context, key string) (domain.Citizen, error)
}

// Config holds what the notifier renders with.
type Config struct {
	Texts    *i18n.Catalog
	Citizens Citizens
	Queue    Queue
	Lang     string // default language, "vi"
	Commune  string // the commune's name, said in notices
	// Office is the one-stop shop as a notice points to it: name, phone,
	// hours (the commune profile).
	Office string
	// OfficeName is its name alone ({office_name}); empty: Office.
	OfficeName string
	// Features is what each channel shows: which variant of a text to say
	// (chat.Features.Variants) and how much one message holds. A channel
	// not in it gets the base texts and chat.SmallestText.
	Features map[chat.Channel]chat.Features
	// Data turns a notice button's intent into its callback data: the
	// router's table of which dialog step does what (bot.IntentData).
	Data func(domain.Intent) (string, error)
}

// Notifier renders services' notices in each recipient's language and
// queues them; it implements notify.Sender.
type Notifier struct {
	cfg Config
}

// New returns a Notifier.
func New(cfg Config) *Notifier {
	if cfg.Lang == "" {
		cfg.Lang = "vi"
	}
	return &Notifier{cfg: cfg}
}

// Notify renders n and puts it in the outbox; false when its key was queued before.
// A bounded notice, or any notice to a citizen, takes at most two messages
// of the recipient's app (domain.Bounded).
func (n *Notifier) Notify(ctx context.Context, no domain.Notice) (bool, error) {
	c, err := n.cfg.Citizens.Get(ctx, no.To)
	if err != nil {
		return false, fmt.Errorf("notifier: %s: %w", no.Key, err)
	}
	lang := c.Lang
	if lang == "" {
		lang = n.cfg.Lang
	}
	feat, known := n.features(no.To)
	t := func(key string, args map[string]string) string {
		if known {
			key = n.variant(feat, key)
		}
		return n.cfg.Texts.T(lang, key, i18n.Globals{Commune: n.cfg.Commune, Office: n.cfg.Office, OfficeName: n.cfg.OfficeName}.With(args))
	}
	render := func(l domain.Line) string { return t(l.Key, l.Args) }
	var text string
	if no.Bounded || c.Role == domain.RoleCitizen {
		text = domain.Bounded(no.Lines, domain.NoticeBudget(n.maxText(no.To)), render)
	} else {
		lines := make([]string, 0, len(no.Lines))
		for _, l := range no.Lines {
			lines = append(lines, render(l))
		}
		text = strings.Join(lines, "\n")
	}
	r := chat.Reply{Text: text}
	for _, b := range no.Buttons {
		if n.cfg.Data == nil {
			return false, fmt.Errorf("notifier: %s: buttons, but no Data to make them", no.Key)
		}
		data, err := n.cfg.Data(b.Intent)
		if err != nil {
			return false, fmt.Errorf("notifier: %s: %w", no.Key, err)
		}
		r.Buttons = append(r.Buttons, []chat.Button{{Label: t(b.Key, b.Args), Data: data}})
	}
	fresh, err := n.cfg.Queue.Put(ctx, no.Key, no.To, no.Priority, r)
	if err != nil || !fresh {
		return fresh, err
	}
	images := make([]chat.Image, 0, len(no.Photos)+1)
	for _, id := range no.Photos {
		images = append(images, chat.Image{FileID: id})
	}
	if no.Kept != "" {
		images = append(images, chat.Image{Kept: no.Kept})
	}
	for i, img := range images {
		r := chat.Reply{Image: &img}
		if _, err := n.cfg.Queue.Put(ctx, fmt.Sprintf("%s|photo|%d", no.Key, i), no.To, no.Priority, r); err != nil {
			return true, fmt.Errorf("notifier: %s photo %d: %w", no.Key, i, err)
		}
	}
	return true, nil
}

// features is what the chat key's channel shows; false when not known.
func (n *Notifier) features(to string) (chat.Features, bool) {
	ch, _, _ := strings.Cut(to, ":")
	f, ok := n.cfg.Features[chat.Channel(ch)]
	return f, ok
}

// variant is the text of key written for what f lacks, else key.
func (n *Notifier) variant(f chat.Features, key string) string {
	for _, c := range f.Variants(key) {
		if n.cfg.Texts.Has(c) {
			return c
		}
	}
	return key
}

// maxText is what one message holds on the chat key's channel.
func (n *Notifier) maxText(to string) int {
	if f, ok := n.features(to); ok && f.MaxText > 0 {
		return f.MaxText
	}
	return chat.SmallestText
}
