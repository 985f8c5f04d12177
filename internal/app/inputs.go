package app

import (
	"context"
	"net/http"
	"time"

	"xabot/internal/bot"
	"xabot/internal/channel/telegram"
	"xabot/internal/channel/zalo"
	"xabot/internal/chat"
	"xabot/internal/media"
	"xabot/internal/webhook"
)

// telegramInput connects Telegram and says how its updates come in.
func (a *App) telegramInput(ctx context.Context, channels map[chat.Channel]bot.Channel) (input, error) {
	tg, err := telegram.New(ctx, telegram.Config{
		Token:    a.cfg.TelegramToken,
		Endpoint: a.cfg.TelegramAPI,
		Log:      a.log,
		SendRate: a.cfg.SendRate,
		Gate:     a.gate,
		// One client for the bot's calls, so they share its connections.
		HTTPClient: platformClient(),
	})
	if err != nil {
		return input{}, err
	}
	channels[chat.Telegram] = tg
	if polling(a.cfg.TelegramMode) {
		return input{
			// A webhook left from an earlier run would make every poll fail.
			start: func(ctx context.Context) error {
				if err := tg.DeleteWebhook(ctx); err != nil {
					a.log.Warn("telegram deleteWebhook before polling", "err", err)
				}
				return nil
			},
			run: tg.Run,
		}, nil
	}
	return a.hookInput(telegramHook, func(h chat.Handler) webhook.Source {
		return webhook.Source{
			Channel: string(chat.Telegram), Header: telegram.SecretHeader, Secret: a.cfg.WebhookSecret,
			Parse:   tg.WebhookKey,
			Process: func(ctx context.Context, body []byte) error { return tg.Process(ctx, h, body) },
		}
	}, func(ctx context.Context) error {
		return retryStart(ctx, "telegram setWebhook", func(ctx context.Context) error {
			return tg.SetWebhook(ctx, a.webhookURL(telegramHook), a.cfg.WebhookSecret)
		})
	}), nil
}

// zaloInput connects the Zalo Bot Platform and says how its updates come
// in. Charts go out as photos only when pub can give them a public URL.
func (a *App) zaloInput(ctx context.Context, channels map[chat.Channel]bot.Channel, pub *media.Store) (input, error) {
	cfg := zalo.Config{Token: a.cfg.ZaloToken, BaseURL: a.cfg.ZaloAPI, Log: a.log, SendRate: a.cfg.SendRate, Gate: a.gate,
		HTTPClient: platformClient()}
	if pub != nil {
		cfg.Publish = pub.Publish
	}
	zb, err := zalo.New(ctx, cfg)
	if err != nil {
		return input{}, err
	}
	channels[chat.Zalo] = zb
	if polling(a.cfg.ZaloMode) {
		return input{
			start: func(ctx context.Context) error {
				if err := zb.DeleteWebhook(ctx); err != nil {
					a.log.Warn("zalo deleteWebhook before polling", "err", err)
				}
				return nil
			},
			run: zb.Run,
		}, nil
	}
	return a.hookInput(zaloHook, func(h chat.Handler) webhook.Source {
		return webhook.Source{
			Channel: string(chat.Zalo), Header: zalo.SecretHeader, Secret: a.cfg.WebhookSecret,
			Parse:   zb.WebhookKey,
			Process: func(ctx context.Context, body []byte) error { return zb.Process(ctx, h, body) },
		}
	}, func(ctx context.Context) error {
		return retryStart(ctx, "zalo setWebhook", func(ctx context.Context) error {
			return zb.SetWebhook(ctx, a.webhookURL(zaloHook), a.cfg.WebhookSecret)
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
			return webhook.Handler(a.hookSource(source(h)), a.db, wake.Wake, time.Now, a.log, a.metrics)
		},
		start: start,
		run: func(ctx context.Context, h chat.Handler) error {
			return webhook.Drain(ctx, a.hookSource(source(h)), a.db, wake, time.Now, a.log, a.metrics)
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
