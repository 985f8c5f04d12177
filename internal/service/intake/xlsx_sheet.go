package intake

import (
	"errors"
	"io"
	"strconv"
	"strings"
)

// maxRow is the last row a sheet has (Excel's 1,048,576).
const maxRow = 1 << 20

// sheetRows reads a sheet's rows one at a time from its XML, holding one
// row at most: rowSource for importTable. Rows missing from the XML come as
// empty rows, so the numbers are Excel's. Cells are read raw — the value
// stored, not as the cell's number format shows it ("905123456", not
// "905,123,456"; a date's serial number, not "6/2/25") — xlsxValue making
// sense of them by column.
type sheetRows struct {
	rc      io.ReadCloser
	s       *xmlScanner
	strings *sharedStrings
	n       int // the number of the row last returned
	ahead   int // the number of the row read ahead, 0 when none
	cells   []string
	rowErr  *LineError // of the row read ahead
	done    bool
}

func openSheet(w *workbook) (*sheetRows, error) {
	rc, err := openPart(w.sheet)
	if err != nil {
		return nil, err
	}
	return &sheetRows{rc: rc, s: newXMLScanner(rc), strings: w.strings}, nil
}

func (r *sheetRows) Close() error { return r.rc.Close() }

func (r *sheetRows) next() ([]string, int, error) {
	if r.ahead == 0 && !r.done {
		if err := r.readRow(); err != nil {
			return nil, 0, err
		}
	}
	if r.done && r.ahead == 0 {
		return nil, 0, io.EOF
	}
	r.n++
	if r.n < r.ahead {
		return nil, r.n, nil // a row the sheet does not have
	}
	r.ahead = 0
	if r.rowErr != nil {
		le := r.rowErr
		r.rowErr, le.Line = nil, r.n
		return nil, r.n, le
	}
	return r.cells, r.n, nil
}

// readRow reads the next <row> into cells (or rowErr) and ahead; at the end
// of the sheet it sets done.
func (r *sheetRows) readRow() error {
	for {
		tok, err := r.s.next()
		if err != nil {
			return badXLSX(err)
		}
		switch {
		case tok == tokEOF, tok == tokEnd && r.s.name == "sheetData":
			r.done = true
			return nil
		case tok == tokStart && r.s.name == "row":
			num := r.n + 1
			if v := r.s.attr("r"); v != "" {
				n, err := strconv.Atoi(v)
				if err != nil || n < 1 || n > maxRow {
					return badXLSX(errors.New("bad row number " + strconv.Quote(v)))
				}
				num = max(n, r.n+1)
			}
			r.ahead = num
			return r.readCells(r.s.end)
		}
	}
}

// readCells reads the cells of the row just started (selfClosed: <row/>).
func (r *sheetRows) readCells(selfClosed bool) error {
	r.cells, r.rowErr = r.cells[:0], nil
	if selfClosed {
		r.s.end = false
		return nil
	}
	size, col := 0, 0
	var c cell
	for {
		tok, err := r.s.next()
		if err != nil {
			return badXLSX(err)
		}
		if tok == tokEOF {
			return badXLSX(errors.New("a row without its end"))
		}
		if tok == tokEnd && r.s.name == "row" {
			return nil
		}
		if tok != tokStart || r.s.name != "c" {
			continue
		}
		col++
		if ref := r.s.attr("r"); ref != "" {
			n, ok := colOf(ref)
			if !ok {
				r.fail("import.bad_cell")
			}
			col = max(n, 1)
		}
		c.start(r.s.attr("t"))
		if err := c.read(r.s); err != nil {
			return err
		}
		v, err := c.value(r.strings)
		if errors.Is(err, errTooLong) {
			r.fail("import.cell_too_long", "cell", cellName(col, r.ahead), "max", strconv.Itoa(maxCellRunes))
			continue
		}
		if err != nil {
			return err
		}
		if size += len(v); size > maxRowBytes {
			r.fail("import.row_too_long", "max", strconv.Itoa(maxRowBytes>>10)+" KiB")
			continue
		}
		if (v != "" || c.formula) && col > MaxColumns {
			r.fail("import.too_many_columns", "max", strconv.Itoa(MaxColumns))
			continue
		}
		if (v != "" || c.formula) && r.rowErr == nil {
			for len(r.cells) < col-1 {
				r.cells = append(r.cells, "")
			}
			r.cells = append(r.cells, v)
		}
	}
}

// fail marks the row read ahead as not importable: the first reason holds,
// and the rest of the row is read past.
func (r *sheetRows) fail(key string, kv ...string) {
	if r.rowErr == nil {
		r.rowErr = rowError(key, kv...)
		r.cells = r.cells[:0]
	}
}

// cell is one <c> being read: its type, <v>, inline string and whether it
// has a formula.
type cell struct {
	kind    string
	v       cellText
	inline  richText
	formula bool
}

func (c *cell) start(kind string) {
	c.kind, c.formula = kind, false
	c.v.reset()
	c.inline.reset()
	c.inline.inT, c.inline.inPh = false, false
}

// read reads the cell up to its end tag.
func (c *cell) read(s *xmlScanner) error {
	if s.end {
		s.end = false
		return nil
	}
	in := ""
	for {
		tok, err := s.next()
		if err != nil {
			return badXLSX(err)
		}
		switch {
		case tok == tokEOF:
			return badXLSX(errors.New("a cell without its end"))
		case in == "is":
			if !c.inline.token(s, tok, "is") {
				in = ""
			}
		case tok == tokStart && s.name == "is":
			in = "is"
		case tok == tokStart && s.name == "v":
			in = "v"
		case tok == tokStart && s.name == "f":
			c.formula = true
		case tok == tokText && in == "v":
			c.v.add(s.text)
		case tok == tokEnd && s.name == "v":
			in = ""
		case tok == tokEnd && s.name == "c":
			return nil
		}
	}
}

// value is the cell's raw value as excelize's RawCellValue reads it: a
// shared string's text, an inline string's text, otherwise <v> as stored.
func (c *cell) value(ss *sharedStrings) (string, error) {
	switch c.kind {
	case "s":
		if c.v.tooLong {
			return "", nil // no index is that long: not a string of the table
		}
		i, err := strconv.Atoi(strings.TrimSpace(string(c.v.b)))
		if err != nil || ss == nil {
			return "", nil
		}
		return ss.get(i)
	case "inlineStr":
		if len(c.inline.b) > 0 || c.inline.tooLong {
			return c.inline.value()
		}
	}
	if c.v.tooLong {
		return "", errTooLong
	}
	return string(c.v.b), nil
}

// colOf reads the column of a cell reference ("AB12" is 28), 1 to 16,384.
func colOf(ref string) (int, bool) {
	n, i := 0, 0
	for ; i < len(ref) && i < 3; i++ {
		ch := ref[i] | 0x20 // lower case
		if ch < 'a' || ch > 'z' {
			break
		}
		n = n*26 + int(ch-'a'+1)
	}
	if i == 0 || n > 16384 || i == len(ref) || ref[i] < '0' || ref[i] > '9' {
		return 0, false
	}
	return n, true
}

// cellName is the reference of column col, row row: (28, 5) is "AB5".
func cellName(col, row int) string { return columnLetters(col) + strconv.Itoa(row) }

// columnLetters names column col as a spreadsheet does: 28 is "AB".
func columnLetters(col int) string {
	var name []byte
	for ; col > 0; col = (col - 1) / 26 {
		name = append([]byte{byte('A' + (col-1)%26)}, name...)
	}
	return string(name)
}
