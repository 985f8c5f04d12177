package domain

import "time"

// Inbound is one webhook delivery waiting in the inbox: the platform's body
// as received, to be handled after the platform got its answer.
type Inbound struct {
	ID       int64
	Channel  string
	Key      string // the platform's update id
	Group    string // the sender; one sender's updates are handled in order
	Body     []byte
	Attempts int
	Flooded  time.Duration // held back so far by the platform's flood waits (not attempts)
}

// Offer is what became of a delivery offered to the inbox.
type Offer int

const (
	Stored     Offer = iota // stored, to be handled
	Duplicate               // the same update waits already
	OverBudget              // its sender has too many updates waiting: refused
	Full                    // the channel's inbox is at capacity: refused
)

// Settled is what became of a delivery taken from the inbox, reported back
// with the next take.
type Settled struct {
	ID    int64
	Done  bool          // handled or given up: deleted
	Retry time.Time     // not done: due again then (zero = at once, untouched: given back)
	Flood time.Duration // a retry for the platform's flood wait, not a failed attempt
}

// InboxTake asks for the next deliveries of Channel: up to PerSender rows
// of each of up to Senders senders, leased until Now+Lease, after applying
// Settled.
type InboxTake struct {
	Channel   string
	Now       time.Time
	Lease     time.Duration
	Senders   int
	PerSender int
	Settled   []Settled
}
