// Command xabot is the commune chatbot: `xabot demo` to try it in a
// terminal, `xabot serve` in production, and the operator's commands
// (import, migrate, dialogs lint, chat). Configuration comes from the
// XABOT_* environment; see README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"
	_ "time/tzdata" // Asia/Ho_Chi_Minh must resolve in a static image

	"xabot/internal/app"
	"xabot/internal/config"
)

var version = "dev" // -ldflags "-X main.version=v1.2.3"

const importUsage = "usage: xabot import dossiers|procedures FILE.csv|FILE.xlsx"

const usage = `xabot — the commune chatbot (UBND xã)

Usage:
  xabot demo                                   try it in the terminal with a seeded demo commune
  xabot serve                                  run the bot (Telegram) and its HTTP server
  xabot chat [--as citizen|official|chairman|admin] [--user ID]
                                               talk to the bot in the terminal
  xabot import dossiers FILE.csv|FILE.xlsx     import dossiers (upsert by code)
  xabot import procedures FILE.csv|FILE.xlsx   import the procedure catalogue (upsert by code)
                                               exit status: 0 all lines imported, 1 some refused, 2 nothing read
  xabot officials invite --role official|chairman|admin --name NAME [--field F]... [--head]
                                               one-time code for an official to send with /dangky
  xabot officials list                         officials: role, fields, registered/pending/revoked
  xabot officials revoke ID                    take an official's role away
  xabot officials book ID on|off               the official keeps the citizen-reception book, or no longer
  xabot officials announce ID on|off           let an official send announcements by village (or not)
  xabot jobs list | xabot jobs run NAME [--at RFC3339] [--again]
                                               list the scheduled jobs, or run one as if at that time
  xabot report dossiers --from D --to D [--en] the report paragraph for a period (dates DD/MM/YYYY)
  xabot qr CODE [--out FILE.png]              the receipt slip's links and QR (a PNG, or drawn here)
  xabot qr --received-since DD/MM/YYYY --out DIR
                                               one QR PNG per dossier received since that day
  xabot dialogs lint                           check dialogs/*.yaml against locales and actions
  xabot migrate                                apply database migrations
  xabot backup FILE                            online copy of the database
  xabot version

Configuration: XABOT_* environment variables (see README.md).
`

func main() {
	args := os.Args[1:]
	err := run(args, os.Stdin, os.Stdout)
	var fe *app.FileError
	switch {
	case err == nil:
	case errors.Is(err, app.ErrSomeRefused):
		os.Exit(1) // the refused lines are in the report printed
	case errors.As(err, &fe):
		fmt.Fprintln(os.Stderr, fe.Text) // for the person: said plainly
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "xabot:", err)
		os.Exit(exitStatus(args))
	}
}

// exitStatus is the status of a failure: 2 for an import, which read
// nothing (status 1 says it refused some lines), else 1.
func exitStatus(args []string) int {
	if len(args) > 0 && args[0] == "import" {
		return 2
	}
	return 1
}

func run(args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stdout, usage)
		return nil
	}
	cmd, rest := args[0], args[1:]
	if cmd == "version" {
		fmt.Fprintln(stdout, version)
		return nil
	}
	if cmd == "dialogs" {
		if len(rest) != 1 || rest[0] != "lint" {
			return errors.New("usage: xabot dialogs lint")
		}
		if err := app.LintDialogs(); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "dialogs: ok")
		return nil
	}
	getenv := os.Getenv
	if cmd == "demo" && os.Getenv("XABOT_DB") == "" {
		getenv = func(k string) string {
			if k == "XABOT_DB" {
				return app.DemoDB
			}
			return os.Getenv(k)
		}
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	// Interactive commands keep the terminal for the conversation: only
	// warnings reach stderr there.
	level := cfg.LogLevel
	if cmd == "demo" || cmd == "chat" {
		level = max(level, slog.LevelWarn)
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: level})).With("version", version)
	slog.SetDefault(log) // for third-party code only; our packages receive log

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	now := time.Now

	switch cmd {
	case "demo":
		return app.Demo(ctx, cfg, log, now, stdin, stdout)
	case "serve", "chat", "import", "officials", "jobs", "report", "qr", "migrate", "backup":
	default:
		fmt.Fprint(stdout, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
	a, err := app.Open(ctx, cfg, log, now)
	if err != nil {
		return err
	}
	defer a.Close()
	switch cmd {
	case "serve":
		log.Info("starting", "config", cfg)
		return a.Serve(ctx)
	case "chat":
		fs := flag.NewFlagSet("chat", flag.ContinueOnError)
		as := fs.String("as", "citizen", "role: citizen, official, chairman or admin")
		user := fs.String("user", "", "console user id (default: one per role)")
		if err := fs.Parse(rest); err != nil {
			return err
		}
		role, err := app.ParseRole(*as)
		if err != nil {
			return err
		}
		if *user == "" {
			*user = "cli-" + *as
		}
		return a.Chat(ctx, stdin, stdout, *user, role)
	case "import":
		if len(rest) != 2 {
			return errors.New(importUsage)
		}
		switch rest[0] {
		case "dossiers":
			_, err := a.ImportDossiers(ctx, rest[1], stdout)
			return err
		case "procedures":
			_, err := a.ImportProcedures(ctx, rest[1], stdout)
			return err
		}
		return errors.New(importUsage)
	case "officials":
		return a.Officials(ctx, rest, stdout)
	case "jobs":
		return jobs(ctx, a, rest, stdout)
	case "report":
		fs := flag.NewFlagSet("report", flag.ContinueOnError)
		from := fs.String("from", "", "first day, DD/MM/YYYY or YYYY-MM-DD")
		to := fs.String("to", "", "last day, DD/MM/YYYY or YYYY-MM-DD")
		en := fs.Bool("en", false, "in English")
		if len(rest) < 1 || rest[0] != "dossiers" {
			return errors.New("usage: xabot report dossiers --from DD/MM/YYYY --to DD/MM/YYYY [--en]")
		}
		if err := fs.Parse(rest[1:]); err != nil {
			return err
		}
		return a.ReportDossiers(ctx, *from, *to, *en, stdout)
	case "qr":
		return a.QR(ctx, rest, stdout)
	case "migrate":
		fmt.Fprintln(stdout, "migrations: up to date")
		return nil
	case "backup":
		if len(rest) != 1 {
			return errors.New("usage: xabot backup FILE")
		}
		return a.Backup(ctx, rest[0])
	}
	return nil
}

// jobs is `xabot jobs list` and `xabot jobs run NAME [--at RFC3339] [--again]`.
func jobs(ctx context.Context, a *app.App, args []string, stdout io.Writer) error {
	const use = "usage: xabot jobs list | xabot jobs run NAME [--at 2026-11-25T07:30:00+07:00] [--again]"
	if len(args) == 1 && args[0] == "list" {
		return a.JobsList(stdout)
	}
	if len(args) < 2 || args[0] != "run" {
		return errors.New(use)
	}
	fs := flag.NewFlagSet("jobs run", flag.ContinueOnError)
	at := fs.String("at", "", "run as if at this time (RFC 3339); default now")
	again := fs.Bool("again", false, "run even if the job ran for that minute already")
	if err := fs.Parse(args[2:]); err != nil {
		return err
	}
	when := time.Now()
	if *at != "" {
		t, err := time.Parse(time.RFC3339, *at)
		if err != nil {
			return fmt.Errorf("--at %q: want RFC 3339, e.g. 2026-11-25T07:30:00+07:00", *at)
		}
		when = t
	}
	return a.JobsRun(ctx, args[1], when, *again, stdout)
}
