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
	// Lease is the token of the claim that holds the row (a sender's, until
	// its outcome is recorded); "" when none does.
	Lease string
}

// Claim asks for the outbox rows a sender may send now: of each chat with
// rows queued only the first (by id), when it is due, not held by another
// claim, and the chat's gap since its last call has passed. Rows come
// highest priority first, then the chat served longest ago first.
type Claim struct {
	Owner string        // the sender (one per process); each claim's token starts with it
	Now   time.Time     // rows due at (next_at)
	Clock time.Time     // the real clock: leases and chats' gaps
	Lease time.Duration // the rows are held until Clock+Lease
	Limit int
	Only  []string // GLOB patterns of recipients to claim ("web:*"); none: every recipient
}

// Attempt is what one call sending (part of) a claimed outbox row came to,
// recorded under the claim's lease, which it gives back.
type Attempt struct {
	ID        int64
	Lease     string    // the claim's token: no other may record the outcome
	Status    string    // OutQueued (still to go), OutSent or OutFailed
	Counted   bool      // an attempt of the row (a message of several out is not)
	Parts     int       // messages of the row out so far
	NextAt    time.Time // still queued: due again at; zero keeps it
	LastError string    // "" keeps it
	At        time.Time // sent_at, when sent
	// ChatLast is when the call ended and ChatNext when the chat may get
	// its next message (real clock); zero ChatLast: no call was made.
	ChatLast, ChatNext time.Time
}
