package intake

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"time"
	"unicode"
	"unicode/utf8"

	"xabot/internal/domain"
)

// memRepo merges into a map, as the store does (domain.MergeDossier by
// canonical code), so that fuzzing runs at memory speed; it fails t when a
// patch would store a value over the bounds.
type memRepo struct {
	t  *testing.T
	by map[string]domain.Dossier
}

func newMemRepo(t *testing.T) *memRepo { return &memRepo{t: t, by: map[string]domain.Dossier{}} }

func (r *memRepo) MergeDossiers(_ context.Context, ps []domain.DossierPatch, _ string) ([]domain.Merge, error) {
	out := make([]domain.Merge, len(ps))
	for i, p := range ps {
		checkStored(r.t, p.Values)
		key := domain.CanonicalCode(p.Values.Code)
		var stored *domain.Dossier
		if d, ok := r.by[key]; ok {
			stored = &d
		}
		out[i] = domain.MergeDossier(stored, p)
		if o := out[i].Outcome; o == domain.DossierCreated || o == domain.DossierUpdated {
			r.by[key] = out[i].Dossier
		}
	}
	return out, nil
}

// checkStored fails t when a value about to be stored is not valid text
// within the bounds: every value UTF-8, without NUL or other controls but
// tab and line breaks, at most MaxFieldRunes; the code at most MaxCodeRunes
// and without any control or format character.
func checkStored(t *testing.T, d domain.Dossier) {
	t.Helper()
	for name, v := range map[string]string{"procedure_code": d.ProcedureCode, "procedure_name": d.ProcedureName,
		"field": d.Field, "applicant_name": d.ApplicantName, "phone": d.Phone, "id": d.IDLast4,
		"village": d.Village, "handler": d.Handler, "note": d.Note, "extension_reason": d.ExtensionReason} {
		if !utf8.ValidString(v) || utf8.RuneCountInString(v) > MaxFieldRunes ||
			strings.ContainsFunc(v, func(r rune) bool { return unicode.IsControl(r) && !strings.ContainsRune("\t\n\r", r) }) {
			t.Errorf("%s stored as %q", name, v)
		}
	}
	if c := d.Code; c == "" || !utf8.ValidString(c) || utf8.RuneCountInString(c) > MaxCodeRunes ||
		strings.ContainsFunc(c, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }) {
		t.Errorf("code stored as %q", c)
	}
}

// fuzzHeader is the header of the files the fuzz targets write: the
// columns a new dossier needs and a note.
var fuzzHeader = []string{"code", "procedure_name", "field", "applicant_phone", "channel", "received_at", "due_at", "status", "note"}

// fuzzRows reads data as rows of cells: 0xFE ends a row, 0xFD a cell (bytes
// UTF-8 never has, so a cell may hold anything else: quotes, delimiters,
// line breaks, NUL, invalid UTF-8). The cells fill the columns of
// fuzzHeader in order, then more; a column left out gets a good value, so
// every row is a dossier unless its cells make it a bad one. A blank code
// gets a letter: a row is never blank, and so never skipped.
func fuzzRows(data []byte) [][]string {
	good := []string{"", "Đăng ký khai sinh", "Hộ tịch", "0905123456", "1", "02/06/2025", "05/06/2025", "4", "ok"}
	var rows [][]string
	for i, raw := range bytes.Split(data, []byte{0xFE}) {
		if i == 200 {
			break
		}
		row := slices.Clone(good)
		row[0] = fmt.Sprintf("H55.20-250602-%04d", i+1)
		for j, c := range bytes.Split(raw, []byte{0xFD}) {
			if j < len(row) {
				if len(c) > 0 {
					row[j] = string(c)
				}
				continue
			}
			row = append(row, string(c))
		}
		if strings.TrimSpace(row[0]) == "" {
			row[0] = "X" + row[0]
		}
		rows = append(rows, row)
	}
	return rows
}

// writeCSV writes rows under fuzzHeader as a CSV file, ending line i (the
// header is 0) with LF, CRLF or a lone CR as the i-th pair of bits of
// endings says, and returns it with the physical line each row starts on,
// counting line ends as an editor does (CRLF being one).
func writeCSV(rows [][]string, endings uint64) ([]byte, []int) {
	var file bytes.Buffer
	var starts []int
	line := 1
	for i, row := range append([][]string{fuzzHeader}, rows...) {
		var rec bytes.Buffer
		w := csv.NewWriter(&rec)
		_ = w.Write(row)
		w.Flush()
		text := bytes.TrimSuffix(rec.Bytes(), []byte("\n"))
		end := [...]string{"\n", "\r\n", "\r", "\n"}[(endings>>(2*(i%32)))&3]
		if i > 0 {
			starts = append(starts, line)
		}
		file.Write(text)
		file.WriteString(end)
		line += lineEnds(string(text) + end)
	}
	return file.Bytes(), starts
}

// lineEnds counts the line ends in s: LF, CRLF and lone CR, one each.
func lineEnds(s string) int {
	return strings.Count(strings.ReplaceAll(s, "\r\n", "\n"), "\n") + strings.Count(strings.ReplaceAll(s, "\r\n", ""), "\r")
}

// checkAccounted fails t unless each of the rows starting on starts was
// imported or reported, once, by its first line.
func checkAccounted(t *testing.T, rep Report, starts []int) {
	t.Helper()
	if n := rep.Created + rep.Updated + rep.Unchanged + len(rep.Errors); n != len(starts) {
		t.Fatalf("%d rows, %d imported and %d reported: %+v", len(starts), n-len(rep.Errors), len(rep.Errors), rep.Errors)
	}
	seen := map[int]bool{}
	for _, e := range rep.Errors {
		if _, ok := slices.BinarySearch(starts, e.Line); !ok || seen[e.Line] {
			t.Errorf("error %+v: not once on a row's first line %v", e, starts)
		}
		seen[e.Line] = true
	}
}

// rowSeeds are rows of real shapes, as fuzzRows reads them.
func rowSeeds() [][]byte {
	return [][]byte{
		[]byte("H55.20-250602-0001\xfeH55.20-250602-0002\xfdKhai sinh\xfd\xfd0905 123 456\xfdtrực tuyến\xfd2025-06-02 08:00\xfd02/06/2025\xfd9\xfd\"Bổ sung\"\"\nảnh\", 2 bản"),
		[]byte("000.00.12.H55-250602-0012\xfd\xfd\xfd+84905123456\xfd2\xfd02/06/2025\xfd01/06/2025\xfe1.001193.000.00.00.H55\xfeH55.20-250602-0001"),
		[]byte("H55\x00.20-250602-0003\xfeH55.20\u200b-250602-0004\xfe\xfd\xfd\xfd\xfd\xfd\xfd\xfd\xfdghi\r\nchú\rdòng"),
		[]byte("\"quoted\"\"\xfd\"open\xfe  \xfdTh\xf4n\xfd,;\t\xfe" + strings.Repeat("\xfd", 120) + "x"),
		[]byte("H55.20-250602-0005\xfd" + strings.Repeat("ệ", MaxFieldRunes+1) + "\xfe" + strings.Repeat("A", MaxCodeRunes+1)),
	}
}

// FuzzCSVRows writes rows of any cells as a CSV file, with any line
// endings, and imports it: every row is imported or reported by its first
// line, and nothing stored is over the bounds.
func FuzzCSVRows(f *testing.F) {
	for i, s := range rowSeeds() {
		f.Add(s, uint64(0))                  // LF
		f.Add(s, uint64(0xAAAAAAAAAAAAAAAA)) // lone CR
		f.Add(s, uint64(0x123456789ABCDEF)*uint64(i+1))
	}
	f.Fuzz(func(t *testing.T, data []byte, endings uint64) {
		file, starts := writeCSV(fuzzRows(data), endings)
		rep, err := New(newMemRepo(t), time.UTC).ImportCSV(t.Context(), bytes.NewReader(file), "import")
		if err != nil {
			t.Fatalf("ImportCSV: %v\n%q", err, file)
		}
		checkAccounted(t, rep, starts)
	})
}

// FuzzCSVBytes imports any bytes as a CSV file: it never fails but for the
// file as a whole (a *domain.InvalidError), reports lines that the file
// has, each at most once, and stores nothing over the bounds.
func FuzzCSVBytes(f *testing.F) {
	for _, s := range rowSeeds() {
		file, _ := writeCSV(fuzzRows(s), 0x5555)
		f.Add(file)
	}
	f.Add([]byte("\xef\xbb\xbfMã hồ sơ;Trạng thái\r\nH55.20-250602-0001;4\rH55.20-250602-0002;\"9\n\"\n"))
	f.Add([]byte("\xff\xfeM\x00\xe3\x00 \x00h\x00"))
	f.Fuzz(func(t *testing.T, file []byte) {
		rep, err := New(newMemRepo(t), time.UTC).ImportCSV(t.Context(), bytes.NewReader(file), "import")
		var inv *domain.InvalidError
		if err != nil && !errors.As(err, &inv) {
			t.Fatalf("ImportCSV: %v", err)
		}
		if err != nil {
			return
		}
		lines := lineEnds(string(file)) + 1
		seen := map[int]bool{}
		for _, e := range rep.Errors {
			if e.Line < 1 || e.Line > lines || seen[e.Line] {
				t.Errorf("error %+v: not once on one of the %d lines", e, lines)
			}
			seen[e.Line] = true
		}
	})
}

// FuzzLineGuard reads any bytes as CSV through a lineGuard and, beside it,
// with encoding/csv alone after making every line end an LF: the records,
// their lines and their errors are the same, but for the records the guard
// cut (more than MaxColumns filled, maybe then in a quote never closed) and
// the empty columns past MaxColumns it held back.
func FuzzLineGuard(f *testing.F) {
	for _, s := range rowSeeds() {
		file, _ := writeCSV(fuzzRows(s), 0x9999)
		f.Add(file, byte(0))
	}
	f.Add([]byte("a,\"b\r\nc\",d\r\"x\"y,z\n\"\"\"\n,\"\n\"\n\ra\"b,c"), byte(1))
	f.Add([]byte(strings.Repeat(",", 150)+"\n"+strings.Repeat("x,", 101)), byte(2))
	f.Fuzz(func(t *testing.T, file []byte, delim byte) {
		comma := []rune{',', ';', '\t'}[int(delim)%3]
		// What the guard passes on and cuts does not hang on how its
		// source splits the file (a CRLF across two reads, say).
		whole, bytewise := newLineGuard(bytes.NewReader(file), comma), newLineGuard(iotest.OneByteReader(bytes.NewReader(file)), comma)
		w, _ := io.ReadAll(whole)
		b, _ := io.ReadAll(bytewise)
		if !bytes.Equal(w, b) || !maps.EqualFunc(whole.cuts, bytewise.cuts, func(x, y *LineError) bool { return x.Key == y.Key && x.col == y.col }) {
			t.Fatalf("read whole: %q, cuts %v; byte by byte: %q, cuts %v", w, whole.cuts, b, bytewise.cuts)
		}
		g := newLineGuard(bytes.NewReader(file), comma)
		guarded, plain := csv.NewReader(g), csv.NewReader(bytes.NewReader(lineEndings(file)))
		for _, cr := range []*csv.Reader{guarded, plain} {
			cr.Comma, cr.FieldsPerRecord = comma, -1
		}
		for {
			gr, gerr := guarded.Read()
			pr, perr := plain.Read()
			gline, pline := recordLine(guarded, gerr), recordLine(plain, perr)
			if gline != pline || errors.Is(gerr, io.EOF) != errors.Is(perr, io.EOF) {
				t.Fatalf("guarded %q (%v) on line %d, plain %q (%v) on line %d", gr, gerr, gline, pr, perr, pline)
			}
			if errors.Is(gerr, io.EOF) {
				return
			}
			if cut := g.take(gline); cut != nil {
				wide := cut.Key == "import.too_many_columns" && (len(pr) > MaxColumns || perr != nil)
				open := cut.Key == "import.bad_row" && perr != nil // a quote never closed
				if !wide && !open && len(file) <= maxRowBytes {
					t.Fatalf("line %d cut for %+v: %d columns (%v)", gline, cut, len(pr), perr)
				}
				continue
			}
			if (gerr == nil) != (perr == nil) {
				t.Fatalf("line %d: guarded error %v, plain %v", gline, gerr, perr)
			}
			held := pr[min(len(pr), len(gr)):]
			if !slices.Equal(gr, pr[:min(len(pr), len(gr))]) || len(gr) > MaxColumns || strings.Join(held, "") != "" {
				t.Fatalf("line %d: guarded %q, plain %q", gline, gr, pr)
			}
		}
	})
}

// recordLine is the first line of the record cr just read (or failed on).
func recordLine(cr *csv.Reader, err error) int {
	var pe *csv.ParseError
	switch {
	case errors.As(err, &pe):
		return pe.StartLine
	case err != nil:
		return 0
	}
	line, _ := cr.FieldPos(0)
	return line
}

// FuzzXLSXRows writes rows of any cells as the first sheet of a workbook
// (inline strings, with Excel's _xHHHH_ escapes for what XML cannot carry)
// and imports it: every row is imported or reported by its row number, and
// nothing stored is over the bounds.
func FuzzXLSXRows(f *testing.F) {
	for _, s := range rowSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rows := fuzzRows(data)
		book := sheetWorkbook(t, append([][]string{fuzzHeader}, rows...))
		rep, err := New(newMemRepo(t), time.UTC).ImportXLSX(t.Context(), bytes.NewReader(book), "import")
		if err != nil {
			t.Fatalf("ImportXLSX: %v", err)
		}
		starts := make([]int, len(rows))
		for i := range rows {
			starts[i] = i + 2
		}
		checkAccounted(t, rep, starts)
	})
}

// sheetWorkbook is an .xlsx whose first sheet holds rows as inline strings.
func sheetWorkbook(t *testing.T, rows [][]string) []byte {
	var sheet strings.Builder
	sheet.WriteString(`<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	for r, row := range rows {
		fmt.Fprintf(&sheet, `<row r="%d">`, r+1)
		for c, v := range row {
			fmt.Fprintf(&sheet, `<c r="%s" t="inlineStr"><is><t xml:space="preserve">%s</t></is></c>`, cellName(c+1, r+1), xlsxText(v))
		}
		sheet.WriteString(`</row>`)
	}
	sheet.WriteString(`</sheetData></worksheet>`)
	const rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range [][2]string{
		{"_rels/.rels", `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="` + rel + `/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="` + rel + `"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="` + rel + `/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`},
		{"xl/worksheets/sheet1.xml", sheet.String()},
	} {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: p[0], Method: zip.Store}) // deflating is most of an exec
		if err == nil {
			_, err = io.WriteString(w, p[1])
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// xlsxText escapes v for a <t> as Excel does: what XML cannot carry (the
// control characters, invalid UTF-8 as U+FFFD) as _xHHHH_, a literal "_x"
// as "_x005F_x", the rest as XML text.
func xlsxText(v string) string {
	var sb strings.Builder
	for _, r := range strings.ToValidUTF8(strings.ReplaceAll(v, "_x", "_x005F_x"), "\uFFFD") {
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0xFFFE || r == 0xFFFF {
			fmt.Fprintf(&sb, "_x%04X_", r)
			continue
		}
		_ = xml.EscapeText(&sb, []byte(string(r)))
	}
	return sb.String()
}
