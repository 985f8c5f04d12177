package telegram

import (
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"xabot/internal/channel/textsplit"
	"xabot/internal/chat"
)

// toUpdate translates one Telegram update. ok is false for updates the bot
// does not take: edited messages, channel posts, anything from a group,
// supergroup or channel, commands addressed to another bot, update types we
// did not ask for. Their ids are still confirmed by the caller.
// username is the bot's own @username (without "@"); now stamps callbacks,
// which carry no date of their own.
func toUpdate(u tgbotapi.Update, username string, now time.Time) (chat.Update, bool) {
	switch {
	case u.Message != nil:
		return fromMessage(u.UpdateID, u.Message, username, now)
	case u.CallbackQuery != nil:
		return fromCallback(u.UpdateID, u.CallbackQuery, now)
	}
	return chat.Update{}, false
}

func fromMessage(id int, m *tgbotapi.Message, username string, now time.Time) (chat.Update, bool) {
	if m.From == nil || m.Chat == nil || m.Chat.Type != "private" {
		return chat.Update{}, false
	}
	out := chat.Update{
		ID:     strconv.Itoa(id),
		From:   chat.UserKey{Channel: chat.Telegram, ID: strconv.FormatInt(m.From.ID, 10)},
		ChatID: strconv.FormatInt(m.Chat.ID, 10),
		Lang:   m.From.LanguageCode,
		At:     messageTime(m.Date, now),
	}
	if name, target, args, ok := command(m); ok {
		// In private chats Telegram clients still append "@bot" when the
		// user picks a command from a menu; only drop foreign targets.
		if target != "" && username != "" && !strings.EqualFold(target, username) {
			return chat.Update{}, false
		}
		out.Kind, out.Command, out.Args = chat.Command, name, args
		return out, true
	}
	switch {
	case m.Text != "":
		out.Kind, out.Text = chat.Text, m.Text
	case m.Contact != nil:
		out.Kind = chat.Contact
		out.Contact = &chat.SharedContact{Phone: m.Contact.PhoneNumber}
		if m.Contact.UserID != 0 {
			out.Contact.UserID = strconv.FormatInt(m.Contact.UserID, 10)
		}
	case len(m.Photo) > 0:
		big := m.Photo[len(m.Photo)-1] // sizes come smallest first
		out.Kind, out.Text = chat.Photo, m.Caption
		out.Photo = &chat.Media{FileID: big.FileID, Size: big.FileSize, MIME: "image/jpeg"}
	case m.Sticker != nil:
		out.Kind = chat.Sticker
	case m.Location != nil:
		out.Kind = chat.Location
		out.Place = &chat.Point{Lat: m.Location.Latitude, Lon: m.Location.Longitude}
	case m.Venue != nil:
		out.Kind = chat.Location
		out.Place = &chat.Point{Lat: m.Venue.Location.Latitude, Lon: m.Venue.Location.Longitude}
	case m.Document != nil:
		out.Kind, out.Text = chat.Other, m.Caption
		out.File = &chat.Media{FileID: m.Document.FileID, Size: m.Document.FileSize, MIME: m.Document.MimeType}
	default:
		// Documents, voice, video, audio, polls, dice, service messages and
		// whatever newer Bot API versions add: the bot says it cannot read it.
		out.Kind = chat.Other
	}
	return out, true
}

func fromCallback(id int, q *tgbotapi.CallbackQuery, now time.Time) (chat.Update, bool) {
	if q.From == nil {
		return chat.Update{}, false
	}
	// The button's message is absent for inline-mode messages and may be
	// "inaccessible" (older than 48 h) but then still names its chat.
	chatID := q.From.ID
	if q.Message != nil && q.Message.Chat != nil {
		if q.Message.Chat.Type != "private" {
			return chat.Update{}, false
		}
		chatID = q.Message.Chat.ID
	}
	return chat.Update{
		ID:     strconv.Itoa(id),
		From:   chat.UserKey{Channel: chat.Telegram, ID: strconv.FormatInt(q.From.ID, 10)},
		ChatID: strconv.FormatInt(chatID, 10),
		Kind:   chat.Callback,
		Data:   q.Data,
		Lang:   q.From.LanguageCode,
		At:     now,
	}, true
}

// command reads a bot_command entity at offset 0: "/TraCuu@xabot_bot  12 "
// gives ("tracuu", "xabot_bot", "12"). Entity offsets and lengths are UTF-16
// code units, not bytes, so a non-ASCII argument must not shift the cut.
func command(m *tgbotapi.Message) (name, target, args string, ok bool) {
	for _, e := range m.Entities {
		if e.Offset != 0 {
			break // entities come sorted by offset
		}
		if e.Type != "bot_command" {
			continue
		}
		// An entity shorter than the slash (length 0, never sent by
		// Telegram but possible in a forged body) is no command.
		end := utf16Index(m.Text, e.Length)
		if end < 1 || !strings.HasPrefix(m.Text, "/") {
			return "", "", "", false
		}
		name, target, _ = strings.Cut(m.Text[1:end], "@")
		if name == "" {
			return "", "", "", false
		}
		return strings.ToLower(name), target, strings.TrimSpace(m.Text[end:]), true
	}
	return "", "", "", false
}

// utf16Index is the byte index in s after n UTF-16 code units, or -1 when n
// falls inside a surrogate pair or beyond s.
func utf16Index(s string, n int) int {
	units := 0
	for i, r := range s {
		if units == n {
			return i
		}
		if units > n {
			return -1
		}
		units += textsplit.RuneUnits(r)
	}
	if units == n {
		return len(s)
	}
	return -1
}

// messageTime reads Message.date: Unix seconds from Telegram, but the e2e
// emulator stamps milliseconds; a value past year 5138 in seconds is ms.
func messageTime(date int, now time.Time) time.Time {
	switch d := int64(date); {
	case d <= 0:
		return now
	case d > 1e11:
		return time.UnixMilli(d)
	default:
		return time.Unix(d, 0)
	}
}
