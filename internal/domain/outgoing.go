package domain

import "time"

// Priorities of outgoing messages: answers to people go before bulk.
const (
	PriorityBulk   = 0 // digests, summaries
	PriorityAlert  = 5 // officials' alerts, citizens' status pushes
	PriorityAnswer = 9 // answers to a person waiting for them
)

// Outgoing states.
const (
	OutQueued  = "queued"
	OutSent    = "sent"
	OutFailed  = "failed"  // gave up after the retries
	OutStopped = "stopped" // the chat blocked the bot
)

// Outgoing is one message the bot sends on its own initiative, kept in the
// durable outbox until it is delivered.
type Outgoing struct {
	ID        int64
	Key       string // idempotency key: the same key is queued once
	To        string // recipient chat key, chat.UserKey.String() ("tg:123")
	Priority  int
	Payload   []byte // the rendered reply, JSON
	Status    string
	Attempts  int
	NextAt    time.Time // not before
	LastError string    // no personal data
	CreatedAt time.Time
	SentAt    time.Time
	// PartsSent is how many messages of the reply are out (a long one goes
	// as several): a retry sends only the rest.
	PartsSent int
}
