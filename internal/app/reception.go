package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"xabot/internal/i18n"
	"xabot/internal/service/officials"
)

// officialsBook is `xabot officials book ID on|off`: the official keeps the
// reception book (gets the evening list, records visits with /sotiep)
// besides the chairmen, or no longer.
func (a *App) officialsBook(ctx context.Context, s *officials.Service, args []string, out io.Writer) error {
	if len(args) != 2 || (args[1] != "on" && args[1] != "off") {
		return errors.New(OfficialsUsage)
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(args[0], "#"), 10, 64)
	if err != nil || id <= 0 {
		return fmt.Errorf("officials book: %q is not an official's number\n%s", args[0], OfficialsUsage)
	}
	o, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	on := args[1] == "on"
	if err := a.reception.SetKeeper(ctx, officials.ActorCLI, id, on); err != nil {
		return err
	}
	key := "reception.cli.revoked"
	if on {
		key = "reception.cli.granted"
	}
	_, err = fmt.Fprintln(out, a.texts.T(a.cfg.Lang, key, map[string]string{"name": o.Name, "id": strconv.FormatInt(id, 10)}))
	return err
}

// reportReception prints the report's sentence on citizen reception for
// from..to after the paragraph on dossiers (`xabot report`).
func (a *App) reportReception(ctx context.Context, lang string, from, to time.Time, out io.Writer) error {
	t, err := a.reception.Tally(ctx, from, to)
	if err != nil {
		return err
	}
	l := a.reception.Sentence(t, from, to, func(n int64) string { return i18n.Number(lang, n) })
	_, err = fmt.Fprintln(out, a.texts.T(lang, l.Key, l.Args))
	return err
}
