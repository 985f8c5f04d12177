//go:build e2e

package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"xabot/internal/store"
)

// recordsCSV is a complete export: names, villages and notes.
const recordsCSV = "code,procedure_name,field,applicant_name,applicant_phone,village,channel,received_at,due_at,status,handler,note\n" +
	"H55.20-261120-0002,Đăng ký kết hôn,Hộ tịch,Lê Thị Bình,0905333444,Thôn An Hòa,direct,2026-11-20,2026-11-26,4,Trần Thị Hoa,Chờ xác minh tình trạng hôn nhân\n" +
	"H55.20-261121-0004,Cấp bản sao trích lục,Hộ tịch,Võ Thị Dung,0905777888,Thôn Phước Hòa,direct,2026-11-21,2035-12-01,4,Trần Thị Hoa,\n"

// thinCSV is a later export of the same dossiers that has no name,
// village, note or extension columns, as one-door exports often are.
const thinCSV = "Mã hồ sơ;Tên thủ tục;Lĩnh vực;Số điện thoại;Kênh tiếp nhận;Ngày tiếp nhận;Ngày hẹn trả;Trạng thái;Cán bộ xử lý\n" +
	"H55.20-261120-0002;Đăng ký kết hôn;Hộ tịch;0905333444;1;20/11/2026;26/11/2026;4;Trần Thị Hoa\n" +
	"H55.20-261121-0004;Cấp bản sao trích lục;Hộ tịch;0905777888;1;21/11/2026;01/12/2035;4;Trần Thị Hoa\n"

// TestRecordsStayTrue: a dossier extended by an official's apology is
// re-imported from a thin export while the bot serves; the citizen's card
// keeps the name, the note and the extension, the old apology button is
// refused, and the dossier has one "extended" event. A status change sent
// alone through the sync API reaches its follower.
func TestRecordsStayTrue(t *testing.T) {
	peer := startPeer(t)
	b := startBot(t, peer, map[string]string{"XABOT_SYNC_TOKEN": syncToken})
	importDossiers(t, b, recordsCSV)
	hoa := b.Citizen(t, 7301, "Hoa")
	register(t, b, hoa, "--role", "official", "--name", "Trần Thị Hoa", "--field", "Hộ tịch")

	binh := b.Citizen(t, 7302, "Bình")
	agree(t, binh)
	lookup := func(want ...string) {
		t.Helper()
		card := follow(t, binh, "H55.20-261120-0002", "0905333444")
		for _, w := range append([]string{"Người nộp: L*** T*** B*** · 090****444",
			"Ghi chú của cán bộ: Chờ xác minh tình trạng hôn nhân"}, want...) {
			if !strings.Contains(card.Text, w) {
				t.Errorf("card lacks %q:\n%s", w, card.Text)
			}
		}
	}
	lookup()
	dung := b.Citizen(t, 7303, "Dung")
	agree(t, dung)
	follow(t, dung, "H55.20-261121-0004", "0905777888")

	// The official extends the dossier from the morning's draft.
	xabot(t, b, "jobs", "run", "apology-duty", "--at", morning)
	draft := hoa.WaitFor(t, "H55.20-261120-0002", 10*time.Second)
	hoa.PressButton(t, draft, "+5")
	hoa.WaitFor(t, "lý do", wait)
	hoa.Send("Chờ xác minh nơi cư trú tại xã khác")
	preview := hoa.WaitFor(t, "Kính gửi: Ông/Bà", wait)
	hoa.PressButton(t, preview, "Gửi thư")
	hoa.WaitFor(t, "Đã gia hạn hồ sơ H55.20-261120-0002 đến 03/12/2026", wait)
	binh.WaitFor(t, "PHIẾU XIN LỖI", 10*time.Second)

	// A thin export is imported while the bot serves: it takes nothing away.
	out := importDossiers(t, b, thinCSV)
	if !strings.Contains(out, "0 dòng lỗi") {
		t.Errorf("thin import said %q", out)
	}
	lookup("hẹn trả mới 03/12/2026", "Chờ xác minh nơi cư trú tại xã khác")

	// The old draft's other button: the law allows one extension.
	hoa.PressButton(t, draft, "+3")
	hoa.WaitFor(t, "chỉ thực hiện không quá một lần", wait)
	binh.ExpectNone(t, 2*time.Second)

	// The one-door system sends only what changed.
	body := `[{"code":"H55.20-261121-0004","status":9,"finished_at":"2026-11-25 10:00"}]`
	if code := postSync(t, b, syncToken, body); code != http.StatusOK {
		t.Fatalf("status-only sync: %d", code)
	}
	if m := dung.WaitFor(t, "vừa có thay đổi", 10*time.Second); !strings.Contains(m.Text, "kết quả") {
		t.Errorf("push: %s", m)
	}

	db, err := store.Open(t.Context(), b.DBPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	d, err := db.DossierByCode(t.Context(), "H55.20-261120-0002")
	if err != nil {
		t.Fatal(err)
	}
	if d.Village != "Thôn An Hòa" || d.ApplicantName != "Lê Thị Bình" {
		t.Errorf("dossier after the thin import: village %q, name kept %v", d.Village, d.ApplicantName != "")
	}
	evs, err := db.DossierEvents(t.Context(), d.ID)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range evs {
		if e.Kind == "extended" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d extended events, want 1: %+v", n, evs)
	}
	if dd, err := db.DossierByCode(t.Context(), "H55.20-261121-0004"); err != nil || dd.Village != "Thôn Phước Hòa" || dd.ApplicantName == "" {
		t.Errorf("dossier 0004 after the status-only sync = %+v, %v", dd, err)
	}
	b.WaitCallbacksAnswered(t, wait)
}

// follow looks a dossier up as c, who follows it from then on, and returns
// the card.
func follow(t *testing.T, c *Citizen, code, phone string) Msg {
	t.Helper()
	c.Send(code)
	c.WaitFor(t, "số điện thoại đã khai", wait)
	c.Send(phone)
	return c.WaitFor(t, "📄 Hồ sơ "+code, wait)
}
