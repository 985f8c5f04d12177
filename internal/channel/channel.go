// Package channel is what every chat platform's adapter shares: one
// vocabulary of failed calls (Class, Error), the loop that hands an update
// to the handler and retries it (Loop), the start-up retry of a call
// (Retry), the pacing of sends (Gate) and the names of update kinds for
// logs. An adapter (internal/channel/telegram, zalo) keeps only its wire
// format: it parses its platform's updates, sorts its platform's errors
// into the classes, and sends one message.
//
// It imports internal/chat and internal/channel/pace of this module; it
// knows no platform, and nothing of the router, the services or the app.
package channel

import (
	"context"
	"time"

	"xabot/internal/chat"
)

// Sleep waits d or until ctx is done, whichever is first; it returns ctx's
// error when ctx ended. An adapter's tests swap it to record waits.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// KindName is an update's kind for logs, which carry the kind of an
// update but never its text.
func KindName(k chat.Kind) string {
	switch k {
	case chat.Text:
		return "text"
	case chat.Command:
		return "command"
	case chat.Callback:
		return "callback"
	case chat.Contact:
		return "contact"
	case chat.Photo:
		return "photo"
	case chat.Sticker:
		return "sticker"
	case chat.Location:
		return "location"
	}
	return "other"
}
