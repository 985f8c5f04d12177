//go:build e2e

package e2e

import (
	"strings"
	"testing"
	"time"

	"xabot/internal/channel/zalo/zalofake"
)

// announceWait covers a message through the outbox and the announcements'
// tick (5 s) that reports to the author.
const announceWait = 20 * time.Second

// subscribeTelegram agrees to the privacy notice and chooses one village
// by its button on /thongbao.
func subscribeTelegram(t *testing.T, c *Citizen, village string) {
	t.Helper()
	c.Command("/thongbao")
	m := c.WaitFor(t, "Anh/Chị có đồng ý không?", wait)
	c.PressButton(t, m, "Đồng ý")
	m = c.WaitFor(t, "Bấm tên thôn", wait)
	c.PressButton(t, m, "▫️ "+village)
	m = c.WaitFor(t, "Đã đăng ký nhận thông báo: thôn "+village, wait)
	c.PressButton(t, m, "Xong")
	c.WaitFor(t, "Anh/Chị sẽ nhận thông báo của: thôn "+village, wait)
}

// waitButton skips messages until one with a button labelled label.
func waitButton(t *testing.T, c *Citizen, label string) Msg {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		m := c.Next(t, time.Until(deadline))
		if m.HasButton(label) {
			return m
		}
	}
}

// compose has the chairman write a routine announcement to one village,
// send it now, and returns the preview's text; it stops at the preview
// when the daily limit refuses it (refused is then the refusal's text).
// pressed is when «Gửi» was pressed.
func compose(t *testing.T, chair *Citizen, village, text string) (preview, refused string, pressed time.Time) {
	t.Helper()
	chair.Command("/thongbao")
	m := waitButton(t, chair, "Soạn thông báo mới")
	chair.PressButton(t, m, "Soạn thông báo mới")
	m = chair.WaitFor(t, "Chọn nơi nhận", wait)
	chair.PressButton(t, m, "▫️ "+village)
	m = chair.WaitFor(t, "Đã chọn: thôn "+village, wait)
	chair.PressButton(t, m, "Tiếp tục")
	chair.WaitFor(t, "Gõ nội dung thông báo", wait)
	chair.Send(text)
	m = chair.WaitFor(t, "Gửi một ảnh kèm theo", wait)
	chair.PressButton(t, m, "Không kèm ảnh")
	m = chair.WaitFor(t, "Mức độ của thông báo?", wait)
	chair.PressButton(t, m, "Tin thường")
	m = chair.WaitFor(t, "Gửi khi nào?", wait)
	chair.PressButton(t, m, "Gửi ngay")
	m = chair.Next(t, wait)
	if strings.Contains(m.Text, "⛔") {
		return "", m.Text, time.Time{}
	}
	if !strings.Contains(m.Text, "Xem trước") {
		t.Fatalf("after «Gửi ngay»: %s, want the preview", m)
	}
	preview = m.Text
	if !m.HasButton("📨 Gửi") {
		m = chair.WaitFor(t, "Gửi thông báo này?", wait)
	}
	pressed = time.Now()
	chair.PressButton(t, m, "📨 Gửi")
	chair.WaitFor(t, "vào hàng gửi", wait)
	return preview, "", pressed
}

// TestAnnouncementsByVillage: citizens on Telegram and Zalo subscribe to
// a village, the chairman sends to it, only its subscribers receive it,
// the report's figures match; a second routine one the same day is
// refused (XABOT_ANNOUNCE_DAILY=1); the stop works by a tap on Telegram
// and by its number on Zalo.
func TestAnnouncementsByVillage(t *testing.T) {
	fake := zalofake.New(zaloToken)
	t.Cleanup(fake.Close)
	peer := startPeer(t)
	b := startBot(t, peer, map[string]string{
		"XABOT_ANNOUNCE_DAILY": "1",
		"XABOT_ZALO_TOKEN":     zaloToken,
		"XABOT_ZALO_API":       fake.URL(),
	})
	z := &ZaloBot{Bot: b, Fake: fake}
	chair := b.Citizen(t, 9001, "Chủ tịch")
	register(t, b, chair, "--role", "chairman", "--name", "Nguyễn Chủ Tịch")

	an := b.Citizen(t, 9101, "An")
	subscribeTelegram(t, an, "An Hòa")
	dai := b.Citizen(t, 9102, "Đại")
	subscribeTelegram(t, dai, "Đại An")
	zu := z.User(t, "zalo-an-hoa")
	zu.Send("thong bao")
	zu.WaitFor("Anh/Chị có đồng ý không?")
	zu.Send("1")
	zu.WaitFor("Gõ số của thôn")
	zu.Send("1") // An Hòa, the profile's first village
	zu.WaitFor("Đã đăng ký nhận thông báo: thôn An Hòa")
	zu.Send("9") // Xong, after 7 villages and «cả xã»
	zu.WaitFor("Anh/Chị sẽ nhận thông báo của: thôn An Hòa")

	text := "Thứ Bảy tuần này, 7:30, tiêm chủng mở rộng cho trẻ dưới 5 tuổi tại nhà văn hóa thôn An Hòa."
	preview, refused, _ := compose(t, chair, "An Hòa", text)
	if refused != "" || !strings.Contains(preview, "số người đang đăng ký: 2") {
		t.Fatalf("first announcement: preview %q, refused %q; want 2 subscribers", preview, refused)
	}
	m := an.WaitFor(t, text, announceWait)
	if !strings.Contains(m.Text, "THÔNG BÁO của UBND xã Hành Dũng gửi thôn An Hòa") || !m.HasButton("Dừng nhận thông báo") {
		t.Errorf("the announcement on Telegram: %s", m)
	}
	got := zu.WaitFor(text)
	if !strings.Contains(got, "1. 🔕 Dừng nhận thông báo") {
		t.Errorf("the announcement on Zalo has no numbered stop:\n%s", got)
	}
	report := chair.WaitFor(t, "Thông báo #1 đã gửi xong", announceWait)
	if !strings.Contains(report.Text, "Người nhận: 2; đã gửi: 2; lỗi: 0; đã chặn hoặc dừng: 0.") {
		t.Errorf("report: %s", report.Text)
	}
	dai.ExpectNone(t, time.Second)

	// A second routine announcement to An Hòa today is refused, saying
	// the limit and when it resets.
	_, refused, _ = compose(t, chair, "An Hòa", "Họp thôn An Hòa lúc 19:00 tối nay.")
	for _, want := range []string{"Thôn An Hòa đã có 1 thông báo thường", "giới hạn là 1 thông báo thường", "Có thể gửi lại từ 00:00"} {
		if !strings.Contains(refused, want) {
			t.Errorf("refusal lacks %q: %q", want, refused)
		}
	}

	// Stop by tap (Telegram) and by number (Zalo); none gets the next.
	an.PressButton(t, m, "Dừng nhận thông báo")
	an.WaitFor(t, "Anh/Chị đã dừng nhận mọi thông báo thôn", wait)
	zu.Send("1")
	zu.WaitFor("Anh/Chị đã dừng nhận mọi thông báo thôn")

	// The list shows the figures.
	chair.Command("/thongbao")
	list := chair.WaitFor(t, "Thông báo gần đây", wait)
	if !strings.Contains(list.Text, "Người nhận: 2; đã gửi: 2; lỗi: 0") {
		t.Errorf("list: %s", list.Text)
	}
	an.ExpectNone(t, time.Second)
	dai.ExpectNone(t, 0)
	if rest := zu.Rest(); len(rest) != 0 {
		t.Errorf("Zalo got more after its stop: %q", rest)
	}
}
