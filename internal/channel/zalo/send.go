package zalo

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"xabot/internal/channel"
	"xabot/internal/channel/textsplit"
	"xabot/internal/chat"
)

const (
	// Zalo publishes no rate limits (an unverified gap), so the adapter
	// keeps Telegram's: one message a second to a chat, never a burst, and
	// the global Config.SendRate.
	chatGap = time.Second
)

// The outbox resumes a reply that failed midway, one message at a time.
var (
	_ chat.PartSender = (*Bot)(nil)
	_ chat.StepSender = (*Bot)(nil)
)

// delivery is one reply on its way to a chat; paced: each call first waits
// for the bot's limits (a step of the outbox does not: the outbox did).
type delivery struct {
	b     *Bot
	id    string
	p     *chat.Parts
	paced bool
}

// deliver sends a reply's messages (channel.Replies makes the Bot's Send,
// SendParts and SendStep of it) as plain text: Zalo has no markup, buttons
// or keyboards. The bot already renders choices as numbered text for
// channels without buttons; should r.Buttons still be set (a pushed
// notice), they are appended as numbered lines (Config.Number), which the
// bot reads back when the person types a number (bot.RememberPresses).
// r.Keyboard is ignored. Text longer than 2,000 characters is split (see
// textsplit); an empty text sends nothing.
//
// An image is sent with sendPhoto, which takes a URL: r.Image.FileID when it
// is an http(s) URL (a photo a citizen sent, passed on), Config.KeptURL of
// r.Image.Kept (an announcement's photo the bot keeps), else the URL that
// Config.Publish makes of r.Image.Data. Without one, or when Zalo refuses
// the photo, the text goes alone: the text is never lost for the picture.
// The messages are numbered the same on every call: the photo first, if
// any (sent, or given up for the text alone), then the parts of the text.
//
// Each message waits for the bot's rate limits (Config.Gate, one a second
// to a chat) when paced, and is one call: nothing is retried here. Errors
// are *channel.Error: chat.ErrBlocked when Zalo answers 403 or says the
// user blocked the bot (assumed codes, see zalofake/README.md),
// chat.ErrRejected for another 4xx, a RetryAfter() for a 429 (the chat's
// next message also waits that long), otherwise transient. A reply that
// fails midway has sent its earlier parts: SendParts resumes after them.
func (b *Bot) deliver(ctx context.Context, r chat.Reply, p *chat.Parts, paced bool) error {
	id := r.ChatID
	if id == "" || strings.ContainsAny(id, " \t\r\n") {
		return fmt.Errorf("zalo: send: bad chat id %q", id)
	}
	text := sanitize(r.Text)
	if choices := b.numbered(r.Buttons); choices != "" {
		if strings.TrimSpace(text) == "" {
			text = choices
		} else {
			text = strings.TrimRight(text, " \t\n") + "\n\n" + choices
		}
	}
	d := &delivery{b: b, id: id, p: p, paced: paced}
	if r.Image != nil {
		return d.image(ctx, r.Image, text)
	}
	return d.text(ctx, text)
}

// numbered renders inline buttons as numbered lines (Config.Number),
// numbered across rows in reading order, the way the bot numbers choices
// for text channels.
func (b *Bot) numbered(rows [][]chat.Button) string {
	var lines []string
	for _, row := range rows {
		for _, bt := range row {
			if label := strings.TrimSpace(sanitize(bt.Label)); label != "" {
				lines = append(lines, b.number(len(lines)+1, label))
			}
		}
	}
	return strings.Join(lines, "\n")
}

func (d *delivery) text(ctx context.Context, text string) error {
	var split []string
	for _, part := range textsplit.Split(text, MaxText) {
		if strings.TrimSpace(part) != "" { // Zalo wants 1–2000 characters
			split = append(split, part)
		}
	}
	for i, part := range split {
		if !d.p.Next() {
			continue
		}
		if err := d.send(ctx, "sendMessage", map[string]string{"chat_id": d.id, "text": part}); err != nil {
			if len(split) > 1 {
				return fmt.Errorf("zalo: send to chat %s (part %d of %d): %w", d.id, i+1, len(split), err)
			}
			return fmt.Errorf("zalo: send to chat %s: %w", d.id, err)
		}
		d.p.Out()
	}
	return nil
}

// image sends the photo with the text as caption when it fits, else the
// bare photo followed by the text. A photo Zalo cannot have still counts as
// the reply's first message, given up: the text follows alone.
func (d *delivery) image(ctx context.Context, img *chat.Image, text string) error {
	fits := textsplit.Units(text) <= MaxText
	if !d.p.Next() {
		return d.text(ctx, text)
	}
	photo, ok := d.b.photoURL(ctx, img)
	if !ok {
		d.p.Out()
		return d.text(ctx, text)
	}
	params := map[string]string{"chat_id": d.id, "photo": photo}
	if fits && strings.TrimSpace(text) != "" {
		params["caption"] = text
	}
	err := d.send(ctx, "sendPhoto", params)
	switch {
	case err == nil && fits:
		d.p.Out()
		return nil
	case err == nil:
		d.p.Out()
		return d.text(ctx, text)
	case errors.Is(err, chat.ErrRejected):
		// Zalo would not take this photo (it could not fetch the URL, or the
		// format): the text still goes.
		d.b.log.Warn("zalo photo refused, sending the text alone", "chat_id", d.id, "err", err)
		d.p.Out()
		return d.text(ctx, text)
	}
	return fmt.Errorf("zalo: send photo to chat %s: %w", d.id, err)
}

// photoURL finds a URL Zalo can fetch for img; false means send text only.
func (b *Bot) photoURL(ctx context.Context, img *chat.Image) (string, bool) {
	if isHTTPURL(img.FileID) {
		return img.FileID, true
	}
	if img.Kept != "" {
		if b.keptURL == nil {
			b.log.Info("zalo kept image sent as text only: no public URL")
			return "", false
		}
		return b.keptURL(img.Kept), true
	}
	if len(img.Data) == 0 || b.publish == nil {
		b.log.Info("zalo image sent as text only: no URL for it", "has_data", len(img.Data) > 0, "has_file_id", img.FileID != "")
		return "", false
	}
	name := img.Name
	if name == "" {
		name = "image.png"
	}
	u, err := b.publish(ctx, img.Data, name)
	switch {
	case err != nil:
		b.log.Warn("zalo image not published, sending the text alone", "err", err)
		return "", false
	case !isHTTPURL(u):
		b.log.Warn("zalo image published to a URL Zalo cannot fetch, sending the text alone")
		return "", false
	}
	return u, true
}

func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// send makes one send call through the bot's gate. Its error is
// classified (see classify); a 429 also holds the chat's next paced
// message for its wait.
func (d *delivery) send(ctx context.Context, method string, params any) error {
	timeout := sendTimeout
	if method == "sendPhoto" {
		timeout = photoTimeout
	}
	return d.b.gate().Send(ctx, d.id, d.paced, func(ctx context.Context) error {
		rctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		return d.b.call(rctx, method, params, nil)
	})
}

// gate paces the bot's sends: a gap per chat, the shared ceiling.
func (b *Bot) gate() channel.Gate[string] {
	return channel.Gate[string]{Chats: b.chats, Global: b.global, Now: b.now}
}

// Fetch downloads a photo a user sent (its URL, as the webhook gave it), at
// most limit bytes, within channel.DownloadTimeout.
func (b *Bot) Fetch(ctx context.Context, photoURL string, limit int64) ([]byte, error) {
	if !isHTTPURL(photoURL) {
		return nil, errors.New("zalo: fetch: the photo is not an http(s) URL")
	}
	data, err := channel.Download(ctx, b.hc, photoURL, limit)
	if err != nil {
		return nil, fmt.Errorf("zalo: fetch: %w", err)
	}
	return data, nil
}
