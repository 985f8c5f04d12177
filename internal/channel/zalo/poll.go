package zalo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"xabot/internal/channel"
	"xabot/internal/chat"
)

const (
	pollSlack = 10 * time.Second // beyond the poll's own timeout before the request is abandoned

	// A server that answers 408 at once instead of holding the poll would
	// make "poll again at once" a busy loop: after fastTimeouts such answers
	// in a row, wait fastPause.
	fastTimeout  = 100 * time.Millisecond
	fastTimeouts = 3
	fastPause    = time.Second
)

// Run long-polls getUpdates until ctx is cancelled, then returns nil. It
// returns an error only when Zalo rejects the token (401/403).
//
// Zalo hands out one update per call and keeps no offset: an update is gone
// once received, so it is handled before the next poll, retried
// channel.HandleAttempts times, then given up on with an error log. On cancel the
// in-flight poll is aborted, and an update already in hand gets
// channel.ShutdownGrace to finish.
func (b *Bot) Run(ctx context.Context, h chat.Handler) error {
	hctx, stop := channel.Grace(ctx)
	defer stop()

	var backoff channel.Backoff
	fast := 0
	for {
		if ctx.Err() != nil {
			return nil
		}
		b.ready.Do(func() {
			b.log.Info("zalo polling", "ready_ms", time.Since(b.start).Milliseconds(), "account_name", b.name)
		})
		began := time.Now()
		raws, err := b.getUpdates(ctx)
		if err != nil {
			if ctx.Err() != nil {
				continue
			}
			cls := channel.ClassOf(err)
			var wait time.Duration
			switch cls {
			case channel.Timeout:
				backoff.Reset()
				if time.Since(began) >= fastTimeout {
					fast = 0
					continue
				}
				if fast++; fast < fastTimeouts {
					continue
				}
				fast, wait = 0, fastPause
			case channel.TokenRejected:
				return fmt.Errorf("zalo: getUpdates: token rejected: %w", err)
			case channel.Throttled:
				after, _ := chat.FloodWait(err)
				wait = max(after, backoff.Next())
			default:
				wait = backoff.Next()
			}
			msg := "zalo getUpdates failed"
			if cls == channel.Conflict {
				msg = "zalo getUpdates refused: a webhook is set (deleteWebhook to poll)"
			}
			b.log.Warn(msg, "retry_in", wait, "err", err)
			_ = b.sleep(ctx, wait) // a cancelled ctx is seen at the top of the loop
			continue
		}
		backoff.Reset()
		fast = 0
		for _, raw := range raws {
			b.handleRaw(ctx, hctx, h, raw)
		}
	}
}

// getUpdates makes one long poll. The result is one update object; an array
// is accepted too in case the API ever batches, null or {} is none.
func (b *Bot) getUpdates(ctx context.Context) ([]json.RawMessage, error) {
	secs := max(int(b.pollTimeout/time.Second), 1)
	rctx, cancel := context.WithTimeout(ctx, b.pollTimeout+pollSlack)
	defer cancel()
	var result json.RawMessage
	// timeout is a string on the wire, as documented.
	if err := b.call(rctx, "getUpdates", map[string]string{"timeout": strconv.Itoa(secs)}, &result); err != nil {
		return nil, tokenCall(err)
	}
	result = bytes.TrimSpace(result)
	switch {
	case len(result) == 0, string(result) == "null", string(result) == "{}":
		return nil, nil
	case result[0] == '[':
		var raws []json.RawMessage
		if err := json.Unmarshal(result, &raws); err != nil {
			b.log.Error("zalo getUpdates answer undecodable, dropped")
			return nil, nil
		}
		return raws, nil
	}
	return []json.RawMessage{result}, nil
}

// handleRaw decodes and handles one update. Undecodable or ignored updates
// are logged by id only.
func (b *Bot) handleRaw(ctx, hctx context.Context, h chat.Handler, raw json.RawMessage) {
	var w wireUpdate
	if err := json.Unmarshal(raw, &w); err != nil {
		b.log.Error("zalo update undecodable, dropped", "err", err)
		return
	}
	u, ok := toUpdate(w, b.now())
	if !ok {
		b.log.Debug("zalo update ignored", "event", w.EventName, "message_id", w.messageID())
		return
	}
	b.log.Debug("zalo update", "event", w.EventName, "message_id", w.messageID(), "chat_id", u.ChatID, "kind", channel.KindName(u.Kind))
	if !b.loop().Handle(ctx, hctx, h, u, "event", w.EventName, "message_id", w.messageID()) {
		// Zalo keeps no offset: the update was received, and is lost.
		b.log.Error("zalo update dropped at shutdown before it was handled",
			"event", w.EventName, "message_id", w.messageID(), "chat_id", u.ChatID)
	}
}

func (b *Bot) loop() channel.Loop {
	return channel.Loop{Name: "zalo", Log: b.log, Sleep: b.sleep}
}
