// Package webhook receives platform webhooks the same way for every channel:
// the secret header is checked in constant time, the body is size-limited,
// parsed for its update id and stored in the inbox before the platform gets
// its 200; a Drain loop then hands stored deliveries to the channel adapter,
// one sender's in order, different senders in parallel, retrying failures.
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
	"time"

	"xabot/internal/domain"
)

// DefaultMaxBody bounds a webhook body. Telegram's and Zalo's updates are a
// few kilobytes; a photo arrives as a file id or URL, never as bytes.
const DefaultMaxBody = 1 << 20

// Queue is the inbox; *store.DB satisfies it.
type Queue interface {
	PutInbound(ctx context.Context, in domain.Inbound, at time.Time) (bool, error)
	TakeInbound(ctx context.Context, channel string, now time.Time, lease time.Duration, limit int) ([]domain.Inbound, error)
	DoneInbound(ctx context.Context, id int64) error
	RetryInbound(ctx context.Context, id int64, at time.Time) error
	ReleaseInbound(ctx context.Context, id int64) error
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
}

// Handler answers the platform's POSTs for src. It calls wake after
// storing a delivery, so Drain picks it up at once.
func Handler(src Source, q Queue, wake func(), now func() time.Time, log *slog.Logger) http.Handler {
	want := sha256.Sum256([]byte(src.Secret))
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
		fresh, err := q.PutInbound(r.Context(), domain.Inbound{Channel: src.Channel, Key: key, Group: group, Body: body}, now())
		if err != nil {
			// Not stored: the platform must try again.
			log.Error("webhook not stored", "channel", src.Channel, "key", key, "err", err)
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		if !fresh {
			log.Debug("webhook duplicate skipped", "channel", src.Channel, "key", key)
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, "{}")
		if fresh && wake != nil {
			wake()
		}
	})
}
