package telegram

import (
	"context"
	"errors"
	"fmt"
	"html"
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"xabot/internal/channel"
	"xabot/internal/channel/textsplit"
	"xabot/internal/chat"
)

const (
	maxCallbackData = 64 // callback_data: 1–64 bytes

	// One message a second to a chat (Telegram FAQ), counted from the end
	// of the last call to it, never a burst; the bot merges a turn's texts
	// into one message, so a reply rarely needs two.
	chatGap = time.Second
)

// errEmptyWithMarkup: Telegram cannot show buttons or change the keyboard
// without a message text, and silently dropping them would leave a dialog
// step the user cannot answer.
var errEmptyWithMarkup = errors.New("telegram: send: empty text with buttons or keyboard")

// The outbox resumes a reply that failed midway, one message at a time.
var (
	_ chat.PartSender = (*Bot)(nil)
	_ chat.StepSender = (*Bot)(nil)
)

// delivery is one reply on its way to a chat; paced: each call first waits
// for the bot's limits (a step of the outbox does not: the outbox did).
type delivery struct {
	b     *Bot
	id    int64
	p     *chat.Parts
	paced bool
}

// deliver sends a reply's messages (channel.Replies makes the Bot's Send,
// SendParts and SendStep of it). Text is plain: it is HTML-escaped and
// sent with parse_mode HTML, so "<" or "&" in user data can never break
// formatting or make Telegram refuse the message. Text longer than 4096
// UTF-16 units is split (see textsplit); buttons or the keyboard ride on
// the last part. The messages are numbered the same on every call: the
// photo first, if any, then the parts of the text.
//
// An empty (or blank) text with no buttons and no keyboard sends nothing and
// returns nil; with them it returns an error. A reply cannot carry both inline
// buttons and a reply keyboard: Telegram has one reply_markup per message.
//
// Each message waits for the bot's rate limits (Config.Gate, one a second
// to a chat) when paced, and is one call: nothing is retried here. Errors
// are *channel.Error: chat.ErrBlocked when the user blocked the bot or the
// chat is gone, chat.ErrRejected when Telegram refused the message (400),
// a RetryAfter() for a 429 (the chat's next message also waits that long),
// otherwise transient. A reply that fails midway has sent its earlier
// parts: SendParts resumes after them.
func (b *Bot) deliver(ctx context.Context, r chat.Reply, p *chat.Parts, paced bool) error {
	id, err := strconv.ParseInt(r.ChatID, 10, 64)
	if err != nil || id == 0 {
		return fmt.Errorf("telegram: send: bad chat id %q", r.ChatID)
	}
	markup, err := replyMarkup(r)
	if err != nil {
		return err
	}
	// Telegram refuses invalid UTF-8 and trims the text, so a blank
	// message is an empty one.
	text := strings.ToValidUTF8(r.Text, "\uFFFD")
	d := &delivery{b: b, id: id, p: p, paced: paced}
	if r.Image != nil {
		return d.image(ctx, r.Image, text, markup)
	}
	if strings.TrimSpace(text) == "" {
		if markup != nil {
			return errEmptyWithMarkup
		}
		return nil
	}
	return d.text(ctx, text, markup)
}

// text sends text as one message or, over MaxText, several; the markup
// rides on the last.
func (d *delivery) text(ctx context.Context, text string, markup any) error {
	split := textsplit.Split(text, MaxText)
	last := len(split) - 1
	for last > 0 && strings.TrimSpace(split[last]) == "" {
		last--
	}
	for i, part := range split[:last+1] {
		if !d.p.Next() || strings.TrimSpace(part) == "" {
			continue
		}
		msg := tgbotapi.NewMessage(d.id, html.EscapeString(part))
		msg.ParseMode = tgbotapi.ModeHTML
		if i == last {
			msg.ReplyMarkup = markup
		}
		if err := d.send(ctx, msg); err != nil {
			if last > 0 {
				return fmt.Errorf("telegram: send to chat %d (part %d of %d): %w", d.id, i+1, last+1, err)
			}
			return fmt.Errorf("telegram: send to chat %d: %w", d.id, err)
		}
		d.p.Out()
	}
	return nil
}

// send makes one sendMessage or sendPhoto call through the bot's gate.
// Its error is classified (see classify): chat.ErrBlocked for a chat that
// blocked the bot or is gone, chat.ErrRejected for a refused message, a
// RetryAfter for a 429, which also holds the chat's next paced message.
func (d *delivery) send(ctx context.Context, c tgbotapi.Chattable) error {
	_, err := d.sendFor(ctx, c)
	return err
}

// sendFor is send returning Telegram's answer (a photo's file id).
func (d *delivery) sendFor(ctx context.Context, c tgbotapi.Chattable) (*tgbotapi.APIResponse, error) {
	method := "sendMessage"
	if _, ok := c.(tgbotapi.PhotoConfig); ok {
		method = "sendPhoto"
	}
	var resp *tgbotapi.APIResponse
	err := d.b.gate().Send(ctx, d.id, d.paced, func(ctx context.Context) error {
		rctx, cancel := context.WithTimeout(ctx, sendTimeout)
		defer cancel()
		var err error
		resp, err = d.b.request(rctx, method, c)
		return err
	})
	return resp, err
}

// gate paces the bot's sends: a gap per chat, the shared ceiling.
func (b *Bot) gate() channel.Gate[int64] {
	return channel.Gate[int64]{Chats: b.chats, Global: b.global, Now: b.now}
}

// replyMarkup builds the reply_markup of the last part: inline keyboard,
// reply keyboard or its removal; nil when the reply has none.
func replyMarkup(r chat.Reply) (any, error) {
	var inline [][]tgbotapi.InlineKeyboardButton
	for _, row := range r.Buttons {
		if len(row) == 0 {
			continue
		}
		out := make([]tgbotapi.InlineKeyboardButton, 0, len(row))
		for _, bt := range row {
			if n := len(bt.Data); n == 0 || n > maxCallbackData {
				return nil, fmt.Errorf("telegram: send: button callback data is %d bytes, Telegram allows 1 to %d", n, maxCallbackData)
			}
			out = append(out, tgbotapi.NewInlineKeyboardButtonData(bt.Label, bt.Data))
		}
		inline = append(inline, out)
	}
	k := r.Keyboard
	switch {
	case inline != nil && k != nil:
		return nil, errors.New("telegram: send: a message carries inline buttons or a reply keyboard, not both")
	case inline != nil:
		return tgbotapi.InlineKeyboardMarkup{InlineKeyboard: inline}, nil
	case k == nil:
		return nil, nil
	case k.Remove:
		return tgbotapi.ReplyKeyboardRemove{RemoveKeyboard: true}, nil
	}
	var rows [][]tgbotapi.KeyboardButton
	for _, row := range k.Rows {
		if len(row) == 0 {
			continue
		}
		out := make([]tgbotapi.KeyboardButton, 0, len(row))
		for _, key := range row {
			out = append(out, tgbotapi.KeyboardButton{Text: key.Label, RequestContact: key.RequestContact})
		}
		rows = append(rows, out)
	}
	if rows == nil {
		return nil, errors.New("telegram: send: reply keyboard without keys")
	}
	return tgbotapi.ReplyKeyboardMarkup{Keyboard: rows, ResizeKeyboard: true}, nil
}

// maxCaption is Telegram's limit on a photo's caption, in UTF-16 units.
const maxCaption = 1024

// image sends a photo by file id or as an upload, or a kept image (its
// file id once uploaded, see keptFile). A text that fits is its caption; a
// longer one follows as messages, which carry the markup. A kept image no
// longer kept still counts as the reply's first message, given up: the
// text follows alone.
func (d *delivery) image(ctx context.Context, img *chat.Image, text string, markup any) error {
	fits := len(textsplit.Split(text, maxCaption)) <= 1
	if d.p.Next() {
		file, done, ok, err := d.file(ctx, img)
		if err != nil {
			return fmt.Errorf("telegram: send photo to chat %d: %w", d.id, err)
		}
		if !ok {
			d.b.log.Warn("telegram: kept photo gone, sending the text alone", "chat_id", d.id)
			d.p.Out()
			return d.text(ctx, text, markup)
		}
		photo := tgbotapi.NewPhoto(d.id, file)
		if fits && strings.TrimSpace(text) != "" {
			photo.Caption, photo.ParseMode = html.EscapeString(text), tgbotapi.ModeHTML
		}
		if fits {
			photo.ReplyMarkup = markup
		}
		resp, err := d.sendFor(ctx, photo)
		done(resp)
		if err != nil {
			return fmt.Errorf("telegram: send photo to chat %d: %w", d.id, err)
		}
		d.p.Out()
	}
	if fits {
		return nil
	}
	return d.text(ctx, text, markup)
}

// file is what to send for img, and done to call with the send's answer
// (keptFile); ok is false for a kept image no longer kept.
func (d *delivery) file(ctx context.Context, img *chat.Image) (tgbotapi.RequestFileData, func(*tgbotapi.APIResponse), bool, error) {
	nop := func(*tgbotapi.APIResponse) {}
	switch {
	case img.Kept != "":
		return d.b.keptFile(ctx, img.Kept)
	case img.FileID != "":
		return tgbotapi.FileID(img.FileID), nop, true, nil
	case len(img.Data) > 0:
		name := img.Name
		if name == "" {
			name = "image.png"
		}
		return tgbotapi.FileBytes{Name: name, Bytes: img.Data}, nop, true, nil
	}
	return nil, nop, false, errors.New("telegram: send: an image without a file id or data")
}
