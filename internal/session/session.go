// Package session keeps what the bot remembers between two messages of one
// user (the dialog step and its answers) and which updates it has already
// handled. Two stores share one contract: Redis (go-redis v9) for production
// and an in-process map for the demo and single-process runs. Sessions are
// disposable: anything that must survive lives in SQLite.
package session

import (
	"context"
	"time"
)

// Version changes whenever Session's shape changes incompatibly; a stored
// session of another version is discarded, never half-decoded.
const Version = 1

// Session is one user's conversation state.
type Session struct {
	V    int    `json:"v"`
	Lang string `json:"lang,omitempty"` // cached from the citizen record
	Flow string `json:"flow,omitempty"` // "" when idle
	Step string `json:"step,omitempty"`
	// Slots are the answers the active flow collected. Keys are declared in
	// dialogs/*.yaml; actions parse the string values into typed requests.
	Slots map[string]string `json:"slots,omitempty"`
	// Then is a flow to enter once the current one ends, with its slots:
	// a code typed before consent is looked up right after "Đồng ý".
	Then      string            `json:"then,omitempty"`
	ThenSlots map[string]string `json:"then_slots,omitempty"`
	// KB is the reply keyboard the user was last sent ("main", "contact",
	// "" for none), so it is re-sent only when it must change.
	KB        string    `json:"kb,omitempty"`
	UpdatedAt time.Time `json:"at"`
}

// New returns an empty session of the current version.
func New() Session { return Session{V: Version} }

// Store persists sessions by user key (chat.UserKey.String()) and remembers
// handled updates.
type Store interface {
	// Load returns the user's session, or New() when there is none, it
	// expired, or it has another Version. Errors are the store's own
	// (Redis down), never "not found".
	Load(ctx context.Context, user string) (Session, error)
	// Save stores s (stamping UpdatedAt is the caller's job) with the
	// store's TTL.
	Save(ctx context.Context, user string, s Session) error
	// Delete forgets the user's session.
	Delete(ctx context.Context, user string) error
	// Claim marks update id (already namespaced by channel, e.g.
	// "tg:1234") as being handled. It returns false if it was claimed
	// before and not released: a duplicate delivery to skip. A claim lasts
	// the store's dedupe TTL.
	Claim(ctx context.Context, update string) (bool, error)
	// Release drops a claim whose handling failed, so a redelivery is
	// handled again.
	Release(ctx context.Context, update string) error
	// Ping checks that the store answers (for /healthz).
	Ping(ctx context.Context) error
}
