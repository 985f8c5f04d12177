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

// Notifier renders services' notices in each recipient's language and
// queues them; it implements notify.Sender.
type Notifier struct {
	texts    *i18n.Catalog
	citizens *citizen.Service
	queue    Queue
	lang     string
	commune  string
}

// NewNotifier returns a Notifier; lang is the default language.
func NewNotifier(texts *i18n.Catalog, citizens *citizen.Service, queue Queue, lang, commune string) *Notifier {
	return &Notifier{texts: texts, citizens: citizens, queue: queue, lang: lang, commune: commune}
}

// Notify renders n and puts it in the outbox; false when its key was queued before.
func (n *Notifier) Notify(ctx context.Context, no domain.Notice) (bool, error) {
	c, err := n.citizens.Get(ctx, no.To)
	if err != nil {
		return false, fmt.Errorf("bot: notify %s: %w", no.Key, err)
	}
	lang := c.Lang
	if lang == "" {
		lang = n.lang
	}
	t := func(key string, args map[string]string) string {
		a := map[string]string{"commune": n.commune}
		for k, v := range args {
			a[k] = v
		}
		return n.texts.T(lang, key, a)
	}
	lines := make([]string, 0, len(no.Lines))
	for _, l := range no.Lines {
		lines = append(lines, t(l.Key, l.Args))
	}
	r := chat.Reply{Text: strings.Join(lines, "\n")}
	for _, b := range no.Buttons {
		r.Buttons = append(r.Buttons, []chat.Button{{Label: t(b.Key, b.Args), Data: b.Data}})
	}
	fresh, err := n.queue.Put(ctx, no.Key, no.To, no.Priority, r)
	if err != nil || !fresh {
		return fresh, err
	}
	for i, id := range no.Photos {
		img := chat.Reply{Image: &chat.Image{FileID: id}}
		if _, err := n.queue.Put(ctx, fmt.Sprintf("%s|photo|%d", no.Key, i), no.To, no.Priority, img); err != nil {
			return true, fmt.Errorf("bot: notify %s photo %d: %w", no.Key, i, err)
		}
	}
	return true, nil
}
