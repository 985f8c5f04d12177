package intake

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"xabot/internal/domain"
)

// Column is a column of a table other than the dossiers' (the procedure
// catalogue): its English name, the key of the records ReadFile gives, and
// the headers exports print for it, the usual one first. Headers match
// without case, accents, spaces or punctuation.
type Column struct {
	Name    string
	Aliases []string
}

// Table is what a file is read by: its columns and those it must have.
type Table struct {
	keys     headerKeys
	byName   map[string]column
	required []string
}

// NewTable returns the Table of cols; a file without the required columns
// is refused whole ("import.missing_columns").
func NewTable(cols []Column, required ...string) *Table {
	cs := make([]column, len(cols))
	for i, c := range cols {
		cs[i] = column{name: c.Name, aliases: c.Aliases}
	}
	return newTable(cs, required...)
}

func newTable(cols []column, required ...string) *Table {
	t := &Table{keys: newHeaderKeys(cols), byName: map[string]column{}, required: required}
	for _, c := range cols {
		t.byName[c.name] = c
	}
	return t
}

// heading is how exports usually head column name: its first alias.
func (t *Table) heading(name string) string {
	if c, ok := t.byName[name]; ok && len(c.aliases) > 0 {
		return c.aliases[0]
	}
	return name
}

// ReadFile reads the table at path by t, as ImportFile reads dossiers (CSV
// or XLSX by the extension; any line ending, delimiter and encoding; title
// rows above the header skipped; rows held to the bounds of limits.go) and
// gives each row carrying something in a known column to fn as a record
// (column name → the cell's text) with its line. A row the readers refuse
// is reported in the errors returned, named as the file heads its
// columns, and the rest are read; fn's error stops the reading and is
// returned. The error is for the file as a whole: a *domain.InvalidError
// ("import.missing_columns", "import.empty", "import.bad_xlsx", …) or one
// of the os package (a missing file: errors.Is(err, fs.ErrNotExist)).
func ReadFile(ctx context.Context, path string, t *Table, fn func(line int, rec map[string]string) *LineError) ([]LineError, error) {
	src, conv, closeFn, err := openFile(path, t)
	if err != nil {
		return nil, err
	}
	defer closeFn()
	var errs []LineError
	err = eachRecord(ctx, src, t, conv, func(r tableRow) error {
		le := r.err
		if le == nil {
			if le = fn(r.line, r.rec); le != nil {
				r.name(le)
			}
		}
		if le != nil {
			le.Line = r.line
			errs = append(errs, *le)
		}
		return nil
	})
	return errs, err
}

// openFile opens the table at path by its extension.
func openFile(path string, t *Table) (rowSource, func(column, value string) string, func(), error) {
	ext := strings.ToLower(filepath.Ext(path))
	switch ext {
	case ".csv", ".tsv", ".txt", ".xlsx", ".xlsm":
	case ".xls":
		return nil, nil, nil, domain.Invalid("import.xls_unsupported")
	default:
		return nil, nil, nil, domain.Invalid("import.unknown_format", "file", filepath.Base(path))
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("intake: %w", err)
	}
	if ext == ".csv" || ext == ".tsv" || ext == ".txt" {
		src, err := csvSource(f, t)
		if err != nil {
			f.Close()
			return nil, nil, nil, err
		}
		return src, nil, func() { f.Close() }, nil
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, nil, fmt.Errorf("intake: %w", err)
	}
	src, conv, closeZip, err := zipSource(f, fi.Size())
	if err != nil {
		f.Close()
		return nil, nil, nil, err
	}
	return src, conv, func() { closeZip(); f.Close() }, nil
}

// csvSource reads a CSV table from r: a byte order mark picks UTF-8 or
// UTF-16 (Excel's "Unicode text") and is dropped, without one the bytes are
// taken as UTF-8; the delimiter is the one the header of t turns up under.
func csvSource(r io.Reader, t *Table) (rowSource, error) {
	br := bufio.NewReaderSize(transform.NewReader(r, unicode.BOMOverride(transform.Nop)), sniffSize)
	head, err := br.Peek(sniffSize)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, fmt.Errorf("intake: read: %w", err)
	}
	g := newLineGuard(br, sniffDelimiter(lineEndings(head), t))
	cr := csv.NewReader(g)
	cr.Comma = rune(g.comma)
	cr.FieldsPerRecord = -1 // short and long rows are tolerated
	// Strict quotes: with lazy ones an unbalanced quote silently swallows
	// the rest of the file into one cell; strictly it is a reported line.
	cr.LazyQuotes = false
	cr.ReuseRecord = true
	return &csvRows{cr: cr, g: g}, nil
}

// eachRecord reads src by t: it finds the header, then gives fn each row
// with something in a known column as a record (conv, when set, rewriting
// a cell's value given its column name), or the reason a row could not be
// read (named as the header names the columns). fn's error stops it.
func eachRecord(ctx context.Context, src rowSource, t *Table, conv func(column, value string) string,
	fn func(tableRow) error) error {
	h, err := findHeader(src, t)
	if err != nil {
		return err
	}
	if missing := h.missing(); len(missing) > 0 {
		return h.missingError(missing)
	}
	for {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("intake: %w", err)
		}
		cells, line, err := src.next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		var le *LineError
		if errors.As(err, &le) {
			h.name(le)
			if err := fn(tableRow{line: le.Line, err: le, name: h.name}); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("intake: read: %w", err)
		}
		// Only the known columns count: a row with nothing in them (blank,
		// a leftover STT number, a footer or signature in another column)
		// is skipped without a word.
		rec := make(map[string]string, len(h.index))
		empty := true
		for name, i := range h.index {
			if i < len(cells) {
				v := cells[i]
				if conv != nil {
					v = conv(name, v)
				}
				rec[name] = v
				empty = empty && strings.TrimSpace(v) == ""
			}
		}
		if empty {
			continue
		}
		row := tableRow{line: line, rec: rec, name: h.name}
		if !validUTF8(cells) {
			row.rec, row.err = nil, &LineError{Line: line, Key: "import.bad_encoding"}
		}
		if err := fn(row); err != nil {
			return err
		}
	}
}

// tableRow is a row eachRecord gives: its record, or why it could not be
// read; name rewrites a refusal's column names as the file heads them.
type tableRow struct {
	line int
	rec  map[string]string
	err  *LineError
	name func(*LineError)
}
