package telegram

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"xabot/internal/channel"
	"xabot/internal/chat"
)

const (
	pollLimit = 100 // getUpdates maximum
	pollSlack = 15 * time.Second

	answerTimeout  = 5 * time.Second
	confirmTimeout = 2 * time.Second
)

// inbound is one decoded Telegram update and what the bot gets from it.
type inbound struct {
	id         int
	upd        chat.Update
	ok         bool   // false: not for the bot; only confirmed
	callbackID string // answered once its handling is over, ignored or not
}

// Run long-polls getUpdates until ctx is cancelled, then returns nil. It
// returns an error only when Telegram rejects the token.
//
// We poll ourselves instead of using the library's GetUpdatesChan, which
// confirms updates as soon as they are buffered. Here a batch is handed to h
// (users in parallel, each user's updates in order) and the offset that
// confirms it is sent only after every update was handled, retried
// channel.HandleAttempts times, or given up on. On cancel the updates in hand get
// channel.ShutdownGrace to finish; an unfinished batch is left unconfirmed and
// Telegram delivers it again after a restart (the bot dedupes by update id).
func (b *Bot) Run(ctx context.Context, h chat.Handler) error {
	hctx, stop := channel.Grace(ctx)
	defer stop()

	offset, confirmed := 0, 0
	var backoff channel.Backoff
	for {
		if ctx.Err() != nil {
			b.confirm(ctx, offset, confirmed)
			return nil
		}
		b.ready.Do(func() {
			b.log.Info("polling", "ready_ms", time.Since(b.start).Milliseconds(), "username", b.Username())
		})
		batch, next, err := b.getUpdates(ctx, offset)
		if err != nil {
			if ctx.Err() != nil {
				continue
			}
			cls := channel.ClassOf(err)
			if cls == channel.TokenRejected {
				return fmt.Errorf("telegram: getUpdates: token rejected: %w", err)
			}
			wait, flood := chat.FloodWait(err)
			if !flood {
				wait = backoff.Next()
			}
			msg := "telegram getUpdates failed"
			if cls == channel.Conflict {
				msg = "telegram getUpdates conflict: a webhook is set or another instance is polling"
			}
			b.log.Warn(msg, "offset", offset, "retry_in", wait, "err", err)
			_ = b.sleep(ctx, wait) // a cancelled ctx is seen at the top of the loop
			continue
		}
		confirmed = offset
		backoff.Reset()
		if b.handleBatch(ctx, hctx, h, batch) {
			offset = next
		}
	}
}

// confirm sends the last offset on shutdown, so that updates handled in the
// final batch are not delivered again after a restart. Best effort: the
// dedupe in the bot covers a failure here.
func (b *Bot) confirm(ctx context.Context, offset, confirmed int) {
	if offset <= confirmed {
		return
	}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), confirmTimeout)
	defer cancel()
	_, err := b.request(cctx, "getUpdates", tgbotapi.UpdateConfig{Offset: offset, Limit: 1})
	if err != nil {
		b.log.Warn("telegram final offset not confirmed", "offset", offset, "err", err)
		return
	}
	b.log.Debug("telegram final offset confirmed", "offset", offset)
}

// getUpdates fetches one batch. next is the offset that confirms it. Each
// update is decoded on its own: one that the old library cannot decode is
// confirmed and skipped instead of failing every batch forever.
func (b *Bot) getUpdates(ctx context.Context, offset int) (batch []inbound, next int, err error) {
	rctx, cancel := context.WithTimeout(ctx, b.pollTimeout+pollSlack)
	defer cancel()
	resp, err := b.request(rctx, "getUpdates", tgbotapi.UpdateConfig{
		Offset:  offset,
		Limit:   pollLimit,
		Timeout: int(b.pollTimeout / time.Second),
		// Telegram remembers this per bot; everything else would be ignored.
		AllowedUpdates: []string{"message", "callback_query"},
	})
	if err != nil {
		return nil, offset, err
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(resp.Result, &raws); err != nil {
		return nil, offset, fmt.Errorf("getUpdates: decode result: %w", err)
	}
	next = offset
	now := b.now()
	for _, raw := range raws {
		var u tgbotapi.Update
		if err := json.Unmarshal(raw, &u); err != nil {
			var head struct {
				UpdateID *int `json:"update_id"`
			}
			if json.Unmarshal(raw, &head) != nil || head.UpdateID == nil {
				b.log.Error("telegram update without id dropped", "err", err)
				continue
			}
			b.log.Warn("telegram update undecodable, confirmed unhandled", "update_id", *head.UpdateID, "err", err)
			next = max(next, *head.UpdateID+1)
			continue
		}
		next = max(next, u.UpdateID+1)
		upd, ok := toUpdate(u, b.Username(), now)
		it := inbound{id: u.UpdateID, upd: upd, ok: ok}
		if u.CallbackQuery != nil {
			it.callbackID = u.CallbackQuery.ID
		}
		batch = append(batch, it)
	}
	return batch, next, nil
}

// handleBatch hands a batch to h, one goroutine per user, and waits for all.
// It reports false when shutdown cut a retry short; the batch then stays
// unconfirmed.
func (b *Bot) handleBatch(ctx, hctx context.Context, h chat.Handler, batch []inbound) bool {
	groups := make(map[chat.UserKey][]inbound)
	var users []chat.UserKey
	var ignored []inbound
	for _, it := range batch {
		if !it.ok {
			b.log.Debug("telegram update ignored", "update_id", it.id)
			if it.callbackID != "" {
				ignored = append(ignored, it)
			}
			continue
		}
		k := it.upd.From
		if _, seen := groups[k]; !seen {
			users = append(users, k)
		}
		groups[k] = append(groups[k], it)
	}
	var wg sync.WaitGroup
	var cut atomic.Bool
	for _, k := range users {
		wg.Go(func() {
			if !b.handleUser(ctx, hctx, h, groups[k]) {
				cut.Store(true)
			}
		})
	}
	wg.Wait()
	if cut.Load() {
		return false
	}
	// A button pressed under a group message: stop the client's spinner.
	for _, it := range ignored {
		b.answer(hctx, it)
	}
	return true
}

// handleUser handles one user's updates in order; a callback is answered
// right after its own handling, whether the handler succeeded or not.
func (b *Bot) handleUser(ctx, hctx context.Context, h chat.Handler, items []inbound) bool {
	for _, it := range items {
		if !b.handleOne(ctx, hctx, h, it) {
			return false
		}
		if it.callbackID != "" {
			b.answer(hctx, it)
		}
	}
	return true
}

// handleOne hands an update to h (channel.Loop.Handle: retried, then
// given up on so a poison update cannot stall the bot). It reports false
// only when shutdown interrupted the retries.
func (b *Bot) handleOne(ctx, hctx context.Context, h chat.Handler, it inbound) bool {
	b.log.Debug("telegram update", "update_id", it.id, "chat_id", it.upd.ChatID, "kind", channel.KindName(it.upd.Kind))
	return b.loop().Handle(ctx, hctx, h, it.upd, "update_id", it.id)
}

func (b *Bot) loop() channel.Loop {
	return channel.Loop{Name: "telegram", Log: b.log, Sleep: b.sleep}
}

// answer acknowledges a callback query with no text. Telegram refuses
// answers older than ~15 s ("query is too old"), so a failure is only logged.
func (b *Bot) answer(ctx context.Context, it inbound) {
	actx, cancel := context.WithTimeout(ctx, answerTimeout)
	defer cancel()
	if _, err := b.request(actx, "answerCallbackQuery", tgbotapi.NewCallback(it.callbackID, "")); err != nil {
		b.log.Warn("telegram callback not answered", "update_id", it.id, "err", err)
	}
}
