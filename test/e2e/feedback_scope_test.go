//go:build e2e

package e2e

import (
	"strings"
	"testing"
	"time"
)

// The head's own dossier, cited by the second denunciation below.
const scopeCSV = "code,procedure_name,field,applicant_name,applicant_phone,channel,received_at,due_at,status,handler\n" +
	"H55.20-261120-0031,Đăng ký khai sinh,Hộ tịch,Nguyễn Văn An,0905111222,direct,2026-11-20,2035-11-27,4,Phó Chủ tịch Một cửa\n"

// A denunciation goes to the head of the one-stop shop and the chairman
// only. The roads official, who holds a card of their own field, forges the
// "take" button of the denunciation and reads /phananh: refused, and it is
// not listed. The head takes it. A denunciation citing the head's own
// dossier reaches the chairman alone.
func TestFeedbackScope(t *testing.T) {
	peer := startPeer(t)
	b := startBot(t, peer, nil)
	b.Limits(t, 30, 1)
	importDossiers(t, b, scopeCSV)
	roads := b.Citizen(t, 8201, "Giao thông")
	register(t, b, roads, "--role", "official", "--name", "Lê Văn Đường", "--field", "Xây dựng")
	head := b.Citizen(t, 8202, "Trưởng BPMC")
	register(t, b, head, "--role", "official", "--name", "Phó Chủ tịch Một cửa", "--head")
	chair := b.Citizen(t, 8203, "Chủ tịch")
	register(t, b, chair, "--role", "chairman", "--name", "Nguyễn Chủ Tịch")

	c := b.Citizen(t, 8301, "Minh")
	agree(t, c)
	// A feedback of the roads official's own field: their card is real.
	pa := sendFeedback(t, c, "Đường sá", "Mặt đường trước chợ thôn Đại An có ổ gà sâu, xe máy dễ ngã.", "Gửi kèm danh tính")
	card := roads.WaitFor(t, pa, 10*time.Second)

	tc := sendFeedback(t, c, "Tố cáo", "Tố cáo cán bộ xã nhận tiền của chủ thầu làm đường thôn Đại An.", "")
	note := head.WaitFor(t, tc, 10*time.Second)
	if !note.HasButton("Nhận xử lý") {
		t.Fatalf("the head's card has no take button: %s", note)
	}
	noneAbout(t, roads, tc)

	// The forged take, pressed under the roads official's own card.
	roads.Press(card.ID, "fb/act/"+tc+":take")
	roads.WaitFor(t, "không thuộc phạm vi", wait)
	roads.Command("/phananh")
	m := roads.WaitFor(t, "Hộp phản ánh", wait)
	roads.PressButton(t, m, "Đang chờ xử lý")
	list := roads.WaitFor(t, pa, wait)
	if strings.Contains(list.Text, tc) {
		t.Errorf("the roads official's /phananh lists the denunciation: %s", list.Text)
	}

	chair.WaitFor(t, tc, 10*time.Second)

	head.PressButton(t, note, "Nhận xử lý")
	head.WaitFor(t, "đã nhận xử lý phiếu "+tc, wait)
	c.WaitFor(t, "Phản ánh "+tc+" của Anh/Chị đã được cán bộ tiếp nhận", 10*time.Second)

	// Citing the head's own dossier: the chairman alone.
	tc2 := sendFeedback(t, c, "Tố cáo", "Tố cáo: khi nộp hồ sơ H55.20-261120-0031 tôi bị cán bộ đòi tiền «bồi dưỡng».", "")
	chair.WaitFor(t, tc2, 10*time.Second)
	noneAbout(t, head, tc2)
	noneAbout(t, roads, tc2)
	head.Press(note.ID, "fb/act/"+tc2+":take")
	head.WaitFor(t, "không thuộc phạm vi", wait)
	b.WaitCallbacksAnswered(t, wait)
}

// noneAbout fails if u received anything about ticket (waiting a moment for
// a notice still in the outbox).
func noneAbout(t *testing.T, u *Citizen, ticket string) {
	t.Helper()
	for _, m := range drainFor(u, 2*time.Second) {
		if strings.Contains(m.Text, ticket) {
			t.Errorf("%s received %s", u.FirstName, m)
		}
	}
}
