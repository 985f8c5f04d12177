package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"golang.org/x/sync/errgroup"

	"xabot/internal/bot"
	"xabot/internal/chat"
	"xabot/internal/config"
	"xabot/internal/media"
	"xabot/internal/service/intake"
	"xabot/internal/statuspage"
	"xabot/internal/syncapi"
)

// announceTick is how often announcements due are queued and those sent
// are reported to their authors; one to send now does not wait for it.
const announceTick = 5 * time.Second

// mediaTTL is how long a published chart stays fetchable.
const mediaTTL = 24 * time.Hour

// Serve runs production: the configured channels of channelTable (each by
// polling or by webhook at XABOT_PUBLIC_URL/webhook/<slug>), the outbox,
// the scheduled jobs and the HTTP server, until ctx is cancelled; then it
// stops taking updates, lets the ones in hand finish, and returns.
func (a *App) Serve(ctx context.Context) error {
	rows, err := configured(a.cfg)
	if err != nil {
		return err
	}
	mux := a.mux()
	var pub *media.Store
	if a.cfg.PublicURL != "" {
		pub = media.New(a.cfg.PublicURL, mediaTTL, a.now)
		mux.Handle("GET "+media.Path, pub)
		mux.Handle("GET "+media.KeptPath, media.Kept(keptPhotos{a.db}.serve, a.log))
	}
	channels := map[chat.Channel]bot.Channel{}
	var inputs []input
	serving := []any{"http", nil}
	for _, row := range channelTable {
		serving = append(serving, row.slug, row.on(a.cfg))
	}
	for _, row := range rows {
		p, in, err := a.input(ctx, row, pub)
		if err != nil {
			return err
		}
		channels[row.name] = p
		if f, ok := p.(fetcher); ok {
			a.fetchers[row.name] = f
		}
		inputs = append(inputs, in)
	}
	if err := a.nameBots(ctx, channels); err != nil {
		return err
	}
	if tg, ok := channels[chat.Telegram].(interface{ Username() string }); ok && a.slip != nil && a.slip.TelegramBot() == "" {
		a.slip = a.slip.WithTelegramBot(tg.Username()) // the slips' t.me links name the bot getMe reported
	}
	router, err := a.Router(channels)
	if err != nil {
		return err
	}
	for name, ch := range channels {
		var s chat.Sender = ch
		if !ch.Features().Buttons {
			// A notice's buttons go out as numbers: the session store
			// keeps what each presses, for any replica to read.
			s = bot.RememberPresses(name, ch, a.sessions, a.log)
		}
		a.senders[name] = s
	}
	sched, err := a.scheduler()
	if err != nil {
		return err
	}
	for _, in := range inputs {
		if in.hook != nil {
			mux.Handle("POST "+in.path, quick(in.hook(router), webhookTimeout))
		}
	}
	srv := newHTTPServer(a.cfg.HTTPAddr, mux)
	ln, err := net.Listen("tcp", a.cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("app: listen %s: %w", a.cfg.HTTPAddr, err)
	}
	// Webhooks are registered once the server listens: the first update
	// may follow at once.
	for _, in := range inputs {
		if err := in.start(ctx); err != nil {
			ln.Close()
			return err
		}
	}
	serving[1] = ln.Addr().String()
	a.log.Info("serving", serving...)
	g, gctx := errgroup.WithContext(ctx)
	for _, in := range inputs {
		g.Go(func() error { return in.run(gctx, router) })
	}
	g.Go(func() error { return a.outbox.Run(gctx) })
	g.Go(func() error { return sched.Run(gctx) })
	g.Go(func() error { return a.announce.Run(gctx, announceTick) })
	serveHTTP(gctx, g, srv, ln, 10*time.Second)
	if a.cfg.PprofAddr != "" {
		if err := servePprof(gctx, g, a.cfg.PprofAddr); err != nil {
			a.log.Error("pprof server not started", "addr", a.cfg.PprofAddr, "err", err)
		}
	}
	err = g.Wait()
	a.log.Info("stopped")
	return err
}

// Limits of the HTTP server: a client that sends slowly or never closes
// holds a connection for a bounded time. A sync request may carry 10 MiB
// over a commune's line and import 5,000 dossiers before it is answered;
// a webhook call is small and answered once stored (quick).
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = time.Minute
	writeTimeout      = 2 * time.Minute
	idleTimeout       = 2 * time.Minute
	webhookTimeout    = 10 * time.Second
)

// newHTTPServer is the production HTTP server on addr.
func newHTTPServer(addr string, h http.Handler) *http.Server {
	return &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout: readTimeout, WriteTimeout: writeTimeout, IdleTimeout: idleTimeout}
}

// quick bounds a webhook call to d, well below the server's limits: the
// platform's request is at most 1 MiB and is answered as soon as it is
// stored, so a caller that dawdles is cut off and the platform retries.
func quick(h http.Handler, d time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		deadline := time.Now().Add(d)
		// Not every connection supports deadlines (HTTP/2 is the server's
		// own business); the server's limits hold then.
		_ = rc.SetReadDeadline(deadline)
		_ = rc.SetWriteDeadline(deadline)
		h.ServeHTTP(w, r)
	})
}

// serveHTTP runs srv on ln in g until ctx is done, then shuts it down,
// giving requests in hand up to grace.
func serveHTTP(ctx context.Context, g *errgroup.Group, srv *http.Server, ln net.Listener, grace time.Duration) {
	g.Go(func() error {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	})
	g.Go(func() error {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), grace)
		defer cancel()
		return srv.Shutdown(sctx)
	})
}

// input is how one channel's updates come in: a poll loop, or a webhook
// handler plus the loop that drains what it stored.
type input struct {
	path  string                                          // webhook path; "" when polling
	hook  func(h chat.Handler) http.Handler               // nil when polling
	start func(ctx context.Context) error                 // setWebhook or deleteWebhook
	run   func(ctx context.Context, h chat.Handler) error // until ctx is done
}

// retryStart tries a start-up call (setWebhook) a few times: a network
// blip at start should not need an operator.
func retryStart(ctx context.Context, what string, f func(context.Context) error) error {
	var err error
	for attempt, wait := 1, time.Second; attempt <= 4; attempt, wait = attempt+1, wait*2 {
		if err = f(ctx); err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
	return fmt.Errorf("app: %s: %w", what, err)
}

func (a *App) webhookURL(path string) string { return a.cfg.PublicURL + path }

func polling(m config.Mode) bool { return m != config.Webhook }

// mux is the HTTP surface: health, the sync API, and (added by Serve) the
// webhooks and published media.
func (a *App) mux() *http.ServeMux {
	m := http.NewServeMux()
	m.Handle("GET /metrics", a.metrics.Handler())
	m.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		status, code := map[string]string{}, http.StatusOK
		for name, err := range a.Ping(ctx) {
			status[name] = "ok"
			if err != nil {
				status[name], code = "down", http.StatusServiceUnavailable
				a.log.Warn("health check failed", "part", name, "err", err)
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_ = json.NewEncoder(w).Encode(status)
	})
	m.Handle(syncapi.Path, syncapi.Handler(pushing{intake.New(a.db, a.cfg.TZ), a}, a.cfg.SyncToken, a.log,
		syncapi.WithLinks(a.syncLinks)))
	if a.page != nil {
		m.Handle(statuspage.Path, a.page)
	}
	return m
}

// pushing is the sync API's importer: once a request has changed dossiers,
// their pushes go out at once, not at the next minute's job. The handler
// imports only after the bearer check and the body's checks, so a request
// without the token, or with the API off, does no work at all.
type pushing struct {
	imp *intake.Importer
	a   *App
}

func (p pushing) ImportRecords(ctx context.Context, recs []map[string]string, source string) ([]intake.ItemResult, intake.Report, error) {
	res, rep, err := p.imp.ImportRecords(ctx, recs, source)
	if rep.Created+rep.Updated > 0 {
		if _, perr := p.a.notify.PushChanges(ctx); perr != nil {
			p.a.log.Warn("push after sync", "err", perr)
		}
	}
	return res, rep, err
}
