// Package outbox delivers the messages the bot sends on its own initiative
// (alerts, status pushes, apology letters, digests, answers to feedback)
// through a durable queue in the store, keeping its promises across
// processes: several replicas on one database, or a process killed and
// started again.
//
// Put writes a row under an idempotency key and returns; the worker (Run)
// claims rows and sends them:
//   - A row is claimed by one sender before it goes: a lease in the
//     database, with an expiry (Config.Lease, renewed while the call lasts),
//     and its outcome is recorded only by the claim that holds it
//     (store's ClaimOutgoing, SettleOutgoing). A sender that died leaves
//     its lease to run out; another takes the row then.
//   - A chat's rows go strictly in the order they were queued: only a
//     chat's first queued row may be claimed, so the next waits for it,
//     its retries included.
//   - Every call to the platform is claimed, paced and recorded on its own:
//     a reply the platform takes as several messages (a long text, a photo
//     and its text) goes one message per claim through a chat.StepSender,
//     each recorded (parts_sent), so a crash or a retry sends only the
//     rest. The window between the platform's OK for a message and its
//     record in the database is one message: a kill -9 there sends that one
//     message again after the restart (the platforms have no idempotency
//     key); nothing is lost.
//   - Config.Rate is a ceiling on calls over any second, retries included:
//     each call first takes a turn in Config.Gate, a window the adapters'
//     replies share, and counts there from when its request is written. The adapters retry nothing: every retry is a row claimed again.
//   - Each chat gets at most one message per Config.PerChat, counted from
//     the end of the last call to it, as recorded in the database: a
//     restart does not forget it. After a 429 the chat waits retry_after.
//   - Chats take turns: of the chats with a row that may go, the highest
//     priority goes first, then the chat served longest ago, so a chat with
//     a backlog cannot hold up a new one.
//
// A shutdown through Run's context loses nothing: the calls in flight
// finish (within a grace) and are recorded before Run returns. A record
// that fails (disk full) is kept in memory and retried while the row stays
// held.
//
// Send errors:
//   - errors.Is(err, chat.ErrBlocked): the chat blocked the bot. The chat is
//     stopped (store's StopChat): this row and its other queued rows stop,
//     and nothing is queued to it until the person writes again.
//   - an error with a RetryAfter() time.Duration method (found with
//     errors.As) returning more than 0: the platform asked to wait (a
//     429). The chat gets nothing before that wait; when the error also
//     has Global() bool returning true, every chat waits. It counts as an
//     attempt, but gives up only at floodFactor × MaxAttempts attempts,
//     since a flood wait says nothing is wrong with the message.
//   - chat.ErrRejected, an unknown channel, a bad recipient or an
//     unreadable payload: the row fails at once.
//   - anything else: retried after Backoff(attempts) until MaxAttempts
//     attempts, then failed.
//
// Logs carry the row id, key, recipient chat key, attempt and error class,
// never the message text.
package outbox

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"xabot/internal/channel/pace"
	"xabot/internal/chat"
	"xabot/internal/domain"
)

// Repo is the storage the outbox needs; *store.DB implements it.
type Repo interface {
	// Enqueue queues m; false when its key is already queued or its
	// recipient is stopped.
	Enqueue(ctx context.Context, m domain.Outgoing) (bool, error)
	// ClaimOutgoing leases the rows that may go now (domain.Claim); when
	// none, wait is when a due row's chat or lease lets it go (zero: none
	// waits for that).
	ClaimOutgoing(ctx context.Context, c domain.Claim) (rows []domain.Outgoing, wait time.Time, err error)
	// SettleOutgoing records an attempt under its claim's lease and gives
	// the lease back; domain.ErrConflict when the lease is another's,
	// domain.ErrNotFound when the row is gone.
	SettleOutgoing(ctx context.Context, a domain.Attempt) error
	// RecentCalls returns when the calls to chats that ended after since
	// ended (each chat's last, as SettleOutgoing recorded it).
	RecentCalls(ctx context.Context, since time.Time) ([]time.Time, error)
	// RenewLeases holds the rows of leases (id → token) until until.
	RenewLeases(ctx context.Context, leases map[int64]string, until time.Time) error
	// StopChat records a chat that blocked the bot and stops its queued rows.
	StopChat(ctx context.Context, recipient string, at time.Time) error
	// CountQueued is how many rows wait to be sent.
	CountQueued(ctx context.Context) (int, error)
}

// Metrics counts what the outbox does; *metrics.Metrics implements it.
type Metrics interface {
	// Outbox counts an event: "queued", "sent", "retried", "failed",
	// "stopped".
	Outbox(event string)
	// OutboxQueued sets how many rows wait.
	OutboxQueued(n int)
	// RateLimited counts a 429 from channel's platform.
	RateLimited(channel string)
}

// RetryAfter is what an adapter's error implements when the platform asked
// to wait (Telegram's 429 retry_after). An error that also has Global()
// bool returning true pauses every chat, not only the one it was sent to.
type RetryAfter interface {
	RetryAfter() time.Duration
}

type global interface {
	Global() bool
}

// Config tunes the outbox; zero fields take the defaults.
type Config struct {
	// Rate is calls per second over all chats (XABOT_SEND_RATE); 25. It
	// makes the Gate when none is given.
	Rate int
	// Gate is the window every call waits in first, shared with the
	// adapters' replies; nil: a window of Rate of the outbox's own.
	Gate *pace.Window
	// PerChat is the least gap between the end of one call to a chat and
	// the start of the next; 1s.
	PerChat time.Duration
	// Poll is how often to look for due rows when idle; 500ms.
	Poll time.Duration
	// MaxAttempts is how many failed attempts make a row fail; 8.
	MaxAttempts int
	// Backoff is the wait after a failed attempt, given the number of
	// attempts before it (0 after the first failure); DefaultBackoff.
	Backoff func(attempt int) time.Duration
	// Workers is how many calls may be in flight at once, so a slow
	// platform answer does not cap the rate; Rate, at most 64.
	Workers int
	// Lease is how long a claim holds a row before another sender may take
	// it, renewed every Lease/3 while this process holds it; 10s. After a
	// kill -9 the rows it held wait this long.
	Lease time.Duration
	// Only limits the rows this outbox claims to recipients matching one
	// of these GLOB patterns ("web:*"); none: every row.
	Only []string
	// Metrics counts queued, sent, retried, failed and stopped rows, the
	// queue's length and the 429s; nil counts nothing.
	Metrics Metrics
	// Now stamps rows and decides which are due; time.Now. Leases, the
	// per-chat gap and the rate always use the real clock.
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
	DefaultLease       = 10 * time.Second

	maxWorkers = 64

	// floodFactor × MaxAttempts is where rows answered only with flood
	// waits give up.
	floodFactor = 4

	sendTimeout   = 90 * time.Second // one call, a photo's upload included
	markTimeout   = 10 * time.Second // one record, also during shutdown
	shutdownGrace = 10 * time.Second // calls in flight at shutdown get this long
	maxLastError  = 300              // bytes of last_error kept
	countEvery    = 5 * time.Second  // the queue's length for the metrics
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
	metrics Metrics
	gate    *pace.Window
	// chats repeats, on this process's monotonic clock, the per-chat gap the
	// database keeps in wall-clock milliseconds: a wall clock stepped
	// forward (a VM's time sync) would otherwise let a chat's next call go
	// a few milliseconds early, and Telegram refuses it.
	chats *pace.PerChat[string]
	owner string // this outbox's name in the leases it takes
	grace time.Duration

	wake    chan struct{} // Put queued something
	done    chan struct{} // a call finished
	running atomic.Bool

	mu sync.Mutex
	// held are the rows this outbox holds (claimed, in flight, or with an
	// outcome not yet recorded): id → the claim's token, renewed.
	held    map[int64]string
	pending map[int64]func(context.Context) error // records that failed, retried each round
	pause   time.Time                             // no call before (a global flood wait)
}

// New returns an outbox that stores rows in repo and sends them through
// the sender of each recipient's channel.
func New(repo Repo, senders map[chat.Channel]chat.Sender, cfg Config) *Outbox {
	if cfg.Rate <= 0 {
		cfg.Rate = DefaultRate
	}
	if cfg.Gate == nil {
		cfg.Gate = pace.NewWindow(cfg.Rate)
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
	if cfg.Lease <= 0 {
		cfg.Lease = DefaultLease
	}
	if cfg.Metrics == nil {
		cfg.Metrics = noMetrics{}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Outbox{
		repo:    repo,
		senders: senders,
		cfg:     cfg,
		log:     log,
		metrics: cfg.Metrics,
		gate:    cfg.Gate,
		chats:   pace.New[string](cfg.PerChat),
		owner:   newOwner(),
		grace:   shutdownGrace,
		wake:    make(chan struct{}, 1),
		done:    make(chan struct{}, 1),
		held:    make(map[int64]string),
		pending: make(map[int64]func(context.Context) error),
	}
}

// newOwner names one outbox among the processes sharing the database.
func newOwner() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}

type noMetrics struct{}

func (noMetrics) Outbox(string)      {}
func (noMetrics) OutboxQueued(int)   {}
func (noMetrics) RateLimited(string) {}

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
		o.metrics.Outbox("queued")
		signal(o.wake)
	}
	return queued, nil
}
