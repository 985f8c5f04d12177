package zalo

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"xabot/internal/chat"
)

// FuzzWebhookBody reads any webhook body, flat or wrapped, as the webhook
// (its key and sender) and the handler (the whole conversion) do: the two
// agree; an update taken is a person's, in a private chat, keyed
// event_name:message_id, its texts valid UTF-8, a command one lower-case
// word with its arguments trimmed.
func FuzzWebhookBody(f *testing.F) {
	raw, err := os.ReadFile("zalofake/testdata/getUpdates.json")
	if err != nil {
		f.Fatal(err)
	}
	var fixture struct {
		Sample   json.RawMessage            `json:"docs_getupdates_page_sample"`
		Response json.RawMessage            `json:"response"`
		Variants map[string]json.RawMessage `json:"variants"`
	}
	if err := json.Unmarshal(raw, &fixture); err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(fixture.Sample))
	f.Add([]byte(fixture.Response))
	for _, v := range fixture.Variants {
		f.Add([]byte(v))
	}
	for _, s := range []string{
		`{"event_name":"message.text.received","message":{"message_id":12,"from":{"id":42},"date":"1750316131602","text":"/TraCuu@bot.abc  H55.20-250501-0001 "}}`,
		`{"event_name":"message.text.received","message":{"message_id":"m","from":{"id":"u","is_bot":true},"text":"hi"}}`,
		`{"event_name":"message.image.received","message":{"message_id":"m","from":{"id":"u"},"chat":{"id":"g","chat_type":"GROUP"},"photo":"x"}}`,
		`{"ok":false,"result":null}`,
		`{"event_name":"message.text.received","message":{"message_id":"m","from":{"id":"u"},"text":"\ud800 /x"}}`,
	} {
		f.Add([]byte(s))
	}
	now := time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body []byte) {
		w, err := decodeBody(body)
		key, sender, keyErr := (*Bot)(nil).WebhookKey(body)
		if err != nil {
			if keyErr == nil {
				t.Errorf("webhook key %q of a body the handler refuses: %v", key, err)
			}
			return
		}
		if (keyErr == nil) != (w.key() != "") || keyErr == nil && key != w.key() {
			t.Errorf("webhook key %q (%v), update key %q", key, keyErr, w.key())
		}
		u, ok := toUpdate(w, now)
		if !ok {
			return
		}
		m := w.Message
		if m.From.IsBot || m.Chat != nil && m.Chat.ChatType != "" && !strings.EqualFold(m.Chat.ChatType, "PRIVATE") {
			t.Errorf("taken: %s", body)
		}
		if u.ID != w.key() || u.From != (chat.UserKey{Channel: chat.Zalo, ID: string(m.From.ID)}) || u.ChatID == "" || u.At.IsZero() {
			t.Errorf("update %+v from %s", u, body)
		}
		if keyErr == nil && sender != u.From.ID {
			t.Errorf("webhook sender %q, update from %q", sender, u.From.ID)
		}
		for _, s := range []string{u.Text, u.Command, u.Args} {
			if !utf8.ValidString(s) {
				t.Errorf("invalid UTF-8 %q", s)
			}
		}
		if u.Kind == chat.Command && (u.Command == "" || u.Command != strings.ToLower(u.Command) ||
			strings.ContainsFunc(u.Command, unicode.IsSpace) || strings.Contains(u.Command, "@") || u.Args != strings.TrimSpace(u.Args)) {
			t.Errorf("command %q args %q from %q", u.Command, u.Args, m.Text)
		}
		if u.Kind == chat.Photo && (u.Photo == nil || u.Photo.FileID == "" || !utf8.ValidString(u.Photo.FileID)) {
			t.Errorf("photo %+v", u.Photo)
		}
	})
}
