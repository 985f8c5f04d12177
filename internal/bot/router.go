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
	"hash/fnv"
	"io/fs"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"xabot/internal/chat"
	"xabot/internal/dialog"
	"xabot/internal/domain"
	"xabot/internal/i18n"
	"xabot/internal/service/announce"
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
	// Announce is the announcements by village; nil offers none.
	Announce *announce.Service
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
	// OfficeName is the one-stop shop's name alone (the profile's office),
	// one name for it in every text ({office_name}); Office adds its phone
	// and hours ({office}) where a text says whom to call. Empty: Office.
	OfficeName string
	// Fields are the commune's fields (lĩnh vực) from its profile: an
	// invite's fields are matched against them; none = taken as typed.
	Fields []string
	// Resume is told when a person sends a command (such as the /start of
	// Telegram's "Restart" after unblocking), so the outbox may send to
	// them again; nil = nothing to resume.
	Resume  func(ctx context.Context, user string) error
	Timeout time.Duration
	// EndSession drops the sessions of chats wherever this database's bots
	// keep them (revocation ends every staff session at once); nil drops
	// them from Sessions.
	EndSession func(ctx context.Context, chats []string) error
	// Metrics hears how each update ended and how long its answer took;
	// nil counts nothing.
	Metrics Counter
}

// Counter counts updates by how they ended (Handled, Duplicate, Failed)
// and the time their answers took; *metrics.Metrics in production.
type Counter interface {
	Update(channel, outcome string)
	Reply(channel string, d time.Duration)
}

// How an update ended, as Counter hears it.
const (
	// Handled: its replies are out, its session saved, it is marked handled.
	Handled = "handled"
	// Duplicate: a redelivery of an update handled (or staged) before.
	Duplicate = "duplicate"
	// Failed: given back to the platform to be delivered again, or
	// answered «bận» because the session store is down.
	Failed = "failed"
)

// Router handles updates from every channel.
type Router struct {
	cfg     Config
	log     *slog.Logger
	engine  *dialog.Engine
	phrases map[string][]string // folded typed words → the flows they start
	talk    []pattern           // sentence patterns → flow (talk.go)
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
	engine, err := dialog.New(cfg.Dialogs, cfg.Texts.Has, r.actions(), dialog.WithFold(foldWords),
		dialog.WithWords(func(key string) []string { return textsOf(cfg.Texts, key) }))
	if err != nil {
		return nil, err
	}
	r.engine = engine
	r.phrases = phraseIndex(engine, cfg.Texts)
	r.talk = talkIndex(engine, cfg.Texts)
	return r, nil
}

// LintDialogs validates dialogs against texts and the actions the router
// binds, reporting every problem at once (`xabot dialogs lint`).
func LintDialogs(dialogs fs.FS, texts *i18n.Catalog) error {
	r := &Router{}
	_, err := dialog.New(dialogs, texts.Has, r.actions())
	return err
}

func (r *Router) langOf(c domain.Citizen, hint string) string {
	if c.Lang != "" {
		return c.Lang
	}
	return r.cfg.Lang
}

// phraseIndex maps every typed word that starts a flow (its menu label and
// its phrases, in every language) to the flows it may start: «phan anh» is
// a citizen's feedback and an official's inbox (see turn.phraseFlow).
func phraseIndex(e *dialog.Engine, texts *i18n.Catalog) map[string][]string {
	idx := map[string][]string{}
	for _, f := range e.Flows() {
		keys := append([]string{}, f.Phrases...)
		if f.Label != "" {
			keys = append(keys, f.Label)
		}
		for _, k := range keys {
			for _, lang := range texts.Langs() {
				for _, w := range strings.Split(texts.T(lang, k, nil), "|") {
					if w = foldWords(w); w != "" && !slices.Contains(idx[w], f.ID) {
						idx[w] = append(idx[w], f.ID)
					}
				}
			}
		}
	}
	return idx
}
