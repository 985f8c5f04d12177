package app

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

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
