package zalo

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"xabot/internal/channel/textsplit"
	"xabot/internal/chat"
)

const (
	// Zalo publishes no rate limits (research §6.1: an unverified gap), so
	// the adapter keeps Telegram's: one message a second to a chat, never a
	// burst, and the global Config.SendRate.
	chatRate  = 1
	chatBurst = 1

	sendFloodRetries = 5 // 429s waited out per message
	sendAttempts     = 3 // tries per message on 5xx / network errors
	sendBackoff      = time.Second
	floodMax         = 30 * time.Second
)

// The outbox resumes a reply that failed midway through SendParts.
var _ chat.PartSender = (*Bot)(nil)

// Send delivers a reply as plain text (Zalo has no markup, buttons or
// keyboards). The bot already renders choices as numbered text for channels
// without buttons; should r.Buttons still be set, they are appended as
// numbered lines. r.Keyboard is ignored. Text longer than 2,000 characters
// is split (see split); an empty text sends nothing.
//
// An image is sent with sendPhoto, which takes a URL: r.Image.FileID when it
// is an http(s) URL (a photo a citizen sent, passed on), else the URL that
// Config.Publish makes of r.Image.Data. Without one, or when Zalo refuses
// the photo, the text goes alone: the text is never lost for the picture.
//
// Errors: chat.ErrBlocked (wrapped) when Zalo answers 403 or says the user
// blocked the bot (assumed codes, see zalofake/README.md); otherwise the last
// Bot API or transport error after retries. A multi-part reply that fails
// midway has sent its earlier parts: SendParts resumes after them.
func (b *Bot) Send(ctx context.Context, r chat.Reply) error { return b.SendParts(ctx, r, 0, nil) }

// SendParts sends r as Send does, skipping its first skip messages and
// calling sent(n) once the nth is out (chat.PartSender). The messages of a
// reply are numbered the same on every call: the photo first, if any (sent,
// or given up for the text alone), then the parts of the text.
func (b *Bot) SendParts(ctx context.Context, r chat.Reply, skip int, sent func(n int)) error {
	id := r.ChatID
	if id == "" || strings.ContainsAny(id, " \t\r\n") {
		return fmt.Errorf("zalo: send: bad chat id %q", id)
	}
	text := sanitize(r.Text)
	b.presses.remember(id, r.Buttons)
	if choices := numbered(r.Buttons); choices != "" {
		if strings.TrimSpace(text) == "" {
			text = choices
		} else {
			text = strings.TrimRight(text, " \t\n") + "\n\n" + choices
		}
	}
	p := &chat.Parts{Skip: skip, Sent: sent}
	if r.Image != nil {
		return b.sendImage(ctx, id, r.Image, text, p)
	}
	return b.sendText(ctx, id, text, p)
}

// numbered renders inline buttons as "1. Label" lines, numbered across rows
// in reading order, the way the bot numbers choices for text channels.
func numbered(rows [][]chat.Button) string {
	var lines []string
	for _, row := range rows {
		for _, bt := range row {
			if label := strings.TrimSpace(sanitize(bt.Label)); label != "" {
				lines = append(lines, strconv.Itoa(len(lines)+1)+". "+label)
			}
		}
	}
	return strings.Join(lines, "\n")
}

func (b *Bot) sendText(ctx context.Context, id, text string, p *chat.Parts) error {
	var split []string
	for _, part := range textsplit.Split(text, MaxText) {
		if strings.TrimSpace(part) != "" { // Zalo wants 1–2000 characters
			split = append(split, part)
		}
	}
	for i, part := range split {
		if !p.Next() {
			continue
		}
		if err := b.send(ctx, id, "sendMessage", map[string]string{"chat_id": id, "text": part}); err != nil {
			if len(split) > 1 {
				return fmt.Errorf("zalo: send to chat %s (part %d of %d): %w", id, i+1, len(split), err)
			}
			return fmt.Errorf("zalo: send to chat %s: %w", id, err)
		}
		p.Out()
	}
	return nil
}

// sendImage sends the photo with the text as caption when it fits, else the
// bare photo followed by the text. A photo Zalo cannot have still counts as
// the reply's first message, given up: the text follows alone.
func (b *Bot) sendImage(ctx context.Context, id string, img *chat.Image, text string, p *chat.Parts) error {
	fits := textsplit.Units(text) <= MaxText
	if !p.Next() {
		return b.sendText(ctx, id, text, p)
	}
	photo, ok := b.photoURL(ctx, img)
	if !ok {
		p.Out()
		return b.sendText(ctx, id, text, p)
	}
	params := map[string]string{"chat_id": id, "photo": photo}
	if fits && strings.TrimSpace(text) != "" {
		params["caption"] = text
	}
	err := b.send(ctx, id, "sendPhoto", params)
	switch {
	case err == nil && fits:
		p.Out()
		return nil
	case err == nil:
		p.Out()
		return b.sendText(ctx, id, text, p)
	case errors.Is(err, chat.ErrBlocked) || ctx.Err() != nil:
	default:
		// 4xx: Zalo would not take this photo (it could not fetch the URL, or
		// the format): the text still goes.
		if cls, _ := classify(err); cls == classPermanent {
			b.log.Warn("zalo photo refused, sending the text alone", "chat_id", id, "err", err)
			p.Out()
			return b.sendText(ctx, id, text, p)
		}
	}
	return fmt.Errorf("zalo: send photo to chat %s: %w", id, err)
}

// photoURL finds a URL Zalo can fetch for img; false means send text only.
func (b *Bot) photoURL(ctx context.Context, img *chat.Image) (string, bool) {
	if isHTTPURL(img.FileID) {
		return img.FileID, true
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

// send makes one send call within the rate limits, waiting out 429s and
// retrying transient failures. A retry after a network error may duplicate
// the message: Zalo has no idempotency key.
func (b *Bot) send(ctx context.Context, chatID, method string, params any) error {
	timeout := sendTimeout
	if method == "sendPhoto" {
		timeout = photoTimeout
	}
	floods, failures := 0, 0
	for {
		if err := b.chats.Get(chatID, b.now()).Wait(ctx); err != nil {
			return err
		}
		if err := b.global.Wait(ctx); err != nil {
			return err
		}
		rctx, cancel := context.WithTimeout(ctx, timeout)
		err := b.call(rctx, method, params, nil)
		cancel()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return err
		}
		cls, after := classify(err)
		var wait time.Duration
		switch cls {
		case classFlood:
			if floods++; floods > sendFloodRetries {
				return err
			}
			// No retry_after is documented: without one, 1s, 2s, 4s…
			wait = after
			if wait <= 0 {
				wait = min(time.Second<<(floods-1), floodMax)
			}
		case classTransient:
			if failures++; failures >= sendAttempts {
				return err
			}
			wait = sendBackoff << (failures - 1)
		case classForbidden:
			return fmt.Errorf("%w: %w", chat.ErrBlocked, err)
		default:
			// Assumed: a refusal that says "blocked" is the user's doing,
			// whatever its code (Zalo documents none for it).
			var ae *apiError
			if errors.As(err, &ae) && strings.Contains(strings.ToLower(ae.Description), "block") {
				return fmt.Errorf("%w: %w", chat.ErrBlocked, err)
			}
			return err
		}
		b.log.Warn("zalo send failed, retrying", "chat_id", chatID, "method", method, "retry_in", wait, "err", err)
		if err := b.sleep(ctx, wait); err != nil {
			return err
		}
	}
}
