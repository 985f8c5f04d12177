package main

import (
	"bytes"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	qrcode "github.com/skip2/go-qrcode"
)

const testLinkKey = "qr-test-link-key-0123456789abcdefghij"

// importN imports n dossiers received from 01/12/2026 (codes
// H55.20-261201-0001…), and one received the day before.
func importN(t *testing.T, n int) {
	t.Helper()
	var b strings.Builder
	b.WriteString("Mã hồ sơ,Tên thủ tục,Lĩnh vực,Số điện thoại,Kênh,Ngày tiếp nhận,Ngày hẹn trả,Trạng thái\n")
	b.WriteString("H55.20-261130-0001,Đăng ký khai sinh,Hộ tịch,0905123456,1,30/11/2026,03/12/2026,4\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "H55.20-261201-%04d,Đăng ký khai sinh,Hộ tịch,0905123456,1,01/12/2026 08:00,04/12/2026,4\n", i)
	}
	csv := filepath.Join(t.TempDir(), "d.csv")
	if err := os.WriteFile(csv, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := runOut(t, "", "import", "dossiers", csv); err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
}

// `xabot qr CODE`: the links, and the QR drawn in the terminal or written
// as the PNG the library makes of the status page link.
func TestRunQROne(t *testing.T) {
	isolate(t)
	t.Setenv("XABOT_LINK_KEY", testLinkKey)
	t.Setenv("XABOT_PUBLIC_URL", "https://xa.example.gov.vn")
	t.Setenv("XABOT_TELEGRAM_BOT", "xa_demo_bot")
	importN(t, 2)

	out, err := runOut(t, "", "qr", "h55.20-261201-1")
	if err != nil {
		t.Fatal(err)
	}
	page := lineWith(out, "https://xa.example.gov.vn/s/")
	tg := lineWith(out, "https://t.me/xa_demo_bot?start=")
	if !strings.Contains(out, "Hồ sơ H55.20-261201-0001") || page == "" || tg == "" || !strings.Contains(out, "█") {
		t.Fatalf("qr printed:\n%s", out)
	}
	tok := strings.TrimPrefix(page, "https://xa.example.gov.vn/s/")
	if !strings.HasSuffix(tg, "?start="+tok) || len(tok) > 64 {
		t.Errorf("page %q and Telegram %q carry different tokens, or one over 64 characters", page, tg)
	}

	file := filepath.Join(t.TempDir(), "slip.png")
	if out, err = runOut(t, "", "qr", "H55.20-261201-0001", "--out", file); err != nil || !strings.Contains(out, file) {
		t.Fatalf("qr --out: %v\n%s", err, out)
	}
	got, _ := os.ReadFile(file)
	want, _ := qrcode.New(page, qrcode.Medium)
	if !showsModules(t, got, want.Bitmap()) {
		t.Errorf("the PNG is not the QR of %s", page)
	}
}

// One PNG per dossier received since the day, named by code; the time
// for 1,000 is logged (the goal is 2 s).
func TestRunQRReceivedSince(t *testing.T) {
	isolate(t)
	t.Setenv("XABOT_LINK_KEY", testLinkKey)
	t.Setenv("XABOT_PUBLIC_URL", "https://xa.example.gov.vn")
	importN(t, 1000)
	dir := filepath.Join(t.TempDir(), "slips")
	start := time.Now()
	out, err := runOut(t, "", "qr", "--received-since", "01/12/2026", "--out", dir)
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("1,000 QR codes in %v: %s", took.Round(time.Millisecond), strings.TrimSpace(out))
	files, _ := filepath.Glob(filepath.Join(dir, "*.png"))
	if len(files) != 1000 || !strings.Contains(out, "1000") {
		t.Fatalf("%d files, printed %q; want 1000 (not the dossier of 30/11)", len(files), out)
	}
	f, err := os.Open(filepath.Join(dir, "H55.20-261201-0999.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil || img.Bounds().Dx() < 200 || img.Bounds().Dx() > 320 {
		t.Errorf("H55.20-261201-0999.png: %v, %v", err, img.Bounds())
	}
}

// Bad input: each refusal says what to do, in the configured language.
func TestRunQRBadInput(t *testing.T) {
	isolate(t)
	importN(t, 1)
	for _, tc := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{nil, []string{"qr", "H55.20-261201-0001"}, "XABOT_LINK_KEY"},
		{map[string]string{"XABOT_LINK_KEY": testLinkKey}, []string{"qr", "H55.20-261201-0001"}, "XABOT_PUBLIC_URL"},
		{map[string]string{"XABOT_LINK_KEY": testLinkKey, "XABOT_TELEGRAM_BOT": "xa_bot"}, []string{"qr", "H55.20-261201-0099"}, "Không tìm thấy"},
		{map[string]string{"XABOT_LINK_KEY": testLinkKey, "XABOT_TELEGRAM_BOT": "xa_bot"}, []string{"qr", "1.000948.H38"}, "mã thủ tục"},
		{map[string]string{"XABOT_LINK_KEY": testLinkKey}, []string{"qr", "--received-since", "31/13/2026", "--out", "x"}, "DD/MM/YYYY"},
		{map[string]string{"XABOT_LINK_KEY": testLinkKey}, []string{"qr", "--received-since", "01/12/2026"}, "usage"},
		{map[string]string{"XABOT_LINK_KEY": testLinkKey}, []string{"qr"}, "usage"},
		{map[string]string{"XABOT_LINK_KEY": testLinkKey}, []string{"qr", "A", "B"}, "usage"},
	} {
		for k, v := range tc.env {
			t.Setenv(k, v)
		}
		out, err := runOut(t, "", tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v with %v: %v (printed %q), want an error saying %q", tc.args, tc.env, err, out, tc.want)
		}
		for k := range tc.env {
			t.Setenv(k, "")
		}
	}
}

func lineWith(out, prefix string) string {
	for l := range strings.Lines(out) {
		if i := strings.Index(l, prefix); i >= 0 {
			return strings.TrimSpace(l[i:])
		}
	}
	return ""
}

// showsModules says whether a PNG shows the module matrix (true = dark):
// a square of whole pixels per module, the centre of each the module's
// colour.
func showsModules(t *testing.T, file []byte, modules [][]bool) bool {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	n, side := len(modules), img.Bounds().Dx()
	if side != img.Bounds().Dy() || side%n != 0 || side > 320 || side < 200 {
		t.Logf("image %v for %d modules", img.Bounds(), n)
		return false
	}
	scale := side / n
	for y, row := range modules {
		for x, dark := range row {
			r, _, _, _ := img.At(x*scale+scale/2, y*scale+scale/2).RGBA()
			if (r < 0x8000) != dark {
				return false
			}
		}
	}
	return true
}
