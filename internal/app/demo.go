package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"xabot/internal/commune"
	"xabot/internal/config"
	"xabot/internal/demo"
	"xabot/internal/domain"
	"xabot/internal/i18n"
	"xabot/internal/store"
	"xabot/locales"
)

// DemoDB is where `xabot demo` keeps its database unless XABOT_DB says otherwise.
const DemoDB = "xabot-demo/xabot.db"

// Demo seeds the demo commune (afresh when the data is from another day,
// since its dates are relative to today), prints codes and phones to try,
// and opens the terminal chat as a citizen, with the browser simulator
// served beside it (see demoRun).
func Demo(ctx context.Context, cfg config.Config, log *slog.Logger, now func() time.Time, in io.Reader, out io.Writer) error {
	// The demo resets its database every day; a database it did not make
	// (a commune's, named by an exported XABOT_DB) is left exactly as it is.
	exists, kind, legacy, err := store.Inspect(ctx, cfg.DB)
	if err != nil {
		return err
	}
	if exists && kind != store.KindDemo && !legacy {
		texts, err := i18n.Load(locales.FS, "vi")
		if err != nil {
			return err
		}
		return errors.New(texts.T(cfg.Lang, "demo.not_demo", map[string]string{"db": cfg.DB, "demo": DemoDB}))
	}
	if err := os.MkdirAll(filepath.Dir(cfg.DB), 0o755); err != nil {
		return fmt.Errorf("app: demo: %w", err)
	}
	// Generated data depends only on today's date: the same day, the same commune.
	cal, err := commune.Default().Calendar()
	if err != nil {
		return err
	}
	data := demo.Generate(now(), cfg.TZ, cal)
	samples := demo.Samples(data, now(), cfg.TZ)
	a, err := openDemo(ctx, cfg, log, now)
	if err != nil {
		return err
	}
	if fresh, err := a.seeded(ctx, samples); err != nil {
		a.Close()
		return err
	} else if !fresh {
		a.Close()
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if err := os.Remove(cfg.DB + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("app: demo: reset %s: %w", cfg.DB, err)
			}
		}
		if a, err = openDemo(ctx, cfg, log, now); err != nil {
			return err
		}
		if err := a.seed(ctx, data); err != nil {
			a.Close()
			return err
		}
	}
	defer a.Close()
	// Also for a database seeded before the page had panels.
	if err := a.bindWebPersonas(ctx); err != nil {
		return err
	}
	a.printSamples(out, data, samples)
	return a.demoRun(ctx, in, out)
}

// openDemo opens the demo database and marks it as the demo's, before
// anything is written to it.
func openDemo(ctx context.Context, cfg config.Config, log *slog.Logger, now func() time.Time) (*App, error) {
	a, err := Open(ctx, cfg, log, now)
	if err != nil {
		return nil, err
	}
	if _, err := a.db.MetaOnce(ctx, store.MetaKind, store.KindDemo); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

// seeded reports whether the database already holds today's demo data.
func (a *App) seeded(ctx context.Context, samples []demo.Sample) (bool, error) {
	if len(samples) == 0 {
		return false, nil
	}
	_, err := a.db.DossierByCode(ctx, domain.CanonicalCode(samples[0].Code))
	if errors.Is(err, domain.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

func (a *App) seed(ctx context.Context, c demo.Commune) error {
	for _, p := range c.Procedures {
		if err := a.db.UpsertProcedure(ctx, p); err != nil {
			return fmt.Errorf("app: demo seed: %w", err)
		}
	}
	if _, err := a.db.UpsertDossiers(ctx, c.Dossiers, "demo"); err != nil {
		return fmt.Errorf("app: demo seed: %w", err)
	}
	// The officials, bound to terminal identities: `xabot chat --as
	// official` is the head of the one-stop shop, `--as chairman` the
	// chairman; the others only receive.
	for i, m := range demo.Staff() {
		chatKey := fmt.Sprintf("console:demo-official-%d", i)
		switch {
		case m.Head:
			chatKey = "console:cli-official"
		case m.Role == string(domain.RoleChairman):
			chatKey = "console:cli-chairman"
		}
		code, _, err := a.staff.Invite(ctx, "demo", m.Name, domain.Role(m.Role), m.Fields, m.Head)
		if err != nil {
			return fmt.Errorf("app: demo official %d: %w", i, err)
		}
		if _, err := a.staff.Register(ctx, chatKey, code); err != nil {
			return fmt.Errorf("app: demo official %d: %w", i, err)
		}
	}
	return a.seedReception(ctx)
}

func (a *App) printSamples(out io.Writer, c demo.Commune, samples []demo.Sample) {
	lang := a.cfg.Lang
	t := func(key string, args map[string]string) string { return a.texts.T(lang, key, args) }
	fmt.Fprintln(out, t("demo.banner", map[string]string{
		"commune": a.profile.Name, "dossiers": fmt.Sprint(len(c.Dossiers)), "db": a.cfg.DB}))
	for _, s := range samples {
		note := t(fmt.Sprintf("status.%d", int(s.Status)), nil)
		if s.Overdue {
			note += " · " + t("demo.overdue", nil)
		}
		if s.Extended {
			note += " · " + t("demo.extended", nil)
		}
		fmt.Fprintf(out, "  %-22s  %s  %s\n", s.Code, s.Phone, note)
	}
	if phone, n := familyPhone(c, samples); n > 1 {
		fmt.Fprintln(out, t("demo.mine", map[string]string{"phone": phone, "count": fmt.Sprint(n)}))
	}
	fmt.Fprintln(out, t("demo.howto", nil))
}

// familyPhone picks the sample phone that carries the most dossiers, to
// try "my dossiers" with.
func familyPhone(c demo.Commune, samples []demo.Sample) (string, int) {
	count := map[string]int{}
	for _, d := range c.Dossiers {
		count[d.Phone]++
	}
	best, n := "", 0
	for _, s := range samples {
		if count[s.Phone] > n {
			best, n = s.Phone, count[s.Phone]
		}
	}
	return best, n
}
