package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"

	"xabot/internal/domain"
	"xabot/internal/i18n"
	"xabot/internal/service/intake"
)

// ImportDossiers imports a CSV or XLSX export of dossiers and prints the
// report in the configured language: counts, each bad row with its line
// number, then what to know about rows imported (an extension moved or
// kept).
// It fails only when the file as a whole cannot be read.
func (a *App) ImportDossiers(ctx context.Context, path string, out io.Writer) (intake.Report, error) {
	lang := a.cfg.Lang
	if _, err := os.Stat(path); err != nil {
		return intake.Report{}, fmt.Errorf("app: import: %w", err)
	}
	rep, err := intake.New(a.db, a.cfg.TZ).ImportFile(ctx, path, "import")
	var inv *domain.InvalidError
	if errors.As(err, &inv) {
		return rep, errors.New(a.texts.T(lang, inv.Key, inv.Args))
	}
	if err != nil {
		return rep, err
	}
	// Status changes reach the citizens who follow them: the pushes go to
	// the outbox now, and the running bot delivers them.
	if n, err := a.notify.PushChanges(ctx); err != nil {
		a.log.Warn("push after import", "err", err)
	} else if n > 0 {
		a.log.Info("pushes queued", "count", n)
	}
	n := func(v int) string { return i18n.Number(lang, int64(v)) }
	fmt.Fprintln(out, a.texts.T(lang, "import.summary", map[string]string{
		"created": n(rep.Created), "updated": n(rep.Updated), "unchanged": n(rep.Unchanged), "errors": n(len(rep.Errors))}))
	for _, e := range rep.Errors {
		args := domain.ClipArgs(e.Args) // a cell's value, said back
		fmt.Fprintln(out, a.texts.T(lang, "import.line", map[string]string{
			"line": strconv.Itoa(e.Line), "reason": a.texts.T(lang, e.Key, args)}))
	}
	for _, n := range rep.Notices {
		fmt.Fprintln(out, a.texts.T(lang, "import.notice_line", map[string]string{
			"line": strconv.Itoa(n.Line), "notice": a.texts.T(lang, n.Key, n.Args)}))
	}
	return rep, nil
}
