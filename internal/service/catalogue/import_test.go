package catalogue

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"xabot/internal/domain"
	"xabot/internal/store"
)

func newService(t testing.TB) (*Service, *store.DB) {
	t.Helper()
	db, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "xabot.db"))
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return New(db), db
}

// write puts data in a file named name in a fresh directory.
func write(t *testing.T, name, data string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// The portal's list as a commune saves it from Excel: BOM, title lines,
// semicolons, CRLF with LF inside quoted cells, Vietnamese headers, an STT
// column, documents in one cell separated by «;» and line breaks, a
// trailing blank line. Importing it again changes nothing.
func TestImportPortalList(t *testing.T) {
	s, _ := newService(t)
	path := filepath.Join("testdata", "catalogue.csv")
	rep, err := s.Import(t.Context(), path)
	if err != nil || rep.Created != 48 || rep.Updated+rep.Unchanged != 0 || len(rep.Errors) != 0 {
		t.Fatalf("Import = %+v, %v; want 48 created", rep, err)
	}
	p, err := s.Get(t.Context(), "1.001193.000.00.00.H55")
	if err != nil {
		t.Fatal(err)
	}
	want := domain.Procedure{Code: "1.001193.000.00.00.H55", Name: "Đăng ký khai sinh", Field: "Hộ tịch", Days: 1,
		Fee: "Miễn lệ phí", Online: domain.OnlineFull,
		Documents: []string{"Tờ khai đăng ký khai sinh theo mẫu", "Bản chính Giấy chứng sinh", "Giấy tờ tùy thân của người đi đăng ký"}}
	if !equal(p, want) {
		t.Errorf("Get = %+v\nwant  %+v", p, want)
	}
	if p, _ := s.Get(t.Context(), "2.000815.000.00.00.H55"); p.Days != 0 || p.Online != domain.OnlineNone || p.Fee != "2.000 đồng" {
		t.Errorf("chứng thực: %+v", p)
	}
	rep, err = s.Import(t.Context(), path)
	if err != nil || rep.Unchanged != 48 || rep.Created+rep.Updated != 0 || len(rep.Errors) != 0 {
		t.Fatalf("second Import = %+v, %v; want 48 unchanged", rep, err)
	}
	fields, _ := s.Fields(t.Context())
	if want := []string{"Bảo trợ xã hội", "Chứng thực", "Đất đai", "Hộ tịch", "Môi trường", "Người có công", "Nông nghiệp",
		"Phổ biến giáo dục pháp luật", "Thi đua, khen thưởng", "Văn hóa", "Xây dựng"}; !slices.Equal(fields, want) {
		t.Errorf("Fields = %q\nwant %q", fields, want)
	}
}

func equal(a, b domain.Procedure) bool {
	return a.Code == b.Code && a.Name == b.Name && a.Field == b.Field && a.Days == b.Days && a.Fee == b.Fee &&
		a.Online == b.Online && slices.Equal(a.Documents, b.Documents)
}

// A thin file (code and fee, English headers, commas, LF) updates what it
// carries and keeps the rest; «-» clears; a new code without a name, a bad
// time or level, a duplicate code and a code with a NUL are refused by line
// and the others imported.
func TestImportThinAndBadRows(t *testing.T) {
	s, _ := newService(t)
	if _, err := s.Import(t.Context(), filepath.Join("testdata", "catalogue.csv")); err != nil {
		t.Fatal(err)
	}
	data := "code,fee,documents,processing_days,online_level\n" +
		"1.001193.000.00.00.H55,8.000 đồng/bản,,,\n" +
		"1.000894.000.00.00.H55,,-,,\n" +
		"9.999999.000.00.00.H55,10.000 đồng,,,\n" +
		"1.000656.000.00.00.H55,,,theo quy định,\n" +
		"1.004873.000.00.00.H55,,,,mức độ 9\n" +
		"1.001193.000.00.00.H55,0,,,\n" +
		"1.000\x00656,,,,\n" +
		"\n" +
		",,,,\n"
	rep, err := s.Import(t.Context(), write(t, "thin.csv", data))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Updated != 2 || rep.Created != 0 {
		t.Errorf("Import = %+v, want 2 updated", rep)
	}
	var got []string
	for _, e := range rep.Errors {
		got = append(got, strings.Join([]string{strconv.Itoa(e.Line), e.Key, e.Args["column"], e.Args["value"]}, " "))
	}
	want := []string{
		"4 catalogue.new_incomplete  ",
		"5 catalogue.bad_days processing_days theo quy định",
		"6 catalogue.bad_online online_level mức độ 9",
		"7 catalogue.duplicate_code  ",
		"8 import.control_char code ",
	}
	if !slices.Equal(got, want) {
		t.Errorf("errors\n%q\nwant\n%q", got, want)
	}
	p, _ := s.Get(t.Context(), "1.001193.000.00.00.H55")
	if p.Fee != "8.000 đồng/bản" || len(p.Documents) != 3 || p.Days != 1 || p.Online != domain.OnlineFull {
		t.Errorf("after the thin row: %+v", p)
	}
	if p, _ := s.Get(t.Context(), "1.000894.000.00.00.H55"); p.Documents != nil || p.Fee != "Miễn lệ phí" {
		t.Errorf("after «-»: %+v", p)
	}
}

// An XLSX with Vietnamese headers below a title, missing optional columns,
// a number for the days: read as the CSV is.
func TestImportXLSX(t *testing.T) {
	s, _ := newService(t)
	f := excelize.NewFile()
	f.SetSheetRow("Sheet1", "A1", &[]any{"DANH MỤC THỦ TỤC"})
	f.SetSheetRow("Sheet1", "A3", &[]any{"Mã TTHC", "Tên TTHC", "Lĩnh vực", "Thời gian giải quyết"})
	f.SetSheetRow("Sheet1", "A4", &[]any{"1.001193.000.00.00.H55", "Đăng ký khai sinh", "Hộ tịch", 1})
	f.SetSheetRow("Sheet1", "A6", &[]any{"2.000815.000.00.00.H55", "Chứng thực bản sao", "Chứng thực", "Trong ngày"})
	path := filepath.Join(t.TempDir(), "ds.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	rep, err := s.Import(t.Context(), path)
	if err != nil || rep.Created != 2 || len(rep.Errors) != 0 {
		t.Fatalf("Import = %+v, %v", rep, err)
	}
	if p, _ := s.Get(t.Context(), "1.001193.000.00.00.H55"); p.Days != 1 || p.Fee != "" || p.Online != domain.OnlineUnknown {
		t.Errorf("%+v", p)
	}
}

// The file as a whole: missing, of another kind, or without the code
// column (named as exports write it, with the other headers taken).
func TestImportFileErrors(t *testing.T) {
	s, db := newService(t)
	_, err := s.Import(t.Context(), filepath.Join(t.TempDir(), "none.csv"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	_, err = s.Import(t.Context(), write(t, "a.pdf", "x"))
	var inv *domain.InvalidError
	if !errors.As(err, &inv) || inv.Key != "import.unknown_format" {
		t.Errorf("pdf: %v", err)
	}
	_, err = s.Import(t.Context(), write(t, "a.csv", "Tên thủ tục;Lĩnh vực;Phí, lệ phí\nĐăng ký khai sinh;Hộ tịch;0\n"))
	if !errors.As(err, &inv) || inv.Key != "import.missing_columns" || inv.Args["columns"] != "«Mã thủ tục»" ||
		!strings.Contains(inv.Args["aliases"], "Mã TTHC") {
		t.Errorf("no code column: %v %+v", err, inv)
	}
	if ps, _ := db.Procedures(t.Context()); len(ps) != 0 {
		t.Errorf("stored %d procedures", len(ps))
	}
}
