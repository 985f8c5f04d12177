package session

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// Presses: a channel without buttons (Zalo) shows a pushed notice's buttons
// («Ngừng nhận thông báo», the rating levels) as numbered lines, and the
// person's next bare number presses one. What those numbers mean is kept
// here, beside the session, so that it survives a restart and is shared by
// the replicas of a bot: Offer stores the buttons' data once the notice is
// out, Begin hands them to the turn, and Stage forgets them (the turn's
// own reply is then the latest message, whose numbers are its own). A key
// of its own, not a field of Session: the outbox writes it while a turn of
// the same chat may be running, and neither must undo the other.
//
// In Redis, "<prefix><namespace>:press:<user>" is a JSON array of the
// buttons' callback data in numbered order, living as long as a session.

// maxPresses bounds what is kept: a notice has a handful of buttons.
const maxPresses = 16

// Offer stores data (nil: forgets) as the buttons of the latest message
// user was sent.
func (r *Redis) Offer(ctx context.Context, user string, data []string) error {
	if len(data) == 0 {
		if err := r.rdb.Del(ctx, r.pressKey(user)).Err(); err != nil {
			return fmt.Errorf("session: offer %s: %w", user, err)
		}
		return nil
	}
	b, err := encodePresses(data)
	if err != nil {
		return fmt.Errorf("session: offer %s: %w", user, err)
	}
	if err := r.rdb.Set(ctx, r.pressKey(user), b, ttlArg(r.ttl)).Err(); err != nil {
		return fmt.Errorf("session: offer %s: %w", user, err)
	}
	return nil
}

func (r *Redis) pressKey(user string) string { return r.key("press", user) }

// Offer keeps data (nil: forgets) as the buttons of the latest message
// user was sent.
func (m *Memory) Offer(ctx context.Context, user string, data []string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("session: offer %s: %w", user, err)
	}
	b, err := encodePresses(data)
	if err != nil {
		return fmt.Errorf("session: offer %s: %w", user, err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(data) == 0 {
		m.presses.del(user)
		return nil
	}
	m.presses.put(user, b, m.now())
	return nil
}

func encodePresses(data []string) ([]byte, error) {
	if len(data) > maxPresses {
		data = data[:maxPresses]
	}
	return json.Marshal(data)
}

// decodePresses reads what encodePresses wrote; anything else is none.
func decodePresses(b []byte) []string {
	var data []string
	if json.Unmarshal(b, &data) != nil {
		return nil
	}
	return data
}

// pressesOf reads a GET of the press key in a pipeline: none when absent.
func pressesOf(cmd *redis.StringCmd) []string {
	b, err := cmd.Bytes()
	if err != nil {
		return nil
	}
	return decodePresses(b)
}
