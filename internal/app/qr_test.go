package app

import (
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"xabot/internal/service/slip"
)

// BenchmarkQR1000 makes the slips of 1,000 dossiers as `xabot qr
// --received-since` does once it has their codes: the links and a PNG
// each, on every core (goal: 2 s).
//
//	go test -run '^$' -bench QR1000 -benchtime 3x ./internal/app
func BenchmarkQR1000(b *testing.B) {
	signer, err := slip.NewSigner("bench-link-key-0123456789abcdefghijkl")
	if err != nil {
		b.Fatal(err)
	}
	svc := slip.New(signer, nil, time.Now, slip.Config{PublicURL: "https://xa.example.gov.vn", TelegramBot: "xa_demo_bot"})
	dir := b.TempDir()
	for b.Loop() {
		files := make([]qrFile, 0, 1000)
		for i := 1; i <= 1000; i++ {
			code := fmt.Sprintf("H55.20-261201-%04d", i)
			l, err := svc.Links(code)
			if err != nil {
				b.Fatal(err)
			}
			files = append(files, qrFile{text: l.QR(), path: filepath.Join(dir, fileName(code)+".png")})
		}
		if n, err := writeQRs(b.Context(), files); err != nil || n != 1000 {
			b.Fatalf("%d written: %v", n, err)
		}
	}
}

// The PNG xabot draws from the module matrix reads back, with a QR reader,
// as the link it was made of: for short and long links (QR versions
// differ), through writeQRs as `xabot qr --received-since` writes them.
func TestQRReadsBack(t *testing.T) {
	signer, err := slip.NewSigner("test-link-key-0123456789abcdefghijkl")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var files []qrFile
	for _, c := range []struct{ code, public, bot string }{
		{"H55.20-261201-0001", "https://xa.example.gov.vn", "xa_demo_bot"},
		{"000.00.12.H55-250501-0012", "https://ubnd-xa-thanh-binh.quang-nam.gov.vn/cong-dich-vu", ""},
		{"ABC 12/3", "https://x.vn", ""},
	} {
		l, err := slip.New(signer, nil, time.Now, slip.Config{PublicURL: c.public, TelegramBot: c.bot}).Links(c.code)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, qrFile{text: l.QR(), path: filepath.Join(dir, fmt.Sprintf("%d.png", len(files)))})
	}
	if n, err := writeQRs(t.Context(), files); err != nil || n != len(files) {
		t.Fatalf("%d written: %v", n, err)
	}
	for _, f := range files {
		r, err := os.Open(f.path)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(r)
		r.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.path, err)
		}
		bmp, err := gozxing.NewBinaryBitmapFromImage(img)
		if err != nil {
			t.Fatal(err)
		}
		got, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
		if err != nil {
			t.Errorf("%s (%q): unreadable: %v", f.path, f.text, err)
			continue
		}
		if got.GetText() != f.text {
			t.Errorf("%s reads %q, want %q", f.path, got.GetText(), f.text)
		}
	}
}
