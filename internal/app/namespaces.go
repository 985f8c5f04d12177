package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"xabot/internal/bot"
	"xabot/internal/chat"
	"xabot/internal/session"
)

// redisPrefix sets xabot's keys apart from anything else in a Redis
// database; after it comes the namespace of whoever owns the key (see
// README, "Several bots on one Redis").
const redisPrefix = "xabot:"

// dedupeTTL is how long an update id is remembered as handled.
const dedupeTTL = 48 * time.Hour

// identified is an adapter that knows its bot's id from getMe.
type identified interface{ ID() string }

// openSessions connects the session store. With Redis, every channel
// starts under the database's own namespace; Serve gives the bots theirs
// once getMe has answered (nameBots).
func (a *App) openSessions(ctx context.Context) error {
	if a.rdb == nil {
		a.sessions = session.NewMemory(a.cfg.SessionTTL, dedupeTTL, a.now)
		return nil
	}
	instance, err := a.db.Instance(ctx)
	if err != nil {
		return err
	}
	if a.instanceNS, err = session.InstanceNamespace(instance); err != nil {
		return err
	}
	return a.redisSessions(map[chat.Channel]string{})
}

func (a *App) redisSessions(channels map[chat.Channel]string) error {
	s, err := session.NewRedis(a.rdb, redisPrefix, session.Namespaces{Default: a.instanceNS, Channels: channels},
		a.cfg.SessionTTL, dedupeTTL)
	if err != nil {
		return fmt.Errorf("app: sessions: %w", err)
	}
	a.sessions = s
	return nil
}

// nameBots puts each bot's sessions and update claims under its own
// identity (channel and bot id from getMe), and notes that identity in the
// database for the commands run beside the server (endSessions). Without
// Redis the sessions live in this process alone and need no name.
func (a *App) nameBots(ctx context.Context, channels map[chat.Channel]bot.Channel) error {
	if a.rdb == nil {
		return nil
	}
	named := map[chat.Channel]string{}
	for name, ch := range channels {
		id, ok := ch.(identified)
		if !ok {
			continue
		}
		ns, err := session.BotNamespace(name, id.ID())
		if err != nil {
			return fmt.Errorf("app: %w", err)
		}
		if err := a.db.RecordBotNamespace(ctx, ns); err != nil {
			return err
		}
		named[name] = ns
		a.log.Info("sessions namespaced", "channel", name, "namespace", ns)
	}
	return a.redisSessions(named)
}

// endSessions drops the sessions of chats wherever this database's bots
// keep them: in this process's store, and under every bot identity that
// ever served the database (a command run beside `xabot serve` has no
// getMe of its own). Deleting a session nobody has is harmless.
func (a *App) endSessions(ctx context.Context, chats []string) error {
	stores := []session.Store{a.sessions}
	if a.rdb != nil {
		names, err := a.db.BotNamespaces(ctx)
		if err != nil {
			return err
		}
		for _, ns := range names {
			s, err := session.NewRedis(a.rdb, redisPrefix, session.Namespaces{Default: ns}, a.cfg.SessionTTL, dedupeTTL)
			if err != nil {
				return fmt.Errorf("app: sessions of %s: %w", ns, err)
			}
			stores = append(stores, s)
		}
	}
	var errs []error
	for _, s := range stores {
		for _, c := range chats {
			errs = append(errs, s.Delete(ctx, c))
		}
	}
	return errors.Join(errs...)
}
