package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"xabot/internal/bot"
	"xabot/internal/channel/console"
	"xabot/internal/channel/web"
	"xabot/internal/chat"
	"xabot/internal/domain"
	"xabot/internal/outbox"
	"xabot/internal/schedule"
	"xabot/internal/statuspage"
)

// The demo's chats: the terminal citizen, and the page's fixed panels,
// which the head of the one-stop shop and the chairman are bound to.
const (
	demoCitizen = "demo-citizen"
	webOfficial = "official"
	webChairman = "chairman"
)

// webPersonas are the page's panels, in order.
func webPersonas() []web.Persona {
	return []web.Persona{
		{Panel: "citizen", Label: "web.page.panel_citizen"},
		{Panel: "official", User: webOfficial, Label: "web.page.panel_official"},
		{Panel: "chairman", User: webChairman, Label: "web.page.panel_chairman"},
		{Panel: "zalo", Label: "web.page.panel_zalo", Numbered: true},
	}
}

// demoRun runs the demo after seeding: the terminal chat as a citizen and,
// beside it, the browser simulator and the outbox that delivers to both,
// through one router. The scheduled jobs run only from the page. When the
// terminal's input ends the page is still served until ctx is cancelled.
func (a *App) demoRun(ctx context.Context, in io.Reader, out io.Writer) error {
	out = &lockedWriter{w: out} // the console and the outbox's deliveries share it
	con := console.New(in, out, demoCitizen, a.now)
	if err := a.citizens.SetRole(ctx, chat.UserKey{Channel: chat.Console, ID: demoCitizen}.String(), domain.RoleCitizen); err != nil {
		return fmt.Errorf("app: demo: %w", err)
	}
	sched, err := a.scheduler()
	if err != nil {
		return err
	}
	sim := web.New(web.Config{
		Log: a.log, Now: a.now, Personas: webPersonas(), Labels: a.webLabels(),
		Lang: a.cfg.Lang, Commune: a.profile.Name, Jobs: demoJobs{a: a, sched: sched},
	})
	router, err := a.Router(map[chat.Channel]bot.Channel{
		chat.Console: con, chat.Web: sim.Channel(chat.Web), web.Numbered: sim.Channel(web.Numbered),
	})
	if err != nil {
		return err
	}
	a.senders[chat.Web] = sim.Channel(chat.Web)
	a.senders[web.Numbered] = sim.Channel(web.Numbered)
	a.senders[chat.Console] = con
	// The outbox fails at once a row whose channel has no sender, and the
	// terminal personas of other processes (`xabot chat --as official`,
	// the field officials) have none here: this worker claims only the rows
	// of the page's chats and of this terminal, and leaves the rest queued
	// and untouched.
	deliver := outbox.New(a.db, a.senders, outbox.Config{Rate: a.cfg.SendRate, Now: a.now, Log: a.log,
		Only: demoRecipients()})

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return deliver.Run(gctx) })
	g.Go(func() error { return a.announce.Run(gctx, announceTick) })
	t := func(key string, args map[string]string) string { return a.texts.T(a.cfg.Lang, key, args) }
	url := ""
	if ln, err := net.Listen("tcp", a.cfg.HTTPAddr); err != nil {
		// The terminal demo works without the page.
		fmt.Fprintln(out, t("web.demo.listen_failed", map[string]string{"addr": a.cfg.HTTPAddr, "err": err.Error()}))
	} else {
		url = pageURL(ln.Addr())
		fmt.Fprintln(out, t("web.demo.url", map[string]string{"url": url}))
		// No write timeout: the event streams stay open. Their requests
		// end with gctx, so Shutdown does not wait for them.
		var h http.Handler = sim.Handler(router)
		if a.page != nil { // the slip's status page beside the simulator
			m := http.NewServeMux()
			m.Handle(statuspage.Path, a.page)
			m.Handle("/", h)
			h = m
		}
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second,
			BaseContext: func(net.Listener) context.Context { return gctx }}
		serveHTTP(gctx, g, srv, ln, 5*time.Second)
	}
	g.Go(func() error {
		err := con.Run(gctx, router)
		if err != nil || gctx.Err() != nil || url == "" || !keepServing(in) {
			cancel()
			return err
		}
		fmt.Fprintln(out, "\n"+t("web.demo.terminal_ended", map[string]string{"url": url}))
		return nil
	})
	return g.Wait()
}

// keepServing says whether the page outlives the terminal's input: yes
// for the process's own stdin (`xabot demo </dev/null`, or Ctrl+D), which
// leaves Ctrl+C to stop; no for a reader a caller scripted, which ends the
// demo with its last line.
func keepServing(in io.Reader) bool {
	_, ok := in.(*os.File)
	return ok
}

// pageURL is the address to open for a listener: a wildcard host is
// reached on the loopback.
func pageURL(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String() + "/"
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/"
}

// webLabels are the page's texts in every language.
func (a *App) webLabels() map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, lang := range a.texts.Langs() {
		m := map[string]string{}
		for _, k := range a.texts.Keys() {
			if strings.HasPrefix(k, "web.page.") {
				m[k] = a.texts.T(lang, k, nil)
			}
		}
		out[lang] = m
	}
	return out
}

// bindWebPersonas binds the page's official and chairman panels to the
// demo's head of the one-stop shop and chairman, each a second chat of
// the official beside the terminal one. It runs on every start and does
// nothing for a panel already bound, so a database seeded before the page
// existed gets the bindings too. ByChat also makes the page the chat the
// official's notices go to, which is where the demo shows them.
func (a *App) bindWebPersonas(ctx context.Context) error {
	all, err := a.staff.List(ctx)
	if err != nil {
		return fmt.Errorf("app: demo: %w", err)
	}
	// The official panel plays the field official with the most overdue
	// dossiers, so «run job now» → overdue lands there.
	late, _, err := a.notify.OverdueOf(ctx, a.now(), func(domain.Dossier) bool { return true })
	if err != nil {
		return fmt.Errorf("app: demo: %w", err)
	}
	busiest, most := int64(0), -1
	for _, o := range all {
		if !o.Active() || o.Role != domain.RoleOfficial || len(o.Fields) == 0 {
			continue
		}
		n := 0
		for _, d := range late {
			if slices.Contains(o.Fields, d.Field) {
				n++
			}
		}
		if n > most {
			busiest, most = o.ID, n
		}
	}
	for _, b := range []struct {
		key string
		is  func(domain.Official) bool
	}{
		{chat.UserKey{Channel: chat.Web, ID: webOfficial}.String(), func(o domain.Official) bool { return o.ID == busiest }},
		{chat.UserKey{Channel: chat.Web, ID: webChairman}.String(), func(o domain.Official) bool { return o.Role == domain.RoleChairman }},
	} {
		_, err := a.staff.ByChat(ctx, b.key)
		if err == nil {
			continue
		}
		if !errors.Is(err, domain.ErrNotFound) {
			return fmt.Errorf("app: demo: %w", err)
		}
		for _, o := range all {
			if !o.Active() || !b.is(o) {
				continue
			}
			code, _, err := a.staff.InviteChat(ctx, "demo", o.ID)
			if err != nil {
				return fmt.Errorf("app: demo: %w", err)
			}
			if _, err := a.staff.Register(ctx, b.key, code); err != nil {
				return fmt.Errorf("app: demo: %w", err)
			}
			break
		}
	}
	return nil
}

// demoJobs runs the scheduler's jobs from the page, as of now.
type demoJobs struct {
	a     *App
	sched *schedule.Scheduler
}

func (j demoJobs) Names() []string {
	var out []string
	for _, job := range j.sched.Jobs() {
		out = append(out, job.Name)
	}
	return out
}

// Run counts the rows the job added to the outbox, whatever became of
// them since (sent already, or failed).
func (j demoJobs) Run(ctx context.Context, name string) (int, error) {
	total := func() (int, error) {
		c, err := j.a.db.OutboxCounts(ctx)
		n := 0
		for _, v := range c {
			n += v
		}
		return n, err
	}
	before, err := total()
	if err != nil {
		return 0, err
	}
	// A click is a deliberate rerun: the demo runs a job as often as asked.
	if err := j.sched.RunAgain(ctx, name, j.a.now()); err != nil {
		if errors.Is(err, schedule.ErrBusy) {
			return 0, fmt.Errorf("%w: %w", web.ErrJobBusy, err)
		}
		return 0, err
	}
	after, err := total()
	return max(after-before, 0), err // the purge deletes: it queues nothing
}

// demoRecipients are the chats the demo's outbox delivers to: the page's
// and this terminal's citizen (GLOB patterns of chat keys).
func demoRecipients() []string {
	return []string{string(chat.Web) + ":*", string(web.Numbered) + ":*",
		chat.UserKey{Channel: chat.Console, ID: demoCitizen}.String()}
}

// lockedWriter serialises writes from the terminal chat and the outbox.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
