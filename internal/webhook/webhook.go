// Package webhook receives platform webhooks the same way for every channel:
// the secret header is checked in constant time, the body is size-limited,
// parsed for its update id and stored in the inbox before the platform gets
// its 200; a Drain loop then hands stored deliveries to the channel adapter,
// one sender's in order, different senders in parallel and in turn,
// retrying failures.
//
// A backlog never starves a citizen. A sender with Limits.PerSender updates
// waiting has the next refused — answered 200 and dropped, because a
// platform retries anything else and a flood retried lasts longer (a
// person never has that many waiting: each is a message they sent). Past
// Limits.Capacity updates waiting in the channel, when the store's write
// lock is held elsewhere, or when the store cannot take the row within
// Limits.StoreWait, the platform is answered 503 at once and delivers the
// update again later, instead of timing out. Once the store said the
// channel is full, the deliveries of the next Limits.FullFor are answered
// 503 without asking it again: under a load past what the bot handles,
// refusing must cost next to nothing, or the refusals take the CPU and the
// writer from the handling and what is handled falls.
// A platform that delivers the same update again — a retry, or another
// replica behind the same URL — finds it waiting (skipped here) or already
// handled (skipped by the bot's dedupe in Redis).
//
// It imports internal/domain for the inbox row, and nothing platform-specific.
package webhook

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"xabot/internal/domain"
)

// DefaultMaxBody bounds a webhook body. Telegram's and Zalo's updates are a
// few kilobytes; a photo arrives as a file id or URL, never as bytes.
const DefaultMaxBody = 1 << 20

// Defaults of Limits.
const (
	DefaultPerSender = 30
	// DefaultCapacity bounds the wait of an update arriving behind a
	// backlog to about DefaultCapacity ÷ the updates handled per second.
	DefaultCapacity = 2000
	// DefaultStoreWait: a row the store has not taken this soon is
	// answered 503, far from the platform's timeout. A store whose write
	// lock another process holds says so sooner (store.ErrBusy, after
	// 40 ms); this wait is for a process short of CPU, where a shorter one
	// turned ordinary load's short waits into 503s, each costing the person
	// a redelivery (a second or more) and the bot the work twice.
	DefaultStoreWait = 250 * time.Millisecond
	// DefaultFullFor: the drain frees at most this long's worth of rows
	// before deliveries are offered to the store again.
	DefaultFullFor = 100 * time.Millisecond
)

// Queue is the inbox; *store.DB satisfies it.
type Queue interface {
	OfferInbound(ctx context.Context, in domain.Inbound, at time.Time, perSender, capacity int) (domain.Offer, error)
	TakeInbound(ctx context.Context, t domain.InboxTake) ([]domain.Inbound, error)
	ExtendInbound(ctx context.Context, ids []int64, until time.Time) error
	InboundCount(ctx context.Context, channel string) (int, error)
}

// Counter is what the webhook counts; *metrics.Metrics satisfies it.
type Counter interface {
	// Update counts an update with outcome; the webhook's is "refused".
	Update(channel, outcome string)
	WebhookRefused(channel, reason string)
	InboxBacklog(channel string, n int)
}

// Reasons a delivery is refused, as counted.
const (
	ReasonBudget   = "budget"   // its sender has PerSender updates waiting (200, dropped)
	ReasonCapacity = "capacity" // the channel has Capacity updates waiting (503)
	ReasonStore    = "store"    // the store did not take it in time or failed (503)
)

// Limits bound what the inbox takes in; zero fields take the defaults.
type Limits struct {
	PerSender int           // a sender's updates waiting beyond which the next is refused
	Capacity  int           // the channel's updates waiting beyond which the platform gets 503
	StoreWait time.Duration // the longest wait for the store before 503
	FullFor   time.Duration // how long a channel the store found full is taken as full without asking
}

func (l Limits) orDefaults() Limits {
	if l.PerSender <= 0 {
		l.PerSender = DefaultPerSender
	}
	if l.Capacity <= 0 {
		l.Capacity = DefaultCapacity
	}
	if l.StoreWait <= 0 {
		l.StoreWait = DefaultStoreWait
	}
	if l.FullFor <= 0 {
		l.FullFor = DefaultFullFor
	}
	return l
}

// Source is one platform's webhook.
type Source struct {
	Channel string // inbox channel, e.g. "tg"
	Header  string // the header carrying the secret
	Secret  string // must be non-empty
	MaxBody int64  // 0 = DefaultMaxBody
	// Parse returns the update's id (the dedupe key) and its sender (the
	// order group, "" when unknown); an error means the body is not an
	// update and is refused with 400.
	Parse func(body []byte) (key, group string, err error)
	// Process handles one stored body; an error retries it later.
	Process func(ctx context.Context, body []byte) error
	// FloodWait says how long the platform asked to wait when Process
	// failed on a 429 (chat.FloodWait); such a retry uses up no attempt
	// until MaxFlood is spent. Nil: every failure is an attempt.
	FloodWait func(err error) (time.Duration, bool)
	MaxFlood  time.Duration
	Limits    Limits
}

// Handler answers the platform's POSTs for src. It calls wake after
// storing a delivery, so Drain picks it up at once. m may be nil.
func Handler(src Source, q Queue, wake func(), now func() time.Time, log *slog.Logger, m Counter) http.Handler {
	want := sha256.Sum256([]byte(src.Secret))
	lim := src.Limits.orDefaults()
	refused := newRefusals(src.Channel, m, log)
	var fullAt atomic.Int64 // unix ns the store last answered Full; 0 never
	full := func(w http.ResponseWriter) {
		refused.note(ReasonCapacity, nil)
		w.Header().Set("Retry-After", "1")
		http.Error(w, "try again", http.StatusServiceUnavailable)
	}
	limit := src.MaxBody
	if limit <= 0 {
		limit = DefaultMaxBody
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "POST only", http.StatusMethodNotAllowed)
			return
		}
		// Hashing both sides first makes the comparison take the same time
		// whatever the length of a guess; nothing is read before it passes.
		got := sha256.Sum256([]byte(r.Header.Get(src.Header)))
		if src.Secret == "" || subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
			log.Warn("webhook refused: wrong secret", "channel", src.Channel, "remote", r.RemoteAddr)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			log.Warn("webhook refused: body too large", "channel", src.Channel, "limit", limit)
			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
			return
		case err != nil:
			http.Error(w, "cannot read body", http.StatusBadRequest)
			return
		}
		key, group, err := src.Parse(body)
		if err != nil {
			log.Warn("webhook refused: not an update", "channel", src.Channel, "err", err)
			http.Error(w, "not an update", http.StatusBadRequest)
			return
		}
		at := now()
		if f := fullAt.Load(); f != 0 && at.Sub(time.Unix(0, f)) < lim.FullFor {
			full(w)
			return
		}
		in := domain.Inbound{Channel: src.Channel, Key: key, Group: group, Body: body}
		sctx, cancel := context.WithTimeout(r.Context(), lim.StoreWait)
		o, err := q.OfferInbound(sctx, in, at, lim.PerSender, lim.Capacity)
		cancel()
		switch {
		case err != nil:
			// Not stored (the store busy past StoreWait, or down): the
			// platform must try again.
			refused.note(ReasonStore, err)
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		case o == domain.Full:
			fullAt.Store(at.UnixNano())
			full(w)
			return
		case o == domain.OverBudget:
			refused.note(ReasonBudget, nil)
		case o == domain.Duplicate:
			log.Debug("webhook duplicate skipped", "channel", src.Channel, "key", key)
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, "{}")
		if o == domain.Stored && wake != nil {
			wake()
		}
	})
}
