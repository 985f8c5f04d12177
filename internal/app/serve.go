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
	"xabot/internal/channel/telegram"
	"xabot/internal/chat"
	"xabot/internal/service/intake"
	"xabot/internal/syncapi"
)

// Serve runs production: the Telegram channel and the HTTP server
// (/healthz), until ctx is cancelled; then it stops taking updates, lets
// the ones in hand finish, and returns.
func (a *App) Serve(ctx context.Context) error {
	if a.cfg.TelegramToken == "" {
		return errors.New("app: serve: XABOT_TELEGRAM_TOKEN is not set, so there is no channel to serve")
	}
	tg, err := telegram.New(ctx, telegram.Config{
		Token:    a.cfg.TelegramToken,
		Endpoint: a.cfg.TelegramAPI,
		Log:      a.log,
		SendRate: a.cfg.SendRate,
	})
	if err != nil {
		return err
	}
	router, err := a.Router(map[chat.Channel]bot.Channel{chat.Telegram: tg})
	if err != nil {
		return err
	}
	a.senders[chat.Telegram] = tg
	sched, err := a.scheduler()
	if err != nil {
		return err
	}
	srv := &http.Server{Addr: a.cfg.HTTPAddr, Handler: a.mux(), ReadHeaderTimeout: 5 * time.Second}
	ln, err := net.Listen("tcp", a.cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("app: listen %s: %w", a.cfg.HTTPAddr, err)
	}
	a.log.Info("serving", "http", ln.Addr().String(), "telegram", tg.Username())
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return tg.Run(gctx, router) })
	g.Go(func() error { return a.outbox.Run(gctx) })
	g.Go(func() error { return sched.Run(gctx) })
	g.Go(func() error {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	})
	g.Go(func() error {
		<-gctx.Done()
		sctx, cancel := context.WithTimeout(context.WithoutCancel(gctx), 10*time.Second)
		defer cancel()
		return srv.Shutdown(sctx)
	})
	err = g.Wait()
	a.log.Info("stopped")
	return err
}

// mux is the HTTP surface: health now, webhooks and the sync API later.
func (a *App) mux() *http.ServeMux {
	m := http.NewServeMux()
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
	sync := syncapi.Handler(intake.New(a.db, a.cfg.TZ), a.cfg.SyncToken, a.log)
	m.Handle(syncapi.Path, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sync.ServeHTTP(w, r)
		// Pushes for the changes go out at once, not at the next minute's job.
		if r.Method == http.MethodPost {
			if _, err := a.notify.PushChanges(r.Context()); err != nil {
				a.log.Warn("push after sync", "err", err)
			}
		}
	}))
	return m
}
