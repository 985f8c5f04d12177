package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"xabot/internal/app"
)

// `xabot import dossiers` on an old-Mac export (lone CR line ends) with a
// NUL in a code and an over-long note: each bad line is said by its number,
// naming the column as the file does, in the configured language, and the
// good lines are imported.
func TestRunImportBounds(t *testing.T) {
	lines := []string{
		"Mã hồ sơ,Tên thủ tục,Lĩnh vực,Số điện thoại,Kênh,Ngày tiếp nhận,Ngày hẹn trả,Trạng thái,Ghi chú",
		"H55.20-250602-0001,Đăng ký khai sinh,Hộ tịch,0905123456,1,02/06/2025,05/06/2025,4,",
		"H55.20-250602\x00-0002,Đăng ký khai sinh,Hộ tịch,0905123456,1,02/06/2025,05/06/2025,4,",
		"H55.20-250602-0003,Đăng ký khai sinh,Hộ tịch,0905123456,1,02/06/2025,05/06/2025,4," + strings.Repeat("dài ", 600),
		"H55.20-250602-0004,Đăng ký khai sinh,Hộ tịch,0905123456,1,02/06/2025,05/06/2025,4,",
	}
	for _, tt := range []struct {
		lang string
		want []string
	}{
		{"vi", []string{
			"Đã nhập xong: 2 hồ sơ mới, 0 hồ sơ cập nhật, 0 hồ sơ không thay đổi, 2 dòng lỗi.",
			`Dòng 3: Ô ở cột "Mã hồ sơ" có ký tự điều khiển (ký tự ẩn, không in ra được) nên dòng này chưa được nhập; xin vui lòng xóa ký tự đó rồi nhập lại.`,
			`Dòng 4: Ô ở cột "Ghi chú" dài quá 2000 ký tự nên dòng này chưa được nhập; xin vui lòng rút gọn nội dung ô rồi nhập lại.`,
		}},
		{"en", []string{
			"Import finished: 2 new dossiers, 0 updated, 0 unchanged, 2 lines with errors.",
			`Line 3: The cell in column "Mã hồ sơ" holds a control character (hidden, not printable), so this line was not imported; please remove it and import again.`,
			`Line 4: The cell in column "Ghi chú" is longer than 2000 characters, so this line was not imported; please shorten it and import again.`,
		}},
	} {
		isolate(t)
		t.Setenv("XABOT_LANG", tt.lang)
		csv := filepath.Join(t.TempDir(), "mac.csv")
		if err := os.WriteFile(csv, []byte(strings.Join(lines, "\r")+"\r"), 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := runOut(t, "", "import", "dossiers", csv)
		if !errors.Is(err, app.ErrSomeRefused) {
			t.Fatalf("%s: run(import dossiers) = %v, printed %q; want ErrSomeRefused", tt.lang, err, out)
		}
		for _, w := range tt.want {
			if !strings.Contains(out, w+"\n") {
				t.Errorf("%s: run(import dossiers) printed %q, want the line %q", tt.lang, out, w)
			}
		}
	}
}
