package bot

import (
	"os"
	"strings"
	"testing"

	"xabot/internal/chat"
	"xabot/internal/domain"
)

// TestStatsGolden: /thongke and /baocao for the fixture's dossiers at the
// fixture's clock, as the chairman reads them (testdata/stats.golden;
// rewrite with -update after a deliberate change). A citizen is refused.
func TestStatsGolden(t *testing.T) {
	f := newStaffFixture(t)
	f.say("900", "/dangky "+f.invite("Nguyễn Chủ Tịch", domain.RoleChairman))
	var got strings.Builder
	for _, line := range []string{"/thongke 01/11/2026 25/11/2026", "[stats/by/field:20261101:20261125]", "[stats/by/intake:20261101:20261125]", "[stats/by/nonsense:1:2]",
		"/thongke", "[stats/choose/month]",
		"/baocao 01/11/2026 25/11/2026", "/baocao 01/11/2026 25/11/2026 --en", "/baocao 2026-11-30 2026-11-01",
		"/baocao", "01/11/2026 20/11/2026"} {
		got.WriteString("> " + line + "\n" + format(f.sendTake("900", line)))
	}
	const file = "testdata/stats.golden"
	if *update {
		if err := os.WriteFile(file, []byte(got.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if got.String() != string(want) {
		t.Errorf("statistics differ from %s (run with -update and read the diff):\n%s", file, diff(string(want), got.String()))
	}
	f.agree("901")
	for _, cmd := range []string{"/thongke", "/baocao 01/11/2026 25/11/2026", "[stats/choose/year]"} {
		if r := f.sendTake("901", cmd); len(r) == 0 || !strings.Contains(r[0].Text, "chỉ dành cho cán bộ") {
			t.Errorf("a citizen's %s got %v", cmd, r)
		}
	}
}

// sendTake sends one line as user and returns what the bot answered.
func (f *fixture) sendTake(user, line string) []chat.Reply {
	f.rec.take()
	f.send(user, line)
	return f.rec.take()
}
