// Package session keeps what the bot remembers between two messages of one
// user (the dialog step and its answers), each update's turn while its
// replies go out, and which updates it has already handled. Two stores
// share one contract: Redis (go-redis v9) for production and an in-process
// map for the demo and single-process runs. Sessions are disposable:
// anything that must survive lives in SQLite.
package session

import (
	"context"
	"time"

	"xabot/internal/chat"
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

// Store persists sessions by user key (chat.UserKey.String()) and carries
// each update's turn from its computation to its last message (turn.go).
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
	// Begin loads the user's session and what is known of update (already
	// namespaced by channel, e.g. "tg:1234"): handled before (a redelivery
	// to skip), or staged by an attempt that did not finish (to resume).
	// An empty update is one without an id: nothing is known of it.
	Begin(ctx context.Context, update, user string) (Turn, error)
	// Stage stores the update's replies and the user's next session (nil:
	// delete it) in one atomic step, before anything is sent. It returns
	// false, storing nothing, when the update is handled or staged already
	// (another replica got there first). With an empty update it only
	// saves (or deletes) the session. A staged update lasts the store's
	// dedupe TTL.
	Stage(ctx context.Context, update, user string, replies []chat.Reply, next *Session) (bool, error)
	// Sent records that the staged replies before reply, and the first part
	// messages of reply, are out, so a resumed send starts after them.
	Sent(ctx context.Context, update string, reply, part int) error
	// Done marks update handled (for the store's dedupe TTL) and drops what
	// was staged for it.
	Done(ctx context.Context, update string) error
	// Offer remembers the data of the buttons of the latest message sent
	// to user, where the channel shows them as numbered lines; nil forgets
	// them. Begin returns them until Stage forgets them (presses.go).
	Offer(ctx context.Context, user string, data []string) error
	// Ping checks that the store answers (for /healthz).
	Ping(ctx context.Context) error
}
