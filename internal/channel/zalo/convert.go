package zalo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"
	"unicode"

	"xabot/internal/channel"
	"xabot/internal/chat"
)

// Documented event names.
const (
	eventText        = "message.text.received"
	eventImage       = "message.image.received"
	eventSticker     = "message.sticker.received"
	eventUnsupported = "message.unsupported.received"
)

// wireUpdate is one update as getUpdates returns it and a webhook posts it.
// There is no update id: event_name + message_id identifies it.
type wireUpdate struct {
	EventName string       `json:"event_name"`
	Message   *wireMessage `json:"message"`
}

type wireMessage struct {
	MessageID flexString `json:"message_id"`
	From      *struct {
		ID          flexString `json:"id"`
		DisplayName string     `json:"display_name"` // personal data: never logged
		IsBot       bool       `json:"is_bot"`
	} `json:"from"`
	Chat *struct {
		ID       flexString `json:"id"`
		ChatType string     `json:"chat_type"` // "PRIVATE" or "GROUP"
	} `json:"chat"`
	Date     flexInt `json:"date"` // milliseconds since the epoch
	Text     string  `json:"text"`
	PhotoURL string  `json:"photo_url"`
	Photo    string  `json:"photo"` // older name of photo_url (openclaw's first client)
	Caption  string  `json:"caption"`
}

// key is the de-duplication id "event_name:message_id"; "" when either is
// missing.
func (w wireUpdate) key() string {
	if w.EventName == "" || w.Message == nil || w.Message.MessageID == "" {
		return ""
	}
	return w.EventName + ":" + string(w.Message.MessageID)
}

func (w wireUpdate) messageID() string {
	if w.Message == nil {
		return ""
	}
	return string(w.Message.MessageID)
}

// toUpdate translates one Zalo update. ok is false for updates the bot does
// not take: no sender, sent by a bot, or not in a private chat (marketplace
// bots are DMs only; group chats are beta and not for citizens' data).
func toUpdate(w wireUpdate, now time.Time) (chat.Update, bool) {
	m := w.Message
	if m == nil || m.From == nil || m.From.ID == "" || m.From.IsBot {
		return chat.Update{}, false
	}
	chatID := string(m.From.ID)
	if m.Chat != nil {
		if t := m.Chat.ChatType; t != "" && !strings.EqualFold(t, "PRIVATE") {
			return chat.Update{}, false
		}
		if m.Chat.ID != "" {
			chatID = string(m.Chat.ID)
		}
	}
	out := chat.Update{
		ID:     w.key(),
		From:   chat.UserKey{Channel: chat.Zalo, ID: string(m.From.ID)},
		ChatID: chatID,
		At:     messageTime(int64(m.Date), now),
	}
	switch w.EventName {
	case eventText:
		text := sanitize(m.Text)
		if name, args, ok := command(text); ok {
			out.Kind, out.Command, out.Args = chat.Command, name, args
		} else {
			out.Kind, out.Text = chat.Text, text
		}
	case eventImage:
		photo := m.PhotoURL
		if photo == "" {
			photo = m.Photo
		}
		out.Text = sanitize(m.Caption)
		if photo = sanitize(photo); photo == "" {
			out.Kind = chat.Other // nothing the bot could pass on
			break
		}
		out.Kind = chat.Photo
		out.Photo = &chat.Media{FileID: photo}
	case eventSticker:
		out.Kind = chat.Sticker
	default:
		// message.unsupported.received (voice, files, links…) and event names
		// newer than this adapter: the bot says it cannot read them.
		out.Kind = chat.Other
	}
	return out, true
}

// sanitize makes inbound text valid UTF-8. encoding/json already replaces
// invalid bytes and lone surrogates with U+FFFD; this is the belt to its
// braces, since everything downstream assumes valid strings.
func sanitize(s string) string { return strings.ToValidUTF8(s, "\uFFFD") }

// command reads "/TraCuu@bot.abc  HS-001 " as ("tracuu", "HS-001"). Zalo
// has no native commands, but people type them (and the bot's menus say
// "/start"); "@name" after a command is dropped as Telegram clients add it.
func command(text string) (name, args string, ok bool) {
	s := strings.TrimLeftFunc(text, unicode.IsSpace)
	if !strings.HasPrefix(s, "/") {
		return "", "", false
	}
	head, rest := s[1:], ""
	if i := strings.IndexFunc(head, unicode.IsSpace); i >= 0 {
		head, rest = head[:i], head[i:]
	}
	head, _, _ = strings.Cut(head, "@")
	if head == "" {
		return "", "", false
	}
	return strings.ToLower(head), strings.TrimSpace(rest), true
}

// messageTime reads message.date: milliseconds per the docs; a value that
// can only be seconds (before 1973 as ms) is read as seconds; none is now.
func messageTime(date int64, now time.Time) time.Time {
	switch {
	case date <= 0:
		return now
	case date < 1e11:
		return time.Unix(date, 0)
	default:
		return time.UnixMilli(date)
	}
}

// decodeBody reads one update from a webhook body, flat ({event_name,
// message}) or wrapped like a getUpdates answer ({ok, result}): the docs
// show the wrapped form, deliveries observed by others the flat one.
func decodeBody(body []byte) (wireUpdate, error) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return wireUpdate{}, errors.New("zalo: empty webhook body")
	}
	var head struct {
		Ok     *bool           `json:"ok"`
		Result json.RawMessage `json:"result"`
	}
	if err := json.Unmarshal(body, &head); err != nil {
		return wireUpdate{}, errors.New("zalo: webhook body is not a JSON object")
	}
	if head.Ok != nil {
		if !*head.Ok || len(head.Result) == 0 || string(head.Result) == "null" {
			return wireUpdate{}, errors.New("zalo: webhook body is an envelope without an update")
		}
		body = head.Result
	}
	var w wireUpdate
	if err := json.Unmarshal(body, &w); err != nil {
		return wireUpdate{}, errors.New("zalo: webhook update does not match the Zalo update shape")
	}
	if w.EventName == "" {
		return wireUpdate{}, errors.New("zalo: webhook update without event_name")
	}
	return w, nil
}

// WebhookKey returns a webhook body's (flat or wrapped) de-duplication key
// "event_name:message_id" and its sender's Zalo id ("" when absent; one
// sender's updates are handled in order). A body that is not an update, or
// has no message_id, is an error.
func (b *Bot) WebhookKey(body []byte) (key, sender string, err error) {
	w, err := decodeBody(body)
	if err != nil {
		return "", "", err
	}
	key = w.key()
	if key == "" {
		return "", "", errors.New("zalo: webhook update without message_id")
	}
	if w.Message.From != nil {
		sender = string(w.Message.From.ID)
	}
	return key, sender, nil
}

// Process decodes one webhook body (flat or wrapped) and hands it to h,
// converted exactly as polling converts it. Updates the bot does not take
// (from bots, from groups) return nil. A handler panic becomes an error.
// The caller checks SecretHeader before; h's error is returned as is, so
// the webhook can answer non-2xx and let Zalo deliver again.
func (b *Bot) Process(ctx context.Context, h chat.Handler, body []byte) error {
	w, err := decodeBody(body)
	if err != nil {
		return err
	}
	u, ok := toUpdate(w, b.now())
	if !ok {
		b.log.Debug("zalo update ignored", "event", w.EventName, "message_id", w.messageID())
		return nil
	}
	b.log.Debug("zalo update", "event", w.EventName, "message_id", w.messageID(), "chat_id", u.ChatID, "kind", channel.KindName(u.Kind))
	return b.loop().Safe(ctx, h, u)
}
