//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"xabot/internal/channel/zalo/zalofake"
)

// photoJPEG is a photo's bytes as the emulator serves them: a JPEG header
// and a body unlike any other test's.
var photoJPEG = append([]byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 'J', 'F', 'I', 'F', 0}, bytes.Repeat([]byte("storm map "), 3000)...)

// photoStand is a bot with Telegram and Zalo, a chairman on Telegram, two
// Telegram subscribers and one Zalo subscriber of An Hòa.
type photoStand struct {
	b        *Bot
	fake     *zalofake.Server
	chair    *Citizen
	an, binh *Citizen
	zu       *ZaloUser
}

// photoAnnouncement starts the stand with env and has the chairman send an
// urgent announcement to An Hòa with a photo (its bytes photoJPEG); it
// returns the stand, the text and the preview.
func photoAnnouncement(t *testing.T, env map[string]string) (photoStand, string, string) {
	t.Helper()
	fake := zalofake.New(zaloToken)
	t.Cleanup(fake.Close)
	peer := startPeer(t)
	env["XABOT_ZALO_TOKEN"], env["XABOT_ZALO_API"] = zaloToken, fake.URL()
	b := startBot(t, peer, env)
	for _, id := range []string{"AgACAgIAAxkBAAEPhotoE2E-s", "AgACAgIAAxkBAAEPhotoE2E-m"} {
		peer.File(t, b.Token, id, photoJPEG)
	}
	z := &ZaloBot{Bot: b, Fake: fake}
	chair := b.Citizen(t, 9301, "Chủ tịch")
	register(t, b, chair, "--role", "chairman", "--name", "Nguyễn Chủ Tịch")
	an := b.Citizen(t, 9311, "An")
	subscribeTelegram(t, an, "An Hòa")
	binh := b.Citizen(t, 9312, "Bình")
	subscribeTelegram(t, binh, "An Hòa")
	zu := z.User(t, "zalo-photo-1")
	zu.Send("thong bao")
	zu.WaitFor("Anh/Chị có đồng ý không?")
	zu.Send("1")
	zu.WaitFor("Gõ số của thôn")
	zu.Send("1") // An Hòa
	zu.WaitFor("Đã đăng ký nhận thông báo: thôn An Hòa")
	zu.Send("9") // Xong
	zu.WaitFor("Anh/Chị sẽ nhận thông báo của: thôn An Hòa")

	text := "Bão số 9 đổ bộ đêm nay: bản đồ vùng ngập thôn An Hòa kèm theo."
	chair.Command("/thongbao")
	m := waitButton(t, chair, "Soạn thông báo mới")
	chair.PressButton(t, m, "Soạn thông báo mới")
	m = chair.WaitFor(t, "Chọn nơi nhận", wait)
	chair.PressButton(t, m, "▫️ An Hòa")
	m = chair.WaitFor(t, "Đã chọn: thôn An Hòa", wait)
	chair.PressButton(t, m, "Tiếp tục")
	chair.WaitFor(t, "Gõ nội dung thông báo", wait)
	chair.Send(text)
	chair.WaitFor(t, "Gửi một ảnh kèm theo", wait)
	chair.Photo("")
	m = chair.WaitFor(t, "Mức độ của thông báo?", wait)
	chair.PressButton(t, m, "🚨 Tin khẩn")
	m = chair.WaitFor(t, "Gửi khi nào?", wait)
	chair.PressButton(t, m, "Gửi ngay")
	m = chair.WaitFor(t, "Xem trước", wait)
	preview := m.Text
	if !m.HasButton("📨 Gửi") {
		m = chair.WaitFor(t, "Gửi thông báo này?", wait)
	}
	chair.PressButton(t, m, "📨 Gửi")
	chair.WaitFor(t, "vào hàng gửi", wait)

	return photoStand{b: b, fake: fake, chair: chair, an: an, binh: binh, zu: zu}, text, preview
}

// TestAnnouncementPhotoEveryChannel: the chairman on Telegram sends an
// announcement with a photo to a village with subscribers on Telegram and
// Zalo. The Telegram subscribers get the photo by its file id (no upload);
// the Zalo one gets a photo whose URL, under XABOT_PUBLIC_URL and fetched
// from the bot's HTTP server, gives the same bytes; a forged token is a
// 404.
func TestAnnouncementPhotoEveryChannel(t *testing.T) {
	const public = "https://xa.example.vn"
	st, text, preview := photoAnnouncement(t, map[string]string{"XABOT_PUBLIC_URL": public})
	b, fake, chair, an, binh, zu := st.b, st.fake, st.chair, st.an, st.binh, st.zu
	if !strings.Contains(preview, "Kèm 1 ảnh.") || strings.Contains(preview, "chỉ nhận chữ") {
		t.Errorf("preview: %s", preview)
	}
	for _, c := range []*Citizen{an, binh} {
		c.WaitFor(t, text, announceWait)
		p := c.Next(t, announceWait)
		if !p.Photo {
			t.Fatalf("after the text: %s, want the photo", p)
		}
		if p.Size != 0 {
			t.Errorf("the photo on Telegram was uploaded (%d bytes), want its file id", p.Size)
		}
	}

	var photo string
	deadline := time.Now().Add(announceWait)
	for photo == "" && time.Now().Before(deadline) {
		for _, s := range fake.Sent(zu.ID) {
			if s.Method == "sendPhoto" {
				photo = s.Photo
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		_, _ = fake.WaitSent(ctx, zu.ID, len(fake.Sent(zu.ID))+1)
		cancel()
	}
	if !strings.HasPrefix(photo, public+"/media/k/") {
		t.Fatalf("the Zalo photo: %q, want a URL under %s", photo, public)
	}
	got, status := getBody(t, "http://"+b.HTTPAddr+strings.TrimPrefix(photo, public))
	if status != http.StatusOK || !bytes.Equal(got, photoJPEG) {
		t.Errorf("GET the Zalo photo: %d, %d bytes; want 200 and the %d bytes the chairman sent", status, len(got), len(photoJPEG))
	}
	path := strings.TrimPrefix(photo, public)
	forged := path[:len("/media/k/")] + "A" + path[len("/media/k/")+1:]
	if forged == path {
		forged = path[:len("/media/k/")] + "B" + path[len("/media/k/")+1:]
	}
	if _, status := getBody(t, "http://"+b.HTTPAddr+forged); status != http.StatusNotFound {
		t.Errorf("a forged token: %d, want 404", status)
	}
	if !strings.Contains(zu.WaitFor(text), text) {
		t.Errorf("Zalo did not get the text")
	}
	report := chair.WaitFor(t, "Thông báo #1 đã gửi xong", announceWait)
	if !strings.Contains(report.Text, "Người nhận: 3; đã gửi: 3; lỗi: 0") {
		t.Errorf("report: %s", report.Text)
	}
	// One sendPhoto per Telegram subscriber, each by file id (Size 0 above):
	// no upload at all, since the photo is on its own channel.
	if n := len(b.Calls(t).Method("sendPhoto")); n != 2 {
		t.Errorf("%d sendPhoto calls, want 2", n)
	}
}

func getBody(t *testing.T, url string) ([]byte, int) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return body, resp.StatusCode
}

// TestAnnouncementPhotoZaloTextOnly: without XABOT_PUBLIC_URL the preview
// says Zalo recipients get the text only; they do, the Telegram ones get
// the photo.
func TestAnnouncementPhotoZaloTextOnly(t *testing.T) {
	st, text, preview := photoAnnouncement(t, map[string]string{})
	if !strings.Contains(preview, "Riêng người nhận trên Zalo chỉ nhận chữ") {
		t.Errorf("preview: %s", preview)
	}
	st.an.WaitFor(t, text, announceWait)
	if p := st.an.Next(t, announceWait); !p.Photo {
		t.Errorf("after the text on Telegram: %s, want the photo", p)
	}
	st.zu.WaitFor(text)
	st.chair.WaitFor(t, "Thông báo #1 đã gửi xong", announceWait)
	for _, m := range st.fake.Sent(st.zu.ID) {
		if m.Method == "sendPhoto" {
			t.Errorf("Zalo got a photo without a public URL: %+v", m)
		}
	}
}
