package intake

import (
	"bytes"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"xabot/internal/store"
)

// columnOrder checks every import column, each once.
func TestColumnOrder(t *testing.T) {
	var names []string
	for _, c := range columns() {
		names = append(names, c.name)
	}
	got := slices.Clone(columnOrder[:])
	slices.Sort(names)
	slices.Sort(got)
	if !slices.Equal(got, names) {
		t.Errorf("columnOrder = %v, want the columns %v", got, names)
	}
}

// boundsHeader names the columns as a one-door export does; the last one
// has no header.
const boundsHeader = "Mã hồ sơ,Tên thủ tục,Lĩnh vực,Số điện thoại,Kênh,Ngày tiếp nhận,Ngày hẹn trả,Trạng thái,Ghi chú,\n"

// boundsRow is a good row numbered n, with note and a last cell.
func boundsRow(n int, note, last string) string {
	return fmt.Sprintf("H55.20-250602-%04d,Đăng ký khai sinh,Hộ tịch,0905123456,1,02/06/2025,05/06/2025,4,%s,%s\n", n, note, last)
}

// hugeFile is a file of three rows, the second of which ends in the note
// cell with before, left bytes of fill repeated and after; the import
// should refuse it by line 3.
func hugeFile(before, fill string, left int, after string) io.Reader {
	return &hugeRow{head: boundsHeader + boundsRow(1, "ok", "") +
		"H55.20-250602-0002,Đăng ký khai sinh,Hộ tịch,0905123456,1,02/06/2025,05/06/2025,4," + before,
		fill: fill, left: left, tail: after + "\n" + boundsRow(3, "ok", "")}
}

// hugeRow streams head, then left bytes of fill repeated, then tail,
// without ever holding them.
type hugeRow struct {
	head, tail string
	fill       string
	left, sent int    // bytes of fill to send, sent
	block      string // fill repeated, to copy from
}

func (h *hugeRow) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		switch {
		case h.head != "":
			c := copy(p[n:], h.head)
			h.head, n = h.head[c:], n+c
		case h.left > 0:
			if h.block == "" {
				h.block = strings.Repeat(h.fill, max(1, (64<<10)/len(h.fill)))
			}
			k := copy(p[n:min(len(p), n+h.left)], h.block[h.sent%len(h.fill):])
			h.left, h.sent, n = h.left-k, h.sent+k, n+k
		case h.tail != "":
			c := copy(p[n:], h.tail)
			h.tail, n = h.tail[c:], n+c
		default:
			if n == 0 {
				return 0, io.EOF
			}
			return n, nil
		}
	}
	return n, nil
}

// A field of 50 MB and a row of a million columns are refused by their
// line, naming the column as the header writes it, and the rows around them
// imported — without the import ever holding the field or the row.
func TestImportCSVHugeRows(t *testing.T) {
	const size = 50 << 20
	note := LineError{Line: 3, Key: "import.too_long", Args: map[string]string{"column": "Ghi chú", "max": "2000"}}
	tests := []struct {
		name string
		file func() io.Reader
		want LineError
	}{
		{"a 50 MB note", func() io.Reader { return hugeFile("", "a", size, ",") }, note},
		{"a 50 MB quoted note over many lines", func() io.Reader { return hugeFile("\"", "aaaaaaa\n", size, "\",") }, note},
		{"a 50 MB cell without a header", func() io.Reader { return hugeFile("ok,", "a", size, "") },
			LineError{Line: 3, Key: "import.too_long", Args: map[string]string{"column": "J", "max": "2000"}}},
		{"a million columns", func() io.Reader { return hugeFile("ok", ",a", 2*1_000_000, "") },
			LineError{Line: 3, Key: "import.too_many_columns", Args: map[string]string{"max": "100"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			im, db := newImporter(t)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			rep, err := im.ImportCSV(t.Context(), tt.file(), "import")
			runtime.ReadMemStats(&after)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Errors) != 1 || !sameLineError(rep.Errors[0], tt.want) || rep.Created != 2 {
				t.Errorf("report = %+v, want rows 1 and 3 created and %+v", rep, tt.want)
			}
			dossier(t, db, "H55.20-250602-0001")
			dossier(t, db, "H55.20-250602-0003")
			// Held whole, the row alone would be tens of MiB; bounded, the
			// import's buffers are a few MiB whatever the row.
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
				t.Errorf("the import allocated %d MiB: the row was held", alloc>>20)
			}
		})
	}
}

// Past the bounds, each row is refused by its line for its first fault;
// a run of empty cells past the last filled one is not a wide row.
func TestImportCSVBounds(t *testing.T) {
	long := strings.Repeat("ệ", MaxFieldRunes+1)
	rows := []struct {
		row  string
		want *LineError // nil: imported
	}{
		{boundsRow(1, "ok", ""), nil},
		{strings.Replace(boundsRow(2, "ok", ""), "H55", "H5\x005", 1),
			&LineError{Key: "import.control_char", Args: map[string]string{"column": "Mã hồ sơ"}}},
		{boundsRow(3, long, ""), &LineError{Key: "import.too_long", Args: map[string]string{"column": "Ghi chú", "max": "2000"}}},
		{boundsRow(4, "\"hai\ndòng\"", ""), nil},
		{boundsRow(5, "ok", strings.Repeat(",", 300)), nil},
		{boundsRow(6, "ok", strings.Repeat(",", 300)+"x"), &LineError{Key: "import.too_many_columns", Args: map[string]string{"max": "100"}}},
		{boundsRow(7, "giấy\x07tờ", ""), &LineError{Key: "import.control_char", Args: map[string]string{"column": "Ghi chú"}}},
		// A cell past a megabyte: named by its letters, having no header.
		{boundsRow(8, "ok", "\""+strings.Repeat("b", maxRowBytes)+"\",x"), &LineError{Key: "import.too_long", Args: map[string]string{"column": "J", "max": "2000"}}},
		// Past a megabyte in a short cell after a long one: the row.
		{boundsRow(9, "ok", "\""+strings.Repeat(" ", maxRowBytes-150)+"\","+strings.Repeat("c", 300)),
			&LineError{Key: "import.row_too_long", Args: map[string]string{"max": "1024 KiB"}}},
		{boundsRow(10, "ok", ""), nil},
	}
	var sb strings.Builder
	sb.WriteString(boundsHeader)
	line, created := 2, 0
	var want []LineError
	for _, r := range rows {
		sb.WriteString(r.row)
		if r.want != nil {
			le := *r.want
			le.Line = line
			want = append(want, le)
		} else {
			created++
		}
		line += strings.Count(r.row, "\n")
	}
	im, db := newImporter(t)
	rep, err := im.ImportCSV(t.Context(), strings.NewReader(sb.String()), "import")
	if err != nil {
		t.Fatal(err)
	}
	if rep.Created != created || len(rep.Errors) != len(want) {
		t.Fatalf("report = %+v, want %d created and %d errors", rep, created, len(want))
	}
	for i, w := range want {
		if !sameLineError(rep.Errors[i], w) {
			t.Errorf("error %d = %+v, want %+v", i, rep.Errors[i], w)
		}
	}
	if d := dossier(t, db, "H55.20-250602-0004"); d.Note != "hai\ndòng" {
		t.Errorf("note = %q", d.Note)
	}
	if n, _ := db.CountDossiers(t.Context()); n != created {
		t.Errorf("CountDossiers = %d, want %d", n, created)
	}
}

// Whatever the line endings — LF, CRLF, a lone CR (old Mac and some Excel
// exports), mixed — every data line is imported or reported by the number
// an editor shows, and a quoted note may still hold a line break.
func TestImportCSVLineEndings(t *testing.T) {
	lines := []string{
		"code,procedure_name,field,applicant_phone,channel,received_at,due_at,status,note",
		"H55.20-250602-0001,Khai sinh,Hộ tịch,0905123456,1,02/06/2025,05/06/2025,4,ok",
		"H55.20-250602-0002,Khai sinh,Hộ tịch,0905123456,1,02/06/2025,05/06/2025,4,\"hai",
		"dòng\"",
		"H55.20-250602-0003,Khai sinh,Hộ tịch,090512,1,02/06/2025,05/06/2025,4,bad phone",
		"",
		"H55.20-250602-0004,Khai sinh,Hộ tịch,0905123456,1,02/06/2025,05/06/2025,4,ok",
		"H55.20-250602-0005,Khai sinh,Hộ tịch,0905123456,1,02/06/2025,05/06/2025,4,\"a\"b\"",
		"H55.20-250602-0006,Khai sinh,Hộ tịch,0905123456,1,02/06/2025,05/06/2025,4,ok",
	}
	const created, reported = 4, 2 // lines 3-4 are one row; 6 is blank
	wantLines := []int{5, 8}
	for _, tt := range []struct {
		name   string
		ending func(i int) string
	}{
		{"LF", func(int) string { return "\n" }},
		{"CRLF", func(int) string { return "\r\n" }},
		{"CR", func(int) string { return "\r" }},
		{"mixed", func(i int) string { return []string{"\r", "\n", "\r\n"}[i%3] }},
		// Never a CR before the blank line's LF: that is one CRLF.
		{"mixed the other way", func(i int) string { return []string{"\n", "\r", "\r\n"}[i%3] }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var sb strings.Builder
			for i, l := range lines {
				sb.WriteString(l + tt.ending(i))
			}
			im, db := newImporter(t)
			rep, err := im.ImportCSV(t.Context(), strings.NewReader(sb.String()), "import")
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			for _, e := range rep.Errors {
				got = append(got, e.Line)
			}
			if rep.Created != created || len(rep.Errors) != reported || !slices.Equal(got, wantLines) {
				t.Errorf("report = %+v, want %d created and lines %v reported", rep, created, wantLines)
			}
			if d := dossier(t, db, "H55.20-250602-0002"); d.Note != "hai\ndòng" {
				t.Errorf("note = %q, want the line break kept", d.Note)
			}
		})
	}
}

// BenchmarkImportCSVHugeField imports a file with a 50 MB note (refused)
// between two good rows; allocations per op show the row is not held.
func BenchmarkImportCSVHugeField(b *testing.B) {
	benchHuge(b, func() io.Reader { return hugeFile("", "a", 50<<20, "") })
}

// BenchmarkImportCSVMillionColumns imports a file with a row of a million
// columns (refused) between two good rows.
func BenchmarkImportCSVMillionColumns(b *testing.B) {
	benchHuge(b, func() io.Reader { return hugeFile("ok", ",a", 2*1_000_000, "") })
}

func benchHuge(b *testing.B, file func() io.Reader) {
	db, err := store.Open(b.Context(), filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	im := New(db, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		rep, err := im.ImportCSV(b.Context(), file(), "import")
		if err != nil || len(rep.Errors) != 1 {
			b.Fatalf("ImportCSV = %+v, %v", rep, err)
		}
	}
}

// An XLSX row is held to the same bounds, by its row number, naming the
// column as the header does; a formatted but empty cell far right does not
// make a row wide.
func TestImportXLSXBounds(t *testing.T) {
	f := excelize.NewFile()
	const sh = "Sheet1"
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.SetSheetRow(sh, "A1", &[]any{"Mã hồ sơ", "Tên thủ tục", "Lĩnh vực", "Số điện thoại", "Kênh",
		"Ngày tiếp nhận", "Ngày hẹn trả", "Trạng thái", "Ghi chú"}))
	row := func(n int, code, note string) {
		must(f.SetSheetRow(sh, fmt.Sprintf("A%d", n), &[]any{code, "Đăng ký khai sinh", "Hộ tịch", "0905123456", 1,
			"02/06/2025", "05/06/2025", 4, note}))
	}
	row(2, "H55.20-250602-0001", "ok")
	// Excel writes a control character as an _xHHHH_ escape (excelize
	// would write a raw one as U+FFFD).
	row(3, "H55.20-250602_x0000_-0002", "ok")
	row(4, "H55.20-250602-0003", strings.Repeat("ệ", MaxFieldRunes+1))
	row(5, "H55.20-250602-0004", "ok")
	must(f.SetCellValue(sh, "CW5", "x")) // column 101
	row(6, "H55.20-250602-0005", "ok")
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	must(err)
	must(f.SetCellStyle(sh, "GR6", "GR6", bold)) // column 200, empty
	row(7, "H55.20-250602-0006", "giấy_x001B_tờ")
	row(8, "H55.20-250602-0007", "ok")

	im, db := newImporter(t)
	rep, err := im.ImportXLSX(t.Context(), bytes.NewReader(workbookBytes(t, f)), "import")
	if err != nil {
		t.Fatal(err)
	}
	want := []LineError{
		{Line: 3, Key: "import.control_char", Args: map[string]string{"column": "Mã hồ sơ"}},
		{Line: 4, Key: "import.too_long", Args: map[string]string{"column": "Ghi chú", "max": "2000"}},
		{Line: 5, Key: "import.too_many_columns", Args: map[string]string{"max": "100"}},
		{Line: 7, Key: "import.control_char", Args: map[string]string{"column": "Ghi chú"}},
	}
	if rep.Created != 3 || len(rep.Errors) != len(want) {
		t.Fatalf("report = %+v, want rows 2, 6 and 8 created and %d errors", rep, len(want))
	}
	for i, w := range want {
		if !sameLineError(rep.Errors[i], w) {
			t.Errorf("error %d = %+v, want %+v", i, rep.Errors[i], w)
		}
	}
	dossier(t, db, "H55.20-250602-0005")
}

// A quote never closed takes the rest of the file into its cell: however
// long that is, its line is reported as such, saying that the lines after
// it were not imported either — not as a long cell.
func TestImportCSVUnclosedQuote(t *testing.T) {
	for _, size := range []int{10 << 10, 3 << 20} {
		im, _ := newImporter(t)
		rep, err := im.ImportCSV(t.Context(), hugeFile("\"", "aaaaaaa\n", size, ""), "import")
		if err != nil {
			t.Fatal(err)
		}
		want := LineError{Line: 3, Key: "import.bad_row"}
		if rep.Created != 1 || len(rep.Errors) != 1 || !sameLineError(rep.Errors[0], want) {
			t.Errorf("%d bytes after the quote: report = %+v, want row 1 created and %+v", size, rep, want)
		}
	}
}

// smallReads reads at most n bytes at a time.
type smallReads struct {
	r io.Reader
	n int
}

func (s smallReads) Read(p []byte) (int, error) { return s.r.Read(p[:min(len(p), s.n)]) }

// Past maxRowBytes too, what the guard passes on and cuts does not hang on
// how its source splits the file: a field's text is read in runs, and a
// run may end anywhere.
func TestLineGuardReadSizes(t *testing.T) {
	big := maxRowBytes + 4096
	for name, file := range map[string]string{
		"a long plain field":           "a,b\r\nx," + strings.Repeat("ệa", big/4) + ",y\r\nz,w\r\n",
		"a long quoted field":          "a,b\rx,\"" + strings.Repeat("q\"\"\r\n", big/3) + "\",y\rz,w\r",
		"a long row of short fields":   "a,b\n" + strings.Repeat("\"c\",", MaxColumns-1) + strings.Repeat("d", big) + "\nz,w\n",
		"a long line past a bad quote": "a,b\nx\"" + strings.Repeat("e", big) + "\nz,w\n",
	} {
		var want []byte
		var wantCuts map[int]*LineError
		for _, n := range []int{32 << 10, 4096, 7, 1} {
			g := newLineGuard(smallReads{strings.NewReader(file), n}, ',')
			got, err := io.ReadAll(g)
			if err != nil {
				t.Fatal(err)
			}
			if want == nil {
				want, wantCuts = got, g.cuts
				if len(g.cuts) != 1 || len(got) > 2*maxRowBytes {
					t.Errorf("%s: %d bytes passed on, cuts %v", name, len(got), g.cuts)
				}
				continue
			}
			same := maps.EqualFunc(g.cuts, wantCuts, func(x, y *LineError) bool { return x.Key == y.Key && x.col == y.col })
			if !bytes.Equal(got, want) || !same {
				t.Errorf("%s, read by %d: %d bytes, cuts %v; by 32 KiB: %d bytes, cuts %v", name, n, len(got), g.cuts, len(want), wantCuts)
			}
		}
	}
}
