package telegram

import (
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"xabot/internal/chat"
)

// FuzzUpdate reads any webhook body as an update, as the webhook (its key
// and sender) and the handler (the whole conversion) do: the two agree; an
// update taken is from a private chat, carries its id, sender and chat, and
// a command is one lower-case word whose arguments end the text.
func FuzzUpdate(f *testing.F) {
	raw, err := os.ReadFile("testdata/getUpdates.json")
	if err != nil {
		f.Fatal(err)
	}
	var resp struct{ Result []json.RawMessage }
	if err := json.Unmarshal(raw, &resp); err != nil {
		f.Fatal(err)
	}
	for _, u := range resp.Result {
		f.Add([]byte(u))
	}
	for _, s := range []string{
		`{"update_id":7,"callback_query":{"id":"9","from":{"id":111,"language_code":"en"},"message":{"message_id":3,"chat":{"id":111,"type":"private"}},"data":"st:H55.20-250501-0001"}}`,
		`{"update_id":8,"message":{"message_id":4,"from":{"id":111},"chat":{"id":111,"type":"private"},"date":1700000004,"contact":{"phone_number":"+84905123456","user_id":111}}}`,
		`{"update_id":9,"message":{"message_id":5,"from":{"id":111},"chat":{"id":-100,"type":"group"},"text":"/start"}}`,
		`{"update_id":10,"message":{"message_id":6,"from":{"id":111},"chat":{"id":111,"type":"private"},"text":"/tra😀cuu x","entities":[{"offset":0,"length":7,"type":"bot_command"}]}}`,
		`{"update_id":11,"message":{"message_id":7,"from":{"id":111},"chat":{"id":111,"type":"private"},"photo":[{"file_id":"a","file_size":1},{"file_id":"b","file_size":2}],"caption":"giấy tờ"}}`,
		`{"update_id":12,"message":{"chat":{"id":5,"type":"private"},"text":"no sender"}}`,
		`{"update_id":1e3}`,
	} {
		f.Add([]byte(s))
	}
	now := time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body []byte) {
		key, group, keyErr := (*Bot)(nil).WebhookKey(body)
		var u tgbotapi.Update
		if json.Unmarshal(body, &u) != nil {
			return // Process drops it
		}
		if keyErr == nil && key != strconv.Itoa(u.UpdateID) {
			t.Errorf("webhook key %q, update id %d", key, u.UpdateID)
		}
		upd, ok := toUpdate(u, "xabot_bot", now)
		if !ok {
			return
		}
		from, chatID := int64(0), int64(0)
		if m := u.Message; m != nil {
			if m.Chat.Type != "private" {
				t.Errorf("taken from a %q chat", m.Chat.Type)
			}
			from, chatID = m.From.ID, m.Chat.ID
		} else {
			from, chatID = u.CallbackQuery.From.ID, u.CallbackQuery.From.ID
			if m := u.CallbackQuery.Message; m != nil && m.Chat != nil {
				chatID = m.Chat.ID
			}
		}
		if upd.ID != strconv.Itoa(u.UpdateID) || upd.From != (chat.UserKey{Channel: chat.Telegram, ID: strconv.FormatInt(from, 10)}) ||
			upd.ChatID != strconv.FormatInt(chatID, 10) || upd.At.IsZero() {
			t.Errorf("update %+v from %s", upd, body)
		}
		if keyErr == nil && u.Message != nil && u.Message.From != nil && group != upd.From.ID {
			t.Errorf("webhook sender %q, update from %q", group, upd.From.ID)
		}
		for _, s := range []string{upd.Text, upd.Command, upd.Args, upd.Data} {
			if !utf8.ValidString(s) {
				t.Errorf("invalid UTF-8 %q", s)
			}
		}
		if upd.Kind == chat.Command {
			text := u.Message.Text
			if upd.Command == "" || upd.Command != strings.ToLower(upd.Command) || strings.ContainsAny(upd.Command, "@") ||
				!strings.HasPrefix(text, "/") || upd.Args != strings.TrimSpace(upd.Args) || !strings.HasSuffix(strings.TrimSpace(text), upd.Args) {
				t.Errorf("command %q args %q from %q", upd.Command, upd.Args, text)
			}
		}
	})
}
