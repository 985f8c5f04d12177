package app

import (
	"context"
	"net/http"

	"xabot/internal/chat"
	"xabot/internal/media"
	"xabot/internal/webhook"
)

// input connects row's platform and says how its updates come in: by
// polling (a webhook left from an earlier run would make every poll fail,
// so it is deleted first), or by webhook (set once the server listens).
func (a *App) input(ctx context.Context, row channelRow, pub *media.Store) (platform, input, error) {
	p, err := row.connect(ctx, a, pub)
	if err != nil {
		return nil, input{}, err
	}
	if polling(row.mode(a.cfg)) {
		return p, input{
			start: func(ctx context.Context) error {
				if err := p.DeleteWebhook(ctx); err != nil {
					a.log.Warn(row.slug+" deleteWebhook before polling", "err", err)
				}
				return nil
			},
			run: p.Run,
		}, nil
	}
	path := "/webhook/" + row.slug
	return p, a.hookInput(path, func(h chat.Handler) webhook.Source {
		return webhook.Source{
			Channel: string(row.name), Header: row.header, Secret: a.cfg.WebhookSecret,
			Parse:   p.WebhookKey,
			Process: func(ctx context.Context, body []byte) error { return p.Process(ctx, h, body) },
		}
	}, func(ctx context.Context) error {
		return retryStart(ctx, row.slug+" setWebhook", func(ctx context.Context) error {
			return p.SetWebhook(ctx, a.webhookURL(path), a.cfg.WebhookSecret)
		})
	}), nil
}

// platformIdle is how many idle connections to one platform a client keeps:
// as many as the webhook's senders in hand and the outbox send at once. Go's
// default keeps 2, so under load nearly every reply opened (and, on the
// real platform, TLS-handshook) a connection of its own, then closed it.
const platformIdle = 128

// platformClient is the HTTP client of a platform's API: no overall
// timeout (each call has its context; a long poll lasts its own time) and
// a pool that keeps the connections a busy minute needs.
func platformClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns, t.MaxIdleConnsPerHost = platformIdle, platformIdle
	return &http.Client{Transport: t}
}

// hookInput is a webhook input: the handler stores, the drain loop
// processes through the router.
func (a *App) hookInput(path string, source func(h chat.Handler) webhook.Source, start func(context.Context) error) input {
	wake := webhook.NewWaker()
	return input{
		path: path,
		hook: func(h chat.Handler) http.Handler {
			return webhook.Handler(a.hookSource(source(h)), a.db, wake.Wake, a.now, a.log, a.metrics)
		},
		start: start,
		run: func(ctx context.Context, h chat.Handler) error {
			return webhook.Drain(ctx, a.hookSource(source(h)), a.db, wake, a.now, a.log, a.metrics)
		},
	}
}

// hookSource adds what every channel's webhook shares: the inbox's limits,
// and a reply's 429 taken as a wait, not a failed attempt.
func (a *App) hookSource(src webhook.Source) webhook.Source {
	src.Limits = webhook.Limits{Capacity: a.cfg.InboxCapacity}
	src.FloodWait, src.MaxFlood = chat.FloodWait, chat.MaxFloodWait
	return src
}
