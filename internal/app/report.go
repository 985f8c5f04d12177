package app

import (
	"context"
	"errors"
	"fmt"
	"io"

	"xabot/internal/domain"
	"xabot/internal/service/stats"
)

// ReportDossiers prints the report paragraph for [from, to] (DD/MM/YYYY or
// YYYY-MM-DD), in English when en, else in the configured language.
func (a *App) ReportDossiers(ctx context.Context, from, to string, en bool, out io.Writer) error {
	s := stats.New(a.db, a.cfg.TZ)
	lang := a.cfg.Lang
	if en {
		lang = "en"
	}
	f, t, err := s.ParsePeriod(from+" "+to, a.now())
	var inv *domain.InvalidError
	if errors.As(err, &inv) {
		return errors.New(a.texts.T(lang, inv.Key, inv.Args))
	}
	if err != nil {
		return err
	}
	c, err := s.Report(ctx, f, t)
	if err != nil {
		return err
	}
	l := s.Paragraph(lang, c, f, t)
	if _, err := fmt.Fprintln(out, a.texts.T(lang, l.Key, l.Args)); err != nil {
		return err
	}
	return a.reportReception(ctx, lang, f, t, out)
}
