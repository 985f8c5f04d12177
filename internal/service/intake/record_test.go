package intake

import (
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"xabot/internal/domain"
	"xabot/internal/fold"
)

func TestParseTime(t *testing.T) {
	loc := hcm(t)
	tests := []struct {
		in   string
		want time.Time // zero: rejected
	}{
		{"2025-05-01", utc(2025, 5, 1, 0, 0)},
		{"2025-05-01 08:30", utc(2025, 5, 1, 8, 30)},
		{"2025-05-01 08:30:15", utc(2025, 5, 1, 8, 30).Add(15 * time.Second)},
		{"2025-05-01T08:30", utc(2025, 5, 1, 8, 30)},
		{"2025-05-01T08:30:15", utc(2025, 5, 1, 8, 30).Add(15 * time.Second)},
		{"2025-05-01 08:30:15.000", utc(2025, 5, 1, 8, 30).Add(15 * time.Second)},
		{"01/05/2025", utc(2025, 5, 1, 0, 0)},
		{"1/5/2025", utc(2025, 5, 1, 0, 0)},
		{"01/05/2025 08:30", utc(2025, 5, 1, 8, 30)},
		{"01/05/2025 8:30:05", utc(2025, 5, 1, 8, 30).Add(5 * time.Second)},
		{"01-05-2025", utc(2025, 5, 1, 0, 0)},
		{"01.05.2025", utc(2025, 5, 1, 0, 0)},
		{"2025-05-01T08:30:00+07:00", utc(2025, 5, 1, 8, 30)},
		{"2025-05-01T01:30:00Z", utc(2025, 5, 1, 8, 30)},
		{"31/12/2025 23:59", utc(2025, 12, 31, 23, 59)},
		{"2025-06-32", time.Time{}},
		{"31/02/2025", time.Time{}},
		{"13/13/2025", time.Time{}},
		{"05/01/25", time.Time{}},
		{"2025/5", time.Time{}},
		{"hôm qua", time.Time{}},
		{"01/05/2025 25:00", time.Time{}},
		{"01/05/2025 08", time.Time{}},
		{"01/05/2025 08:60", time.Time{}},
		{"-1/05/2025", time.Time{}},
		{"2025-05-01T08:30:00+25:00", time.Time{}},
		{"", time.Time{}},
	}
	for _, tt := range tests {
		got, ok := parseTime(tt.in, loc)
		if ok != !tt.want.IsZero() || !got.Equal(tt.want) {
			t.Errorf("parseTime(%q) = %v, %v; want %v", tt.in, got, ok, tt.want)
		}
		if ok && got.Location() != time.UTC {
			t.Errorf("parseTime(%q) location = %v, want UTC", tt.in, got.Location())
		}
	}
}

// goodRecord is a valid record that each case below changes a little.
func goodRecord() map[string]string {
	return map[string]string{
		"code": " H55.20-250501-0001 ", "procedure_code": "1.001193.000.00.00.H55", "field": "Hộ tịch",
		"applicant_name": "Nguyễn Văn An", "applicant_phone": "0905 123 456", "channel": "trực tiếp",
		"received_at": "01/05/2025 08:30", "due_at": "01/05/2025", "status": "4",
	}
}

func TestParseRecord(t *testing.T) {
	loc := hcm(t)
	wide := map[string]string{}
	for i := range MaxColumns + 1 {
		wide[fmt.Sprintf("extra_%d", i)] = "x"
	}
	tooLong := func(column, max string) map[string]string { return map[string]string{"column": column, "max": max} }
	control := func(column string) map[string]string { return map[string]string{"column": column} }
	carried := func(p domain.DossierPatch) bool { return p.Values.Code != "" }
	tests := []struct {
		name   string
		change map[string]string
		key    string // "" = valid
		args   map[string]string
		check  func(domain.DossierPatch) bool
	}{
		{"valid, same-day appointment", nil, "", nil, func(p domain.DossierPatch) bool {
			d := p.Values
			return d.Code == "H55.20-250501-0001" && d.Phone == "0905123456" && d.Intake == domain.IntakeDirect &&
				d.DueAt.Equal(utc(2025, 5, 1, 0, 0)) && d.ReceivedAt.Equal(utc(2025, 5, 1, 8, 30)) &&
				p.Set == domain.FieldProcedureCode|domain.FieldField|domain.FieldApplicantName|domain.FieldPhone|
					domain.FieldIntake|domain.FieldReceivedAt|domain.FieldDueAt|domain.FieldStatus && p.Clear == 0 &&
				p.Loc == loc
		}},
		{"CCCD keeps only the last four digits", map[string]string{"applicant_id": "051 234 567 890"}, "", nil,
			func(p domain.DossierPatch) bool { return p.Values.IDLast4 == "7890" && p.Set&domain.FieldIDLast4 != 0 }},
		{"CMND", map[string]string{"applicant_id": "212345678"}, "", nil,
			func(p domain.DossierPatch) bool { return p.Values.IDLast4 == "5678" }},
		{"ID too short", map[string]string{"applicant_id": "12"}, "import.bad_id",
			map[string]string{"column": "applicant_id"}, nil},
		{"code of another shape is kept", map[string]string{"code": "000.00.12.H55-HS-77"}, "", nil,
			func(p domain.DossierPatch) bool { return p.Values.Code == "000.00.12.H55-HS-77" }},
		{"procedure code as dossier code", map[string]string{"code": "1.000948.H38"}, "import.bad_code",
			map[string]string{"value": "1.000948.H38"}, nil},
		{"empty code", map[string]string{"code": "  "}, "import.missing", map[string]string{"column": "code"}, nil},
		{"a dash is no code", map[string]string{"code": "-"}, "import.missing", map[string]string{"column": "code"}, nil},
		{"blank cells are not carried", map[string]string{"procedure_code": "", "applicant_phone": " ", "due_at": ""}, "", nil,
			func(p domain.DossierPatch) bool {
				return p.Set&(domain.FieldProcedureCode|domain.FieldPhone|domain.FieldDueAt) == 0 && p.Clear == 0
			}},
		{"a dash clears", map[string]string{"applicant_name": " - ", "note": "-", "finished_at": "-"}, "", nil,
			func(p domain.DossierPatch) bool {
				return p.Clear == domain.FieldApplicantName|domain.FieldNote|domain.FieldFinishedAt &&
					p.Set&domain.FieldApplicantName == 0
			}},
		{"just code and status", map[string]string{"procedure_code": "", "field": "", "applicant_name": "",
			"applicant_phone": "", "channel": "", "received_at": "", "due_at": "", "status": "9",
			"finished_at": "2025-05-03"}, "", nil,
			func(p domain.DossierPatch) bool {
				return p.Set == domain.FieldStatus|domain.FieldFinishedAt && p.Values.Status == domain.StatusDone
			}},
		{"name only", map[string]string{"procedure_code": "", "procedure_name": "Đăng ký khai sinh"}, "", nil,
			func(p domain.DossierPatch) bool { return p.Values.ProcedureName == "Đăng ký khai sinh" }},
		{"bad phone value stays out", map[string]string{"applicant_phone": "090512"}, "import.bad_phone",
			map[string]string{"column": "applicant_phone"}, nil},
		{"channel", map[string]string{"channel": "zalo"}, "import.bad_channel", map[string]string{"value": "zalo"}, nil},
		{"status name", map[string]string{"status": "Yêu cầu bổ sung giấy tờ"}, "", nil,
			func(p domain.DossierPatch) bool { return p.Values.Status == domain.StatusSupplementRequested }},
		{"status", map[string]string{"status": "11"}, "import.bad_status", map[string]string{"value": "11"}, nil},
		{"bad returned_at", map[string]string{"returned_at": "mai"}, "import.bad_date",
			map[string]string{"column": "returned_at", "value": "mai"}, nil},
		{"extension", map[string]string{"extended_due_at": "2025-05-06", "extension_reason": " chờ xác minh "}, "", nil,
			func(p domain.DossierPatch) bool {
				return p.Values.ExtensionReason == "chờ xác minh" && p.Values.ExtendedDueAt.Equal(utc(2025, 5, 6, 0, 0)) &&
					p.Set&(domain.FieldExtendedDueAt|domain.FieldExtensionReason) != 0
			}},
		// The bounds every import shares.
		{"a note of MaxFieldRunes Vietnamese characters", map[string]string{"note": strings.Repeat("ệ", MaxFieldRunes)}, "", nil, carried},
		{"one more", map[string]string{"note": strings.Repeat("ệ", MaxFieldRunes+1)}, "import.too_long", tooLong("note", "2000"), nil},
		{"spaces around do not count", map[string]string{"note": "  " + strings.Repeat("a", MaxFieldRunes) + "\n"}, "", nil, carried},
		{"a code of MaxCodeRunes", map[string]string{"code": strings.Repeat("A", MaxCodeRunes)}, "", nil, carried},
		{"a longer code", map[string]string{"code": strings.Repeat("A", MaxCodeRunes+1)}, "import.too_long", tooLong("code", "200"), nil},
		{"a long procedure name", map[string]string{"procedure_name": strings.Repeat("Thủ tục ", 300)}, "import.too_long", tooLong("procedure_name", "2000"), nil},
		{"NUL in a code", map[string]string{"code": "H55.20-250501\x00-0001"}, "import.control_char", control("code"), nil},
		{"a tab in a code", map[string]string{"code": "H55.20\t250501-0001"}, "import.control_char", control("code"), nil},
		{"a zero-width space in a code", map[string]string{"code": "H55.20-250501\u200b-0001"}, "import.control_char", control("code"), nil},
		{"a direction mark in a code", map[string]string{"code": "\u202eH55.20-250501-0001"}, "import.control_char", control("code"), nil},
		{"a C1 control in a code", map[string]string{"code": "H55.20-250501\u0085-0001"}, "import.control_char", control("code"), nil},
		{"NUL in a note", map[string]string{"note": "bổ sung\x00"}, "import.control_char", control("note"), nil},
		{"a bell in a name", map[string]string{"applicant_name": "Nguyễn\aVăn An"}, "import.control_char", control("applicant_name"), nil},
		{"escape in a date", map[string]string{"due_at": "01/05/2025\x1b"}, "import.control_char", control("due_at"), nil},
		{"line breaks and tabs in a note", map[string]string{"note": "Cần bổ sung:\n\t- bản sao\r\n\t- ảnh"}, "", nil, carried},
		{"a zero-width joiner in a name", map[string]string{"applicant_name": "Nguyễn\u200dAn"}, "", nil, carried},
		{"not UTF-8", map[string]string{"village": "Th\xf4n 1"}, "import.bad_encoding", nil, nil},
		{"too many keys", wide, "import.too_many_columns", map[string]string{"max": "100"}, nil},
	}
	for _, tt := range tests {
		rec := goodRecord()
		maps.Copy(rec, tt.change)
		p, le := ParseRecord(rec, loc)
		switch {
		case tt.key == "" && le != nil:
			t.Errorf("%s: ParseRecord error %+v, want none", tt.name, le)
		case tt.key == "" && !tt.check(p):
			t.Errorf("%s: ParseRecord = %+v", tt.name, p)
		case tt.key != "" && (le == nil || le.Key != tt.key || !maps.Equal(le.Args, tt.args)):
			t.Errorf("%s: ParseRecord error = %+v, want %s %v", tt.name, le, tt.key, tt.args)
		}
	}
}

func TestHeaderAliases(t *testing.T) {
	// Every alias names one column only.
	owner := map[string]string{}
	for _, c := range columns() {
		for _, a := range append([]string{c.name}, c.aliases...) {
			k := fold.Key(a)
			if o, ok := owner[k]; ok && o != c.name {
				t.Errorf("header %q names both %s and %s", a, o, c.name)
			}
			owner[k] = c.name
		}
	}
	// The one-door headers of the brief.
	tests := map[string]string{
		"Mã hồ sơ": "code", "Số hồ sơ": "code", "Mã thủ tục": "procedure_code", "Mã TTHC": "procedure_code",
		"Tên thủ tục": "procedure_name", "Tên TTHC": "procedure_name", "Thủ tục": "procedure_name",
		"Lĩnh vực": "field", "Người nộp": "applicant_name", "Họ tên": "applicant_name",
		"Chủ hồ sơ": "applicant_name", "Tên người nộp": "applicant_name", "Số điện thoại": "applicant_phone",
		"Điện thoại": "applicant_phone", "SĐT": "applicant_phone", "CCCD": "applicant_id",
		"Số CCCD": "applicant_id", "Số định danh": "applicant_id", "CMND": "applicant_id", "Thôn": "village",
		"Thôn/xóm": "village", "Địa chỉ thôn": "village", "Kênh": "channel", "Kênh tiếp nhận": "channel",
		"Hình thức nộp": "channel", "Ngày tiếp nhận": "received_at", "Ngày nhận": "received_at",
		"Ngày hẹn trả": "due_at", "Hẹn trả": "due_at", "Ngày có kết quả": "finished_at",
		"Ngày kết thúc": "finished_at", "Ngày xử lý xong": "finished_at", "Ngày trả kết quả": "returned_at",
		"Ngày trả": "returned_at", "Trạng thái": "status", "Tình trạng": "status", "Cán bộ xử lý": "handler",
		"Người xử lý": "handler", "Ngày gia hạn": "extended_due_at", "Hẹn trả mới": "extended_due_at",
		"Ghi chú": "note", "Lý do gia hạn": "extension_reason", "NGAY HEN TRA": "due_at",
		"applicant_phone": "applicant_phone", "Applicant Phone": "applicant_phone", "due-at": "due_at",
	}
	for header, want := range tests {
		h := dossierTable().match([]string{"STT", header})
		if i, ok := h.index[want]; !ok || i != 1 || len(h.index) != 1 {
			t.Errorf("match(%q) = %v, want %s at 1", header, h.index, want)
		}
	}
	h := dossierTable().match([]string{"Mã hồ sơ", "Số hồ sơ"})
	if h.index["code"] != 0 {
		t.Errorf("duplicate header: code at %d, want the first (0)", h.index["code"])
	}
}

func TestDelimiter(t *testing.T) {
	tests := []struct {
		head string
		want rune
	}{
		{"a,b,c\n1;2;3;4;5", ','},
		{"\n\n  \r\na;b;c\n", ';'},
		{"a\tb\tc", '\t'},
		{`"x,y,z";b;c`, ';'},
		{"onecolumn", ','},
		{"", ','},
	}
	for _, tt := range tests {
		if got := delimiter([]byte(tt.head)); got != tt.want {
			t.Errorf("delimiter(%q) = %q, want %q", tt.head, got, tt.want)
		}
	}
}

func TestImportBadQuotes(t *testing.T) {
	im, db := newImporter(t)
	data := "code,procedure_name,field,applicant_phone,channel,received_at,due_at,status,handler\n" +
		"H55.20-250601-0001,Khai sinh,Hộ tịch,0905123456,1,2025-06-02,2025-06-03,4,Trần \"Bình\"\n" +
		"H55.20-250601-0002,Khai sinh,Hộ tịch,0905123457,1,2025-06-02,2025-06-03,4,Trần Bình\n"
	rep, err := im.ImportCSV(t.Context(), strings.NewReader(data), "import")
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Errors) != 1 || rep.Errors[0].Line != 2 || rep.Errors[0].Key != "import.bad_row" || rep.Created != 1 {
		t.Errorf("report = %+v, want bad_row on line 2 and one created", rep)
	}
	if _, err := db.DossierByCode(t.Context(), "H55.20-250601-0002"); err != nil {
		t.Errorf("row after the bad one: %v", err)
	}
}
