package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	"xabot/internal/domain"
	"xabot/internal/i18n"
	"xabot/internal/service/catalogue"
	"xabot/internal/service/intake"
)

// ErrSomeRefused is what an import returns when it refused some lines and
// imported the others: `xabot import` exits with status 1. The lines are
// in the report it printed.
var ErrSomeRefused = errors.New("import: some lines were refused")

// FileError is a file an import could not read at all (missing, not a
// table, without the code column…): nothing was imported, and `xabot
// import` exits with status 2. Text says so to the person, in the
// configured language.
type FileError struct {
	Text string
	Err  error
}

func (e *FileError) Error() string { return e.Text }
func (e *FileError) Unwrap() error { return e.Err }

// ImportDossiers imports a CSV or XLSX export of dossiers and prints the
// report in the configured language: counts, each bad row with its line
// number, then what to know about rows imported (an extension moved or
// kept). It returns ErrSomeRefused when some rows were refused, a
// *FileError when the file as a whole could not be read.
func (a *App) ImportDossiers(ctx context.Context, path string, out io.Writer) (intake.Report, error) {
	lang := a.cfg.Lang
	if err := a.readable(path); err != nil {
		return intake.Report{}, err
	}
	rep, err := intake.New(a.db, a.cfg.TZ).ImportFile(ctx, path, "import")
	if err != nil {
		return rep, a.fileError(path, err)
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
	a.printLines(out, rep.Errors)
	for _, n := range rep.Notices {
		fmt.Fprintln(out, a.texts.T(lang, "import.notice_line", map[string]string{
			"line": strconv.Itoa(n.Line), "notice": a.texts.T(lang, n.Key, n.Args)}))
	}
	if len(rep.Errors) > 0 {
		return rep, ErrSomeRefused
	}
	return rep, nil
}

// ImportProcedures imports the procedure catalogue (the national portal's
// or the one-door system's list, CSV or XLSX) and prints the report as
// ImportDossiers does; a running bot's search sees it at its next question.
func (a *App) ImportProcedures(ctx context.Context, path string, out io.Writer) (catalogue.Report, error) {
	lang := a.cfg.Lang
	if err := a.readable(path); err != nil {
		return catalogue.Report{}, err
	}
	rep, err := catalogue.New(a.db).Import(ctx, path)
	if err != nil {
		return rep, a.fileError(path, err)
	}
	n := func(v int) string { return i18n.Number(lang, int64(v)) }
	fmt.Fprintln(out, a.texts.T(lang, "catalogue.summary", map[string]string{
		"created": n(rep.Created), "updated": n(rep.Updated), "unchanged": n(rep.Unchanged), "errors": n(len(rep.Errors))}))
	a.printLines(out, rep.Errors)
	if len(rep.Errors) > 0 {
		return rep, ErrSomeRefused
	}
	return rep, nil
}

// readable refuses, in plain words, a path that is not a file one can
// read: missing, a folder, or not allowed.
func (a *App) readable(path string) error {
	fi, err := os.Stat(path)
	switch {
	case err == nil && fi.IsDir():
		return &FileError{Text: a.texts.T(a.cfg.Lang, "import.is_dir", map[string]string{"file": path}), Err: err}
	case err == nil:
		f, err := os.Open(path)
		if err != nil {
			return a.fileError(path, err)
		}
		return f.Close()
	}
	return a.fileError(path, err)
}

// fileError says why the file at path could not be imported at all; a
// storage failure, which is no fault of the file, is passed on as it is.
func (a *App) fileError(path string, err error) error {
	lang := a.cfg.Lang
	file := map[string]string{"file": path, "name": filepath.Base(path)}
	var inv *domain.InvalidError
	switch {
	case errors.As(err, &inv):
		return &FileError{Text: a.texts.T(lang, inv.Key, inv.Args), Err: err}
	case errors.Is(err, fs.ErrNotExist):
		return &FileError{Text: a.texts.T(lang, "import.no_file", file), Err: err}
	case errors.Is(err, fs.ErrPermission):
		return &FileError{Text: a.texts.T(lang, "import.no_access", file), Err: err}
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return &FileError{Text: a.texts.T(lang, "import.unreadable", file), Err: err}
	}
	return err
}

// printLines prints each refused line with its reason. A status is named
// as the person knows it («Đã có kết quả»), not by its number.
func (a *App) printLines(out io.Writer, errs []intake.LineError) {
	lang := a.cfg.Lang
	for _, e := range errs {
		args := domain.ClipArgs(e.Args) // a cell's value, said back
		if n, err := strconv.Atoi(args["status"]); err == nil && domain.Status(n).Valid() {
			args["status"] = a.texts.T(lang, "status."+args["status"], nil)
		}
		fmt.Fprintln(out, a.texts.T(lang, "import.line", map[string]string{
			"line": strconv.Itoa(e.Line), "reason": a.texts.T(lang, e.Key, args)}))
	}
}
