package intake

import (
	"errors"
	"strings"
	"testing"

	"xabot/internal/domain"
)

// TestImportCSVTitleRows: lines above the header (a title, the commune's
// name, blanks) are skipped; the delimiter is the header's, not the
// title's; lines keep their physical numbers; rows with nothing in the
// known columns (a total under STT) are skipped.
func TestImportCSVTitleRows(t *testing.T) {
	data := "DANH SÁCH HỒ SƠ TIẾP NHẬN, THÁNG 6, NĂM 2025\n" +
		"UBND xã Phú Lâm\n" +
		"\n" +
		"STT;Mã hồ sơ;Tên thủ tục;Lĩnh vực;Số điện thoại;Kênh;Ngày tiếp nhận;Ngày hẹn trả;Trạng thái\n" +
		"1;H55.20-250602-0001;Đăng ký khai sinh;Hộ tịch;905123456;1;02/06/2025 08:00;03/06/2025;4\n" +
		"2;H55.20-250602-0002;Đăng ký khai sinh;Hộ tịch;abc;1;02/06/2025 08:00;03/06/2025;4\n" +
		";;;;;;;;\n" +
		"Tổng cộng: 2;;;;;;;;\n"
	im, db := newImporter(t)
	rep, err := im.ImportCSV(t.Context(), strings.NewReader(data), "import")
	if err != nil {
		t.Fatal(err)
	}
	if rep.Created != 1 || len(rep.Errors) != 1 || rep.Errors[0].Line != 6 || rep.Errors[0].Key != "import.bad_phone" {
		t.Errorf("report = %+v, want 1 created and a bad phone on line 6", rep)
	}
	if d := dossier(t, db, "H55.20-250602-0001"); d.Phone != "0905123456" {
		t.Errorf("phone = %q", d.Phone)
	}
}

func TestImportCSVHeaderTooLow(t *testing.T) {
	data := strings.Repeat("Báo cáo\n", 20) +
		"code,procedure_name,field,applicant_phone,channel,received_at,due_at,status\n" +
		"H55.20-250602-0001,Đăng ký khai sinh,Hộ tịch,0905123456,1,2025-06-02,2025-06-03,4\n"
	im, db := newImporter(t)
	_, err := im.ImportCSV(t.Context(), strings.NewReader(data), "import")
	var inv *domain.InvalidError
	if !errors.As(err, &inv) || inv.Key != "import.missing_columns" {
		t.Errorf("ImportCSV error = %v, want import.missing_columns", err)
	}
	if n, _ := db.CountDossiers(t.Context()); n != 0 {
		t.Errorf("CountDossiers = %d", n)
	}
	// On line 20 it is found.
	data = strings.Repeat("Báo cáo\n", 19) + strings.SplitAfterN(data, "\n", 21)[20]
	if rep, err := im.ImportCSV(t.Context(), strings.NewReader(data), "import"); err != nil || rep.Created != 1 {
		t.Errorf("header on line 20: %+v, %v", rep, err)
	}
}

func TestSniffDelimiter(t *testing.T) {
	tests := []struct {
		head string
		want rune
	}{
		{"code,field,status\n", ','},
		{"Danh sách, tháng 6, năm 2025\nMã hồ sơ;Lĩnh vực;Trạng thái;Ghi chú\n", ';'},
		{"Danh sách\nMã hồ sơ\tLĩnh vực\tTrạng thái\n", '\t'},
		{"a;b;c\n", ';'}, // no header: the old guess
	}
	for _, tt := range tests {
		if got := sniffDelimiter([]byte(tt.head), dossierTable()); got != tt.want {
			t.Errorf("sniffDelimiter(%q) = %q, want %q", tt.head, got, tt.want)
		}
	}
}

func rec(code, status string) map[string]string {
	return map[string]string{"code": code, "procedure_name": "Đăng ký khai sinh", "field": "Hộ tịch",
		"applicant_phone": "905123456", "channel": "1", "received_at": "2025-06-02 08:00",
		"due_at": "2025-06-03", "status": status, "finished_at": "2025-06-03 09:00"}
}

func TestImportRecords(t *testing.T) {
	im, db := newImporter(t)
	recs := []map[string]string{
		rec("H55.20-250602-0001", "4"),
		rec("H55.20-250602-0002", "lost"),
		rec(" h55.20-250602-0001 ", "9"),
		{},
		rec("H55.20-250602-0003", "done"),
	}
	res, rep, err := im.ImportRecords(t.Context(), recs, "sync")
	if err != nil {
		t.Fatal(err)
	}
	want := []ItemResult{
		{Index: 0, Code: "H55.20-250602-0001", Outcome: "created"},
		{Index: 1, Code: "H55.20-250602-0002", Outcome: "error", Error: "import.bad_status", Args: map[string]string{"value": "lost"}},
		{Index: 2, Code: "h55.20-250602-0001", Outcome: "error", Error: "import.duplicate_item",
			Args: map[string]string{"code": "h55.20-250602-0001", "index": "0"}},
		{Index: 3, Outcome: "error", Error: "import.missing", Args: map[string]string{"column": "code"}},
		{Index: 4, Code: "H55.20-250602-0003", Outcome: "created"},
	}
	if len(res) != len(want) {
		t.Fatalf("results = %+v", res)
	}
	for i, w := range want {
		g := res[i]
		if g.Index != w.Index || g.Code != w.Code || g.Outcome != w.Outcome || g.Error != w.Error ||
			!sameLineError(LineError{Key: g.Error, Args: g.Args}, LineError{Key: w.Error, Args: w.Args}) {
			t.Errorf("result %d = %+v, want %+v", i, g, w)
		}
	}
	if rep.Created != 2 || len(rep.Errors) != 3 || rep.Errors[0].Line != 2 {
		t.Errorf("report = %+v", rep)
	}
	if n, _ := db.CountDossiers(t.Context()); n != 2 {
		t.Errorf("CountDossiers = %d", n)
	}

	res, rep, err = im.ImportRecords(t.Context(), []map[string]string{rec("H55.20-250602-0001", "9"),
		rec("H55.20-250602-0003", "done")}, "sync")
	if err != nil || res[0].Outcome != "updated" || res[1].Outcome != "unchanged" || rep.Updated != 1 || rep.Unchanged != 1 {
		t.Errorf("second post = %+v %+v, %v", res, rep, err)
	}
}
