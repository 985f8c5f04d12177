package domain

// Inbound is one webhook delivery waiting in the inbox: the platform's body
// as received, to be handled after the platform got its answer.
type Inbound struct {
	ID       int64
	Channel  string
	Key      string // the platform's update id
	Group    string // the sender; one sender's updates are handled in order
	Body     []byte
	Attempts int
}
