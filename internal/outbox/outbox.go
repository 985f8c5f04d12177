// Package outbox delivers the messages the bot sends on its own initiative
// (alerts, status pushes, apology letters, digests, answers to feedback)
// through a durable queue in the store.
//
// Put writes a row under an idempotency key and returns; the worker (Run)
// sends due rows highest priority first, within two limits that hold
// however many jobs queue at once: a global rate (Config.Rate messages per
// second over all chats: a token bucket of burst 1 paces the sends, and a
// window of the last Rate send moments makes sure no second ever holds
// more) and a minimum gap between the end of one send to a chat and the
// start of the next (Config.PerChat). A chat still inside its gap is
// skipped and picked up later; other chats go on meanwhile. Up to
// Config.Workers sends are in flight at once, never two to one chat.
//
// Delivery is at least once. A row is sent until its outcome is stored; a
// crash between a successful send and that write sends the row again after
// the restart (Telegram has no idempotency key to prevent it). A row the
// channel sends as several messages (a long text, a photo and its text)
// through a chat.PartSender is resumed: each message out is recorded
// (MarkParts), and a retry after a failure midway sends only the rest. A shutdown
// through Run's context loses nothing and sends nothing twice: the sends
// in flight finish and are marked before Run returns. A mark that fails
// (disk full) is kept in memory and retried, and its row is not sent again
// meanwhile.
//
// Send errors:
//   - errors.Is(err, chat.ErrBlocked): the chat blocked the bot. The chat is
//     stopped (store's StopChat): this row and its other queued rows stop,
//     and nothing is queued to it until the person writes again.
//   - an error with a RetryAfter() time.Duration method (found with
//     errors.As; an adapter's flood error may implement it, see RetryAfter):
//     the row is due again after that wait and the chat gets nothing
//     before; when the error also has Global() bool returning true, every
//     chat waits. It counts as an attempt, but gives up only at
//     floodFactor × MaxAttempts attempts, since a flood wait says nothing
//     is wrong with the message.
//   - an unknown channel, a bad recipient or an unreadable payload: the row
//     fails at once.
//   - anything else: retried after Backoff(attempts) until MaxAttempts
//     attempts, then failed.
//
// Logs carry the row id, key, recipient chat key, attempt and error class,
// never the message text.
package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"xabot/internal/chat"
	"xabot/internal/domain"
)

// Repo is the storage the outbox needs; *store.DB implements it.
type Repo interface {
	// Enqueue queues m; false when its key is already queued or its
	// recipient is stopped.
	Enqueue(ctx context.Context, m domain.Outgoing) (bool, error)
	// DueOutgoing returns queued rows due at now, highest priority first,
	// at most one per recipient.
	DueOutgoing(ctx context.Context, now time.Time, limit int) ([]domain.Outgoing, error)
	MarkSent(ctx context.Context, id int64, at time.Time) error
	// MarkParts records that the first n messages of a row that goes as
	// several are out, for a retry to resume after them.
	MarkParts(ctx context.Context, id int64, n int) error
	MarkRetry(ctx context.Context, id int64, next time.Time, lastErr string) error
	MarkFailed(ctx context.Context, id int64, lastErr string) error
	// StopChat records a chat that blocked the bot and stops its queued rows.
	StopChat(ctx context.Context, recipient string, at time.Time) error
}

// RetryAfter is what an adapter's error may implement when the platform
// asked to wait (Telegram's 429 retry_after) and the adapter did not wait
// it out itself. An error that also has Global() bool returning true pauses
// every chat, not only the one it was sent to.
type RetryAfter interface {
	RetryAfter() time.Duration
}

type global interface {
	Global() bool
}

// Config tunes the outbox; zero fields take the defaults.
type Config struct {
	// Rate is messages per second over all chats (XABOT_SEND_RATE); 25.
	Rate int
	// PerChat is the least gap between two messages to one chat; 1s.
	PerChat time.Duration
	// Poll is how often to look for due rows when idle; 500ms.
	Poll time.Duration
	// MaxAttempts is how many failed attempts make a row fail; 8.
	MaxAttempts int
	// Backoff is the wait after a failed attempt, given the number of
	// attempts before it (0 after the first failure); DefaultBackoff.
	Backoff func(attempt int) time.Duration
	// Workers is how many sends may be in flight at once, so a slow
	// platform answer does not cap the rate; Rate, at most 64.
	Workers int
	// Now stamps rows and decides which are due; time.Now. The rate and
	// the per-chat gap always use the real clock.
	Now func() time.Time
	// Log receives the outbox's logs; nil discards them.
	Log *slog.Logger
}

// Defaults.
const (
	DefaultRate        = 25
	DefaultPerChat     = time.Second
	DefaultPoll        = 500 * time.Millisecond
	DefaultMaxAttempts = 8

	maxWorkers = 64
	batch      = 50 // rows fetched per round, besides those in flight

	// floodFactor × MaxAttempts is where rows answered only with flood
	// waits give up.
	floodFactor = 4

	sendTimeout   = 2 * time.Minute  // one Send, with the adapter's own waits
	markTimeout   = 10 * time.Second // one mark, also during shutdown
	shutdownGrace = 10 * time.Second // sends in flight at shutdown get this long
	maxLastError  = 300              // bytes of last_error kept
	chatSweepSize = 1024             // per-chat state swept once it holds this many chats
)

// DefaultBackoff waits 5s·2^attempt, at most an hour.
func DefaultBackoff(attempt int) time.Duration {
	if attempt < 0 {
		attempt = 0
	}
	if attempt >= 10 { // 5s·2^10 > 1h
		return time.Hour
	}
	return min(5*time.Second<<attempt, time.Hour)
}

// Outbox queues and sends messages. Put may be called from any goroutine;
// Run and Flush must not run at the same time.
type Outbox struct {
	repo    Repo
	senders map[chat.Channel]chat.Sender
	cfg     Config
	log     *slog.Logger
	limiter *rate.Limiter
	window  *window
	grace   time.Duration

	wake    chan struct{} // Put queued something
	done    chan struct{} // a send finished
	running atomic.Bool

	mu       sync.Mutex
	inflight map[string]bool                       // chat key → a send is in flight
	next     map[string]time.Time                  // chat key → earliest next send (real clock)
	pause    time.Time                             // no send before (global flood wait)
	pending  map[int64]func(context.Context) error // marks that failed, retried each round
	// ended holds the rows whose outcome was recorded, with the value of
	// seq then. A fetch sees every outcome recorded before it read seq;
	// rows that ended later may be stale in it and are skipped until the
	// next fetch. Without this a row sent while a fetch ran could go twice.
	ended map[int64]uint64
	seq   uint64
}

// New returns an outbox that stores rows in repo and sends them through
// the sender of each recipient's channel.
func New(repo Repo, senders map[chat.Channel]chat.Sender, cfg Config) *Outbox {
	if cfg.Rate <= 0 {
		cfg.Rate = DefaultRate
	}
	if cfg.PerChat <= 0 {
		cfg.PerChat = DefaultPerChat
	}
	if cfg.Poll <= 0 {
		cfg.Poll = DefaultPoll
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = DefaultMaxAttempts
	}
	if cfg.Backoff == nil {
		cfg.Backoff = DefaultBackoff
	}
	if cfg.Workers <= 0 {
		cfg.Workers = min(cfg.Rate, maxWorkers)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Outbox{
		repo:     repo,
		senders:  senders,
		cfg:      cfg,
		log:      log,
		limiter:  rate.NewLimiter(rate.Limit(cfg.Rate), 1),
		window:   &window{at: make([]time.Time, cfg.Rate)},
		grace:    shutdownGrace,
		wake:     make(chan struct{}, 1),
		done:     make(chan struct{}, 1),
		inflight: make(map[string]bool),
		next:     make(map[string]time.Time),
		pending:  make(map[int64]func(context.Context) error),
		ended:    make(map[int64]uint64),
	}
}

// Put queues r for the chat to ("tg:123") under key, at priority
// (domain.PriorityAnswer, PriorityAlert, PriorityBulk), and wakes the
// worker. It returns false, writing nothing, when key is already queued, so
// a job that runs again sends nothing twice, or when the chat blocked the
// bot and has not written since. r.ChatID may be empty; the chat id comes
// from to.
func (o *Outbox) Put(ctx context.Context, key, to string, priority int, r chat.Reply) (bool, error) {
	if key == "" {
		return false, errors.New("outbox: put: empty key")
	}
	_, id, ok := parseTo(to)
	if !ok {
		return false, fmt.Errorf("outbox: put %q: bad recipient %q", key, to)
	}
	if r.ChatID != "" && r.ChatID != id {
		return false, fmt.Errorf("outbox: put %q: reply chat id disagrees with recipient %q", key, to)
	}
	if strings.TrimSpace(r.Text) == "" && len(r.Buttons) == 0 && r.Keyboard == nil && r.Image == nil {
		return false, fmt.Errorf("outbox: put %q: empty message", key)
	}
	payload, err := encode(r)
	if err != nil {
		return false, fmt.Errorf("outbox: put %q: %w", key, err)
	}
	// Whole seconds: the store keeps seconds and rounds "not before" up.
	now := o.cfg.Now().Truncate(time.Second)
	queued, err := o.repo.Enqueue(ctx, domain.Outgoing{
		Key: key, To: to, Priority: priority, Payload: payload, NextAt: now, CreatedAt: now,
	})
	if err != nil {
		return false, fmt.Errorf("outbox: put %q: %w", key, err)
	}
	if queued {
		signal(o.wake)
	}
	return queued, nil
}
