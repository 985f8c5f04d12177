package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"xabot/internal/app"
)

// writeFile puts data in a file of the test's directory.
func writeFile(t *testing.T, name, data string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// `xabot import procedures` on a portal export as Excel saves it (BOM,
// title, semicolons, CRLF, a quoted documents cell): every line imported,
// status 0; a second file with a bad line: that line said, the others
// imported, status 1; a file without the code column: said plainly with
// the headers taken, nothing imported, status 2.
func TestRunImportProcedures(t *testing.T) {
	isolate(t)
	good := "\uFEFFDANH MỤC THỦ TỤC HÀNH CHÍNH\r\n\r\n" +
		"STT;Mã thủ tục;Tên thủ tục;Lĩnh vực;Thời hạn giải quyết;Phí, lệ phí;Thành phần hồ sơ;Mức độ\r\n" +
		"1;1.001193.000.00.00.H55;Đăng ký khai sinh;Hộ tịch;01 ngày làm việc;Miễn lệ phí;\"Tờ khai;\r\nGiấy chứng sinh\";Toàn trình\r\n" +
		"2;1.000894.000.00.00.H55;Đăng ký kết hôn;Hộ tịch;03 ngày làm việc;Miễn lệ phí;;Một phần\r\n"
	out, err := runOut(t, "", "import", "procedures", writeFile(t, "ds.csv", good))
	if err != nil || !strings.Contains(out, "Đã nhập xong danh mục thủ tục: 2 thủ tục mới, 0 thủ tục cập nhật, 0 thủ tục không thay đổi, 0 dòng lỗi.\n") {
		t.Fatalf("good file: %v, printed %q", err, out)
	}
	bad := "Mã TTHC,Tên TTHC,Thời gian giải quyết\n1.004873,Xác nhận tình trạng hôn nhân,3\n1.004874,Thủ tục lạ,theo quy định\n"
	out, err = runOut(t, "", "import", "procedures", writeFile(t, "bad.csv", bad))
	if !errors.Is(err, app.ErrSomeRefused) || exitStatus([]string{"import"}) != 2 ||
		!strings.Contains(out, `Dòng 3: Thời hạn giải quyết "theo quy định" ở cột "Thời gian giải quyết" không đọc được`) ||
		!strings.Contains(out, "1 thủ tục mới") {
		t.Errorf("a bad line: %v, printed %q", err, out)
	}
	out, err = runOut(t, "", "import", "procedures", writeFile(t, "nocode.csv", "Tên thủ tục;Lĩnh vực;Mức độ\nĐăng ký khai sinh;Hộ tịch;4\n"))
	var fe *app.FileError
	if !errors.As(err, &fe) || out != "" || !strings.HasPrefix(fe.Text, "Tệp thiếu cột bắt buộc «Mã thủ tục»") ||
		!strings.Contains(fe.Text, "«Mã thủ tục»: Mã TTHC, Mã thủ tục hành chính") {
		t.Errorf("no code column: %v, printed %q", err, out)
	}
	_, err = runOut(t, "", "import", "procedures", t.TempDir())
	if !errors.As(err, &fe) || !strings.Contains(fe.Text, "là một thư mục") {
		t.Errorf("a folder: %v", err)
	}
}

// A one-door export's wordings are taken («Kết quả sẵn sàng», «Đã trả KQ
// (đúng hạn)», «Qua bưu điện»); a status that needs a date it lacks is
// named as the person knows it, not by its number.
func TestRunImportStatusWordings(t *testing.T) {
	isolate(t)
	data := "Mã hồ sơ,Tên thủ tục,Lĩnh vực,Số điện thoại,Hình thức nộp,Ngày tiếp nhận,Ngày hẹn trả,Trạng thái,Ngày có kết quả\n" +
		"H55.20-250602-0001,Đăng ký khai sinh,Hộ tịch,0905123456,Qua bưu điện,02/06/2025,05/06/2025,Kết quả sẵn sàng,04/06/2025\n" +
		"H55.20-250602-0002,Đăng ký khai sinh,Hộ tịch,0905123456,Nộp trực tiếp,02/06/2025,05/06/2025,Đã trả KQ (đúng hạn),04/06/2025\n" +
		"H55.20-250602-0003,Đăng ký khai sinh,Hộ tịch,0905123456,Trực tuyến,02/06/2025,05/06/2025,Đã có kết quả,\n"
	out, err := runOut(t, "", "import", "dossiers", writeFile(t, "d.csv", data))
	if !errors.Is(err, app.ErrSomeRefused) || !strings.Contains(out, "2 hồ sơ mới") ||
		!strings.Contains(out, `Dòng 4: Hồ sơ ở trạng thái "Đã có kết quả" cần có ngày có kết quả`) {
		t.Errorf("run = %v, printed %q", err, out)
	}
}

// mainStatus runs xabot's main with args in a process of its own (this
// test binary, see TestMain) and returns its exit status and stderr.
func mainStatus(t *testing.T, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "XABOT_TEST_MAIN_ARGS="+strings.Join(args, "\x1f"))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), stderr.String()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, stderr.String()
}

// The exit status of `xabot import`: 0 when every line was imported, 1
// when some were refused (the rest imported), 2 when nothing could be read
// — for dossiers and procedures alike; the reason said plainly on stderr.
func TestImportExitStatus(t *testing.T) {
	isolate(t)
	good := writeFile(t, "good.csv", "Mã thủ tục,Tên thủ tục\n1.001193,Đăng ký khai sinh\n")
	some := writeFile(t, "some.csv", "Mã thủ tục,Tên thủ tục,Mức độ\n1.001194,Đăng ký kết hôn,4\n1.001195,Khai tử,mức 9\n")
	for _, tt := range []struct {
		args   []string
		status int
		stderr string
	}{
		{[]string{"import", "procedures", good}, 0, ""},
		{[]string{"import", "procedures", some}, 1, ""},
		{[]string{"import", "procedures", "không-có.csv"}, 2, "Không tìm thấy tệp \"không-có.csv\"."},
		{[]string{"import", "dossiers", "không-có.xlsx"}, 2, "Không tìm thấy tệp \"không-có.xlsx\"."},
		{[]string{"import", "dossiers", good}, 2, "Tệp thiếu cột bắt buộc «Mã hồ sơ»"},
		{[]string{"import", "procedures", writeFile(t, "x.pdf", "%PDF")}, 2, "Tệp \"x.pdf\" không phải tệp CSV"},
	} {
		status, stderr := mainStatus(t, tt.args...)
		if status != tt.status || !strings.HasPrefix(stderr, tt.stderr) || strings.Contains(stderr, "stat ") {
			t.Errorf("xabot %s: status %d, stderr %q; want %d and %q", strings.Join(tt.args[:2], " "), status, stderr, tt.status, tt.stderr)
		}
	}
}
