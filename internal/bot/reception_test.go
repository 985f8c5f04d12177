package bot

import (
	"strings"
	"testing"
)

// A profile with reception days but no reception text: /lichtiep says the
// days as the schedule has them.
func TestReceptionTextFromTheDays(t *testing.T) {
	f := newFixture(t, transcriptChannels["telegram"])
	f.router.cfg.Reception = ""
	f.send("100", "/lichtiep")
	got := format(f.rec.take())
	if !strings.Contains(got, "📅 Lịch tiếp công dân: Thứ Năm hằng tuần, 07:30–11:00, tại Trụ sở UBND xã\n") {
		t.Fatalf("/lichtiep without a reception text:\n%s", got)
	}
}
