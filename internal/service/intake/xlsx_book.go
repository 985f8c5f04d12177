package intake

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"

	"xabot/internal/domain"
)

// Bounds of what a workbook may make us hold or read, besides the row
// bounds every import shares (limits.go). A cell is read up to maxCellRunes
// characters, Excel's own limit, so a longer one (which Excel cannot write)
// is told apart from one merely over MaxFieldRunes. A part of the zip (a
// sheet, the shared strings) unzips to at most maxPart bytes, and the
// shared-string table keeps at most maxSharedStrings entries (their texts go
// to a temporary file when the table is large).
const (
	maxCellRunes     = 32767
	maxCellBytes     = 4 * maxCellRunes
	maxPart          = 1 << 30
	maxSharedStrings = 1 << 22
	sharedInMemory   = 16 << 20 // a table unzipping to more is kept on disk
)

// errTooLong marks a value over maxCellRunes.
var errTooLong = errors.New("cell too long")

// workbook is an .xlsx opened for its first sheet: the sheet's part, the
// shared strings and the date system.
type workbook struct {
	sheet    *zip.File
	strings  *sharedStrings
	date1904 bool
}

// openWorkbook finds the first sheet of zr (in the workbook's order, as
// Excel shows the tabs) and loads the shared strings. A workbook without a
// sheet is "import.empty"; anything unreadable is "import.bad_xlsx".
func openWorkbook(zr *zip.Reader) (*workbook, error) {
	files := map[string]*zip.File{}
	for _, f := range zr.File {
		files[strings.ToLower(strings.ReplaceAll(f.Name, "\\", "/"))] = f
	}
	find := func(name string) *zip.File { return files[strings.ToLower(strings.TrimPrefix(name, "/"))] }

	bookPath := "xl/workbook.xml"
	if rels := find("_rels/.rels"); rels != nil {
		targets, err := readRels(rels, "")
		if err != nil {
			return nil, err
		}
		if t := targets.byType("/officeDocument"); t != "" {
			bookPath = t
		}
	}
	book := find(bookPath)
	if book == nil {
		return nil, badXLSX(errors.New("no workbook part"))
	}
	w := &workbook{}
	firstSheet := ""
	err := scanPart(book, func(s *xmlScanner, tok xmlToken) error {
		if tok != tokStart {
			return nil
		}
		switch s.name {
		case "workbookPr":
			w.date1904, _ = strconv.ParseBool(s.attr("date1904"))
		case "sheet":
			if firstSheet == "" {
				firstSheet = s.attr("id")
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if firstSheet == "" {
		return nil, domain.Invalid("import.empty")
	}
	dir, base := path.Split(bookPath)
	var targets rels
	if r := find(dir + "_rels/" + base + ".rels"); r != nil {
		if targets, err = readRels(r, dir); err != nil {
			return nil, err
		}
	}
	if w.sheet = find(targets[firstSheet].target); w.sheet == nil {
		return nil, badXLSX(errors.New("no first sheet"))
	}
	ssPath := targets.byType("/sharedStrings")
	if ssPath == "" {
		ssPath = "xl/sharedStrings.xml"
	}
	if ss := find(ssPath); ss != nil {
		if w.strings, err = loadSharedStrings(ss); err != nil {
			return nil, err
		}
	}
	return w, nil
}

// Close removes the shared strings' temporary file, if any.
func (w *workbook) Close() error {
	if w.strings != nil {
		return w.strings.close()
	}
	return nil
}

// rels are a part's relationships by id: the target's path in the zip and
// the relationship's type.
type rels map[string]struct{ target, kind string }

func (r rels) byType(suffix string) string {
	for _, t := range r {
		if strings.HasSuffix(t.kind, suffix) {
			return t.target
		}
	}
	return ""
}

// readRels reads a .rels part; targets are made paths in the zip, relative
// ones against dir.
func readRels(f *zip.File, dir string) (rels, error) {
	out := rels{}
	err := scanPart(f, func(s *xmlScanner, tok xmlToken) error {
		if tok == tokStart && s.name == "Relationship" {
			t := s.attr("Target")
			if strings.HasPrefix(t, "/") {
				t = strings.TrimPrefix(t, "/")
			} else {
				t = path.Join(dir, t)
			}
			out[s.attr("Id")] = struct{ target, kind string }{t, s.attr("Type")}
		}
		return nil
	})
	return out, err
}

// openPart opens a part of the zip, refusing one that would unzip to more
// than maxPart bytes (the zip reader holds it to its declared size).
func openPart(f *zip.File) (io.ReadCloser, error) {
	if f.UncompressedSize64 > maxPart {
		return nil, domain.Invalid("import.xlsx_too_big", "max", strconv.Itoa(maxPart>>20)+" MiB")
	}
	rc, err := f.Open()
	if err != nil {
		return nil, badXLSX(err)
	}
	return rc, nil
}

// scanPart feeds every token of a part to fn.
func scanPart(f *zip.File, fn func(*xmlScanner, xmlToken) error) error {
	rc, err := openPart(f)
	if err != nil {
		return err
	}
	defer rc.Close()
	s := newXMLScanner(rc)
	for {
		tok, err := s.next()
		if err != nil {
			return badXLSX(fmt.Errorf("%s: %w", f.Name, err))
		}
		if tok == tokEOF {
			return nil
		}
		if err := fn(s, tok); err != nil {
			return err
		}
	}
}

// cellText collects the text of a cell, or of a shared string, up to
// maxCellRunes characters; past them it only notes that the value is too
// long.
type cellText struct {
	b       []byte
	runes   int
	tooLong bool
}

func (c *cellText) add(p []byte) {
	if c.tooLong {
		return
	}
	for _, x := range p {
		if x&0xC0 != 0x80 { // the first byte of a character
			c.runes++
		}
	}
	if c.runes > maxCellRunes {
		c.tooLong, c.b = true, c.b[:0]
		return
	}
	c.b = append(c.b, p...)
}

func (c *cellText) reset() { c.b, c.runes, c.tooLong = c.b[:0], 0, false }

// richText reads the text of a string item (<si>, <is>): its <t>, and
// those of its rich-text runs, but not the phonetic hints (<rPh>) Excel
// keeps beside East Asian text.
type richText struct {
	cellText
	inT, inPh bool
}

// token follows s inside the item; it returns false at the item's end
// (end tag named item).
func (r *richText) token(s *xmlScanner, tok xmlToken, item string) bool {
	switch tok {
	case tokStart:
		switch s.name {
		case "rPh":
			r.inPh = true
		case "t":
			r.inT = !r.inPh
		}
	case tokEnd:
		switch s.name {
		case "rPh":
			r.inPh = false
		case "t":
			r.inT = false
		case item:
			return false
		}
	case tokText:
		if r.inT {
			r.add(s.text)
		}
	}
	return true
}

// value is the item's text as Excel means it: "_x000D_" and the like
// decoded.
func (r *richText) value() (string, error) {
	if r.tooLong {
		return "", errTooLong
	}
	return decodeEscapes(string(r.b)), nil
}

// decodeEscapes decodes the "_xHHHH_" escapes Excel writes for characters
// XML cannot carry ("_x005F_" is a literal "_"), as excelize reads them.
func decodeEscapes(s string) string {
	if !strings.Contains(s, "_x") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "_x")
		if i < 0 || len(s) < i+7 {
			break
		}
		n, err := strconv.ParseUint(s[i+2:i+6], 16, 16)
		if err != nil || s[i+6] != '_' {
			b.WriteString(s[:i+1])
			s = s[i+1:]
			continue
		}
		b.WriteString(s[:i])
		switch r := rune(n); {
		case r == '_':
			b.WriteByte('_')
		case utf8.ValidRune(r):
			b.WriteRune(r)
		} // a lone surrogate stands for nothing
		s = s[i+7:]
	}
	b.WriteString(s)
	return b.String()
}

// sharedStrings is the workbook's shared-string table: the texts one after
// another, in memory or, for a large table, in a temporary file, and where
// each starts. Items over maxCellRunes are not kept, only marked.
type sharedStrings struct {
	mem     []byte
	file    *os.File
	size    int64
	starts  []uint32 // item i is [starts[i], starts[i+1]), the last ends at size
	tooLong map[int]bool
}

func loadSharedStrings(f *zip.File) (*sharedStrings, error) {
	ss := &sharedStrings{tooLong: map[int]bool{}}
	if f.UncompressedSize64 > sharedInMemory {
		tmp, err := os.CreateTemp("", "xabot-strings-")
		if err != nil {
			return nil, fmt.Errorf("intake: %w", err)
		}
		ss.file = tmp
	}
	var item richText
	in := false
	err := scanPart(f, func(s *xmlScanner, tok xmlToken) error {
		if !in {
			if tok == tokStart && s.name == "si" {
				in = true
				item.reset()
				item.inT, item.inPh = false, false
			}
			return nil
		}
		if item.token(s, tok, "si") {
			return nil
		}
		in = false
		return ss.add(item)
	})
	if err != nil {
		ss.close()
		return nil, err
	}
	return ss, nil
}

func (ss *sharedStrings) add(item richText) error {
	if len(ss.starts) >= maxSharedStrings {
		return domain.Invalid("import.xlsx_too_big", "max", strconv.Itoa(maxSharedStrings)+" shared strings")
	}
	ss.starts = append(ss.starts, uint32(ss.size))
	if item.tooLong {
		ss.tooLong[len(ss.starts)-1] = true
		return nil
	}
	if ss.file == nil {
		ss.mem = append(ss.mem, item.b...)
	} else if _, err := ss.file.Write(item.b); err != nil {
		return fmt.Errorf("intake: shared strings: %w", err)
	}
	ss.size += int64(len(item.b))
	return nil
}

// get returns item i decoded; errTooLong for an item over the limit. An
// index outside the table is an empty cell, as excelize reads it.
func (ss *sharedStrings) get(i int) (string, error) {
	if i < 0 || i >= len(ss.starts) {
		return "", nil
	}
	if ss.tooLong[i] {
		return "", errTooLong
	}
	start, end := int64(ss.starts[i]), ss.size
	if i+1 < len(ss.starts) {
		end = int64(ss.starts[i+1])
	}
	if ss.file == nil {
		return decodeEscapes(string(ss.mem[start:end])), nil
	}
	buf := make([]byte, end-start)
	if _, err := ss.file.ReadAt(buf, start); err != nil {
		return "", fmt.Errorf("intake: shared strings: %w", err)
	}
	return decodeEscapes(string(buf)), nil
}

func (ss *sharedStrings) close() error {
	if ss.file == nil {
		return nil
	}
	name := ss.file.Name()
	ss.file.Close()
	return os.Remove(name)
}
