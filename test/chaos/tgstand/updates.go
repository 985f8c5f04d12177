package tgstand

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Text queues a message from user (a private chat of the same id). A text
// starting with "/" carries the bot_command entity, as Telegram's apps send.
func (s *Server) Text(token string, user int64, text string) int {
	return s.message(token, user, textMsg(text))
}

func textMsg(text string) map[string]any {
	msg := map[string]any{"text": text}
	if strings.HasPrefix(text, "/") {
		cmd, _, _ := strings.Cut(text, " ")
		msg["entities"] = []map[string]any{{"type": "bot_command", "offset": 0, "length": len([]rune(cmd))}}
	}
	return msg
}

// Contact queues a shared contact (user's own when ownID is user).
func (s *Server) Contact(token string, user int64, phone string, ownID int64) int {
	return s.message(token, user, map[string]any{"contact": map[string]any{
		"phone_number": phone, "first_name": "Dân", "user_id": ownID}})
}

// Press queues a press of an inline button with data under the bot's
// message msgID.
func (s *Server) Press(token string, user int64, msgID int, data string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.botOf(token)
	return b.queue(b.press(user, msgID, data))
}

// PressUpdate is the body of a press like Press's, with the bot's next
// update id, for a test that delivers it to a webhook itself.
func (s *Server) PressUpdate(token string, user int64, msgID int, data string) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.botOf(token)
	body := b.press(user, msgID, data)
	body["update_id"] = b.nextUpd
	b.nextUpd++
	raw, _ := json.Marshal(body)
	return raw
}

func (b *bot) press(user int64, msgID int, data string) map[string]any {
	b.nextCQ++
	var text string
	for _, m := range b.sent {
		if m.ID == msgID {
			text = m.Text
		}
	}
	return map[string]any{"callback_query": map[string]any{
		"id": fmt.Sprintf("%d-%d", b.id, b.nextCQ), "from": from(user), "chat_instance": strconv.FormatInt(user, 10),
		"data": data, "message": map[string]any{"message_id": msgID, "date": time.Now().Unix(), "text": text,
			"chat": chatOf(user), "from": map[string]any{"id": b.id, "is_bot": true, "first_name": "xabot"}}}}
}

// Raw queues any update body (its update_id is set here).
func (s *Server) Raw(token string, body map[string]any) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.botOf(token).queue(body)
}

func (s *Server) message(token string, user int64, msg map[string]any) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.botOf(token)
	return b.queue(map[string]any{"message": b.fill(user, msg)})
}

// fill makes msg a message from user (a private chat of the same id).
func (b *bot) fill(user int64, msg map[string]any) map[string]any {
	msg["message_id"] = 1_000_000 + b.nextUpd
	msg["from"] = from(user)
	msg["chat"] = chatOf(user)
	msg["date"] = time.Now().Unix()
	return msg
}

// TextUpdate is the body of an update carrying a message from user, with
// the bot's next update id, for a test that delivers it to a webhook
// itself (Telegram's part) instead of queueing it for getUpdates.
func (s *Server) TextUpdate(token string, user int64, text string) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.botOf(token)
	raw, _ := json.Marshal(map[string]any{"update_id": b.nextUpd, "message": b.fill(user, textMsg(text))})
	b.nextUpd++
	return raw
}

// queue gives body the next update id and wakes the poller.
func (b *bot) queue(body map[string]any) int {
	id := b.nextUpd
	b.nextUpd++
	body["update_id"] = id
	raw, _ := json.Marshal(body)
	b.ids = append(b.ids, id)
	b.pending = append(b.pending, raw)
	close(b.wake)
	b.wake = make(chan struct{})
	return id
}

func from(user int64) map[string]any {
	return map[string]any{"id": user, "is_bot": false, "first_name": "Dân", "language_code": "vi"}
}

func chatOf(user int64) map[string]any {
	return map[string]any{"id": user, "type": "private", "first_name": "Dân"}
}
