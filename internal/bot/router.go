// Package bot is the conversation plumbing between the channel adapters and
// the services. Its core orders each user's updates, drops duplicates,
// loads and saves the session, checks roles, routes commands, buttons and
// typed words to dialogs, renders replies in the user's language, and turns
// every error into a message (router.go, handle.go, turn.go, action.go,
// render.go). The features bind the dialogs' actions to the services
// (features.go says how one is added); an action reads a Call and returns
// a Result whose Effects the core applies. The services are reached
// through the interfaces of needs.go. It imports chat, dialog, session,
// i18n, domain and service/* (for their types).
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
	// The services, as the interfaces of needs.go.
	Dossiers Dossiers
	// Slips opens the receipt slip's links (/start TOKEN); nil without
	// XABOT_LINK_KEY: /start TOKEN then greets as plain /start.
	Slips    Slips
	Citizens Citizens
	Staff    Officials
	Notify   Notices
	Ratings  Ratings
	Feedback Feedback
	Stats    Stats
	// Receptions is citizen reception (/lichtiep, /sotiep); nil shows
	// the schedule's text only.
	Receptions Receptions
	// Announce is the announcements by village; nil offers none.
	Announce Announcer
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
	actions Actions             // every feature's, by name (features.go)
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
// and the bound actions, and the intents' steps against the dialogs.
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
	acts, err := bind(r.features())
	if err != nil {
		return nil, err
	}
	r.actions = acts
	engine, err := dialog.New(cfg.Dialogs, cfg.Texts.Has, acts.bound, dialog.WithFold(foldWords),
		dialog.WithWords(func(key string) []string { return textsOf(cfg.Texts, key) }))
	if err != nil {
		return nil, err
	}
	if err := checkIntents(engine, intentSteps()); err != nil {
		return nil, err
	}
	r.engine = engine
	r.phrases = phraseIndex(engine, cfg.Texts)
	r.talk = talkIndex(engine, cfg.Texts)
	return r, nil
}

// LintDialogs validates dialogs against texts and the actions the router
// binds, reporting every problem at once, and the intents' steps against
// the dialogs (`xabot dialogs lint`).
func LintDialogs(dialogs fs.FS, texts *i18n.Catalog) error {
	r := &Router{}
	acts, err := bind(r.features())
	if err != nil {
		return err
	}
	e, err := dialog.New(dialogs, texts.Has, acts.bound)
	if err != nil {
		return err
	}
	return checkIntents(e, intentSteps())
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
