//go:build e2e

package e2e

import (
	"strings"
	"testing"
)

// /danhgia through the emulator: the consent typed («đồng ý», not
// pressed), the code, the phone on the dossier, then the five levels; a
// level pressed and a question answered by a typed «có».
func TestCitizenRatesByCommand(t *testing.T) {
	peer := startPeer(t)
	b := startBot(t, peer, nil)
	importDossiers(t, b, dossiersCSV)
	c := b.Citizen(t, 2301, "Dung")

	c.Command("/danhgia")
	c.WaitFor(t, "Thông báo về dữ liệu cá nhân", wait)
	c.Send("đồng ý")
	c.WaitFor(t, "gõ mã hồ sơ muốn đánh giá", wait)
	c.Send("H55.20-261110-0002")
	c.WaitFor(t, "số điện thoại đã khai khi nộp hồ sơ H55.20-261110-0002", wait)
	c.Send("0905 123 456")
	m := c.WaitFor(t, "hài lòng đến mức nào", wait)
	for _, level := range []string{"Rất hài lòng", "🙂 Hài lòng", "Bình thường", "🙁 Không hài lòng", "Rất không hài lòng"} {
		if !m.HasButton(level) {
			t.Fatalf("no level %q under %s", level, m)
		}
	}
	c.PressButton(t, m, "🙂 Hài lòng")
	c.WaitFor(t, "Cảm ơn Anh/Chị đã đánh giá", wait)
	c.Send("có")
	c.WaitFor(t, "đi lại", wait)
}

// A typed «Đồng ý» at the consent question is the consent: the menu
// follows, not «vui lòng bấm một nút».
func TestTypedConsent(t *testing.T) {
	peer := startPeer(t)
	b := startBot(t, peer, nil)
	c := b.Citizen(t, 2302, "Hoa")
	c.Command("/start")
	c.WaitFor(t, "Thông báo về dữ liệu cá nhân", wait)
	c.Send("Đồng ý")
	m := c.WaitFor(t, "Cảm ơn Anh/Chị đã đồng ý", wait)
	if !m.HasButton("Tra cứu hồ sơ") || strings.Contains(m.Text, "bấm một nút") {
		t.Fatalf("a typed «Đồng ý» got %s", m)
	}
}
