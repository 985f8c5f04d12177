//go:build e2e

package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"xabot/internal/channel/zalo/zalofake"
)

var receptionTicketRe = regexp.MustCompile(`TD-\d{4}-\d{4}`)

// receptionProfile writes the demo commune's profile with an extra
// reception session later today (local time), so that the test's citizens
// can register for it and the chairman can record it the same day, on the
// real clock. It returns the file and the session's date.
func receptionProfile(t *testing.T) (string, time.Time) {
	t.Helper()
	hcm, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().In(hcm)
	// A session starting within the test must still be today: near
	// midnight, wait for the next day.
	if end := time.Date(now.Year(), now.Month(), now.Day(), 23, 0, 0, 0, hcm); now.After(end) {
		time.Sleep(time.Until(end.Add(time.Hour + time.Minute)))
		now = time.Now().In(hcm)
	}
	start := now.Add(30 * time.Minute)
	raw, err := os.ReadFile(filepath.Join(moduleRoot(t), "internal", "commune", "demo.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	extra := "reception_dates:\n  - {date: " + now.Format("2006-01-02") + ", from: \"" + start.Format("15:04") +
		"\", to: \"23:59\", place: Nhà văn hóa thôn An Hòa, chairman: true}\n"
	text := strings.Replace(string(raw), "reception_dates: []\n", extra, 1)
	if text == string(raw) {
		t.Fatal("demo.yaml has no «reception_dates: []» line to replace")
	}
	file := filepath.Join(t.TempDir(), "commune.yaml")
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return file, time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, hcm)
}

// A citizen on Telegram and one on Zalo register for a reception session
// (the Telegram one after a text too long, refused with its count); the
// evening list job reaches the chairman and the book-keeper, the reminder
// the citizens, once; the chairman records one received and one absent, the
// book-keeper an ad hoc walk-in; /baocao and `xabot report` say the counts.
func TestReceptionRegistrationToReport(t *testing.T) {
	profile, today := receptionProfile(t)
	t.Setenv("XABOT_COMMUNE", profile) // for the CLI runs of the jobs and the report
	fake := zalofake.New(zaloToken)
	t.Cleanup(fake.Close)
	peer := startPeer(t)
	b := startBot(t, peer, map[string]string{"XABOT_ZALO_TOKEN": zaloToken, "XABOT_ZALO_API": fake.URL(),
		"XABOT_COMMUNE": profile})
	z := &ZaloBot{Bot: b, Fake: fake}
	date := today.Format("02/01/2006")

	chair := b.Citizen(t, 9401, "Chủ tịch")
	register(t, b, chair, "--role", "chairman", "--name", "Nguyễn Chủ Tịch")
	keeper := b.Citizen(t, 9402, "Văn phòng")
	register(t, b, keeper, "--role", "official", "--name", "Trần Thị Sổ", "--field", "Tư pháp")
	if out := xabot(t, b, "officials", "book", "2", "on"); !strings.Contains(out, "Trần Thị Sổ") {
		t.Fatalf("officials book: %s", out)
	}

	// Telegram: /lichtiep, the session of today, the consent in the flow.
	tg := b.Citizen(t, 9501, "Bình")
	tg.Command("/lichtiep")
	m := tg.WaitFor(t, "Các buổi tiếp sắp tới", wait)
	tg.PressButton(t, m, date)
	m = tg.WaitFor(t, "Để đăng ký tiếp công dân", wait)
	tg.PressButton(t, m, "Đồng ý")
	m = tg.WaitFor(t, "muốn trình bày về việc gì", wait)
	tg.PressButton(t, m, "Đất đai")
	tg.WaitFor(t, "tóm tắt nội dung", wait)
	tg.Send(strings.Repeat("Tranh chấp đất. ", 70)) // 1,119 characters
	tg.WaitFor(t, "Nội dung dài 1119 ký tự, quá mức tối đa 1000 ký tự", wait)
	tg.Send("Tranh chấp ranh giới đất với hộ liền kề ở thôn An Hòa.")
	tg.WaitFor(t, "họ tên đầy đủ", wait)
	tg.Send("Lê Văn Bình")
	tg.WaitFor(t, "số điện thoại", wait)
	tg.Send("0905 123 456")
	m = tg.WaitFor(t, "kiểm tra lại đăng ký", wait)
	if !strings.Contains(m.Text, "090****456") || strings.Contains(m.Text, "0905123456") {
		t.Fatalf("the preview shows the phone unmasked or not at all: %s", m.Text)
	}
	tg.PressButton(t, m, "Đăng ký")
	tgTicket := receptionTicketRe.FindString(tg.WaitFor(t, "Đã đăng ký tiếp công dân", wait).Text)

	// Zalo: the same, by numbers.
	zu := z.User(t, "zalo-reception-1")
	zu.Send("lich tiep dan")
	got := zu.WaitFor("Các buổi tiếp sắp tới")
	if !strings.Contains(got, "1. ") || !strings.Contains(got, date) {
		t.Fatalf("Zalo: the sessions are not numbered with today's first:\n%s", got)
	}
	zu.Send("1")
	zu.WaitFor("Để đăng ký tiếp công dân")
	zu.Send("1")
	zu.WaitFor("muốn trình bày về việc gì")
	zu.Send("3")
	zu.WaitFor("tóm tắt nội dung")
	zu.Send("Xin hỏi về chế độ trợ cấp cho người cao tuổi.")
	zu.WaitFor("họ tên đầy đủ")
	zu.Send("Trần Thị Em")
	zu.WaitFor("số điện thoại")
	zu.Send("0912000111")
	zu.WaitFor("kiểm tra lại đăng ký")
	zu.Send("1")
	zaloTicket := receptionTicketRe.FindString(zu.WaitFor("Đã đăng ký tiếp công dân"))
	if tgTicket == "" || zaloTicket == "" || tgTicket == zaloTicket {
		t.Fatalf("tickets %q and %q", tgTicket, zaloTicket)
	}

	// The evening before: the list and the reminders, through the jobs.
	eve := today.AddDate(0, 0, -1).Add(17 * time.Hour).Format(time.RFC3339)
	xabot(t, b, "jobs", "run", "reception-list", "--at", eve)
	xabot(t, b, "jobs", "run", "reception-remind", "--at", eve)
	for _, o := range []*Citizen{chair, keeper} {
		list := o.WaitFor(t, "Danh sách đăng ký tiếp công dân ngày "+date, 10*time.Second).Text
		for _, want := range []string{"2 lượt", tgTicket, "Lê Văn Bình", "090****456", zaloTicket, "Trần Thị Em", "091****111"} {
			if !strings.Contains(list, want) {
				t.Errorf("the list lacks %q:\n%s", want, list)
			}
		}
		if strings.Contains(list, "0905123456") {
			t.Errorf("the list shows a whole phone:\n%s", list)
		}
	}
	tg.WaitFor(t, "Nhắc lịch", 10*time.Second)
	zu.WaitFor("Nhắc lịch")
	// Run again on purpose: nothing is sent twice.
	xabot(t, b, "jobs", "run", "reception-list", "--at", eve, "--again")
	xabot(t, b, "jobs", "run", "reception-remind", "--at", eve, "--again")
	chair.ExpectNone(t, 2*time.Second)
	tg.ExpectNone(t, time.Second)

	// An official without the book is refused.
	other := b.Citizen(t, 9403, "Hộ tịch")
	register(t, b, other, "--role", "official", "--name", "Phạm Hộ Tịch", "--field", "Hộ tịch")
	other.Command("/sotiep")
	other.WaitFor(t, "Chỉ Chủ tịch UBND xã và công chức được giao giữ sổ", wait)

	// After the session: the chairman records both registrations.
	chair.Command("/sotiep")
	m = chair.WaitFor(t, "Sổ tiếp công dân", wait)
	chair.PressButton(t, m, date)
	m = chair.WaitFor(t, "2 lượt đăng ký", wait)
	chair.PressButton(t, m, tgTicket)
	m = chair.WaitFor(t, "có đến và được tiếp", wait)
	chair.PressButton(t, m, "Có, đã tiếp")
	chair.WaitFor(t, "Kết quả buổi tiếp", wait)
	chair.Send("Đã giải thích, giao công chức địa chính kiểm tra thực địa.")
	m = chair.WaitFor(t, "Đã ghi sổ: "+tgTicket, wait)
	chair.PressButton(t, m, zaloTicket)
	m = chair.WaitFor(t, "có đến và được tiếp", wait)
	chair.PressButton(t, m, "Không đến")
	chair.WaitFor(t, "Đã ghi sổ: "+zaloTicket+" không đến", wait)

	// The book-keeper adds an ad hoc visit.
	keeper.Command("/sotiep")
	m = keeper.WaitFor(t, "Sổ tiếp công dân", wait)
	keeper.PressButton(t, m, "Tiếp đột xuất")
	keeper.WaitFor(t, "Họ tên công dân", wait)
	keeper.Send("Võ Văn Dũng")
	keeper.WaitFor(t, "Kết quả buổi tiếp", wait)
	keeper.Send("Tiếp nhận kiến nghị về đường thôn Trung Hà.")
	keeper.WaitFor(t, "Đã ghi sổ lượt tiếp đột xuất", wait)

	const sentence = "Chủ tịch UBND xã tiếp công dân định kỳ 1 lượt công dân, tiếp công dân đột xuất 1 lượt công dân; có 2 lượt công dân đăng ký tiếp trước qua trợ lý ảo, đã tiếp 1 lượt."
	chair.Command("/baocao " + date + " " + date)
	chair.WaitFor(t, sentence, wait)
	out := xabot(t, b, "report", "dossiers", "--from", date, "--to", date)
	if !strings.Contains(out, sentence) {
		t.Fatalf("xabot report:\n%s", out)
	}
	out = xabot(t, b, "report", "dossiers", "--from", date, "--to", date, "--en")
	if !strings.Contains(out, "at scheduled sessions: 1; ad hoc: 1; registered in advance through the virtual assistant: 2, of whom received: 1.") {
		t.Fatalf("xabot report --en:\n%s", out)
	}
}
