package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"xabot/internal/channel"
	"xabot/internal/chat"
)

// SecretHeader carries setWebhook's secret_token on every webhook call.
const SecretHeader = "X-Telegram-Bot-Api-Secret-Token"

// allowedUpdates is what the bot reads; Telegram remembers it per bot.
var allowedUpdates = []string{"message", "callback_query"}

// maxConnections is how many deliveries Telegram keeps in flight to the
// webhook at once: its highest (the default is 40). Each is answered once
// stored, in milliseconds, but the platform sends no more than this many
// at a time, so the number bounds the updates a second that can arrive.
const maxConnections = 100

// SetWebhook points Telegram at url with secret as secret_token. The
// library's WebhookConfig has no secret_token (its issue #670), so the call
// is made raw.
func (b *Bot) SetWebhook(ctx context.Context, url, secret string) error {
	if secret == "" {
		return errors.New("telegram: setWebhook: empty secret")
	}
	allowed, _ := json.Marshal(allowedUpdates)
	params := tgbotapi.Params{"url": url, "secret_token": secret, "allowed_updates": string(allowed),
		"max_connections": strconv.Itoa(maxConnections)}
	if _, err := b.call(ctx).MakeRequest("setWebhook", params); err != nil {
		return fmt.Errorf("telegram: setWebhook: %w", b.apiErr("setWebhook", err))
	}
	b.log.Info("telegram webhook set")
	return nil
}

// DeleteWebhook switches the bot back to getUpdates. Pending updates are
// kept: they are read by the next poll.
func (b *Bot) DeleteWebhook(ctx context.Context) error {
	if _, err := b.request(ctx, "deleteWebhook", tgbotapi.DeleteWebhookConfig{DropPendingUpdates: false}); err != nil {
		return fmt.Errorf("telegram: deleteWebhook: %w", err)
	}
	return nil
}

// WebhookKey returns a webhook body's update id (the dedupe key) and its
// sender (updates of one sender are handled in order). A body without an
// update id is not an update.
func (b *Bot) WebhookKey(body []byte) (key, group string, err error) {
	var head struct {
		UpdateID *int `json:"update_id"`
		Message  *struct {
			From *struct{ ID int64 } `json:"from"`
			Chat struct{ ID int64 }  `json:"chat"`
		} `json:"message"`
		Callback *struct {
			From struct{ ID int64 } `json:"from"`
		} `json:"callback_query"`
	}
	if err := json.Unmarshal(body, &head); err != nil {
		return "", "", fmt.Errorf("telegram: webhook body: %w", err)
	}
	if head.UpdateID == nil {
		return "", "", errors.New("telegram: webhook body has no update_id")
	}
	switch {
	case head.Message != nil && head.Message.From != nil:
		group = strconv.FormatInt(head.Message.From.ID, 10)
	case head.Message != nil:
		group = "chat" + strconv.FormatInt(head.Message.Chat.ID, 10)
	case head.Callback != nil:
		group = strconv.FormatInt(head.Callback.From.ID, 10)
	}
	return strconv.Itoa(*head.UpdateID), group, nil
}

// Process handles one stored webhook body exactly as a polled update: the
// same conversion, the callback answered after handling. An update the
// bot does not read is done; a handler error is returned for a retry.
func (b *Bot) Process(ctx context.Context, h chat.Handler, body []byte) error {
	var u tgbotapi.Update
	if err := json.Unmarshal(body, &u); err != nil {
		b.log.Warn("telegram webhook update undecodable, dropped", "err", err)
		return nil
	}
	upd, ok := toUpdate(u, b.Username(), b.now())
	it := inbound{id: u.UpdateID, upd: upd, ok: ok}
	if u.CallbackQuery != nil {
		it.callbackID = u.CallbackQuery.ID
		defer b.answer(ctx, it)
	}
	if !ok {
		b.log.Debug("telegram update ignored", "update_id", it.id)
		return nil
	}
	b.log.Debug("telegram update", "update_id", it.id, "chat_id", upd.ChatID, "kind", channel.KindName(upd.Kind))
	return b.loop().Safe(ctx, h, upd)
}
