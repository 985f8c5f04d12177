package bot

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

// «Gửi kèm danh tính»: the name and phone asked in the dialog reach the
// official with the message (the phone whole, to call back) and are stored
// with it; a citizen with a verified phone is not asked for one; an
// anonymous message carries neither; nothing of them is logged.
func TestFeedbackSenderReachesTheOfficial(t *testing.T) {
	f := newFeedbackFixture(t)
	var logs bytes.Buffer
	f.router.log = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))

	ticket := f.submit(fbCitizen, "Đèn đường ở thôn An Hòa bị hỏng từ tuần trước.")
	n := f.notice(f.drain(), fbBuilder, ticket)
	if !strings.Contains(n.Text, "👤 Người gửi: Nguyễn Thị Mai · 0912345678") {
		t.Errorf("the official's notice lacks the sender:\n%s", n.Text)
	}
	if s := f.state(ticket).Sender; s.Name != "Nguyễn Thị Mai" || s.Phone != "0912345678" {
		t.Errorf("stored sender = %+v", s)
	}

	// A verified phone is used, not asked.
	f.send(fbOther, "📱 0987654321")
	for _, l := range []string{"/gopy", "[feedback/ask_category/roads_lighting]", "Cột điện nghiêng ở đầu thôn Đông.",
		"[feedback/ask_media/done]", "[feedback/ask_anon/no]"} {
		f.send(fbOther, l)
	}
	f.rec.take()
	if got := f.say(fbOther, "  Võ   Thị Dung "); !strings.Contains(got, "👤 Người gửi: Võ Thị Dung · 098****321") {
		t.Errorf("preview after the name, with a verified phone = %q", got)
	}
	other := fbTicket.FindString(f.say(fbOther, "[feedback/confirm/send]"))
	if n := f.notice(f.drain(), fbBuilder, other); !strings.Contains(n.Text, "Võ Thị Dung · 0987654321") {
		t.Errorf("the official's notice lacks the verified phone:\n%s", n.Text)
	}

	// Anonymous: no question, nothing stored or shown.
	for _, l := range []string{"/gopy", "[feedback/ask_category/roads_lighting]", "Rác đổ trộm ở bờ sông thôn Tây.",
		"[feedback/ask_media/done]"} {
		f.send(fbCitizen, l)
	}
	f.rec.take()
	if got := f.say(fbCitizen, "[feedback/ask_anon/yes]"); strings.Contains(got, "👤") || !strings.Contains(got, "giữ kín danh tính") {
		t.Errorf("anonymous preview = %q", got)
	}
	anon := fbTicket.FindString(f.say(fbCitizen, "[feedback/confirm/send]"))
	if n := f.notice(f.drain(), fbBuilder, anon); strings.Contains(n.Text, "👤") || strings.Contains(n.Text, "0912") {
		t.Errorf("an anonymous message told who sent it:\n%s", n.Text)
	}
	if s := f.state(anon).Sender; !s.Empty() {
		t.Errorf("anonymous message stored sender %+v", s)
	}
	for _, secret := range []string{"Nguyễn Thị Mai", "Võ Thị Dung", "0912345678", "0987654321", "912 345"} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("the log holds %q", secret)
		}
	}
}
