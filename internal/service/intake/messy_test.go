package intake

import (
	"strings"
	"testing"
)

// A one-door export as a commune's computer saves it: a byte order mark,
// a title and blank lines above the header, semicolons, CRLF, Vietnamese
// headers without the optional columns (no CCCD, village or note), blank
// lines between rows and at the end, and the exports' own wordings for
// statuses and channels. Every row is imported.
func TestImportMessyExport(t *testing.T) {
	rows := []string{
		"\uFEFFSỞ NỘI VỤ TỈNH QUẢNG NGÃI;;;;;;;",
		"DANH SÁCH HỒ SƠ TIẾP NHẬN THÁNG 6/2025;;;;;;;",
		";;;;;;;",
		"STT;Số hồ sơ;Tên thủ tục;Lĩnh vực;Số ĐT;Hình thức nộp;Ngày nhận;Hẹn trả;Tình trạng;Ngày kết thúc",
		"1;H55.20-250602-0001;Đăng ký khai sinh;Hộ tịch;0905 123 456;Qua bưu điện;02/06/2025 08:15;03/06/2025;Kết quả sẵn sàng;03/06/2025",
		"",
		"2;H55.20-250602-0002;Đăng ký kết hôn;Hộ tịch;+84905123457;Nộp trực tuyến;02/06/2025;05/06/2025;Đã trả KQ (đúng hạn);04/06/2025",
		"3;H55.20-250602-0003;Chứng thực bản sao;Chứng thực;0905123458;Tại Bộ phận Một cửa;2025-06-02;2025-06-02;Chờ bổ sung hồ sơ;",
		";;;;;;;;;",
		"",
	}
	im, db := newImporter(t)
	rep, err := im.ImportCSV(t.Context(), strings.NewReader(strings.Join(rows, "\r\n")), "import")
	if err != nil || rep.Created != 3 || len(rep.Errors) != 0 {
		t.Fatalf("ImportCSV = %+v, %v; want 3 created", rep, err)
	}
	d, err := db.DossierByCode(t.Context(), "H55.20-250602-0002")
	if err != nil || d.Status != 10 || d.Intake != 2 || d.Phone != "0905123457" {
		t.Errorf("dossier 2 = %+v, %v", d, err)
	}
	if d, _ := db.DossierByCode(t.Context(), "H55.20-250602-0001"); d.Status != 9 || d.Intake != 3 {
		t.Errorf("dossier 1: status %d intake %d", d.Status, d.Intake)
	}
}

// A Vietnamese export without the columns a new dossier needs: each row
// is refused naming them as exports head them, not by the English keys.
func TestImportNamesMissingColumnsInVietnamese(t *testing.T) {
	data := "Mã hồ sơ;Tên thủ tục;Lĩnh vực;Trạng thái\r\nH55.20-250602-0001;Đăng ký khai sinh;Hộ tịch;Đang xử lý\r\n"
	im, _ := newImporter(t)
	rep, err := im.ImportCSV(t.Context(), strings.NewReader(data), "import")
	want := "Số điện thoại, Kênh, Ngày tiếp nhận, Ngày hẹn trả"
	if err != nil || len(rep.Errors) != 1 || rep.Errors[0].Key != "import.new_incomplete" || rep.Errors[0].Args["columns"] != want {
		t.Fatalf("ImportCSV = %+v, %v; want one import.new_incomplete naming %q", rep, err, want)
	}
}
