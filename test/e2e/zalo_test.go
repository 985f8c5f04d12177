//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"xabot/internal/channel/zalo/zalofake"
)

var zaloTicket = regexp.MustCompile(`PA-\d{4}-\d{4}`)

// zaloLookup plays a whole lookup with numbered menus: a greeting (Zalo has
// no /start button), «1» to agree, «1» for the lookup, the code, the phone
// typed (no contact sharing on Zalo), the card.
func zaloLookup(t *testing.T, u *ZaloUser) {
	t.Helper()
	u.Send("xin chao")
	got := u.WaitFor("Anh/Chị có đồng ý không?")
	if !strings.Contains(got, "1. ✅ Đồng ý") || !strings.Contains(got, "2. Không đồng ý") {
		t.Fatalf("consent without numbered choices:\n%s", got)
	}
	u.Send("1")
	got = u.WaitFor("Gõ số để chọn chức năng")
	for _, want := range []string{"1. 🔎 Tra cứu hồ sơ", "3. 📝 Góp ý, phản ánh", "8. 🌐 Ngôn ngữ"} {
		if !strings.Contains(got, want) {
			t.Errorf("numbered menu lacks %q:\n%s", want, got)
		}
	}
	u.Send("1")
	u.WaitFor("gõ mã hồ sơ")
	u.Send("H55.20-261118-0003")
	got = u.WaitFor("số điện thoại đã khai")
	if strings.Contains(got, "Chia sẻ số điện thoại") {
		t.Errorf("Zalo was offered contact sharing:\n%s", got)
	}
	u.Send("0905 123 456")
	got = u.WaitFor("📄 Hồ sơ H55.20-261118-0003")
	for _, want := range []string{"Trạng thái: Đang xử lý", "090****456", "N*** V*** A***"} {
		if !strings.Contains(got, want) {
			t.Errorf("card lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "0905123456") || strings.Contains(got, "Nguyễn Văn An") {
		t.Errorf("card shows unmasked personal data:\n%s", got)
	}
}

// zaloFeedback sends a feedback about roads through the numbered steps and
// returns its ticket.
func zaloFeedback(t *testing.T, u *ZaloUser) string {
	t.Helper()
	u.Send("3")
	got := u.WaitFor("9. 📢 Tố cáo")
	if !strings.Contains(got, "3. 🛣️ Đường sá") {
		t.Fatalf("categories not numbered:\n%s", got)
	}
	u.Send("3")
	u.WaitFor("mô tả sự việc")
	u.Send("Đèn đường thôn Đông hỏng ba tuần nay, tối đi lại rất nguy hiểm.")
	u.WaitFor("1. ➡️ Tiếp tục")
	u.Send("1")
	u.WaitFor("2. Gửi ẩn danh")
	u.Send("1")
	u.WaitFor("họ và tên")
	u.Send("Nguyễn Thị Mai")
	u.WaitFor("số điện thoại để cán bộ liên hệ lại")
	u.Send("0912 345 678")
	got = u.WaitFor("1. 📨 Gửi")
	if !strings.Contains(got, "Đèn đường thôn Đông") {
		t.Errorf("preview lacks the text:\n%s", got)
	}
	u.Send("1")
	got = u.WaitFor("Mã số")
	ticket := zaloTicket.FindString(got)
	if ticket == "" {
		t.Fatalf("no ticket in %q", got)
	}
	return ticket
}

func TestZaloPolling(t *testing.T) {
	z := startZalo(t, nil)
	importDossiers(t, z.Bot, dossiersCSV)
	u := z.User(t, "zalo-citizen-1")
	zaloLookup(t, u)
	zaloFeedback(t, u)

	t.Run("stickers and images get an answer", func(t *testing.T) {
		z.Fake.SendSticker(u.ID, "Lan")
		u.WaitFor("nhãn dán")
		n := len(z.Fake.Sent(u.ID))
		z.Fake.SendUnsupported(u.ID, "Lan")
		ctx, cancel := context.WithTimeout(t.Context(), wait)
		defer cancel()
		if _, err := z.Fake.WaitSent(ctx, u.ID, n+1); err != nil {
			t.Fatalf("no answer to an unsupported message: %v", err)
		}
		time.Sleep(300 * time.Millisecond)
		if rest := u.Rest(); len(rest) != 1 {
			t.Errorf("%d answers to an unsupported message, want 1: %q", len(rest), rest)
		}
	})

	t.Run("the same update twice is answered once", func(t *testing.T) {
		body := z.Fake.Update(u.ID, "Lan", zalofake.EventText, "/trogiup")
		z.Fake.SendRaw(body)
		z.Fake.SendRaw(body)
		u.WaitFor("ℹ️ Hướng dẫn sử dụng")
		time.Sleep(time.Second)
		if rest := u.Rest(); len(rest) != 0 {
			t.Errorf("a duplicate update was answered again: %q", rest)
		}
	})

	t.Run("long replies are split at 2000 characters", func(t *testing.T) {
		u.Rest()
		u.Send("/trogiup")
		u.WaitFor("ℹ️ Hướng dẫn sử dụng")
		for _, m := range z.Fake.Sent(u.ID) {
			if n := len([]rune(m.Text)); n > 2000 || n == 0 {
				t.Errorf("a message of %d characters was sent", n)
			}
		}
	})
}

func postZalo(t *testing.T, z *ZaloBot, secret string, body []byte) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, "http://"+z.HTTPAddr+"/webhook/zalo", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set("X-Bot-Api-Secret-Token", secret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestZaloWebhook(t *testing.T) {
	const secret = "zalo-webhook-secret-42"
	z := startZalo(t, map[string]string{
		"XABOT_ZALO_MODE":      "webhook",
		"XABOT_PUBLIC_URL":     "https://xa.example.vn",
		"XABOT_WEBHOOK_SECRET": secret,
	})
	if url, got := z.Fake.Webhook(); url != "https://xa.example.vn/webhook/zalo" || got != secret {
		t.Fatalf("setWebhook(%q, %q)", url, got)
	}
	u := z.User(t, "zalo-hook-1")
	hello := z.Fake.Update(u.ID, "Lan", zalofake.EventText, "/start")

	for name, s := range map[string]string{"no secret": "", "wrong secret": secret + "x", "prefix": secret[:8]} {
		if got := postZalo(t, z, s, hello); got != http.StatusUnauthorized {
			t.Errorf("%s: %d, want 401", name, got)
		}
	}
	if got := postZalo(t, z, secret, []byte(`{"event_name":"message.text.received","message":{"text":"x"}}`)); got != http.StatusBadRequest {
		t.Errorf("body without message_id: %d, want 400", got)
	}
	huge := append([]byte(`{"event_name":"message.text.received","message":{"message_id":"big","text":"`), bytes.Repeat([]byte("a"), 2<<20)...)
	if got := postZalo(t, z, secret, append(huge, '"', '}', '}')); got != http.StatusRequestEntityTooLarge {
		t.Errorf("2 MB body: %d, want 413", got)
	}
	time.Sleep(300 * time.Millisecond)
	if sent := z.Fake.Sent(u.ID); len(sent) != 0 {
		t.Fatalf("refused deliveries were answered: %+v", sent)
	}

	// The right secret: flat, then the same update again (answered once),
	// then one wrapped in {ok, result}.
	start := time.Now()
	if got := postZalo(t, z, secret, hello); got != http.StatusOK {
		t.Fatalf("good delivery: %d", got)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("the webhook took %v to answer", took)
	}
	if got := postZalo(t, z, secret, hello); got != http.StatusOK {
		t.Errorf("repeated delivery: %d, want 200", got)
	}
	got := u.WaitFor("Anh/Chị có đồng ý không?")
	time.Sleep(time.Second)
	if rest := u.Rest(); len(rest) != 0 {
		t.Errorf("a repeated delivery was answered again: %q", rest)
	}
	if !strings.Contains(got, "1. ✅ Đồng ý") {
		t.Errorf("consent not numbered:\n%s", got)
	}
	agreeBody := z.Fake.Update(u.ID, "Lan", zalofake.EventText, "1")
	wrapped := []byte(`{"ok":true,"result":` + string(agreeBody) + `}`)
	if got := postZalo(t, z, secret, wrapped); got != http.StatusOK {
		t.Fatalf("wrapped delivery: %d", got)
	}
	u.WaitFor("Gõ số để chọn chức năng")
}

// An official registered on Telegram binds Zalo with /lienket; a feedback
// then reaches them on Zalo, its buttons pressed by number; back on
// Telegram, the notices follow.
func TestOfficialOnTelegramAndZalo(t *testing.T) {
	fake := zalofake.New(zaloToken)
	t.Cleanup(fake.Close)
	peer := startPeer(t)
	b := startBot(t, peer, map[string]string{"XABOT_ZALO_TOKEN": zaloToken, "XABOT_ZALO_API": fake.URL()})
	z := &ZaloBot{Bot: b, Fake: fake}
	roadsTG := b.Citizen(t, 9001, "Lê Văn Đường")
	register(t, b, roadsTG, "--role", "official", "--name", "Lê Văn Đường", "--field", "Xây dựng")
	roadsTG.Command("/lienket")
	m := roadsTG.WaitFor(t, "Mã liên kết", wait)
	code := inviteCode.FindString(m.Text)
	if code == "" {
		t.Fatalf("no code in %q", m.Text)
	}
	roadsZalo := z.User(t, "zalo-official-1")
	roadsZalo.Send("/dangky " + code)
	roadsZalo.WaitFor("Đăng ký thành công")

	citizen := z.User(t, "zalo-citizen-9")
	citizen.Send("xin chao")
	citizen.WaitFor("Anh/Chị có đồng ý không?")
	citizen.Send("1")
	citizen.WaitFor("Gõ số để chọn chức năng")
	ticket := zaloFeedback(t, citizen)

	got := roadsZalo.WaitFor(ticket)
	if !strings.Contains(got, "Đèn đường thôn Đông") || !strings.Contains(got, "1. ") {
		t.Fatalf("the official's Zalo notice:\n%s", got)
	}
	if msgs := roadsTG.Drain(); len(msgs) != 0 {
		t.Errorf("the notice also went to Telegram: %v", msgs)
	}

	// Back at the desk: using Telegram moves the notices there.
	roadsTG.Command("/phananh")
	roadsTG.PressButton(t, roadsTG.WaitFor(t, "Hộp phản ánh", wait), "Đang chờ xử lý")
	roadsTG.WaitFor(t, ticket, wait)
	second := zaloFeedback(t, citizen)
	roadsTG.WaitFor(t, second, 10*time.Second)
	time.Sleep(500 * time.Millisecond)
	for _, s := range roadsZalo.Rest() {
		if strings.Contains(s, second) {
			t.Errorf("the second notice went to Zalo too")
		}
	}
}
