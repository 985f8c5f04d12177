package bot

import (
	"strings"
	"testing"

	"xabot/internal/chat"
	"xabot/internal/domain"
)

// The card's next step fits the dossier's state: an overdue dossier is not
// told to wait for an appointment that has passed but what the commune does
// and whom to call (the office's phone and hours); a result to collect says
// where; and every card names the office one way only.
func TestCardNextStepFitsTheState(t *testing.T) {
	f := newFixture(t, telegramFeatures)
	c := Call{Lang: "vi", Feat: chat.Features{MaxText: 4096}, Now: f.now}
	const phone = "☎ 0255 3822 123 (Thứ Hai–Thứ Sáu)"
	base := domain.Dossier{Code: "H55.20-261118-0003", ProcedureName: "Đăng ký khai sinh", Field: "Hộ tịch",
		Phone: "0905123456", ReceivedAt: day(2026, 11, 18), DueAt: day(2026, 11, 27)}
	late := base
	late.DueAt = day(2026, 11, 19)
	for _, tc := range []struct {
		name     string
		status   domain.Status
		d        domain.Dossier
		want     []string
		not      []string
		finished bool
	}{
		{name: "in progress, in time", status: domain.StatusInProgress, d: base,
			want: []string{"chờ đến ngày hẹn"}, not: []string{"quá hạn"}},
		{name: "in progress, overdue", status: domain.StatusInProgress, d: late,
			want: []string{"quá hạn 4 ngày", "xin lỗi", "ưu tiên giải quyết", phone}, not: []string{"chờ đến ngày hẹn"}},
		{name: "accepted, overdue", status: domain.StatusAccepted, d: late,
			want: []string{"ưu tiên giải quyết", phone}, not: []string{"chờ đến ngày hẹn"}},
		{name: "supplement needed, past the date", status: domain.StatusSupplementRequested, d: late,
			want: []string{"bổ sung giấy tờ", "Bộ phận Một cửa xã"}, not: []string{"quá hạn", "xin lỗi", "chờ đến ngày hẹn"}},
		{name: "fee to pay", status: domain.StatusPaymentRequired, d: base, want: []string{"nộp phí"}},
		{name: "result ready", status: domain.StatusDone, d: base, finished: true,
			want: []string{"nhận kết quả", phone}, not: []string{"chờ đến ngày hẹn"}},
		{name: "result given", status: domain.StatusReturned, d: base, finished: true, want: []string{"hoàn tất"}},
		{name: "stopped", status: domain.StatusStopped, d: base, finished: true, want: []string{"lý do", phone}},
	} {
		d := tc.d
		d.Status = tc.status
		if tc.finished {
			d.FinishedAt = day(2026, 11, 20)
		}
		card := f.router.card(c, d).Text
		for _, w := range tc.want {
			if !strings.Contains(card, w) {
				t.Errorf("%s: the card lacks %q:\n%s", tc.name, w, card)
			}
		}
		for _, w := range tc.not {
			if strings.Contains(card, w) {
				t.Errorf("%s: the card says %q:\n%s", tc.name, w, card)
			}
		}
		for _, other := range []string{"Trung tâm Phục vụ", "Bộ phận Một cửa UBND", "trong giờ hành chính"} {
			if strings.Contains(card, other) {
				t.Errorf("%s: the card names the office as %q besides the profile's name:\n%s", tc.name, other, card)
			}
		}
	}
}
