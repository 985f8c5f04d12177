// Package intake imports dossiers from the province's one-door exports: it
// parses CSV tables of dossiers (English or Vietnamese headers, UTF-8 or
// UTF-16, comma, semicolon or tab separated) and the first sheet of Excel
// workbooks (.xlsx), validates each row, and merges the good rows into the
// stored dossiers through Repo (a row changes only the fields it carries),
// reporting the bad ones by line. The sync API hands it records already
// split into columns (ImportRecords). Every row, whatever its source, is
// held to the bounds of limits.go, and no file makes it hold more than one
// bounded row.
//
// Dates are local time in the importer's location and are stored in UTC; a
// date without a time means 00:00 local that day. Of the applicant's ID
// number only the last four digits are kept.
package intake

import (
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"xabot/internal/domain"
)

// Report is what an import did: how many rows created, updated or left
// unchanged a dossier, the rows that were not imported (by line), and
// what to tell about rows that were (Notices).
type Report struct {
	Created, Updated, Unchanged int
	Errors                      []LineError
	Notices                     []Notice
}

// Notice is something to tell about a row that was imported: an extension
// on record kept against an earlier date, or moved later by the one-door
// system. Like LineError it never holds a phone, a name or an ID number.
type Notice struct {
	Line int // as LineError.Line
	Key  string
	Args map[string]string
}

// Importer imports dossier tables into a Repo.
type Importer struct {
	repo Repo
	loc  *time.Location
}

// New returns an Importer that reads local times in loc (the commune's
// zone, Asia/Ho_Chi_Minh; nil means UTC) and writes to repo.
func New(repo Repo, loc *time.Location) *Importer {
	if loc == nil {
		loc = time.UTC
	}
	return &Importer{repo: repo, loc: loc}
}

// sniffSize is how much of the file is looked at to find the delimiter.
const sniffSize = 64 << 10

// The header is the first row within the first headerRows rows (lines of a
// CSV, rows of a sheet) naming at least headerMatches known columns, or the
// code and one more (a thin export: code and status): the rows above it,
// blank or a title ("DANH SÁCH HỒ SƠ ..."), are skipped.
const (
	headerRows    = 20
	headerMatches = 3
)

// ImportCSV reads a CSV table of dossiers from r and merges every valid
// row into the dossier with its code (domain.MergeDossier: a column the
// file lacks, or a blank cell, leaves the stored value), recording source
// ("import", "sync") on the events. Bad rows are reported in Report.Errors
// by physical line number and the rest are still imported: a line ends in
// LF, CRLF or a lone CR, and a row over the bounds (limits.go) is refused
// without being held (lineGuard). Title and blank lines above the header
// are skipped (see headerRows). The error is for the
// file as a whole: unreadable, or a header without the code column (a
// *domain.InvalidError with key "import.missing_columns"; nothing is
// imported then), or a storage failure, after which Report counts what was
// written before it.
func (im *Importer) ImportCSV(ctx context.Context, r io.Reader, source string) (Report, error) {
	src, err := csvSource(r, dossierTable())
	if err != nil {
		return Report{}, err
	}
	return im.importTable(ctx, src, source, nil, "line")
}

// lineEndings is text with its CRLF and lone CR line endings made LF, as
// lineGuard passes them on.
func lineEndings(text []byte) []byte {
	text = bytes.ReplaceAll(text, []byte("\r\n"), []byte("\n"))
	return bytes.ReplaceAll(text, []byte("\r"), []byte("\n"))
}

// rowSource yields the rows of a table one by one.
type rowSource interface {
	// next returns the next row's cells and its number as the user sees it
	// (CSV: physical line; XLSX: row number); io.EOF after the last row; a
	// *LineError for a row that cannot be read, the rows after it can.
	next() (cells []string, line int, err error)
}

// csvRows reads rows with a csv.Reader reading through a lineGuard: a
// record the guard cut is refused for the reason it noted.
type csvRows struct {
	cr    *csv.Reader
	g     *lineGuard
	ahead *csvRecord // read past a cut record
}

type csvRecord struct {
	cells []string
	line  int
	err   error
}

func (s *csvRows) next() ([]string, int, error) {
	r := s.ahead
	if r == nil {
		r = s.read()
	}
	s.ahead = nil
	if !s.g.wasCut(r.line) {
		return r.cells, r.line, r.err
	}
	// The reason is final once the guard has read to the record's end (a
	// quote never closed is told at the end of the file): the record after
	// it is read first.
	s.ahead = s.read()
	return nil, r.line, s.g.take(r.line)
}

func (s *csvRows) read() *csvRecord {
	cells, err := s.cr.Read()
	var pe *csv.ParseError
	switch {
	case errors.As(err, &pe):
		return &csvRecord{line: pe.StartLine, err: &LineError{Line: pe.StartLine, Key: "import.bad_row"}}
	case err != nil:
		return &csvRecord{err: err}
	}
	line, _ := s.cr.FieldPos(0)
	return &csvRecord{cells: cells, line: line}
}

// findHeader reads rows up to the header (see headerRows). Without one it
// reports the missing columns of the row naming the most known columns,
// or "import.empty" when there is no non-blank row.
func findHeader(src rowSource, t *Table) (header, error) {
	best, bestN, nonBlank := header{}, -1, false
	for {
		cells, line, err := src.next()
		var le *LineError
		switch {
		case errors.Is(err, io.EOF):
		case errors.As(err, &le):
			if le.Line <= headerRows {
				continue // an unreadable title line
			}
		case err != nil:
			return header{}, fmt.Errorf("intake: header: %w", err)
		}
		if err != nil || line > headerRows {
			break
		}
		if blank(cells) {
			continue
		}
		nonBlank = true
		if !validUTF8(cells) {
			return header{}, domain.Invalid("import.bad_encoding")
		}
		h := t.match(cells)
		if h.complete() {
			return h, nil
		}
		if len(h.index) > bestN {
			best, bestN = h, len(h.index)
		}
	}
	if !nonBlank {
		return header{}, domain.Invalid("import.empty")
	}
	return best, nil
}

// importTable imports the rows of src: it finds the header, then parses
// each row into a record (conv, when set, rewrites a cell's value given its
// column name) and merges the valid ones. unit names a row in storage
// errors ("line", "row").
func (im *Importer) importTable(ctx context.Context, src rowSource, source string,
	conv func(column, value string) string, unit string) (Report, error) {
	var rep Report
	seen := map[string]int{} // canonical code → line of its first row
	b := &batch{repo: im.repo, source: source, unit: unit, loc: im.loc}
	err := eachRecord(ctx, src, dossierTable(), conv, func(row tableRow) error {
		b.name = row.name
		if row.err != nil {
			rep.Errors = append(rep.Errors, *row.err)
			return nil
		}
		p, le := ParseRecord(row.rec, im.loc)
		if le == nil {
			key := domain.CanonicalCode(p.Values.Code)
			if first, dup := seen[key]; dup {
				le = rowError("import.duplicate_code", "code", p.Values.Code, "line", strconv.Itoa(first))
			} else {
				seen[key] = row.line
			}
		}
		if le != nil {
			le.Line = row.line
			row.name(le)
			rep.Errors = append(rep.Errors, *le)
			return nil
		}
		b.add(p, row.line)
		if len(b.ps) == batchSize {
			return b.flush(ctx, &rep)
		}
		return nil
	})
	if err != nil {
		sortByLine(&rep)
		return rep, err
	}
	err = b.flush(ctx, &rep)
	sortByLine(&rep)
	return rep, err
}

// batchSize is how many rows go in one transaction: large enough to spread
// the commit (100,000 rows in 7.5 s instead of 10.4 s at 256), small enough
// not to hold the one writer for long (about 150 ms; the bot's writes wait
// on the busy timeout).
const batchSize = 2000

// batch holds valid rows until they are written.
type batch struct {
	repo   Repo
	source string
	unit   string // what lines counts: "line", "row", "item"
	loc    *time.Location
	ps     []domain.DossierPatch
	lines  []int
	// name, when set, rewrites a refusal's column names as the file has them.
	name func(*LineError)
	// done, when set, is told what became of each row written, by its
	// line: its outcome, why it was refused, what to tell about it.
	done func(line int, o Outcome, refused *LineError, notices []Notice)
}

func (b *batch) add(p domain.DossierPatch, line int) {
	b.ps = append(b.ps, p)
	b.lines = append(b.lines, line)
}

// flush writes the held rows and counts what happened to them in rep.
func (b *batch) flush(ctx context.Context, rep *Report) error {
	if len(b.ps) == 0 {
		return nil
	}
	defer func() { b.ps, b.lines = b.ps[:0], b.lines[:0] }()
	merges, err := b.repo.MergeDossiers(ctx, b.ps, b.source)
	if err != nil {
		return fmt.Errorf("intake: %ss %d-%d: %w", b.unit, b.lines[0], b.lines[len(b.lines)-1], err)
	}
	for i, m := range merges {
		line := b.lines[i]
		var refused *LineError
		var notices []Notice
		switch m.Outcome {
		case Refused:
			refused = &LineError{Line: line, Key: m.Refused.Key, Args: m.Refused.Args}
			if b.name != nil {
				b.name(refused)
			}
			rep.Errors = append(rep.Errors, *refused)
		case Created:
			rep.Created++
		case Updated:
			rep.Updated++
		default:
			rep.Unchanged++
		}
		if n, ok := extensionNotice(m, b.ps[i].Values, b.loc); ok {
			n.Line = line
			notices = append(notices, n)
			rep.Notices = append(rep.Notices, n)
		}
		if b.done != nil {
			b.done(line, m.Outcome, refused, notices)
		}
	}
	return nil
}

// extensionNotice tells what became of a row's extension when the one on
// record decided it: a later date taken, an earlier one left.
func extensionNotice(m domain.Merge, given domain.Dossier, loc *time.Location) (Notice, bool) {
	date := func(t time.Time) string { return t.In(loc).Format("02/01/2006") }
	switch m.Extension {
	case domain.ExtensionMoved:
		return Notice{Key: "import.extension_moved", Args: map[string]string{
			"code": m.Dossier.Code, "new": date(m.Dossier.ExtendedDueAt)}}, true
	case domain.ExtensionKept:
		return Notice{Key: "import.extension_kept", Args: map[string]string{
			"code": given.Code, "kept": date(m.Previous), "given": date(given.ExtendedDueAt)}}, true
	}
	return Notice{}, false
}

// sortByLine puts a report's errors and notices in line order: rows are
// refused when read and when merged.
func sortByLine(rep *Report) {
	slices.SortStableFunc(rep.Errors, func(a, b LineError) int { return cmp.Compare(a.Line, b.Line) })
	slices.SortStableFunc(rep.Notices, func(a, b Notice) int { return cmp.Compare(a.Line, b.Line) })
}

// sniffDelimiter picks the field separator of head, the start of a CSV
// file: the one of comma, semicolon and tab under which a header turns up
// (earliest, then naming the most columns), so that a title line above the
// header does not mislead; without a header, delimiter's guess.
func sniffDelimiter(head []byte, t *Table) rune {
	best, bestLine, bestN := rune(0), 0, 0
	for _, d := range []rune{',', ';', '\t'} {
		cr := csv.NewReader(bytes.NewReader(head))
		cr.Comma, cr.FieldsPerRecord, cr.LazyQuotes, cr.ReuseRecord = d, -1, true, true
		for {
			cells, err := cr.Read()
			if err != nil {
				break // the end of head, maybe in the middle of a line
			}
			line, _ := cr.FieldPos(0)
			if line > headerRows {
				break
			}
			h := t.match(cells)
			if !h.complete() {
				continue
			}
			n := len(h.index)
			if best == 0 || line < bestLine || (line == bestLine && n > bestN) {
				best, bestLine, bestN = d, line, n
			}
			break
		}
	}
	if best != 0 {
		return best
	}
	return delimiter(head)
}

// delimiter guesses the field separator from the first non-blank line:
// whichever of comma, semicolon (Excel in locales with a decimal comma) and
// tab occurs most often outside quotes; comma on a tie.
func delimiter(head []byte) rune {
	for len(head) > 0 {
		line, rest, _ := bytes.Cut(head, []byte("\n"))
		head = rest
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		counts := map[byte]int{}
		quoted := false
		for _, b := range line {
			switch {
			case b == '"':
				quoted = !quoted
			case !quoted && (b == ',' || b == ';' || b == '\t'):
				counts[b]++
			}
		}
		best := byte(',')
		for _, b := range []byte{';', '\t'} {
			if counts[b] > counts[best] {
				best = b
			}
		}
		return rune(best)
	}
	return ','
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

func validUTF8(cells []string) bool {
	for _, c := range cells {
		if !utf8.ValidString(c) {
			return false
		}
	}
	return true
}
