package intake

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"xabot/internal/domain"
	"xabot/internal/store"
)

// fullCSV is a complete export: two dossiers in progress, with a name, a
// village and a note.
const fullCSV = "code,procedure_name,field,applicant_name,applicant_phone,village,channel,received_at,due_at,status,handler,note\n" +
	"H55.20-250602-0001,Đăng ký khai sinh,Hộ tịch,Nguyễn Văn An,0905123456,An Hòa,1,02/06/2025 08:00,05/06/2025,4,Trần Thị Bình,chờ xác minh\n" +
	"H55.20-250602-0002,Đăng ký kết hôn,Hộ tịch,Lê Thị Bình,0905123457,Phước Hòa,1,02/06/2025 08:00,05/06/2025,5,Trần Thị Bình,bổ sung giấy xác nhận\n"

// thinRows are a later export without the name, village, note and
// extension columns: 0001 changes its handler, 0002 has its result.
var thinRows = [][]string{
	{"Mã hồ sơ", "Trạng thái", "Ngày có kết quả", "Cán bộ xử lý"},
	{"H55.20-250602-0001", "4", "", "Lê Văn Cường"},
	{"H55.20-250602-0002", "9", "06/06/2025 16:00", ""},
}

// importedAndExtended imports fullCSV and extends 0001 by an official's
// apology, as the bot does.
func importedAndExtended(t *testing.T) (*Importer, *store.DB) {
	t.Helper()
	im, db := newImporter(t)
	if rep, err := im.ImportCSV(t.Context(), strings.NewReader(fullCSV), "import"); err != nil || rep.Created != 2 {
		t.Fatalf("first import = %+v, %v", rep, err)
	}
	due := time.Date(2025, 6, 10, 0, 0, 0, 0, hcm(t))
	if _, err := db.ExtendDossier(t.Context(), "H55.20-250602-0001", due, "chờ xác minh nơi cư trú", "bot:tg:1", time.Now()); err != nil {
		t.Fatal(err)
	}
	return im, db
}

// checkThin checks what a thin re-import left: everything it lacked.
func checkThin(t *testing.T, rep Report, db *store.DB) {
	t.Helper()
	if rep.Updated != 2 || len(rep.Errors) > 0 {
		t.Fatalf("thin import = %+v, want 2 updated", rep)
	}
	a := dossier(t, db, "H55.20-250602-0001")
	if a.ApplicantName != "Nguyễn Văn An" || a.Village != "An Hòa" || a.Note != "chờ xác minh" ||
		a.Handler != "Lê Văn Cường" || a.Phone != "0905123456" || a.ProcedureName != "Đăng ký khai sinh" {
		t.Errorf("0001 after a thin import = %+v", a)
	}
	if !a.ExtendedDueAt.Equal(utc(2025, 6, 10, 0, 0)) || a.ExtensionReason != "chờ xác minh nơi cư trú" {
		t.Errorf("0001 extension = %v %q, want the official's", a.ExtendedDueAt, a.ExtensionReason)
	}
	b := dossier(t, db, "H55.20-250602-0002")
	if b.ApplicantName != "Lê Thị Bình" || b.Village != "Phước Hòa" || b.Handler != "Trần Thị Bình" ||
		b.Status != domain.StatusDone || !b.FinishedAt.Equal(utc(2025, 6, 6, 16, 0)) {
		t.Errorf("0002 after a thin import = %+v", b)
	}
	// The note was the former status's: it is in that event, not on the card.
	if b.Note != "" {
		t.Errorf("0002 note = %q, want none after the status moved without one", b.Note)
	}
	evs, err := db.DossierEvents(t.Context(), b.ID)
	if err != nil || len(evs) != 2 || evs[0].Note != "bổ sung giấy xác nhận" || evs[1].Kind != "status" ||
		evs[1].To != domain.StatusDone {
		t.Errorf("0002 events = %+v, %v", evs, err)
	}
	if evs, _ := db.DossierEvents(t.Context(), a.ID); len(evs) != 2 || evs[1].Kind != "extended" {
		t.Errorf("0001 events = %+v, want created and the one extension", evs)
	}
}

func TestThinReimportCSV(t *testing.T) {
	im, db := importedAndExtended(t)
	var sb strings.Builder
	for _, r := range thinRows {
		sb.WriteString(strings.Join(r, ";") + "\n")
	}
	rep, err := im.ImportCSV(t.Context(), strings.NewReader(sb.String()), "import")
	if err != nil {
		t.Fatal(err)
	}
	checkThin(t, rep, db)
}

func TestThinReimportXLSX(t *testing.T) {
	im, db := importedAndExtended(t)
	f := excelize.NewFile()
	f.SetCellValue("Sheet1", "A1", "DANH SÁCH HỒ SƠ")
	for i, r := range thinRows {
		row := make([]any, len(r))
		for j, c := range r {
			row[j] = c
		}
		if err := f.SetSheetRow("Sheet1", "A"+string(rune('3'+i)), &row); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := im.ImportXLSX(t.Context(), bytes.NewReader(workbookBytes(t, f)), "import")
	if err != nil {
		t.Fatal(err)
	}
	checkThin(t, rep, db)
}

// TestImportBlankAndDash: a blank cell of a present column leaves the
// value, "-" clears an optional one; a required one cannot be cleared.
func TestImportBlankAndDash(t *testing.T) {
	im, db := importedAndExtended(t)
	data := "code,applicant_name,village,note,applicant_phone,extended_due_at,handler\n" +
		"H55.20-250602-0001,,-,-,,-,\n" +
		"H55.20-250602-0002,-,,,-,,Lê Văn Cường\n"
	rep, err := im.ImportCSV(t.Context(), strings.NewReader(data), "import")
	if err != nil {
		t.Fatal(err)
	}
	want := LineError{Line: 3, Key: "import.cannot_clear", Args: map[string]string{"column": "applicant_phone"}}
	if rep.Updated != 1 || len(rep.Errors) != 1 || !sameLineError(rep.Errors[0], want) {
		t.Fatalf("report = %+v, want 1 updated and %+v", rep, want)
	}
	a := dossier(t, db, "H55.20-250602-0001")
	if a.ApplicantName != "Nguyễn Văn An" || a.Village != "" || a.Note != "" || a.Handler != "Trần Thị Bình" ||
		!a.ExtendedDueAt.Equal(utc(2025, 6, 10, 0, 0)) {
		t.Errorf("0001 = %+v: want the name, handler and extension, no village or note", a)
	}
	if b := dossier(t, db, "H55.20-250602-0002"); b.ApplicantName != "Lê Thị Bình" || b.Handler != "Trần Thị Bình" {
		t.Errorf("0002 = %+v, want untouched (its row was refused)", b)
	}
}

// TestImportExtensionNotices: the one-door system's later extension is
// taken, reported and is no second extension; an earlier one is reported
// and left.
func TestImportExtensionNotices(t *testing.T) {
	im, db := importedAndExtended(t)
	data := "code,extended_due_at,extension_reason\n" +
		"H55.20-250602-0001,12/06/2025,chờ ý kiến huyện\n"
	rep, err := im.ImportCSV(t.Context(), strings.NewReader(data), "import")
	if err != nil {
		t.Fatal(err)
	}
	moved := Notice{Line: 2, Key: "import.extension_moved", Args: map[string]string{"code": "H55.20-250602-0001", "new": "12/06/2025"}}
	if rep.Updated != 1 || len(rep.Notices) != 1 || !sameNotice(rep.Notices[0], moved) {
		t.Errorf("later extension: report = %+v, want %+v", rep, moved)
	}
	data = "code,extended_due_at\nH55.20-250602-0001,10/06/2025\n"
	rep, err = im.ImportCSV(t.Context(), strings.NewReader(data), "import")
	if err != nil {
		t.Fatal(err)
	}
	kept := Notice{Line: 2, Key: "import.extension_kept", Args: map[string]string{"code": "H55.20-250602-0001",
		"kept": "12/06/2025", "given": "10/06/2025"}}
	if rep.Unchanged != 1 || len(rep.Notices) != 1 || !sameNotice(rep.Notices[0], kept) {
		t.Errorf("earlier extension: report = %+v, want %+v", rep, kept)
	}
	d := dossier(t, db, "H55.20-250602-0001")
	if !d.ExtendedDueAt.Equal(utc(2025, 6, 12, 0, 0)) || d.ExtensionReason != "chờ ý kiến huyện" {
		t.Errorf("extension = %v %q", d.ExtendedDueAt, d.ExtensionReason)
	}
	evs, _ := db.DossierEvents(t.Context(), d.ID)
	var extended, movedEvents int
	for _, e := range evs {
		switch e.Kind {
		case "extended":
			extended++
		case "extension_moved":
			movedEvents++
		}
	}
	if extended != 1 || movedEvents != 1 {
		t.Errorf("events = %+v, want one extension, moved once", evs)
	}
}

func sameNotice(a, b Notice) bool {
	return sameLineError(LineError{Line: a.Line, Key: a.Key, Args: a.Args}, LineError{Line: b.Line, Key: b.Key, Args: b.Args})
}

// TestImportRecordsStatusOnly: a record of a known code with just the code
// and its new status is an update with its event; the same for an unknown
// code is refused, naming what a new dossier lacks, and the rest imported.
func TestImportRecordsStatusOnly(t *testing.T) {
	im, db := importedAndExtended(t)
	res, rep, err := im.ImportRecords(t.Context(), []map[string]string{
		{"code": "H55.20-250602-0002", "status": "9", "finished_at": "2025-06-06T16:00:00+07:00"},
		{"code": "H55.20-250602-0404", "status": "9", "finished_at": "2025-06-06"},
		{"code": "H55.20-250602-0001", "handler": "Lê Văn Cường", "note": "-"},
	}, "sync")
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Outcome != OutcomeUpdated || res[2].Outcome != OutcomeUpdated || rep.Updated != 2 {
		t.Errorf("results = %+v", res)
	}
	if res[1].Outcome != OutcomeError || res[1].Error != "import.new_incomplete" ||
		res[1].Args["columns"] != "procedure_code/procedure_name, field, applicant_phone, channel, received_at, due_at" ||
		len(rep.Errors) != 1 || rep.Errors[0].Line != 2 {
		t.Errorf("unknown code: result %+v, errors %+v", res[1], rep.Errors)
	}
	b := dossier(t, db, "H55.20-250602-0002")
	if b.Status != domain.StatusDone || b.ApplicantName != "Lê Thị Bình" || b.Phone != "0905123457" {
		t.Errorf("0002 = %+v", b)
	}
	evs, _ := db.DossierEvents(t.Context(), b.ID)
	if last := evs[len(evs)-1]; last.Kind != "status" || last.From != domain.StatusSupplementRequested ||
		last.To != domain.StatusDone || last.Source != "sync" {
		t.Errorf("last event = %+v", last)
	}
	if a := dossier(t, db, "H55.20-250602-0001"); a.Note != "" || a.Handler != "Lê Văn Cường" || a.ApplicantName != "Nguyễn Văn An" {
		t.Errorf("0001 = %+v", a)
	}
	if n, _ := db.CountDossiers(t.Context()); n != 2 {
		t.Errorf("CountDossiers = %d, want 2", n)
	}
}
