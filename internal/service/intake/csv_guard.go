package intake

import (
	"bytes"
	"io"
	"strconv"
)

// lineGuard stands between a CSV file's text and the csv.Reader, for two
// things encoding/csv does not do:
//
//   - every line ending is a line ending: LF, CRLF and a lone CR (old Mac
//     exports, some Excel ones) all reach the reader as LF, so no row is
//     merged into another and line numbers are the ones an editor shows;
//   - a record is cut short once it passes maxRowBytes or fills more than
//     MaxColumns columns: the rest of it is read past, not passed on, so the
//     reader never holds more than one bounded record, and the cut is noted
//     by the record's first line for csvRows to report.
//
// To know where a record ends it follows the reader's own rules for quotes
// (LazyQuotes off): a quote opens a field only at its start, "" inside one
// is a quote, a quote closes it only before the delimiter or a line end,
// and after a misplaced quote the reader drops the rest of the line. Empty
// columns past MaxColumns are held back rather than passed on, so a row
// that ends in a run of them (a spreadsheet's used range) is not refused.
type lineGuard struct {
	src        io.Reader
	comma      byte
	plainStops string // what ends a run of text in a field without quotes
	in         []byte
	buf        []byte // what the bytes read from src become
	out        []byte // the part of buf the reader has yet to get
	err        error  // of src, once met

	line    int  // the physical line being read, from 1
	afterCR bool // the last byte was a CR: an LF now ends the same line
	state   guardState
	prev    guardState // before the byte being read: where the reader is

	// The record being read.
	start  int  // its first line
	size   int  // bytes passed on
	cols   int  // columns begun
	runes  int  // characters of the current field
	cutOff bool // cut: the rest of it is read past

	cuts map[int]*LineError // why records were cut, by first line, until taken
}

type guardState uint8

const (
	atLine   guardState = iota // a line's start, outside any record
	atField                    // a field's start
	inPlain                    // in a field without quotes
	inQuoted                   // in a quoted field
	atQuote                    // in a quoted field, just past a quote
	inBad                      // past a misplaced quote: the reader drops the line
)

func newLineGuard(src io.Reader, comma rune) *lineGuard {
	return &lineGuard{src: src, comma: byte(comma), plainStops: "\"\r\n" + string(comma),
		in: make([]byte, 32<<10), line: 1, cuts: map[int]*LineError{}}
}

func (g *lineGuard) Read(p []byte) (int, error) {
	for len(g.out) == 0 {
		if g.err != nil {
			return 0, g.err
		}
		n, err := g.src.Read(g.in)
		g.buf = g.buf[:0]
		for in := g.in[:n]; len(in) > 0; {
			if k := g.contentRun(in); k > 0 {
				g.content(in[:k])
				in = in[k:]
				continue
			}
			g.step(in[0])
			in = in[1:]
		}
		g.out = g.buf
		if err != nil {
			g.err = err
			g.end()
		}
	}
	n := copy(p, g.out)
	g.out = g.out[n:]
	return n, nil
}

// end is the end of the file. A record cut in a quote never closed took
// every line after it: it is told as the reader tells such a quote.
func (g *lineGuard) end() {
	if g.state == inQuoted && g.cutOff {
		g.cuts[g.start] = &LineError{Line: g.start, Key: "import.bad_row"}
	}
}

// wasCut says whether the record starting at line was cut.
func (g *lineGuard) wasCut(line int) bool { return g.cuts[line] != nil }

// take returns, and forgets, the refusal of the record starting at line.
func (g *lineGuard) take(line int) *LineError {
	le := g.cuts[line]
	delete(g.cuts, line)
	return le
}

// step reads one byte of the file.
func (g *lineGuard) step(b byte) {
	cr := g.afterCR
	g.afterCR = b == '\r'
	switch {
	case b == '\n' && cr:
		return // the LF of a CRLF: the line has ended
	case b == '\r' || b == '\n':
		g.lineEnd()
		return
	}
	g.prev = g.state
	switch g.state {
	case atLine:
		g.state, g.start, g.size, g.cols, g.cutOff = atField, g.line, 0, 1, false
		fallthrough
	case atField:
		g.runes = 0
		if b == g.comma {
			g.nextColumn()
			return
		}
		if g.cols > MaxColumns && !g.cutOff {
			// Something in a column past the last allowed: the record is
			// refused (the reader has it up to the held-back delimiter).
			g.cut(rowError("import.too_many_columns", "max", strconv.Itoa(MaxColumns)))
		}
		if b == '"' {
			g.state = inQuoted
		} else {
			g.state = inPlain
			g.runes++
		}
	case inPlain:
		switch b {
		case g.comma:
			g.nextColumn()
			return
		case '"':
			g.state = inBad
		default:
			g.count(b)
		}
	case inQuoted:
		if b == '"' {
			g.state = atQuote
		} else {
			g.count(b)
		}
	case atQuote:
		switch b {
		case '"':
			g.state = inQuoted
			g.runes++
		case g.comma:
			g.nextColumn()
			return
		default:
			g.state = inBad
		}
	}
	g.pass(b)
}

// count counts b in the current field's characters.
func (g *lineGuard) count(b byte) {
	if b&0xC0 != 0x80 { // not a continuation byte
		g.runes++
	}
}

// nextColumn starts the next column at a delimiter, holding the delimiter
// back once past MaxColumns.
func (g *lineGuard) nextColumn() {
	g.state = atField
	g.cols++
	if g.cols <= MaxColumns {
		g.pass(g.comma)
	}
}

// lineEnd reads a line ending, which ends the record unless a quoted field
// goes on. The reader gets an LF whatever the record: a cut record ends at
// the first, and the next ones are empty lines to it, keeping its line
// numbers those of the file.
func (g *lineGuard) lineEnd() {
	g.line++
	g.buf = append(g.buf, '\n')
	if g.state != inQuoted {
		g.state = atLine
	}
}

// pass hands b to the reader, unless the record is cut or b would take it
// past maxRowBytes, which cuts it.
func (g *lineGuard) pass(b byte) {
	if g.cutOff {
		return
	}
	if g.size++; g.size > maxRowBytes {
		g.cut(g.tooLong())
		return
	}
	g.buf = append(g.buf, b)
}

// contentRun is how many bytes at the start of p are nothing but the text
// of the field being read (no quote, delimiter or line end): read as one,
// they make a long field cost a scan, not a step per byte.
func (g *lineGuard) contentRun(p []byte) int {
	stops := ""
	switch g.state {
	case inQuoted:
		stops = "\"\r\n"
	case inPlain:
		stops = g.plainStops
	case inBad:
		stops = "\r\n"
	default:
		return 0
	}
	if k := bytes.IndexAny(p, stops); k >= 0 {
		return k
	}
	return len(p)
}

// content reads p, a run of a field's text, as step would byte by byte.
func (g *lineGuard) content(p []byte) {
	g.afterCR, g.prev = false, g.state
	if g.cutOff {
		return
	}
	room := maxRowBytes - g.size
	if g.state != inBad {
		for _, b := range p[:min(len(p), room+1)] {
			g.count(b)
		}
	}
	if len(p) <= room {
		g.size += len(p)
		g.buf = append(g.buf, p...)
		return
	}
	g.size = maxRowBytes
	g.buf = append(g.buf, p[:room]...)
	g.cut(g.tooLong())
}

// tooLong is why a record past maxRowBytes is refused: the field being read
// when it is over MaxFieldRunes, else the row.
func (g *lineGuard) tooLong() *LineError {
	if g.runes > MaxFieldRunes && g.state != inBad {
		le := rowError("import.too_long", "max", strconv.Itoa(MaxFieldRunes))
		le.col = g.cols
		return le
	}
	return rowError("import.row_too_long", "max", strconv.Itoa(maxRowBytes>>10)+" KiB")
}

// cut refuses the record being read and stops passing it on. A quoted
// field the reader is in (as of the bytes it got) is closed, so that the
// line end it gets next ends the record.
func (g *lineGuard) cut(le *LineError) {
	if g.cutOff {
		return
	}
	if g.prev == inQuoted {
		g.buf = append(g.buf, '"')
	}
	g.cutOff = true
	le.Line = g.start
	g.cuts[g.start] = le
}
