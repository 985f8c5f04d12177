package intake

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"xabot/internal/domain"
	"xabot/internal/store"
)

func hcm(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Fatalf("LoadLocation: %v", err)
	}
	return loc
}

// newImporter returns an importer over a fresh SQLite file.
func newImporter(t *testing.T) (*Importer, *store.DB) {
	t.Helper()
	db, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "xabot.db"))
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return New(db, hcm(t)), db
}

func importFile(t *testing.T, im *Importer, name string) Report {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rep, err := im.ImportCSV(t.Context(), f, "import")
	if err != nil {
		t.Fatalf("ImportCSV(%s): %v", name, err)
	}
	return rep
}

func dossier(t *testing.T, db *store.DB, code string) domain.Dossier {
	t.Helper()
	d, err := db.DossierByCode(t.Context(), code)
	if err != nil {
		t.Fatalf("DossierByCode(%s): %v", code, err)
	}
	return d
}

// utc builds a UTC time from a local (UTC+7) wall clock.
func utc(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, time.FixedZone("ICT", 7*3600)).UTC()
}

func TestImportFiles(t *testing.T) {
	tests := []struct {
		file  string
		codes []string
		check func(t *testing.T, db *store.DB)
	}{
		{"en.csv", []string{"H55.20-250501-0001", "H55.20-250501-0002", "H55.20-250502-0003", "H55.20-250505-0004"},
			func(t *testing.T, db *store.DB) {
				d := dossier(t, db, "H55.20-250501-0001")
				want := domain.Dossier{ID: d.ID, Code: "H55.20-250501-0001", ProcedureCode: "1.001193.000.00.00.H55",
					ProcedureName: "Đăng ký khai sinh", Field: "Hộ tịch", ApplicantName: "Nguyễn Văn An",
					Phone: "0905123456", IDLast4: "7890", Village: "An Hòa", Intake: domain.IntakeDirect,
					Status: domain.StatusInProgress, ReceivedAt: utc(2025, 5, 1, 8, 30),
					DueAt: utc(2025, 5, 2, 0, 0), Handler: "Trần Thị Bình", UpdatedAt: d.UpdatedAt}
				if d != want {
					t.Errorf("dossier 0001 =\n%+v\nwant\n%+v", d, want)
				}
				d = dossier(t, db, "H55.20-250501-0002")
				if d.Phone != "0987654321" || d.Intake != domain.IntakeOnline || d.Status != domain.StatusReturned ||
					!d.ReturnedAt.Equal(utc(2025, 5, 1, 10, 30)) || !d.ReceivedAt.Equal(utc(2025, 5, 1, 9, 15)) {
					t.Errorf("dossier 0002 = %+v", d)
				}
				d = dossier(t, db, "H55.20-250502-0003")
				if d.Note != "Bổ sung giấy xác nhận tình trạng hôn nhân, bản chính" || d.Phone != "0345678901" ||
					!d.ReceivedAt.Equal(utc(2025, 5, 2, 14, 0)) || !d.DueAt.Equal(utc(2025, 5, 7, 0, 0)) {
					t.Errorf("dossier 0003 = %+v", d)
				}
				d = dossier(t, db, "H55.20-250505-0004")
				if !d.ExtendedDueAt.Equal(utc(2025, 5, 12, 0, 0)) || d.ExtensionReason != "Cần xác minh thêm" ||
					d.Intake != domain.IntakePostal || d.ProcedureCode != "1.004873.000.00.00.H55" || d.ProcedureName != "" {
					t.Errorf("dossier 0004 = %+v", d)
				}
			}},
		{"vi_accents.csv", []string{"H55.20-250601-0001", "H55.20-250601-0002", "H55.20-250601-0003"},
			func(t *testing.T, db *store.DB) {
				d := dossier(t, db, "H55.20-250601-0001")
				if d.Status != domain.StatusDone || d.IDLast4 != "7890" || d.Village != "Phú Lâm Tây" ||
					!d.FinishedAt.Equal(utc(2025, 6, 3, 9, 0)) || d.ApplicantName != "Nguyễn Thị Hoa" ||
					d.Note != "Nhận tại Trung tâm Phục vụ hành chính công xã" {
					t.Errorf("dossier 0001 = %+v", d)
				}
				if d := dossier(t, db, "H55.20-250601-0003"); d.Intake != domain.IntakePostal || d.Status != domain.StatusReturned {
					t.Errorf("dossier 0003 = %+v", d)
				}
			}},
		{"vi_plain.csv", []string{"H55.20-250601-0011", "H55.20-250601-0012"},
			func(t *testing.T, db *store.DB) {
				d := dossier(t, db, "H55.20-250601-0012")
				if d.Status != domain.StatusReturned || d.Intake != domain.IntakeOnline || d.ApplicantName != "Do Thi Mai" {
					t.Errorf("dossier 0012 = %+v", d)
				}
			}},
		{"semicolon_bom.csv", []string{"H55.20-250701-0001", "H55.20-250701-0002"},
			func(t *testing.T, db *store.DB) {
				d := dossier(t, db, "H55.20-250701-0001")
				if d.Code != "H55.20-250701-0001" || d.Note != "Thiếu bản sao; cần bổ sung" {
					t.Errorf("dossier 0001 = %+v (the BOM must not stick to the first header)", d)
				}
			}},
		{"utf16le.txt", []string{"H55.20-250801-0001", "H55.20-250801-0002"},
			func(t *testing.T, db *store.DB) {
				d := dossier(t, db, "H55.20-250801-0002")
				if d.ApplicantName != "Hồ Thị Nga" || d.Status != domain.StatusSupplementRequested {
					t.Errorf("dossier 0002 = %+v", d)
				}
			}},
		{"utf16be.csv", []string{"H55.20-250801-0001", "H55.20-250801-0002"},
			func(t *testing.T, db *store.DB) {
				if d := dossier(t, db, "H55.20-250801-0001"); d.ProcedureName != "Đăng ký khai sinh" {
					t.Errorf("dossier 0001 = %+v", d)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			im, db := newImporter(t)
			rep := importFile(t, im, tt.file)
			if len(rep.Errors) > 0 {
				t.Errorf("errors: %+v", rep.Errors)
			}
			if rep.Created != len(tt.codes) || rep.Updated != 0 || rep.Unchanged != 0 {
				t.Errorf("report = %+v, want %d created", rep, len(tt.codes))
			}
			for _, c := range tt.codes {
				dossier(t, db, c)
			}
			tt.check(t, db)

			// The same file again changes nothing.
			again := importFile(t, im, tt.file)
			if again.Created != 0 || again.Updated != 0 || again.Unchanged != len(tt.codes) || len(again.Errors) > 0 {
				t.Errorf("second import report = %+v, want %d unchanged", again, len(tt.codes))
			}
		})
	}
}

func TestImportBadRows(t *testing.T) {
	im, db := newImporter(t)
	rep := importFile(t, im, "bad_rows.csv")
	want := []LineError{
		{Line: 3, Key: "import.bad_phone", Args: map[string]string{"column": "applicant_phone"}},
		{Line: 5, Key: "import.bad_date", Args: map[string]string{"column": "received_at", "value": "2025-06-32"}},
		{Line: 6, Key: "import.bad_status", Args: map[string]string{"value": "lost"}},
		{Line: 7, Key: "import.new_incomplete", Args: map[string]string{"code": "H55.20-250601-0005", "columns": "field"}},
		{Line: 8, Key: "import.finished_required", Args: map[string]string{"status": "9"}},
		{Line: 9, Key: "import.due_before_received"},
		{Line: 11, Key: "import.duplicate_code", Args: map[string]string{"code": "H55.20-250601-0001", "line": "2"}},
		{Line: 12, Key: "import.bad_channel", Args: map[string]string{"value": "fax"}},
		{Line: 13, Key: "import.bad_code", Args: map[string]string{"value": "1.001193.000.00.00.H55"}},
		{Line: 14, Key: "import.new_incomplete", Args: map[string]string{"code": "H55.20-250601-0009", "columns": "status"}},
		{Line: 16, Key: "import.finished_before_received"},
		{Line: 18, Key: "import.new_incomplete", Args: map[string]string{"code": "custom-code-abc",
			"columns": "procedure_code/procedure_name"}},
	}
	if len(rep.Errors) != len(want) {
		t.Fatalf("got %d errors, want %d:\n%+v", len(rep.Errors), len(want), rep.Errors)
	}
	for i, w := range want {
		if !sameLineError(rep.Errors[i], w) {
			t.Errorf("error %d = %+v, want %+v", i, rep.Errors[i], w)
		}
	}
	if rep.Created != 3 || rep.Updated != 0 || rep.Unchanged != 0 {
		t.Errorf("report = %+v, want 3 created", rep)
	}
	for _, code := range []string{"H55.20-250601-0001", "H55.20-250601-0011", "ABC/2025/77"} {
		dossier(t, db, code)
	}
	if d := dossier(t, db, "abc/2025/77"); d.Code != "ABC/2025/77" {
		t.Errorf("odd code stored as %q", d.Code)
	}
	if n, _ := db.CountDossiers(t.Context()); n != 3 {
		t.Errorf("CountDossiers = %d, want 3", n)
	}
	// No phone reaches an error, not even a wrong one.
	for _, e := range rep.Errors {
		for _, v := range e.Args {
			if strings.Contains(v, "12345") && e.Key != "import.bad_code" {
				t.Errorf("error %+v echoes a phone", e)
			}
		}
	}
}

func sameLineError(a, b LineError) bool {
	if a.Line != b.Line || a.Key != b.Key || len(a.Args) != len(b.Args) {
		return false
	}
	for k, v := range b.Args {
		if a.Args[k] != v {
			return false
		}
	}
	return true
}

func TestImportStatusChange(t *testing.T) {
	im, db := newImporter(t)
	if rep := importFile(t, im, "status_v1.csv"); rep.Created != 2 {
		t.Fatalf("first import = %+v", rep)
	}
	rep := importFile(t, im, "status_v2.csv")
	if rep.Created != 0 || rep.Updated != 1 || rep.Unchanged != 1 || len(rep.Errors) > 0 {
		t.Fatalf("second import = %+v, want 1 updated, 1 unchanged", rep)
	}
	d := dossier(t, db, "H55.20-250901-0001")
	events, err := db.DossierEvents(t.Context(), d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 2 {
		t.Fatalf("events = %+v, want created and status", events)
	}
	e := events[1]
	if e.Kind != "status" || e.From != domain.StatusInProgress || e.To != domain.StatusDone || e.Source != "import" ||
		e.Note != "Mời nhận kết quả tại Trung tâm Phục vụ hành chính công xã" {
		t.Errorf("status event = %+v", e)
	}
}

// TestImportMissingColumns: a file needs only the code column; a row of a
// new code that lacks what a dossier needs is refused by line, naming it.
func TestImportMissingColumns(t *testing.T) {
	im, db := newImporter(t)
	rep := importFile(t, im, "missing_columns.csv")
	want := LineError{Line: 2, Key: "import.new_incomplete", Args: map[string]string{"code": "H55.20-251001-0001",
		"columns": "procedure_code/procedure_name, applicant_phone, channel, received_at, due_at"}}
	if len(rep.Errors) != 1 || !sameLineError(rep.Errors[0], want) || rep.Created+rep.Updated+rep.Unchanged != 0 {
		t.Errorf("report = %+v, want %+v", rep, want)
	}
	if n, _ := db.CountDossiers(t.Context()); n != 0 {
		t.Errorf("CountDossiers = %d, want 0", n)
	}

	data := "Lĩnh vực,Trạng thái,Số điện thoại,Ghi chú\nHộ tịch,4,0905123456,x\n"
	_, err := im.ImportCSV(t.Context(), strings.NewReader(data), "import")
	var inv *domain.InvalidError
	if !errors.As(err, &inv) || inv.Key != "import.missing_columns" || inv.Args["columns"] != "«Mã hồ sơ»" ||
		inv.Args["aliases"] != "«Mã hồ sơ»: Số hồ sơ, Mã HS, Số biên nhận, code" {
		t.Errorf("ImportCSV without a code column: error = %v %+v, want import.missing_columns «Mã hồ sơ»", err, inv)
	}
}

func TestImportFileErrors(t *testing.T) {
	tests := []struct {
		name string
		data string
		key  string
	}{
		{"empty", "", "import.empty"},
		{"blank lines only", "\n\n\n", "import.empty"},
		{"not UTF-8", "M\xe3 h\xf4 s\xf4,Tr\xe1ng th\xe1i\n", "import.bad_encoding"},
	}
	for _, tt := range tests {
		im, _ := newImporter(t)
		_, err := im.ImportCSV(t.Context(), strings.NewReader(tt.data), "import")
		var inv *domain.InvalidError
		if !errors.As(err, &inv) || inv.Key != tt.key {
			t.Errorf("%s: ImportCSV error = %v, want %s", tt.name, err, tt.key)
		}
	}
}

func TestImportColumnNamedAsWritten(t *testing.T) {
	im, _ := newImporter(t)
	data := "Mã hồ sơ,Tên thủ tục,Lĩnh vực,Số điện thoại,Kênh,Ngày tiếp nhận,Ngày hẹn trả,Trạng thái\n" +
		"H55.20-250601-0001,Đăng ký khai sinh,Hộ tịch,abc,1,2025-06-02,2025-06-03,4\n"
	rep, err := im.ImportCSV(t.Context(), strings.NewReader(data), "import")
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Errors) != 1 || rep.Errors[0].Args["column"] != "Số điện thoại" || rep.Errors[0].Line != 2 {
		t.Errorf("errors = %+v, want bad phone on line 2 in column \"Số điện thoại\"", rep.Errors)
	}
}

// benchRows is the size of the import benchmarks' files.
const benchRows = 10000

// benchCSV is a complete export of benchRows dossiers with their result ready.
func benchCSV() string {
	var sb strings.Builder
	sb.WriteString("code,procedure_code,procedure_name,field,applicant_name,applicant_phone,channel,received_at,due_at,finished_at,status,handler\n")
	for i := range benchRows {
		day := 1 + i/500
		fmt.Fprintf(&sb, "H55.20-2505%02d-%04d,1.001193.000.00.00.H55,Đăng ký khai sinh,Hộ tịch,Nguyễn Văn An,09%08d,direct,%02d/05/2025 08:30,%02d/05/2025,%02d/05/2025 16:00,9,Trần Thị Bình\n",
			day, i%500+1, i, day, day+1, day)
	}
	return sb.String()
}

// benchImport imports data with a fresh importer over db and wants n rows
// to have had outcome o.
func benchImport(b *testing.B, db *store.DB, data string, o Outcome) {
	loc, _ := time.LoadLocation("Asia/Ho_Chi_Minh")
	rep, err := New(db, loc).ImportCSV(b.Context(), strings.NewReader(data), "import")
	got := map[Outcome]int{Created: rep.Created, Updated: rep.Updated, Unchanged: rep.Unchanged}[o]
	if err != nil || got != benchRows || len(rep.Errors) > 0 {
		b.Fatalf("ImportCSV = %+v, %v", rep, err)
	}
}

// BenchmarkImportCSV imports 10,000 new rows into a fresh database per
// iteration (100,000 rows in at most 10 s).
func BenchmarkImportCSV(b *testing.B) {
	data := benchCSV()
	for b.Loop() {
		b.StopTimer()
		db, err := store.Open(b.Context(), filepath.Join(b.TempDir(), "bench.db"))
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		benchImport(b, db, data, Created)
		b.StopTimer()
		db.Close()
		b.StartTimer()
	}
}

// BenchmarkImportCSVThin merges a thin export (code, status, finished_at)
// moving each of 10,000 stored dossiers to another status per iteration.
func BenchmarkImportCSVThin(b *testing.B) {
	db, err := store.Open(b.Context(), filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	benchImport(b, db, benchCSV(), Created)
	var thin [2]string
	for k, status := range []string{"10", "9"} {
		var sb strings.Builder
		sb.WriteString("code,status,finished_at\n")
		for i := range benchRows {
			day := 1 + i/500
			fmt.Fprintf(&sb, "H55.20-2505%02d-%04d,%s,%02d/05/2025 16:00\n", day, i%500+1, status, day)
		}
		thin[k] = sb.String()
	}
	i := 0
	for b.Loop() {
		benchImport(b, db, thin[i%2], Updated)
		i++
	}
}

func TestImportBatches(t *testing.T) {
	const rows = 2*batchSize + 17
	var sb strings.Builder
	sb.WriteString("code;procedure_name;field;applicant_phone;channel;received_at;due_at;status\n")
	for i := range rows {
		fmt.Fprintf(&sb, "H55.20-250602-%04d;Chứng thực bản sao;Chứng thực;09%08d;1;02/06/2025 08:00;02/06/2025;4\n", i+1, i)
	}
	im, db := newImporter(t)
	rep, err := im.ImportCSV(t.Context(), strings.NewReader(sb.String()), "import")
	if err != nil || rep.Created != rows || len(rep.Errors) > 0 {
		t.Fatalf("batched import = %+v, %v; want %d created", rep, err, rows)
	}
	changed := strings.Replace(sb.String(), "H55.20-250602-0007;Chứng thực bản sao;Chứng thực;0900000006;1;02/06/2025 08:00;02/06/2025;4",
		"H55.20-250602-0007;Chứng thực bản sao;Chứng thực;0900000006;1;02/06/2025 08:00;02/06/2025;2", 1)
	rep, err = im.ImportCSV(t.Context(), strings.NewReader(changed), "import")
	if err != nil || rep.Unchanged != rows-1 || rep.Updated != 1 || len(rep.Errors) > 0 {
		t.Fatalf("second import = %+v, %v; want %d unchanged, 1 updated", rep, err, rows-1)
	}
	if d := dossier(t, db, "H55.20-250602-0007"); d.Status != domain.StatusAccepted {
		t.Errorf("status = %v, want accepted", d.Status)
	}
}
