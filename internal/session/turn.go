package session

import (
	"encoding/json"

	"xabot/internal/chat"
)

// An update's turn, as the store keeps it. The router computes a turn once
// (what to say, and the session after it); Stage keeps both before anything
// is sent, Sent follows the messages out, Done marks the update handled.
// The platform delivers an update again until it is confirmed, so a process
// killed anywhere in between meets it again, and Begin says where it was:
// nothing (killed before Stage: the turn is computed again), staged
// (sending resumes after the messages recorded as out; the turn is not
// computed again, so its effects in the database happened once), or
// handled (skipped). The one message a kill can double is the one the
// platform accepted just before it, not yet recorded by Sent.

// Turn is what Begin found.
type Turn struct {
	Session Session
	// Handled: the update was handled to the end; a redelivery to skip.
	Handled bool
	// Staged is set when an earlier attempt stored the update's replies and
	// did not finish sending them.
	Staged *Staged
	// Presses are the buttons' data of the latest message the person was
	// sent as numbered lines (presses.go), in order; nil when none.
	Presses []string
}

// Staged is an update's replies as an earlier attempt stored them, and how
// far sending them got: the replies before Reply are out, and the first
// Part messages of Replies[Reply] (a long reply goes as several). Replies
// is nil when what was stored cannot be read (written by another version).
type Staged struct {
	Replies     []chat.Reply
	Reply, Part int
}

// stagedVersion changes whenever the stored replies' shape does; replies
// of another version are not read.
const stagedVersion = 1

type stagedJSON struct {
	V       int          `json:"v"`
	Replies []chat.Reply `json:"replies"`
	Reply   int          `json:"r,omitempty"`
	Part    int          `json:"p,omitempty"`
}

func encodeStaged(s Staged) ([]byte, error) {
	return json.Marshal(stagedJSON{V: stagedVersion, Replies: s.Replies, Reply: s.Reply, Part: s.Part})
}

// decodeStaged reads what encodeStaged wrote; anything else is a Staged
// without replies.
func decodeStaged(b []byte) Staged {
	var s stagedJSON
	if err := json.Unmarshal(b, &s); err != nil || s.V != stagedVersion || len(s.Replies) == 0 {
		return Staged{}
	}
	return Staged{Replies: s.Replies, Reply: s.Reply, Part: s.Part}
}

// encodeNext is the next session's JSON, or nil when it is to be deleted.
func encodeNext(next *Session) ([]byte, error) {
	if next == nil {
		return nil, nil
	}
	return json.Marshal(next)
}
