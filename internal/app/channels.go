package app

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"xabot/internal/bot"
	"xabot/internal/channel/telegram"
	"xabot/internal/channel/zalo"
	"xabot/internal/chat"
	"xabot/internal/config"
	"xabot/internal/media"
)

// platform is what `xabot serve` needs of a chat platform's adapter:
// replies (bot.Channel), a poll loop, and the parts of a webhook.
type platform interface {
	bot.Channel
	Run(ctx context.Context, h chat.Handler) error
	SetWebhook(ctx context.Context, url, secret string) error
	DeleteWebhook(ctx context.Context) error
	WebhookKey(body []byte) (key, sender string, err error)
	Process(ctx context.Context, h chat.Handler, body []byte) error
}

// channelRow is one chat platform `xabot serve` can run.
type channelRow struct {
	name     chat.Channel  // in user keys, the inbox and session namespaces
	slug     string        // its webhook is /webhook/<slug>; its word in logs
	token    string        // the variable that turns it on, for the error when none is
	header   string        // the header that carries the webhook's secret
	features chat.Features // what it shows, for notices rendered before it runs
	on       func(config.Config) bool
	mode     func(config.Config) config.Mode
	// connect checks the token (getMe) and returns the adapter; pub, when
	// not nil, publishes images at a public URL.
	connect func(ctx context.Context, a *App, pub *media.Store) (platform, error)
}

// channelTable is every platform `xabot serve` can run, in start order.
// A new platform is its package (internal/channel/NAME), its settings in
// internal/config, and one row here.
var channelTable = []channelRow{
	{
		name: chat.Telegram, slug: "telegram", token: "XABOT_TELEGRAM_TOKEN",
		header: telegram.SecretHeader, features: telegram.Features(),
		on:   func(c config.Config) bool { return c.TelegramToken != "" },
		mode: func(c config.Config) config.Mode { return c.TelegramMode },
		connect: func(ctx context.Context, a *App, _ *media.Store) (platform, error) {
			return ok(telegram.New(ctx, telegram.Config{Token: a.cfg.TelegramToken, Endpoint: a.cfg.TelegramAPI,
				Log: a.log, SendRate: a.cfg.SendRate, Gate: a.gate, Kept: keptPhotos{a.db},
				// One client for the bot's calls, so they share its connections.
				HTTPClient: platformClient()}))
		},
	},
	{
		name: chat.Zalo, slug: "zalo", token: "XABOT_ZALO_TOKEN",
		header: zalo.SecretHeader, features: zalo.Features(),
		on:   func(c config.Config) bool { return c.ZaloToken != "" },
		mode: func(c config.Config) config.Mode { return c.ZaloMode },
		connect: func(ctx context.Context, a *App, pub *media.Store) (platform, error) {
			cfg := zalo.Config{Token: a.cfg.ZaloToken, BaseURL: a.cfg.ZaloAPI, Log: a.log,
				SendRate: a.cfg.SendRate, Gate: a.gate, Number: a.numbered, HTTPClient: platformClient()}
			if pub != nil {
				// Charts go out as photos only when they have a public URL.
				cfg.Publish = pub.Publish
				cfg.KeptURL = func(token string) string { return media.KeptURL(a.cfg.PublicURL, token) }
			}
			return ok(zalo.New(ctx, cfg))
		},
	},
}

// configured is the rows of the platforms cfg turns on; none is an error.
func configured(cfg config.Config) ([]channelRow, error) {
	var rows []channelRow
	var tokens []string
	for _, row := range channelTable {
		tokens = append(tokens, row.token)
		if row.on(cfg) {
			rows = append(rows, row)
		}
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("app: serve: none of %s is set, so there is no channel to serve", strings.Join(tokens, ", "))
	}
	return rows, nil
}

// ok returns an adapter as a platform, or nil (not a nil pointer in an
// interface) with its error.
func ok[P platform](p P, err error) (platform, error) {
	if err != nil {
		return nil, err
	}
	return p, nil
}

// channelFeatures is what each platform shows and one message holds, for
// the notices rendered before any channel runs (an import queues pushes).
func channelFeatures() map[chat.Channel]chat.Features {
	m := make(map[chat.Channel]chat.Features, len(channelTable))
	for _, row := range channelTable {
		m[row.name] = row.features
	}
	return m
}

// numbered writes the nth choice as the bot does on a channel without
// buttons (the locale key input.numbered), for the adapters that number a
// notice's buttons themselves. In the default language: the notice does
// not say its own, and every language numbers alike.
func (a *App) numbered(n int, label string) string {
	return a.texts.T(a.cfg.Lang, "input.numbered", map[string]string{"n": strconv.Itoa(n), "label": label})
}
