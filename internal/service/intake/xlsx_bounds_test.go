package intake

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"xabot/internal/domain"
	"xabot/internal/store"
)

var hugeXLSX = flag.String("huge-xlsx", "", "write the 900 MiB-cell workbook to this file (for measuring `xabot import dossiers` under /usr/bin/time -v) and stop")

// hugeCellWorkbook writes an .xlsx whose row 4 has a note of size bytes:
// as a shared string (sharedStrings.xml holding it) or as an inline string
// in the sheet. Rows 3 and 5 are good dossiers. The huge text is one letter
// repeated: it compresses about a thousand to one, so a 900 MiB cell is a
// file of under a megabyte.
func hugeCellWorkbook(w io.Writer, size int64, inline bool) error {
	return noteWorkbook(w, "a", size, inline)
}

// noteWorkbook is hugeCellWorkbook with a note of unit repeated up to size
// bytes (a multiple of unit's length). Excel, and excelize, cannot write a
// cell over 32,767 characters: this can.
func noteWorkbook(w io.Writer, unit string, size int64, inline bool) error {
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, flate.BestCompression)
	})
	part := func(name, body string) error {
		f, err := zw.Create(name)
		if err != nil {
			return err
		}
		_, err = io.WriteString(f, body)
		return err
	}
	const ns = `xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"`
	const rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
	for _, p := range [][2]string{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
			`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>` +
			`<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="` + rel + `/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8"?><workbook ` + ns + ` xmlns:r="` + rel + `"><sheets><sheet name="Hồ sơ" sheetId="1" r:id="rId1"/></sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="` + rel + `/worksheet" Target="worksheets/sheet1.xml"/>` +
			`<Relationship Id="rId2" Type="` + rel + `/sharedStrings" Target="sharedStrings.xml"/></Relationships>`},
	} {
		if err := part(p[0], p[1]); err != nil {
			return err
		}
	}
	huge := func(f io.Writer) error {
		chunk := bytes.Repeat([]byte(unit), (1<<20)/len(unit))
		for left := size; left > 0; left -= int64(len(chunk)) {
			if _, err := f.Write(chunk[:min(int64(len(chunk)), left)]); err != nil {
				return err
			}
		}
		return nil
	}
	// Shared strings 0-8: the header; 9: the huge note.
	header := []string{"Mã hồ sơ", "Tên thủ tục", "Lĩnh vực", "Số điện thoại", "Kênh", "Ngày tiếp nhận", "Ngày hẹn trả", "Trạng thái", "Ghi chú"}
	ss, err := zw.Create("xl/sharedStrings.xml")
	if err != nil {
		return err
	}
	io.WriteString(ss, `<?xml version="1.0" encoding="UTF-8"?><sst `+ns+`>`)
	for _, h := range header {
		io.WriteString(ss, "<si><t>"+h+"</t></si>")
	}
	io.WriteString(ss, "<si><t>")
	if !inline {
		if err := huge(ss); err != nil {
			return err
		}
	}
	io.WriteString(ss, "</t></si></sst>")

	sh, err := zw.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		return err
	}
	io.WriteString(sh, `<?xml version="1.0" encoding="UTF-8"?><worksheet `+ns+`><sheetData>`)
	io.WriteString(sh, `<row r="1"><c r="A1" t="inlineStr"><is><t>DANH SÁCH HỒ SƠ</t></is></c></row><row r="2">`)
	for i := range header {
		fmt.Fprintf(sh, `<c r="%s" t="s"><v>%d</v></c>`, cellName(i+1, 2), i)
	}
	io.WriteString(sh, `</row>`)
	for _, r := range []int{3, 4, 5} {
		fmt.Fprintf(sh, `<row r="%d">`, r)
		for i, v := range []string{fmt.Sprintf("H55.20-250602-000%d", r), "Đăng ký khai sinh", "Hộ tịch", "0905123456", "1", "02/06/2025", "05/06/2025", "4"} {
			fmt.Fprintf(sh, `<c r="%s" t="inlineStr"><is><t>%s</t></is></c>`, cellName(i+1, r), v)
		}
		switch {
		case r != 4:
		case inline:
			fmt.Fprintf(sh, `<c r="I%d" t="inlineStr"><is><t>`, r)
			if err := huge(sh); err != nil {
				return err
			}
			io.WriteString(sh, `</t></is></c>`)
		default:
			fmt.Fprintf(sh, `<c r="I%d" t="s"><v>9</v></c>`, r)
		}
		io.WriteString(sh, `</row>`)
	}
	io.WriteString(sh, `</sheetData></worksheet>`)
	return zw.Close()
}

// TestWriteHugeCellWorkbook writes the measuring file when asked:
//
//	go test ./internal/service/intake -run TestWriteHugeCellWorkbook -huge-xlsx=/tmp/huge.xlsx
func TestWriteHugeCellWorkbook(t *testing.T) {
	if *hugeXLSX == "" {
		t.Skip("-huge-xlsx not set")
	}
	f, err := os.Create(*hugeXLSX)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := hugeCellWorkbook(f, 900<<20, false); err != nil {
		t.Fatal(err)
	}
}

// A cell over Excel's limit, in the shared strings or inline, is reported
// by its row and the other rows are imported, without the cell ever being
// held whole: the import allocates a small part of it in all.
func TestHugeCellIsRefusedByRow(t *testing.T) {
	const size = 24 << 20 // over sharedInMemory: the table goes to disk
	for _, inline := range []bool{false, true} {
		t.Run(fmt.Sprintf("inline=%v", inline), func(t *testing.T) {
			var buf bytes.Buffer
			if err := hugeCellWorkbook(&buf, size, inline); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "huge.xlsx")
			if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
				t.Fatal(err)
			}
			im, db := newImporter(t)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			rep, err := im.ImportFile(t.Context(), path, "import")
			runtime.ReadMemStats(&after)
			if err != nil {
				t.Fatalf("ImportFile: %v", err)
			}
			want := LineError{Line: 4, Key: "import.cell_too_long", Args: map[string]string{"cell": "I4", "max": "32767"}}
			if len(rep.Errors) != 1 || !sameLineError(rep.Errors[0], want) {
				t.Errorf("errors = %+v, want %+v", rep.Errors, want)
			}
			if rep.Created != 2 {
				t.Errorf("created %d, want rows 3 and 5", rep.Created)
			}
			if n, _ := db.CountDossiers(t.Context()); n != 2 {
				t.Errorf("CountDossiers = %d", n)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > size/3 {
				t.Errorf("the import allocated %d MiB for a %d MiB cell: it was held", alloc>>20, size>>20)
			}
		})
	}
}

// The limits are in characters: a note of MaxFieldRunes Vietnamese
// characters (more bytes than that) is imported; one more is refused as too
// long for a field, naming the column as the sheet does; one past Excel's
// own limit is refused by its cell, without being held.
func TestCellLimits(t *testing.T) {
	for _, tt := range []struct {
		runes int
		want  *LineError
	}{
		{MaxFieldRunes, nil},
		{MaxFieldRunes + 1, &LineError{Line: 4, Key: "import.too_long", Args: map[string]string{"column": "Ghi chú", "max": "2000"}}},
		{maxCellRunes, &LineError{Line: 4, Key: "import.too_long", Args: map[string]string{"column": "Ghi chú", "max": "2000"}}},
		{maxCellRunes + 1, &LineError{Line: 4, Key: "import.cell_too_long", Args: map[string]string{"cell": "I4", "max": "32767"}}},
	} {
		for _, inline := range []bool{false, true} {
			var buf bytes.Buffer
			if err := noteWorkbook(&buf, "ệ", int64(tt.runes*len("ệ")), inline); err != nil {
				t.Fatal(err)
			}
			im, _ := newImporter(t)
			rep, err := im.ImportXLSX(t.Context(), &buf, "import")
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case tt.want == nil && (rep.Created != 3 || len(rep.Errors) != 0):
				t.Errorf("%d characters (inline %v): %+v, want all imported", tt.runes, inline, rep)
			case tt.want != nil && (rep.Created != 2 || len(rep.Errors) != 1 || !sameLineError(rep.Errors[0], *tt.want)):
				t.Errorf("%d characters (inline %v): %+v, want rows 3 and 5 imported and %+v", tt.runes, inline, rep, *tt.want)
			}
		}
	}
}

// The reader gives the rows excelize gives (raw values) for workbooks
// written by excelize: shared and inline strings, rich text, Excel's
// _xHHHH_ escapes, numbers, dates, booleans, formulas, gaps.
func TestSheetRowsAgreeWithExcelize(t *testing.T) {
	f := sampleWorkbook(t)
	sh := "Hồ sơ"
	f.SetCellValue(sh, "C20", "dòng\r\nmới _x000D_ và _x005F_x0041_")
	f.SetCellValue(sh, "D20", true)
	f.SetCellValue(sh, "E20", 3.25)
	f.SetCellFormula(sh, "F20", "E20*2")
	f.SetCellRichText(sh, "B21", []excelize.RichTextRun{{Text: "Nguyễn "}, {Text: "Văn An", Font: &excelize.Font{Bold: true}}})
	f.SetCellValue(sh, "AB40", "xa")
	f.SetCellStr(sh, "A41", strings.Repeat("ư", 3000))
	data := workbookBytes(t, f)

	x, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	xr, err := x.Rows(sh)
	if err != nil {
		t.Fatal(err)
	}
	var want [][]string
	for xr.Next() {
		cells, err := xr.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, cells)
	}

	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	w, err := openWorkbook(zr)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	rows, err := openSheet(w)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for i := 0; ; i++ {
		cells, n, err := rows.next()
		if errors.Is(err, io.EOF) {
			if i != len(want) {
				t.Errorf("%d rows, excelize %d", i, len(want))
			}
			break
		}
		if err != nil {
			t.Fatalf("row %d: %v", i+1, err)
		}
		if n != i+1 {
			t.Errorf("row %d numbered %d", i+1, n)
		}
		if i < len(want) && strings.Join(cells, "|") != strings.Join(want[i], "|") {
			t.Errorf("row %d:\n got %q\nwant %q", n, cells, want[i])
		}
	}
}

func TestXMLScanner(t *testing.T) {
	long := strings.Repeat("ơ", textChunk) // two bytes each: three chunks
	tests := []struct {
		name, in string
		want     string // tokens: <name a=v>, </name>, "text" (chunks joined)
		err      bool
	}{
		{"prefixes, attributes, self-closing", `<?xml version="1.0"?><x:row r="1" spans='1:2'><x:c t="s"/></x:row>`,
			`<row r=1 spans=1:2><c t=s></c></row>`, false},
		{"entities", `<t>a &lt;&amp;&gt; &#273;&#x1EC7; &quot;&apos;</t>`, `<t>"a <&> đệ "'"</t>`, false},
		{"an attribute with > and an entity", `<a v="x>y&amp;z"/>`, `<a v=x>y&z></a>`, false},
		{"comment and CDATA", `<t><!-- a < b --><![CDATA[<b>]]]></t>`, `<t>"<b>]"</t>`, false},
		{"a long text in chunks", `<t>` + long + `</t>`, `<t>"` + long + `"</t>`, false},
		{"a long CDATA in chunks", `<t><![CDATA[` + long + `]]]]></t>`, `<t>"` + long + `]]"</t>`, false},
		{"BOM", "\xEF\xBB\xBF<a/>", `<a></a>`, false},
		{"DOCTYPE", `<!DOCTYPE x [<!ENTITY a "b">]><x/>`, "", true},
		{"unknown entity", `<t>&nbsp;</t>`, "", true},
		{"unclosed tag", `<t a="1`, "", true},
	}
	for _, tt := range tests {
		s := newXMLScanner(strings.NewReader(tt.in))
		var got strings.Builder
		inText := false
		var err error
		for {
			var tok xmlToken
			if tok, err = s.next(); err != nil || tok == tokEOF {
				break
			}
			if tok != tokText && inText {
				got.WriteString(`"`)
				inText = false
			}
			switch tok {
			case tokStart:
				got.WriteString("<" + s.name)
				for _, a := range s.attrs {
					got.WriteString(" " + a.name + "=" + a.value)
				}
				got.WriteString(">")
			case tokEnd:
				got.WriteString("</" + s.name + ">")
			case tokText:
				if len(s.text) > textChunk {
					t.Errorf("%s: a chunk of %d bytes", tt.name, len(s.text))
				}
				if !inText {
					got.WriteString(`"`)
					inText = true
				}
				got.Write(s.text)
			}
		}
		if (err != nil) != tt.err {
			t.Errorf("%s: error %v, want error %v", tt.name, err, tt.err)
			continue
		}
		if !tt.err && got.String() != tt.want {
			t.Errorf("%s:\n got %.200s\nwant %.200s", tt.name, got.String(), tt.want)
		}
	}
}

// The reader's limits as workbooks meet them: a part declared over 1 GiB
// unzipped is refused before it is read.
func TestPartOverTheLimitIsRefused(t *testing.T) {
	var buf bytes.Buffer
	if err := hugeCellWorkbook(&buf, 1, false); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if f.Name == "xl/sharedStrings.xml" {
			f.UncompressedSize64 = maxPart + 1
		}
	}
	_, err = openWorkbook(zr)
	var inv *domain.InvalidError
	if !errors.As(err, &inv) || inv.Key != "import.xlsx_too_big" {
		t.Errorf("openWorkbook = %v, want import.xlsx_too_big", err)
	}
}

// BenchmarkHugeCell imports the 64 MiB-cell workbook; its B/op is the
// memory the import takes for it.
func BenchmarkHugeCell(b *testing.B) {
	var buf bytes.Buffer
	if err := hugeCellWorkbook(&buf, 64<<20, false); err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "huge.xlsx")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		b.Fatal(err)
	}
	db, err := store.Open(b.Context(), filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	im := New(db, nil)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := im.ImportFile(b.Context(), path, "import"); err != nil {
			b.Fatal(err)
		}
	}
}
