// Package intake imports dossiers from the province's one-door exports: it
// parses CSV tables of dossiers (English or Vietnamese headers, UTF-8 or
// UTF-16, comma, semicolon or tab separated), validates each row, and
// upserts the good rows through Repo, reporting the bad ones by line.
//
// Dates are local time in the importer's location and are stored in UTC; a
// date without a time means 00:00 local that day. Of the applicant's ID
// number only the last four digits are kept.
package intake

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"xabot/internal/domain"
)

// Report is what an import did: how many rows created, updated or left
// unchanged a dossier, and the rows that were not imported.
type Report struct {
	Created, Updated, Unchanged int
	Errors                      []LineError
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

// ImportCSV reads a CSV table of dossiers from r and upserts every valid
// row, recording source ("import", "sync") on the events. Bad rows are
// reported in Report.Errors by physical line number and the rest are still
// imported. The error is for the file as a whole: unreadable, or a header
// without the required columns (a *domain.InvalidError with key
// "import.missing_columns"; nothing is imported then), or a storage
// failure, after which Report counts what was written before it.
func (im *Importer) ImportCSV(ctx context.Context, r io.Reader, source string) (Report, error) {
	var rep Report
	// A byte order mark picks UTF-8 or UTF-16 (Excel's "Unicode text") and is
	// dropped; without one the bytes are taken as UTF-8.
	br := bufio.NewReaderSize(transform.NewReader(r, unicode.BOMOverride(transform.Nop)), sniffSize)
	head, err := br.Peek(sniffSize)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return rep, fmt.Errorf("intake: read: %w", err)
	}
	cr := csv.NewReader(br)
	cr.Comma = delimiter(head)
	cr.FieldsPerRecord = -1 // short and long rows are tolerated
	// Strict quotes: with lazy ones an unbalanced quote silently swallows
	// the rest of the file into one cell; strictly it is a reported line.
	cr.LazyQuotes = false
	cr.ReuseRecord = true

	cells, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return rep, domain.Invalid("import.empty")
	}
	if err != nil {
		return rep, fmt.Errorf("intake: header: %w", err)
	}
	if !validUTF8(cells) {
		return rep, domain.Invalid("import.bad_encoding")
	}
	h := matchHeader(cells)
	if missing := h.missing(); len(missing) > 0 {
		return rep, domain.Invalid("import.missing_columns", "columns", strings.Join(missing, ", "))
	}

	seen := map[string]int{} // canonical code → line of its first row
	b := &batch{repo: im.repo, source: source}
	for {
		if err := ctx.Err(); err != nil {
			return rep, fmt.Errorf("intake: %w", err)
		}
		cells, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			rep.Errors = append(rep.Errors, LineError{Line: pe.StartLine, Key: "import.bad_row"})
			continue
		}
		if err != nil {
			return rep, fmt.Errorf("intake: read: %w", err)
		}
		line, _ := cr.FieldPos(0)
		if blank(cells) {
			continue
		}
		if !validUTF8(cells) {
			rep.Errors = append(rep.Errors, LineError{Line: line, Key: "import.bad_encoding"})
			continue
		}
		rec := make(map[string]string, len(h.index))
		for name, i := range h.index {
			if i < len(cells) {
				rec[name] = cells[i]
			}
		}
		d, le := ParseRecord(rec, im.loc)
		if le == nil {
			key := domain.CanonicalCode(d.Code)
			if first, dup := seen[key]; dup {
				le = rowError("import.duplicate_code", "code", d.Code, "line", strconv.Itoa(first))
			} else {
				seen[key] = line
			}
		}
		if le != nil {
			le.Line = line
			if c, ok := le.Args["column"]; ok && h.text[c] != "" {
				le.Args["column"] = h.text[c] // as the file's author wrote it
			}
			rep.Errors = append(rep.Errors, *le)
			continue
		}
		b.add(d, line)
		if len(b.ds) == batchSize {
			if err := b.flush(ctx, &rep); err != nil {
				return rep, err
			}
		}
	}
	if err := b.flush(ctx, &rep); err != nil {
		return rep, err
	}
	return rep, nil
}

// batchSize is how many rows go in one transaction when the repo is a
// BatchRepo: large enough to spread the commit, small enough not to hold
// the one writer for long (a few tens of milliseconds).
const batchSize = 256

// batch holds valid rows until they are written.
type batch struct {
	repo   Repo
	source string
	ds     []domain.Dossier
	lines  []int
}

func (b *batch) add(d domain.Dossier, line int) {
	b.ds = append(b.ds, d)
	b.lines = append(b.lines, line)
}

// flush writes the held rows and counts what happened to them in rep.
func (b *batch) flush(ctx context.Context, rep *Report) error {
	if len(b.ds) == 0 {
		return nil
	}
	defer func() { b.ds, b.lines = b.ds[:0], b.lines[:0] }()
	count := func(o Outcome) {
		switch o {
		case Created:
			rep.Created++
		case Updated:
			rep.Updated++
		default:
			rep.Unchanged++
		}
	}
	if br, ok := b.repo.(BatchRepo); ok {
		outcomes, err := br.UpsertDossiers(ctx, b.ds, b.source)
		if err != nil {
			return fmt.Errorf("intake: lines %d-%d: %w", b.lines[0], b.lines[len(b.lines)-1], err)
		}
		for _, o := range outcomes {
			count(o)
		}
		return nil
	}
	for i, d := range b.ds {
		o, err := b.repo.UpsertDossier(ctx, d, b.source)
		if err != nil {
			return fmt.Errorf("intake: line %d dossier %q: %w", b.lines[i], d.Code, err)
		}
		count(o)
	}
	return nil
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
