// Package zalo is xabot's adapter for the Zalo Bot Platform
// (bot-api.zaloplatforms.com), the Telegram-like bot API of Zalo's "Bot
// Creator" bots. It owns everything that speaks that API: the long-polling
// loop, the decoding of webhook bodies, the translation of Zalo updates into
// chat.Update and of chat.Reply into sendMessage / sendPhoto calls, message
// splitting at 2,000 characters and the send rate limits of replies. It does
// not retry a send: it reports the error's class (and a 429's wait) to the
// caller, the outbox or the router, which decides.
//
// The wire format follows the platform's documentation and openclaw's client
// (extensions/zalo/src/api.ts); zalofake/README.md lists what is documented
// and what is assumed (error codes above all). Zalo cannot be reached from the
// test environment: everything here is tested against zalofake only.
//
// It imports internal/chat and internal/channel (the plumbing every adapter
// shares: the handler loop, the error classes, pacing) with
// internal/channel/{pace,textsplit} of this module, and the standard
// library. No Zalo type leaves it.
package zalo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"xabot/internal/channel"
	"xabot/internal/channel/pace"
	"xabot/internal/chat"
)

// DefaultBaseURL is the Bot API host; calls go to {base}/bot{token}/{method}.
const DefaultBaseURL = "https://bot-api.zaloplatforms.com"

// SecretHeader carries the setWebhook secret_token on every webhook delivery.
const SecretHeader = "X-Bot-Api-Secret-Token"

const (
	defaultSendRate    = 25
	defaultPollTimeout = 30 * time.Second // the documented default of getUpdates
	// MaxText is the longest text one message carries: sendMessage text and sendPhoto caption, 1–2000 characters.
	MaxText = 2000

	getMeAttempts  = 4
	getMeFirstWait = 500 * time.Millisecond
	getMeTimeout   = 10 * time.Second
	sendTimeout    = 30 * time.Second
	// Zalo fetches the photo URL before it answers sendPhoto.
	photoTimeout = 60 * time.Second
)

// Config configures a Bot. Only Token is required.
type Config struct {
	Token    string
	BaseURL  string       // "" = DefaultBaseURL; no trailing slash
	Log      *slog.Logger // nil discards
	SendRate int          // messages per second for the whole bot; default 25
	// Gate is the ceiling on calls that send, shared with the outbox so that
	// replies and notices together stay within it; nil: a window of SendRate.
	Gate        *pace.Window
	PollTimeout time.Duration // long-poll duration; default 30s, whole seconds on the wire
	HTTPClient  *http.Client  // nil uses a fresh client; a Timeout must exceed PollTimeout
	// Publish turns image bytes (e.g. a chart PNG the bot drew) into a public
	// https URL Zalo can fetch: sendPhoto takes a URL, not an upload. nil or
	// an error: the caption/text is sent as text instead, with no image.
	Publish func(ctx context.Context, data []byte, name string) (string, error)
	// KeptURL is the public https URL of an image the bot keeps
	// (chat.Image.Kept, an announcement's photo); nil: such an image is
	// given up, the text still goes.
	KeptURL func(token string) string
	// Number writes the nth choice of a pushed notice's buttons as a line
	// ("1. Đồng ý"), as the bot numbers its own choices (the locale key
	// input.numbered): Zalo shows no buttons. Required.
	Number func(n int, label string) string
}

// Bot is a Zalo Bot Platform channel: Run polls for updates (or Process
// takes webhook bodies), Send delivers replies. It is safe for concurrent
// use; Run must be called once at a time.
type Bot struct {
	channel.Replies // Send, SendParts, SendStep: deliver

	hc          *http.Client
	base        string
	token       string
	log         *slog.Logger
	pollTimeout time.Duration
	publish     func(ctx context.Context, data []byte, name string) (string, error)
	keptURL     func(token string) string
	number      func(n int, label string) string
	id, name    string
	start       time.Time // New was called; "ready_ms" is measured from here
	ready       sync.Once

	global *pace.Window
	chats  *pace.PerChat[string]

	// Seams for tests.
	sleep func(ctx context.Context, d time.Duration) error
	now   func() time.Time
}

var _ chat.Sender = (*Bot)(nil)

// New checks the token with getMe (retried a few times with backoff, bounded
// by ctx) and returns a Bot ready to Run. Errors never contain the token.
func New(ctx context.Context, cfg Config) (*Bot, error) {
	return newBot(ctx, cfg, channel.Sleep)
}

func newBot(ctx context.Context, cfg Config, sleep func(context.Context, time.Duration) error) (*Bot, error) {
	start := time.Now()
	if cfg.Token == "" {
		return nil, errors.New("zalo: empty token")
	}
	// The token is a path segment: these would change the URL's meaning.
	if strings.ContainsAny(cfg.Token, "/?#% \t\r\n") {
		return nil, errors.New("zalo: token contains characters that cannot appear in a URL path")
	}
	base := strings.TrimRight(cfg.BaseURL, "/")
	if base == "" {
		base = DefaultBaseURL
	}
	if u, err := url.Parse(base); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("zalo: base URL %q: want http(s)://host[/path] without query", base)
	}
	if cfg.Number == nil {
		return nil, errors.New("zalo: no Config.Number to write a notice's buttons as numbered lines")
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.SendRate <= 0 {
		cfg.SendRate = defaultSendRate
	}
	if cfg.PollTimeout <= 0 {
		cfg.PollTimeout = defaultPollTimeout
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{}
	}
	if cfg.Gate == nil {
		cfg.Gate = pace.NewWindow(cfg.SendRate)
	}
	b := &Bot{
		hc:          cfg.HTTPClient,
		base:        base,
		token:       cfg.Token,
		log:         cfg.Log,
		pollTimeout: cfg.PollTimeout,
		publish:     cfg.Publish,
		keptURL:     cfg.KeptURL,
		number:      cfg.Number,
		start:       start,
		global:      cfg.Gate,
		chats:       pace.New[string](chatGap),
		sleep:       sleep,
		now:         time.Now,
	}
	b.Deliver = b.deliver

	var me struct {
		ID          flexString `json:"id"`
		AccountName string     `json:"account_name"`
	}
	err := channel.Retry{What: "zalo: getMe", Attempts: getMeAttempts, First: getMeFirstWait,
		Timeout: getMeTimeout, Log: b.log, Sleep: sleep}.Do(ctx, func(ctx context.Context) error {
		return tokenCall(b.call(ctx, "getMe", nil, &me))
	})
	if err != nil {
		return nil, err
	}
	b.id, b.name = string(me.ID), me.AccountName
	if b.id == "" {
		// The token is "<bot id>:<secret>": the id without the secret.
		b.id, _, _ = strings.Cut(cfg.Token, ":")
	}
	b.log.Info("zalo bot ready", "bot_id", b.id, "account_name", b.name)
	return b, nil
}

// Name is the bot's account_name as getMe reported it.
func (b *Bot) Name() string { return b.name }

// ID is the bot's id as getMe reported it (or, when getMe left it out, as
// the token names it): the bot's identity, by which the session store tells
// two bots on one Redis apart.
func (b *Bot) ID() string { return b.id }

// Features reports what Zalo can show.
func (b *Bot) Features() chat.Features { return Features() }

// Features is what Zalo can show, known before a bot runs: plain text
// only, so the bot numbers its choices and asks for phone numbers to be
// typed.
func Features() chat.Features {
	return chat.Features{Buttons: false, Keyboard: false, ShareContact: false, MaxText: MaxText}
}

// SetWebhook asks Zalo to POST updates to url with secret in SecretHeader.
// Zalo wants an https URL and a secret of 8 to 256 characters; both are
// checked here first so a bad configuration fails with a clear message.
// Polling does not work while a webhook is set. Errors never contain the
// secret.
func (b *Bot) SetWebhook(ctx context.Context, webhookURL, secret string) error {
	u, err := url.Parse(webhookURL)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return errors.New("zalo: setWebhook: the URL must be an absolute https URL")
	}
	if n := len(secret); n < 8 || n > 256 {
		return fmt.Errorf("zalo: setWebhook: the secret is %d characters, Zalo wants 8 to 256", n)
	}
	err = b.callRetry(ctx, "setWebhook", map[string]string{"url": webhookURL, "secret_token": secret})
	if err != nil {
		return errors.New(strings.ReplaceAll(err.Error(), secret, "<secret>"))
	}
	b.log.Info("zalo webhook set")
	return nil
}

// DeleteWebhook removes the webhook, so that getUpdates works again.
func (b *Bot) DeleteWebhook(ctx context.Context) error {
	if err := b.callRetry(ctx, "deleteWebhook", nil); err != nil {
		return err
	}
	b.log.Info("zalo webhook deleted")
	return nil
}

// callRetry makes a short administrative call, retrying transient failures
// a few times.
func (b *Bot) callRetry(ctx context.Context, method string, params any) error {
	return channel.Retry{What: "zalo: " + method, Attempts: getMeAttempts, First: getMeFirstWait,
		Timeout: sendTimeout, Sleep: b.sleep}.Do(ctx, func(ctx context.Context) error {
		return b.call(ctx, method, params, nil)
	})
}

// tokenCall re-classes the refusal of a call made to no chat (getMe,
// getUpdates): Zalo's 403 there refuses the token, not a person.
func tokenCall(err error) error {
	var ce *channel.Error
	if errors.As(err, &ce) && ce.Class == channel.ContactStopped {
		return channel.Fail(channel.TokenRejected, 0, ce.Err)
	}
	return err
}
