//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"
	"time"
)

// ---------------------------------------------------------------- the citizen

// Button is an inline keyboard button.
type Button struct {
	Text string
	Data string // callback_data
	URL  string
}

// Msg is a message the bot sent to (or edited in) a citizen's chat.
type Msg struct {
	ID             int
	Text           string // as the citizen reads it: the caption for media; HTML tags stripped and entities decoded
	RawText        string // as the bot sent it (with parse_mode markup)
	InlineButtons  [][]Button
	ReplyKeyboard  [][]string
	RemoveKeyboard bool
	Photo          bool
	Media          string // "photo", "document", ... ("" for text)
	Size           int    // uploaded bytes, for media
	ParseMode      string
	Edited         bool // an edit of an earlier message (same ID)
	Raw            json.RawMessage
}

// Data is the callback_data of the first inline button whose text contains label.
func (m Msg) Data(t testing.TB, label string) string {
	t.Helper()
	for _, row := range m.InlineButtons {
		for _, b := range row {
			if strings.Contains(b.Text, label) {
				return b.Data
			}
		}
	}
	t.Fatalf("message %d has no inline button %q: %s", m.ID, label, m)
	return ""
}

// HasButton reports whether an inline or reply keyboard button's text contains label.
func (m Msg) HasButton(label string) bool {
	for _, row := range m.InlineButtons {
		for _, b := range row {
			if strings.Contains(b.Text, label) {
				return true
			}
		}
	}
	for _, row := range m.ReplyKeyboard {
		for _, b := range row {
			if strings.Contains(b, label) {
				return true
			}
		}
	}
	return false
}

func (m Msg) String() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "#%d", m.ID)
	if m.Edited {
		sb.WriteString(" (edited)")
	}
	if m.Media != "" {
		fmt.Fprintf(&sb, " [%s %dB]", m.Media, m.Size)
	}
	fmt.Fprintf(&sb, " %q", m.Text)
	for _, row := range m.InlineButtons {
		sb.WriteString(" [")
		for i, b := range row {
			if i > 0 {
				sb.WriteString(" | ")
			}
			fmt.Fprintf(&sb, "%s=%s", b.Text, b.Data)
		}
		sb.WriteString("]")
	}
	if len(m.ReplyKeyboard) > 0 {
		fmt.Fprintf(&sb, " keyboard%q", m.ReplyKeyboard)
	}
	if m.RemoveKeyboard {
		sb.WriteString(" remove_keyboard")
	}
	return sb.String()
}

// Citizen is a Telegram user of the bot with token Token. By default the chat is
// the private chat (ChatID = ID).
type Citizen struct {
	ID           int64
	ChatID       int64
	FirstName    string
	LastName     string
	Username     string
	LanguageCode string // "vi" by default

	t     testing.TB
	peer  *Peer
	bot   *Bot
	token string
	queue []Msg
	seen  []Msg
}

func newCitizen(t testing.TB, peer *Peer, token string, userID int64, firstName string) *Citizen {
	return &Citizen{ID: userID, ChatID: userID, FirstName: firstName, LanguageCode: "vi", t: t, peer: peer, token: token}
}

// Citizen is a user of the bot with this token (for tests that drive the bot side themselves).
func (p *Peer) Citizen(t testing.TB, token string, userID int64, firstName string) *Citizen {
	return newCitizen(t, p, token, userID, firstName)
}

func (c *Citizen) from() map[string]any {
	u := map[string]any{"id": c.ID, "is_bot": false, "first_name": c.FirstName}
	if c.LastName != "" {
		u["last_name"] = c.LastName
	}
	if c.Username != "" {
		u["username"] = c.Username
	}
	if c.LanguageCode != "" {
		u["language_code"] = c.LanguageCode
	}
	return u
}

func (c *Citizen) chat() map[string]any {
	if c.ChatID != c.ID {
		return map[string]any{"id": c.ChatID, "type": "group", "title": "group"}
	}
	ch := map[string]any{"id": c.ChatID, "type": "private", "first_name": c.FirstName}
	if c.LastName != "" {
		ch["last_name"] = c.LastName
	}
	if c.Username != "" {
		ch["username"] = c.Username
	}
	return ch
}

func (c *Citizen) send(path string, body map[string]any) (messageID int, callbackID string) {
	c.t.Helper()
	body["botToken"] = c.token
	if _, ok := body["from"]; !ok {
		body["from"] = c.from()
	}
	if _, ok := body["chat"]; !ok && path != "/sendCallback" {
		body["chat"] = c.chat()
	}
	if _, ok := body["date"]; !ok && path != "/sendCallback" {
		body["date"] = time.Now().Unix()
	}
	var res struct {
		MessageID       int    `json:"message_id"`
		CallbackQueryID string `json:"callback_query_id"`
	}
	c.peer.mustPost(c.t, path, body, &res)
	return res.MessageID, res.CallbackQueryID
}

// Send types a text message; it returns the message's message_id.
func (c *Citizen) Send(text string) int {
	c.t.Helper()
	id, _ := c.send("/sendMessage", map[string]any{"text": text})
	return id
}

// Command sends "/cmd [args]" with its bot_command entity.
func (c *Citizen) Command(text string) int {
	c.t.Helper()
	if !strings.HasPrefix(text, "/") {
		c.t.Fatalf("Command(%q): a command starts with /", text)
	}
	cmd, _, _ := strings.Cut(text, " ")
	id, _ := c.send("/sendCommand", map[string]any{
		"text":     text,
		"entities": []map[string]any{{"offset": 0, "length": len(utf16(cmd)), "type": "bot_command"}},
	})
	return id
}

func utf16(s string) []uint16 {
	var out []uint16
	for _, r := range s {
		if r >= 0x10000 {
			r -= 0x10000
			out = append(out, uint16(0xd800+(r>>10)), uint16(0xdc00+(r&0x3ff)))
		} else {
			out = append(out, uint16(r))
		}
	}
	return out
}

// Press presses an inline button (callback_data data) of the bot's message
// messageID; it returns the callback query id the bot must answer.
func (c *Citizen) Press(messageID int, data string) string {
	c.t.Helper()
	_, id := c.send("/sendCallback", map[string]any{
		"message": map[string]any{"message_id": messageID, "chat": c.chat()},
		"data":    data,
	})
	if c.bot != nil && id != "" {
		c.bot.pressedMu.Lock()
		c.bot.pressed = append(c.bot.pressed, id)
		c.bot.pressedMu.Unlock()
	}
	return id
}

// PressButton presses the inline button of m whose text contains label.
func (c *Citizen) PressButton(t testing.TB, m Msg, label string) string {
	t.Helper()
	return c.Press(m.ID, m.Data(t, label))
}

// ShareContact sends a contact: the citizen's own when userID == c.ID (what the
// "share my phone number" keyboard button sends), someone else's otherwise,
// and a typed-in contact without user_id when userID == 0.
func (c *Citizen) ShareContact(phone string, userID int64) int {
	c.t.Helper()
	contact := map[string]any{"phone_number": phone, "first_name": c.FirstName}
	if userID != c.ID {
		contact["first_name"] = "Người khác"
	}
	if c.LastName != "" && userID == c.ID {
		contact["last_name"] = c.LastName
	}
	if userID != 0 {
		contact["user_id"] = userID
	}
	id, _ := c.send("/sendMessage", map[string]any{"contact": contact})
	return id
}

// Sticker sends a sticker message.
func (c *Citizen) Sticker() int {
	c.t.Helper()
	id, _ := c.send("/sendMessage", map[string]any{"sticker": map[string]any{
		"file_id": "CAACAgIAAxkBAAEStickerE2E", "file_unique_id": "AgADStickerE2E", "type": "regular",
		"width": 512, "height": 512, "is_animated": false, "is_video": false, "emoji": "👍",
	}})
	return id
}

// Photo sends a photo message with an optional caption.
func (c *Citizen) Photo(caption string) int {
	c.t.Helper()
	body := map[string]any{"photo": []map[string]any{
		{"file_id": "AgACAgIAAxkBAAEPhotoE2E-s", "file_unique_id": "AQADPhotoE2Es", "width": 90, "height": 67, "file_size": 1200},
		{"file_id": "AgACAgIAAxkBAAEPhotoE2E-m", "file_unique_id": "AQADPhotoE2Em", "width": 1280, "height": 960, "file_size": 98000},
	}}
	if caption != "" {
		body["caption"] = caption
	}
	id, _ := c.send("/sendMessage", body)
	return id
}

// Raw sends any message body (from, chat, date and botToken are filled in when absent).
func (c *Citizen) Raw(body map[string]any) int {
	c.t.Helper()
	b := make(map[string]any, len(body)+4)
	for k, v := range body {
		b[k] = v
	}
	id, _ := c.send("/sendMessage", b)
	return id
}

var htmlTag = regexp.MustCompile(`<[^>]*>`)

type clientUpdate struct {
	MessageID int             `json:"messageId"`
	Message   json.RawMessage `json:"message"`
}

type storedMsg struct {
	Text        string          `json:"text"`
	Caption     string          `json:"caption"`
	Media       string          `json:"media"`
	Size        int             `json:"size"`
	ParseMode   string          `json:"parse_mode"`
	Edited      bool            `json:"edited"`
	ReplyMarkup json.RawMessage `json:"reply_markup"`
}

func parseMsg(u clientUpdate) (Msg, error) {
	var s storedMsg
	if err := json.Unmarshal(u.Message, &s); err != nil {
		return Msg{}, err
	}
	m := Msg{ID: u.MessageID, RawText: s.Text, Media: s.Media, Photo: s.Media == "photo", Size: s.Size,
		ParseMode: s.ParseMode, Edited: s.Edited, Raw: u.Message}
	if m.Media != "" && m.RawText == "" {
		m.RawText = s.Caption
	}
	m.Text = m.RawText
	if strings.EqualFold(m.ParseMode, "HTML") {
		m.Text = html.UnescapeString(htmlTag.ReplaceAllString(m.RawText, ""))
	}
	if len(s.ReplyMarkup) > 0 && string(s.ReplyMarkup) != "null" {
		var mk struct {
			Inline [][]struct {
				Text string  `json:"text"`
				Data *string `json:"callback_data"`
				URL  *string `json:"url"`
			} `json:"inline_keyboard"`
			Keyboard       [][]json.RawMessage `json:"keyboard"`
			RemoveKeyboard bool                `json:"remove_keyboard"`
		}
		if err := json.Unmarshal(s.ReplyMarkup, &mk); err != nil {
			return Msg{}, fmt.Errorf("reply_markup %s: %w", s.ReplyMarkup, err)
		}
		for _, row := range mk.Inline {
			var r []Button
			for _, b := range row {
				btn := Button{Text: b.Text}
				if b.Data != nil {
					btn.Data = *b.Data
				}
				if b.URL != nil {
					btn.URL = *b.URL
				}
				r = append(r, btn)
			}
			m.InlineButtons = append(m.InlineButtons, r)
		}
		for _, row := range mk.Keyboard {
			var r []string
			for _, raw := range row {
				var text string
				if json.Unmarshal(raw, &text) != nil { // a KeyboardButton object
					var kb struct {
						Text string `json:"text"`
					}
					_ = json.Unmarshal(raw, &kb)
					text = kb.Text
				}
				r = append(r, text)
			}
			m.ReplyKeyboard = append(m.ReplyKeyboard, r)
		}
		m.RemoveKeyboard = mk.RemoveKeyboard
	}
	return m, nil
}

// fetch moves the bot's unread messages for this chat into the queue.
func (c *Citizen) fetch(t testing.TB) {
	t.Helper()
	var ups []clientUpdate
	c.peer.mustPost(t, "/getUpdates", map[string]any{"token": c.token, "chatId": c.ChatID}, &ups)
	for _, u := range ups {
		m, err := parseMsg(u)
		if err != nil {
			t.Fatalf("bad message from the peer: %v (%s)", err, u.Message)
		}
		c.queue = append(c.queue, m)
		c.seen = append(c.seen, m)
	}
}

func (c *Citizen) recent() string {
	from := max(0, len(c.seen)-8)
	var sb strings.Builder
	if len(c.seen) == 0 {
		sb.WriteString("\n  (the chat received nothing yet)")
	}
	for _, m := range c.seen[from:] {
		fmt.Fprintf(&sb, "\n  %s", m)
	}
	if c.bot != nil {
		if st := c.bot.ExitState(); st != "" {
			fmt.Fprintf(&sb, "\n  xabot is not running: %s", st)
		}
	}
	return sb.String()
}

// Next returns the next message the bot sent (or edited) in this chat, waiting up to timeout.
func (c *Citizen) Next(t testing.TB, timeout time.Duration) Msg {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		if len(c.queue) == 0 {
			c.fetch(t)
		}
		if len(c.queue) > 0 {
			m := c.queue[0]
			c.queue = c.queue[1:]
			return m
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s (%d): no message from the bot within %v; last received:%s", c.FirstName, c.ID, timeout, c.recent())
		}
		time.Sleep(pollEvery)
	}
}

// WaitFor skips messages until one whose text contains substr, waiting up to timeout in all.
func (c *Citizen) WaitFor(t testing.TB, substr string, timeout time.Duration) Msg {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		for len(c.queue) > 0 {
			m := c.queue[0]
			c.queue = c.queue[1:]
			if strings.Contains(m.Text, substr) {
				return m
			}
			t.Logf("%s (%d): skipped %s", c.FirstName, c.ID, m)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s (%d): no message containing %q within %v; last received:%s", c.FirstName, c.ID, substr, timeout, c.recent())
		}
		time.Sleep(pollEvery)
		c.fetch(t)
	}
}

// ExpectNone fails if the bot sends anything to this chat within d.
func (c *Citizen) ExpectNone(t testing.TB, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		c.fetch(t)
		if len(c.queue) > 0 {
			t.Fatalf("%s (%d): expected no message, got %s", c.FirstName, c.ID, c.queue[0])
		}
		if time.Now().After(deadline) {
			return
		}
		time.Sleep(pollEvery)
	}
}

// Drain discards (and returns) everything the bot sent to this chat so far.
func (c *Citizen) Drain() []Msg {
	c.t.Helper()
	c.fetch(c.t)
	out := c.queue
	c.queue = nil
	return out
}
