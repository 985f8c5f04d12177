package intake

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"xabot/internal/domain"
	"xabot/internal/store"
)

var updateXLSX = flag.Bool("update-xlsx", false, "rewrite testdata/sample.xlsx from sampleWorkbook")

// wall is a wall-clock time as Excel holds it: no zone (excelize takes
// the UTC reading of a time.Time).
func wall(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, time.UTC)
}

// sampleWorkbook builds a one-door export as a commune officer's Excel
// holds it: a merged title and a subtitle above a Vietnamese header on row
// 4, Excel dates (serial numbers with a date format) beside text dates,
// phone and ID numbers typed as numbers (the leading zero lost), two bad
// rows, blank merged rows and a footer below, and a second sheet that is
// not read.
func sampleWorkbook(t testing.TB) *excelize.File {
	t.Helper()
	f := excelize.NewFile()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	const sh = "Hồ sơ"
	must(f.SetSheetName("Sheet1", sh))
	dateFmt, timeFmt := "dd/mm/yyyy", "dd/mm/yyyy hh:mm"
	dateStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt})
	must(err)
	timeStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: &timeFmt})
	must(err)
	border, err := f.NewStyle(&excelize.Style{Border: []excelize.Border{{Type: "bottom", Color: "000000", Style: 1}}})
	must(err)

	must(f.SetCellValue(sh, "A1", "DANH SÁCH HỒ SƠ TIẾP NHẬN THÁNG 6/2025"))
	must(f.MergeCell(sh, "A1", "N1"))
	must(f.SetCellValue(sh, "A2", "UBND xã Phú Lâm — Bộ phận Một cửa"))
	must(f.SetSheetRow(sh, "A4", &[]any{"STT", "Mã hồ sơ", "Mã TTHC", "Tên thủ tục", "Lĩnh vực", "Họ tên",
		"Số điện thoại", "Số CCCD", "Hình thức nộp", "Ngày tiếp nhận", "Ngày hẹn trả", "Ngày có kết quả",
		"Trạng thái", "Cán bộ xử lý"}))
	rows := [][]any{
		{1, "H55.20-250602-0001", "1.001193.000.00.00.H55", "Đăng ký khai sinh", "Hộ tịch", "Nguyễn Thị Hoa",
			905123456, 51234567890, 1, wall(2025, 6, 2, 8, 5), wall(2025, 6, 3, 0, 0), nil, 4, "Trần Thị Bình"},
		{2, "H55.20-250602-0002", nil, "Chứng thực bản sao từ bản chính", "Chứng thực", "Lê Văn Hùng",
			"0905 111 333", nil, "Trực tuyến", "02/06/2025 10:20", "02/06/2025", wall(2025, 6, 2, 15, 0),
			"Đã xử lý xong", "Trần Thị Bình"},
		{3, "H55.20-250602-0003", nil, "Đăng ký kết hôn", "Hộ tịch", "Phạm Văn Dũng",
			"không có", nil, 1, wall(2025, 6, 2, 9, 0), wall(2025, 6, 5, 0, 0), nil, 4, nil},
		{4, "H55.20-250602-0004", nil, "Đăng ký kết hôn", "Hộ tịch", "Võ Thị Én",
			912345678, nil, 2, 2025, wall(2025, 6, 5, 0, 0), nil, 4, nil},
		{5, "H55.20-250603-0005", nil, "Xác nhận cư trú", "Hộ tịch", "Đỗ Văn Phúc",
			345678901, nil, "Trực tiếp", wall(2025, 6, 3, 14, 30), "04/06/2025", nil, "in_progress", nil},
	}
	for i, r := range rows {
		row := 5 + i
		must(f.SetSheetRow(sh, fmt.Sprintf("A%d", row), &r))
		for col, v := range r {
			if tv, ok := v.(time.Time); ok {
				style := dateStyle
				if tv.Hour() != 0 || tv.Minute() != 0 {
					style = timeStyle
				}
				cell, _ := excelize.CoordinatesToCellName(col+1, row)
				must(f.SetCellStyle(sh, cell, cell, style))
			}
		}
	}
	// Rows 10-11: merged and bordered, blank; row 12: a total under STT;
	// row 14: a signature beside the table.
	must(f.MergeCell(sh, "A10", "N11"))
	must(f.SetCellStyle(sh, "A10", "N11", border))
	must(f.SetCellValue(sh, "A12", "Tổng cộng: 5 hồ sơ"))
	must(f.MergeCell(sh, "A12", "E12"))
	must(f.SetCellValue(sh, "P14", "Người lập biểu"))

	_, err = f.NewSheet("Ghi chú")
	must(err)
	must(f.SetSheetRow("Ghi chú", "A1", &[]any{"Mã hồ sơ", "Lĩnh vực", "Trạng thái", "Số điện thoại"}))
	must(f.SetSheetRow("Ghi chú", "A2", &[]any{"H55.20-250602-9999", "Hộ tịch", "lost", "x"}))
	return f
}

func workbookBytes(t testing.TB, f *excelize.File) []byte {
	t.Helper()
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// checkSample checks what importing sampleWorkbook did.
func checkSample(t *testing.T, rep Report, db *store.DB) {
	t.Helper()
	want := []LineError{
		{Line: 7, Key: "import.bad_phone", Args: map[string]string{"column": "Số điện thoại"}},
		{Line: 8, Key: "import.bad_date", Args: map[string]string{"column": "Ngày tiếp nhận", "value": "2025"}},
	}
	if len(rep.Errors) != len(want) {
		t.Fatalf("errors = %+v, want %+v", rep.Errors, want)
	}
	for i, w := range want {
		if !sameLineError(rep.Errors[i], w) {
			t.Errorf("error %d = %+v, want %+v", i, rep.Errors[i], w)
		}
	}
	if rep.Created != 3 || rep.Updated != 0 || rep.Unchanged != 0 {
		t.Errorf("report = %+v, want 3 created", rep)
	}
	if n, _ := db.CountDossiers(t.Context()); n != 3 {
		t.Errorf("CountDossiers = %d, want 3 (the second sheet is not read)", n)
	}
	d := dossier(t, db, "H55.20-250602-0001")
	want1 := domain.Dossier{ID: d.ID, Code: "H55.20-250602-0001", ProcedureCode: "1.001193.000.00.00.H55",
		ProcedureName: "Đăng ký khai sinh", Field: "Hộ tịch", ApplicantName: "Nguyễn Thị Hoa",
		Phone: "0905123456", IDLast4: "7890", Intake: domain.IntakeDirect, Status: domain.StatusInProgress,
		ReceivedAt: utc(2025, 6, 2, 8, 5), DueAt: utc(2025, 6, 3, 0, 0), Handler: "Trần Thị Bình",
		UpdatedAt: d.UpdatedAt}
	if d != want1 {
		t.Errorf("dossier 0001 =\n%+v\nwant\n%+v", d, want1)
	}
	d = dossier(t, db, "H55.20-250602-0002")
	if d.Phone != "0905111333" || d.Intake != domain.IntakeOnline || d.Status != domain.StatusDone ||
		!d.ReceivedAt.Equal(utc(2025, 6, 2, 10, 20)) || !d.DueAt.Equal(utc(2025, 6, 2, 0, 0)) ||
		!d.FinishedAt.Equal(utc(2025, 6, 2, 15, 0)) {
		t.Errorf("dossier 0002 = %+v", d)
	}
	d = dossier(t, db, "H55.20-250603-0005")
	if d.Phone != "0345678901" || !d.ReceivedAt.Equal(utc(2025, 6, 3, 14, 30)) || !d.DueAt.Equal(utc(2025, 6, 4, 0, 0)) {
		t.Errorf("dossier 0005 = %+v", d)
	}
}

func TestImportXLSX(t *testing.T) {
	im, db := newImporter(t)
	data := workbookBytes(t, sampleWorkbook(t))
	rep, err := im.ImportXLSX(t.Context(), bytes.NewReader(data), "import")
	if err != nil {
		t.Fatalf("ImportXLSX: %v", err)
	}
	checkSample(t, rep, db)

	// Again: nothing changes.
	rep, err = im.ImportXLSX(t.Context(), bytes.NewReader(data), "import")
	if err != nil || rep.Unchanged != 3 || rep.Created+rep.Updated != 0 || len(rep.Errors) != 2 {
		t.Errorf("second import = %+v, %v; want 3 unchanged and the 2 errors", rep, err)
	}
}

// TestXLSXFixture imports testdata/sample.xlsx, a file written by Excel's
// library rather than built in memory. It was made by
//
//	go test ./internal/service/intake -run TestXLSXFixture -update-xlsx
//
// which saves sampleWorkbook there; run it again after changing it.
func TestXLSXFixture(t *testing.T) {
	path := filepath.Join("testdata", "sample.xlsx")
	if *updateXLSX {
		if err := sampleWorkbook(t).SaveAs(path); err != nil {
			t.Fatal(err)
		}
	}
	im, db := newImporter(t)
	rep, err := im.ImportFile(t.Context(), path, "import")
	if err != nil {
		t.Fatalf("ImportFile: %v", err)
	}
	checkSample(t, rep, db)
}

func TestImportXLSXDate1904(t *testing.T) {
	f := excelize.NewFile()
	yes := true
	if err := f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &yes}); err != nil {
		t.Fatal(err)
	}
	f.SetSheetRow("Sheet1", "A1", &[]any{"code", "procedure_name", "field", "applicant_phone", "channel",
		"received_at", "due_at", "status"})
	// 2025-06-02 08:05 in the 1904 system: 1462 days fewer than in the 1900 one.
	serial := 45810 + (8*60+5)/1440.0 - 1462
	f.SetSheetRow("Sheet1", "A2", &[]any{"H55.20-250602-0001", "Đăng ký khai sinh", "Hộ tịch", 905123456, 1,
		serial, "03/06/2025", 4})
	im, db := newImporter(t)
	rep, err := im.ImportXLSX(t.Context(), bytes.NewReader(workbookBytes(t, f)), "import")
	if err != nil || rep.Created != 1 || len(rep.Errors) > 0 {
		t.Fatalf("ImportXLSX = %+v, %v", rep, err)
	}
	if d := dossier(t, db, "H55.20-250602-0001"); !d.ReceivedAt.Equal(utc(2025, 6, 2, 8, 5)) {
		t.Errorf("received %v, want 2025-06-02 08:05 +07", d.ReceivedAt)
	}
}

func TestXLSXValue(t *testing.T) {
	tests := []struct {
		column, in, want string
		date1904         bool
	}{
		{"applicant_phone", "905123456", "905123456", false},
		{"applicant_phone", "9.05123456E8", "905123456", false},
		{"applicant_id", "5.1234567890E10", "51234567890", false},
		{"status", "9", "9", false},
		{"note", "1 2", "1 2", false},
		{"received_at", "45810", "2025-06-02 00:00:00", false},
		{"received_at", "45810.336805555555", "2025-06-02 08:05:00", false},
		{"due_at", "45810.99999999", "2025-06-03 00:00:00", false},
		{"due_at", "44348", "2025-06-02 00:00:00", true},
		{"due_at", "2025", "2025", false},         // a year, not a date: reported
		{"due_at", "20250602", "20250602", false}, // likewise
		{"due_at", "02/06/2025", "02/06/2025", false},
		{"due_at", "2025-06-02", "2025-06-02", false},
		{"finished_at", "-1", "-1", false},
	}
	for _, tt := range tests {
		if got := xlsxValue(tt.column, tt.in, tt.date1904); got != tt.want {
			t.Errorf("xlsxValue(%s, %q, %v) = %q, want %q", tt.column, tt.in, tt.date1904, got, tt.want)
		}
	}
}

func TestImportXLSXErrors(t *testing.T) {
	farHeader := excelize.NewFile()
	for i := 1; i <= 21; i++ {
		farHeader.SetCellValue("Sheet1", fmt.Sprintf("A%d", i), fmt.Sprintf("Ghi chú %d", i))
	}
	farHeader.SetSheetRow("Sheet1", "A22", &[]any{"Mã hồ sơ", "Tên thủ tục", "Lĩnh vực", "Số điện thoại",
		"Kênh", "Ngày tiếp nhận", "Ngày hẹn trả", "Trạng thái"})
	fewColumns := excelize.NewFile()
	fewColumns.SetSheetRow("Sheet1", "A3", &[]any{"Lĩnh vực", "Trạng thái", "Ghi chú"})
	fewColumns.SetSheetRow("Sheet1", "A4", &[]any{"Hộ tịch", 4})

	tests := []struct {
		name string
		data []byte
		key  string
		cols string
	}{
		{"empty workbook", workbookBytes(t, excelize.NewFile()), "import.empty", ""},
		{"header below row 20", workbookBytes(t, farHeader), "import.missing_columns", "«Mã hồ sơ»"},
		{"header lacks the code", workbookBytes(t, fewColumns), "import.missing_columns", "«Mã hồ sơ»"},
		{"not a workbook", []byte("code,field\n1,2\n"), "import.bad_xlsx", ""},
		{"empty file", nil, "import.bad_xlsx", ""},
		{"xls", append(append([]byte{}, oleMagic...), make([]byte, 504)...), "import.xls_unsupported", ""},
	}
	for _, tt := range tests {
		im, db := newImporter(t)
		_, err := im.ImportXLSX(t.Context(), bytes.NewReader(tt.data), "import")
		var inv *domain.InvalidError
		if !errors.As(err, &inv) || inv.Key != tt.key || inv.Args["columns"] != tt.cols {
			t.Errorf("%s: ImportXLSX error = %v %+v, want %s %q", tt.name, err, inv, tt.key, tt.cols)
		}
		if n, _ := db.CountDossiers(t.Context()); n != 0 {
			t.Errorf("%s: CountDossiers = %d", tt.name, n)
		}
	}
}

func TestImportFileByExtension(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	csvData, err := os.ReadFile(filepath.Join("testdata", "en.csv"))
	if err != nil {
		t.Fatal(err)
	}
	im, _ := newImporter(t)
	if rep, err := im.ImportFile(t.Context(), write("export.CSV", csvData), "import"); err != nil || rep.Created != 4 {
		t.Errorf("ImportFile(.CSV) = %+v, %v", rep, err)
	}
	xlsx := workbookBytes(t, sampleWorkbook(t))
	if rep, err := im.ImportFile(t.Context(), write("export.xlsx", xlsx), "import"); err != nil || rep.Created != 3 {
		t.Errorf("ImportFile(.xlsx) = %+v, %v", rep, err)
	}
	for _, tt := range []struct{ name, key string }{
		{"old.xls", "import.xls_unsupported"},
		{"export.ods", "import.unknown_format"},
		{"export", "import.unknown_format"},
		{"renamed.xlsx", "import.bad_xlsx"},
	} {
		_, err := im.ImportFile(t.Context(), write(tt.name, csvData), "import")
		var inv *domain.InvalidError
		if !errors.As(err, &inv) || inv.Key != tt.key {
			t.Errorf("ImportFile(%s) = %v, want %s", tt.name, err, tt.key)
		}
	}
	if _, err := im.ImportFile(t.Context(), filepath.Join(dir, "missing.csv"), "import"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("ImportFile(missing) = %v, want not exist", err)
	}
	ole := append(append([]byte{}, oleMagic...), make([]byte, 504)...)
	if _, err := im.ImportFile(t.Context(), write("protected.xlsx", ole), "import"); err == nil ||
		!strings.Contains(err.Error(), "import.xls_unsupported") {
		t.Errorf("ImportFile(OLE .xlsx) = %v, want import.xls_unsupported", err)
	}
}

// TestImportXLSXLarge streams a sheet written with excelize's StreamWriter,
// as large exports are.
func TestImportXLSXLarge(t *testing.T) {
	const rows = 3000
	data := largeWorkbook(t, rows)
	im, db := newImporter(t)
	rep, err := im.ImportXLSX(t.Context(), bytes.NewReader(data), "import")
	if err != nil || rep.Created != rows || len(rep.Errors) > 0 {
		t.Fatalf("ImportXLSX = %+v (errors %d), %v; want %d created", rep.Created, len(rep.Errors), err, rows)
	}
	if n, _ := db.CountDossiers(t.Context()); n != rows {
		t.Errorf("CountDossiers = %d", n)
	}
}

func largeWorkbook(t testing.TB, rows int) []byte {
	t.Helper()
	f := excelize.NewFile()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	dateFmt := "dd/mm/yyyy hh:mm"
	style, err := f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt})
	if err != nil {
		t.Fatal(err)
	}
	if err := sw.SetRow("A1", []any{"Báo cáo hồ sơ"}); err != nil {
		t.Fatal(err)
	}
	if err := sw.SetRow("A2", []any{"Mã hồ sơ", "Tên thủ tục", "Lĩnh vực", "Họ tên", "Số điện thoại", "Kênh",
		"Ngày tiếp nhận", "Ngày hẹn trả", "Ngày có kết quả", "Trạng thái"}); err != nil {
		t.Fatal(err)
	}
	for i := range rows {
		day := 1 + i/500
		received := wall(2025, 5, day, 8, 30)
		cells := []any{fmt.Sprintf("H55.20-2505%02d-%04d", day, i%500+1), "Đăng ký khai sinh", "Hộ tịch",
			"Nguyễn Văn An", 900000000 + i, 1,
			excelize.Cell{StyleID: style, Value: received}, excelize.Cell{StyleID: style, Value: received.AddDate(0, 0, 1)},
			excelize.Cell{StyleID: style, Value: received.Add(7 * time.Hour)}, 9}
		cell, _ := excelize.CoordinatesToCellName(1, i+3)
		if err := sw.SetRow(cell, cells); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	return workbookBytes(t, f)
}

// BenchmarkImportXLSX imports 10,000 rows of a streamed sheet into a fresh
// database per iteration.
func BenchmarkImportXLSX(b *testing.B) {
	const rows = 10000
	data := largeWorkbook(b, rows)
	loc, _ := time.LoadLocation("Asia/Ho_Chi_Minh")
	for b.Loop() {
		b.StopTimer()
		db, err := store.Open(b.Context(), filepath.Join(b.TempDir(), "bench.db"))
		if err != nil {
			b.Fatal(err)
		}
		im := New(db, loc)
		b.StartTimer()
		rep, err := im.ImportXLSX(b.Context(), bytes.NewReader(data), "import")
		if err != nil || rep.Created != rows {
			b.Fatalf("ImportXLSX = %+v, %v", rep.Created, err)
		}
		b.StopTimer()
		db.Close()
		b.StartTimer()
	}
}
