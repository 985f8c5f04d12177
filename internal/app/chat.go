package app

import (
	"context"
	"fmt"
	"io"

	"xabot/internal/bot"
	"xabot/internal/channel/console"
	"xabot/internal/chat"
	"xabot/internal/domain"
)

// Chat runs a terminal conversation as userID with role, through the same
// router as Telegram.
func (a *App) Chat(ctx context.Context, in io.Reader, out io.Writer, userID string, role domain.Role) error {
	con := console.New(in, out, userID, a.now)
	key := chat.UserKey{Channel: chat.Console, ID: userID}.String()
	if err := a.citizens.SetRole(ctx, key, role); err != nil {
		return fmt.Errorf("app: chat as %s: %w", role, err)
	}
	r, err := a.Router(map[chat.Channel]bot.Channel{chat.Console: con})
	if err != nil {
		return err
	}
	return con.Run(ctx, r)
}
