// Package telegram is xabot's Telegram adapter. It owns everything that speaks
// the Telegram Bot API: the long-polling loop (offset confirmed only after the
// handler stored an update's effects), the translation of Telegram updates into
// chat.Update and of chat.Reply into sendMessage calls, message splitting and
// the send rate limits of replies. It does not retry a send: it reports the
// error's class (and a 429's retry_after) to the caller, the outbox or the
// router, which decides.
//
// It imports internal/chat and internal/channel (the plumbing every adapter
// shares: the handler loop, the error classes, pacing) with
// internal/channel/{pace,textsplit} of this module, go-telegram-bot-api v5.5.1 (used
// for its request and update types only, behind the narrow api interface),
// and the standard library. No Telegram type leaves it.
package telegram

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"xabot/internal/channel"
	"xabot/internal/channel/pace"
	"xabot/internal/chat"
)

// DefaultEndpoint is the Bot API URL pattern: token, then method.
const DefaultEndpoint = "https://api.telegram.org/bot%s/%s"

const (
	defaultSendRate    = 25
	defaultPollTimeout = 25 * time.Second
	// MaxText is the longest text one message carries: sendMessage text, UTF-16 units after entity parsing.
	MaxText = 4096

	getMeAttempts  = 4
	getMeFirstWait = 500 * time.Millisecond
	getMeTimeout   = 10 * time.Second
	sendTimeout    = 30 * time.Second
)

// Config configures a Bot. Only Token is required.
type Config struct {
	Token    string
	Endpoint string       // fmt pattern taking token then method; DefaultEndpoint when empty
	Log      *slog.Logger // nil discards
	SendRate int          // messages per second for the whole bot; default 25
	// Gate is the ceiling on calls that send, shared with the outbox so that
	// replies and notices together stay within it; nil: a window of SendRate.
	Gate        *pace.Window
	PollTimeout time.Duration // long-poll duration; default 25s, whole seconds on the wire
	HTTPClient  *http.Client  // nil uses a fresh client; its Timeout must exceed PollTimeout
	// Kept gives the bytes of the images the bot keeps (chat.Image.Kept);
	// nil: such an image is given up, the text still goes.
	Kept KeptImages
}

// api is the part of the library we use. Request is enough: it returns the
// raw result, which we decode ourselves so one odd update cannot fail a batch.
type api interface {
	Request(tgbotapi.Chattable) (*tgbotapi.APIResponse, error)
	// MakeRequest is the raw call, for parameters the library does not
	// know (setWebhook's secret_token).
	MakeRequest(endpoint string, params tgbotapi.Params) (*tgbotapi.APIResponse, error)
}

var _ api = (*tgbotapi.BotAPI)(nil)

// Bot is a Telegram channel: Run polls for updates, Send delivers replies.
// It is safe for concurrent use; Run must be called once at a time.
type Bot struct {
	channel.Replies // Send, SendParts, SendStep: deliver

	lib         *tgbotapi.BotAPI
	hc          *http.Client
	token       string
	log         *slog.Logger
	pollTimeout time.Duration
	start       time.Time // New was called; "ready_ms" is measured from here
	ready       sync.Once

	global *pace.Window
	chats  *pace.PerChat[int64]

	fileEndpoint string // fmt pattern of file downloads: token, file path

	kept    KeptImages
	keptMu  sync.Mutex        // held through a kept image's first upload
	keptIDs map[string]string // kept image token → Telegram's file id

	// Seams for tests: the library call bound to a context, and waiting.
	call  func(ctx context.Context) api
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
		return nil, errors.New("telegram: empty token")
	}
	if cfg.Endpoint == "" {
		cfg.Endpoint = DefaultEndpoint
	}
	if strings.Count(cfg.Endpoint, "%s") != 2 || strings.Count(cfg.Endpoint, "%") != 2 {
		return nil, errors.New("telegram: endpoint must contain exactly two %s (token, method)")
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
		hc:           cfg.HTTPClient,
		token:        cfg.Token,
		fileEndpoint: fileEndpoint(cfg.Endpoint),
		kept:         cfg.Kept,
		keptIDs:      map[string]string{},
		log:          cfg.Log,
		pollTimeout:  cfg.PollTimeout,
		start:        start,
		global:       cfg.Gate,
		chats:        pace.New[int64](chatGap),
		sleep:        sleep,
		now:          time.Now,
	}
	b.call = b.bind
	b.Deliver = b.deliver

	// The library's constructor calls getMe and keeps Debug off, so its
	// package logger stays silent; we never touch tgbotapi.SetLogger.
	err := channel.Retry{What: "telegram: getMe", Attempts: getMeAttempts, First: getMeFirstWait,
		Timeout: getMeTimeout, Log: b.log, Sleep: sleep}.Do(ctx, func(ctx context.Context) error {
		lib, err := tgbotapi.NewBotAPIWithClient(cfg.Token, cfg.Endpoint, httpDoer{ctx: ctx, hc: b.hc, token: b.token})
		if err != nil {
			return b.apiErr("getMe", err)
		}
		lib.Client = nil // every call goes through bind with its own context
		b.lib = lib
		return nil
	})
	if err != nil {
		return nil, err
	}
	b.log.Info("telegram bot ready", "bot_id", b.lib.Self.ID, "username", b.lib.Self.UserName)
	return b, nil
}

// bind returns the library bound to ctx. The library builds its requests
// without a context, so each call gets a shallow copy of the BotAPI whose
// HTTP client attaches ctx: cancelling it aborts even a long poll in flight.
func (b *Bot) bind(ctx context.Context) api {
	cp := *b.lib
	cp.Client = httpDoer{ctx: ctx, hc: b.hc, token: b.token}
	return &cp
}

// request makes one Bot API call bound to ctx; its error is a
// *channel.Error around an *apiError (an API answer) or the redacted
// transport error, never carrying the token.
func (b *Bot) request(ctx context.Context, method string, c tgbotapi.Chattable) (*tgbotapi.APIResponse, error) {
	resp, err := b.call(ctx).Request(c)
	if err != nil {
		return nil, b.apiErr(method, err)
	}
	return resp, nil
}

// Features reports what Telegram can show.
func (b *Bot) Features() chat.Features { return Features() }

// Features is what Telegram can show, known before a bot runs (notices are
// rendered for a channel from any process).
func Features() chat.Features {
	return chat.Features{Buttons: true, Keyboard: true, ShareContact: true, Location: true, MaxText: MaxText}
}

// Username is the bot's @username without the "@", as getMe reported it.
func (b *Bot) Username() string { return b.lib.Self.UserName }

// ID is the bot's numeric id as getMe reported it: the bot's identity, by
// which the session store tells two bots on one Redis apart.
func (b *Bot) ID() string { return strconv.FormatInt(b.lib.Self.ID, 10) }
