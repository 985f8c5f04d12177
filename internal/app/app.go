// Package app is the one place that constructs and wires everything: the
// store, the session store, the texts, the services, the router and the
// channels. Every command of the binary starts here.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"xabot/dialogs"
	"xabot/internal/bot"
	"xabot/internal/channel/pace"
	"xabot/internal/chat"
	"xabot/internal/commune"
	"xabot/internal/config"
	"xabot/internal/domain"
	"xabot/internal/i18n"
	"xabot/internal/metrics"
	"xabot/internal/notifier"
	"xabot/internal/outbox"
	"xabot/internal/service/announce"
	"xabot/internal/service/catalogue"
	"xabot/internal/service/citizen"
	"xabot/internal/service/dossier"
	"xabot/internal/service/feedback"
	"xabot/internal/service/intake"
	"xabot/internal/service/notify"
	"xabot/internal/service/officials"
	"xabot/internal/service/rating"
	"xabot/internal/service/reception"
	"xabot/internal/service/slip"
	"xabot/internal/service/stats"
	"xabot/internal/session"
	"xabot/internal/store"
	"xabot/locales"
)

// Compile-time checks that the store serves what the services need.
var (
	_ dossier.Repo   = (*store.DB)(nil)
	_ citizen.Repo   = (*store.DB)(nil)
	_ intake.Repo    = (*store.DB)(nil)
	_ announce.Repo  = (*store.DB)(nil)
	_ reception.Repo = (*store.DB)(nil)
)

// App holds the long-lived parts shared by every command.
type App struct {
	cfg      config.Config
	log      *slog.Logger
	now      func() time.Time
	db       *store.DB
	rdb      *redis.Client
	sessions session.Store
	texts    *i18n.Catalog
	profile  commune.Profile
	calendar *domain.Calendar
	dossiers *dossier.Service
	citizens *citizen.Service
	staff    *officials.Service
	notify   *notify.Service
	ratings  *rating.Service
	feedback *feedback.Service
	// slip makes and opens the receipt slip's links; nil without
	// XABOT_LINK_KEY (no links, no status page).
	slip *slip.Service
	// page is the slip's status page (/s/<token>); nil without the key.
	page http.Handler
	// reception is citizen reception: registrations, the book, its jobs.
	reception *reception.Service
	announce  *announce.Service
	outbox    *outbox.Outbox
	// gate is the ceiling on calls that send (XABOT_SEND_RATE a second),
	// shared by the outbox and the adapters' replies.
	gate *pace.Window
	// senders are the channels the outbox delivers through; Serve fills it
	// before the outbox runs (the CLI only queues).
	senders map[chat.Channel]chat.Sender
	// fetchers are the channels whose adapters download a photo a user
	// sent (an announcement's, for the other channels); Serve fills it.
	fetchers map[chat.Channel]fetcher
	// instanceNS is the database's Redis namespace (with Redis only): the
	// sessions of channels without a bot id.
	instanceNS string
	// metrics are served at /metrics; the services and loops count into them.
	metrics *metrics.Metrics
}

// Open builds the App: opens (and migrates) the database, connects the
// session store and loads the texts. now is the clock.
func Open(ctx context.Context, cfg config.Config, log *slog.Logger, now func() time.Time) (*App, error) {
	texts, err := i18n.Load(locales.FS, "vi")
	if err != nil {
		return nil, fmt.Errorf("app: locales: %w", err)
	}
	if err := bot.LintDialogs(dialogs.FS, texts); err != nil {
		return nil, fmt.Errorf("app: dialogs: %w", err)
	}
	profile := commune.Default()
	if cfg.Commune != "" {
		if profile, err = commune.Load(cfg.Commune); err != nil {
			return nil, err
		}
	}
	cal, err := profile.Calendar()
	if err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return nil, err
	}
	profile = withOfficeName(profile, texts, cfg.Lang)
	a := &App{cfg: cfg, log: log, now: now, db: db, texts: texts, profile: profile, calendar: cal,
		senders: map[chat.Channel]chat.Sender{}, fetchers: map[chat.Channel]fetcher{}, metrics: metrics.New()}
	if cfg.RedisURL != "" {
		opts, err := redis.ParseURL(cfg.RedisURL)
		if err != nil {
			db.Close()
			return nil, fmt.Errorf("app: XABOT_REDIS_URL: %w", err)
		}
		// Fail fast when Redis is down: a citizen is told "try again" within a
		// second instead of waiting on five dial retries.
		opts.DialTimeout, opts.ReadTimeout, opts.WriteTimeout = time.Second, time.Second, time.Second
		opts.DialerRetries, opts.MaxRetries = 1, 1
		a.rdb = redis.NewClient(opts)
		// go-redis has only a package-wide logger: its lines go through ours,
		// so every line on stderr stays JSON.
		redis.SetLogger(redisLog{log.With("comp", "redis")})
	}
	if err := a.openSessions(ctx); err != nil {
		a.Close()
		return nil, err
	}
	a.dossiers = dossier.New(db, now, dossier.DefaultPolicy, log)
	a.dossiers.CountLockouts(a.metrics)
	a.citizens = citizen.New(db, now)
	a.staff = officials.New(db, now, log)
	a.gate = pace.NewWindow(cfg.SendRate)
	a.outbox = outbox.New(db, a.senders, outbox.Config{Rate: cfg.SendRate, Gate: a.gate, Metrics: a.metrics, Now: now, Log: log})
	notices := notifier.New(notifier.Config{Texts: texts, Citizens: a.citizens, Queue: a.outbox, Data: bot.IntentData,
		Lang: cfg.Lang, Commune: profile.Name, Office: officeOf(profile), OfficeName: profile.Office, Features: channelFeatures()})
	a.notify = notify.New(db, a.staff, notices, cal, cfg.TZ, officeOf(profile), log)
	a.ratings = rating.New(db, a.staff, notices, now, log)
	a.notify.OfferRatings(a.ratings.Offer)
	a.feedback = feedback.New(db, a.staff, notices, cal, cfg.TZ, domain.FeedbackSLA{
		RefuseDays: profile.SLA.RefuseDays, MoreDays: profile.SLA.SupplementDays, AnswerDays: profile.SLA.AnswerDays,
	}, profile.Routing(), now, log)
	if cfg.LinkKey != "" {
		signer, err := slip.NewSigner(cfg.LinkKey, cfg.LinkKeysOld...)
		if err != nil {
			a.Close()
			return nil, err
		}
		a.slip = slip.New(signer, db, now, slip.Config{PublicURL: cfg.PublicURL, TelegramBot: cfg.TelegramBot})
		if a.page, err = a.statusPage(ctx); err != nil {
			a.Close()
			return nil, err
		}
	}
	a.reception = reception.New(db, a.staff, notices, profile.ReceptionSchedule(), cal, cfg.TZ, now, log)
	// An announcement keeps about 15 s of sending waiting in the outbox,
	// three ticks of its loop.
	a.announce = announce.New(db, notices, announce.Config{Villages: profile.Villages, Daily: cfg.AnnounceDaily,
		Window: max(announce.DefaultWindow, 15*cfg.SendRate), Loc: cfg.TZ, Now: now, Log: log, Photo: a.photoConfig()})
	return a, nil
}

// Close releases the database and Redis.
func (a *App) Close() error {
	var errs []error
	if a.rdb != nil {
		errs = append(errs, a.rdb.Close())
	}
	errs = append(errs, a.db.Close())
	return errors.Join(errs...)
}

// Router builds the router for the given channels.
func (a *App) Router(channels map[chat.Channel]bot.Channel) (*bot.Router, error) {
	var slipLinks bot.Slips // nil, not a nil *slip.Service: no key, no links
	if a.slip != nil {
		slipLinks = a.slip
	}
	return bot.New(bot.Config{
		Log:        a.log,
		Dialogs:    dialogs.FS,
		Texts:      a.texts,
		Sessions:   a.sessions,
		Channels:   channels,
		Dossiers:   a.dossiers,
		Slips:      slipLinks,
		Citizens:   a.citizens,
		Staff:      a.staff,
		Notify:     a.notify,
		Ratings:    a.ratings,
		Feedback:   a.feedback,
		Announce:   a.announce,
		Stats:      stats.New(a.db, a.cfg.TZ),
		Receptions: a.reception,
		Procedures: catalogue.New(a.db),
		Calendar:   a.calendar,
		TZ:         a.cfg.TZ,
		Now:        a.now,
		Lang:       a.cfg.Lang,
		Commune:    a.profile.Name,
		Reception:  a.profile.Reception,
		Fields:     a.profile.Fields,
		Office:     officeOf(a.profile),
		OfficeName: a.profile.Office,
		Resume:     a.db.ResumeChat,
		EndSession: a.endSessions,
		Metrics:    a.metrics,
	})
}

// Texts returns the message catalogue (the CLI prints with it).
func (a *App) Texts() *i18n.Catalog { return a.texts }

// Ping checks the database and, when configured, Redis.
func (a *App) Ping(ctx context.Context) map[string]error {
	return map[string]error{"sqlite": a.db.Ping(ctx), "sessions": a.sessions.Ping(ctx)}
}

// LintDialogs validates the shipped dialogs against the shipped texts.
func LintDialogs() error {
	texts, err := i18n.Load(locales.FS, "vi")
	if err != nil {
		return err
	}
	return bot.LintDialogs(dialogs.FS, texts)
}

// ParseRole reads a role name for the CLI.
func ParseRole(s string) (domain.Role, error) { return domain.ParseRole(s) }

// Backup writes an online copy of the database to file.
func (a *App) Backup(ctx context.Context, file string) error { return a.db.Backup(ctx, file) }

// withOfficeName gives a profile without an office name the default one
// («Bộ phận Một cửa UBND xã …»), so every text names the office.
func withOfficeName(p commune.Profile, texts *i18n.Catalog, lang string) commune.Profile {
	if strings.TrimSpace(p.Office) == "" {
		p.Office = texts.T(lang, "talk.office_default", map[string]string{"commune": p.Name})
	}
	return p
}

// officeOf says where results are collected and whom to call: the
// one-stop shop, its phone and hours, each only when the profile has it.
func officeOf(p commune.Profile) string {
	s := p.Office
	if p.OfficePhone != "" {
		s += ", ☎ " + p.OfficePhone
	}
	if p.OfficeHours != "" {
		s += " (" + p.OfficeHours + ")"
	}
	return s
}
