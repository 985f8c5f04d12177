// Package bot is the conversation plumbing between the channel adapters and
// the services: it orders each user's updates, drops duplicates, loads and
// saves the session, routes commands, buttons and typed words to dialogs,
// binds the dialogs' actions to services, renders replies in the user's
// language, and turns every error into a message. It imports chat, dialog,
// session, i18n, domain and service/*.
package bot

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"log/slog"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"xabot/internal/chat"
	"xabot/internal/dialog"
	"xabot/internal/domain"
	"xabot/internal/fold"
	"xabot/internal/i18n"
	"xabot/internal/service/citizen"
	"xabot/internal/service/dossier"
	"xabot/internal/service/feedback"
	"xabot/internal/service/notify"
	"xabot/internal/service/officials"
	"xabot/internal/service/rating"
	"xabot/internal/service/stats"
	"xabot/internal/session"
)

// Channel is an adapter as the router sees it: it sends, and says what it
// can show.
type Channel interface {
	chat.Sender
	Features() chat.Features
}

// Config holds the router's dependencies.
type Config struct {
	Log      *slog.Logger
	Dialogs  fs.FS
	Texts    *i18n.Catalog
	Sessions session.Store
	Channels map[chat.Channel]Channel
	Dossiers *dossier.Service
	Citizens *citizen.Service
	Staff    *officials.Service
	Notify   *notify.Service
	Ratings  *rating.Service
	Feedback *feedback.Service
	Stats    *stats.Service
	Queue    Queue // the outbox, for the weekly digest
	// Procedures is the catalogue /thutuc lists; nil shows none.
	Procedures ProcedureCatalog
	Calendar   *domain.Calendar
	TZ         *time.Location
	Now        func() time.Time
	Lang       string // default language, "vi"
	Commune    string // the commune's name, said in greetings
	// Reception and Office say when the chairman receives citizens and
	// where (and when) results are collected, from the commune profile.
	Reception, Office string
	// Resume is told when a person sends a command (such as the /start of
	// Telegram's "Restart" after unblocking), so the outbox may send to
	// them again; nil = nothing to resume.
	Resume  func(ctx context.Context, user string) error
	Timeout time.Duration
	// EndSession drops the sessions of chats wherever this database's bots
	// keep them (revocation ends every staff session at once); nil drops
	// them from Sessions.
	EndSession func(ctx context.Context, chats []string) error
}

// Router handles updates from every channel.
type Router struct {
	cfg     Config
	log     *slog.Logger
	engine  *dialog.Engine
	phrases map[string]string // folded typed words → flow id
	stripes [256]sync.Mutex
}

// stripeOf picks the lock that keeps one user's updates in order while
// different users run in parallel.
func (r *Router) stripeOf(user string) *sync.Mutex {
	h := fnv.New32a()
	h.Write([]byte(user))
	return &r.stripes[h.Sum32()%uint32(len(r.stripes))]
}

// New builds a router; it loads and validates the dialogs against the texts
// and the bound actions.
func New(cfg Config) (*Router, error) {
	if cfg.Timeout == 0 {
		cfg.Timeout = 20 * time.Second
	}
	if cfg.Lang == "" {
		cfg.Lang = "vi"
	}
	if cfg.EndSession == nil {
		cfg.EndSession = func(ctx context.Context, chats []string) error {
			var errs []error
			for _, c := range chats {
				errs = append(errs, cfg.Sessions.Delete(ctx, c))
			}
			return errors.Join(errs...)
		}
	}
	r := &Router{cfg: cfg, log: cfg.Log.With("comp", "bot")}
	engine, err := dialog.New(cfg.Dialogs, cfg.Texts.Has, r.actions(), dialog.WithFold(fold.String))
	if err != nil {
		return nil, err
	}
	r.engine = engine
	r.phrases = phraseIndex(engine, cfg.Texts)
	return r, nil
}

// LintDialogs validates dialogs against texts and the actions the router
// binds, reporting every problem at once (`xabot dialogs lint`).
func LintDialogs(dialogs fs.FS, texts *i18n.Catalog) error {
	r := &Router{}
	_, err := dialog.New(dialogs, texts.Has, r.actions())
	return err
}

// Handle processes one update: it returns once the replies are sent and the
// session saved, so the adapter may confirm the update. An error means
// nothing was sent and the update should be delivered again.
func (r *Router) Handle(ctx context.Context, u chat.Update) (err error) {
	user := u.From.String()
	mu := r.stripeOf(user)
	mu.Lock()
	defer mu.Unlock()

	ctx, cancel := context.WithTimeout(ctx, r.cfg.Timeout)
	defer cancel()
	log := r.log.With("user", user, "update", u.ID)
	claim := ""
	if u.ID != "" {
		claim = string(u.From.Channel) + ":" + u.ID
		first, err := r.cfg.Sessions.Claim(ctx, claim)
		switch {
		case err != nil:
			// Without the dedupe store we would rather answer twice than never.
			log.Warn("dedupe unavailable", "err", err)
			claim = ""
		case !first:
			log.Debug("duplicate update skipped")
			return nil
		}
	}
	defer func() {
		if p := recover(); p != nil {
			log.Error("panic handling update", "panic", p, "stack", string(debug.Stack()))
			err = fmt.Errorf("bot: panic: %v", p)
		}
		if err != nil && claim != "" {
			if rerr := r.cfg.Sessions.Release(context.WithoutCancel(ctx), claim); rerr != nil {
				log.Warn("release claim", "err", rerr)
			}
		}
	}()
	return r.process(ctx, log, u)
}

func (r *Router) process(ctx context.Context, log *slog.Logger, u chat.Update) error {
	ch, ok := r.cfg.Channels[u.From.Channel]
	if !ok {
		return fmt.Errorf("bot: no channel %q", u.From.Channel)
	}
	t := &turn{r: r, u: u, user: u.From.String(), feat: ch.Features(), log: log}
	cit, err := r.cfg.Citizens.Get(ctx, t.user)
	if err != nil {
		log.Error("load citizen", "err", err)
		return r.sendAll(ctx, ch, u.ChatID, t.render([]dialog.Prompt{{Key: "errors.internal"}}))
	}
	t.cit = cit
	t.lang = r.langOf(cit, u.Lang)
	if cit.Role != domain.RoleCitizen && r.cfg.Staff != nil {
		// An official bound on two apps reads notices where they now write;
		// ByChat moves them here before any action compares chat keys.
		if _, err := r.cfg.Staff.ByChat(ctx, t.user); err != nil && !errors.Is(err, domain.ErrNotFound) {
			log.Warn("official of chat", "err", err)
		}
	}
	sess, err := r.cfg.Sessions.Load(ctx, t.user)
	if err != nil {
		// Redis down: say so politely; the update is answered, not retried.
		log.Error("load session", "err", err)
		return r.sendAll(ctx, ch, u.ChatID, t.render([]dialog.Prompt{{Key: "errors.unavailable"}}))
	}
	t.sess = sess
	if u.Kind == chat.Command && r.cfg.Resume != nil {
		if err := r.cfg.Resume(ctx, t.user); err != nil {
			log.Warn("resume chat", "err", err)
		}
	}
	t.dispatch(withTurn(ctx, t))
	replies := t.render(t.say)
	if err := r.sendAll(ctx, ch, u.ChatID, replies); err != nil {
		return err
	}
	if t.forget {
		if err := r.cfg.Sessions.Delete(ctx, t.user); err != nil {
			log.Error("delete session", "err", err)
		}
		return nil
	}
	t.sess.V = session.Version
	t.sess.UpdatedAt = r.cfg.Now().UTC()
	if err := r.cfg.Sessions.Save(ctx, t.user, t.sess); err != nil {
		// The replies are out; redelivering would repeat them.
		log.Error("save session", "err", err)
	}
	return nil
}

// sendAll sends the turn's replies in order. Once any message of them is
// out (a long reply goes as several), a failure is logged, not returned:
// the update is not delivered again, since retrying would repeat what the
// person already has.
func (r *Router) sendAll(ctx context.Context, ch Channel, chatID string, replies []chat.Reply) error {
	out := 0
	for _, rep := range replies {
		rep.ChatID = chatID
		var err error
		if ps, ok := ch.(chat.PartSender); ok {
			err = ps.SendParts(ctx, rep, 0, func(int) { out++ })
		} else if err = ch.Send(ctx, rep); err == nil {
			out++
		}
		if err == nil {
			continue
		}
		if out > 0 {
			r.log.Error("send reply", "chat", chatID, "messages_sent", out, "err", err)
			return nil
		}
		return fmt.Errorf("bot: send to %s: %w", chatID, err)
	}
	return nil
}

func (r *Router) langOf(c domain.Citizen, hint string) string {
	if c.Lang != "" {
		return c.Lang
	}
	return r.cfg.Lang
}

// phraseIndex maps every typed word that starts a flow (its menu label and
// its phrases, in every language) to the flow.
func phraseIndex(e *dialog.Engine, texts *i18n.Catalog) map[string]string {
	idx := map[string]string{}
	for _, f := range e.Flows() {
		keys := append([]string{}, f.Phrases...)
		if f.Label != "" {
			keys = append(keys, f.Label)
		}
		for _, k := range keys {
			for _, lang := range texts.Langs() {
				for _, w := range strings.Split(texts.T(lang, k, nil), "|") {
					if w = foldWords(w); w != "" {
						idx[w] = f.ID
					}
				}
			}
		}
	}
	return idx
}
