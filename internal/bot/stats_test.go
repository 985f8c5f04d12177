package bot

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

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

// The weekly digest's figures are /thongke's for the same week, and the
// digest carries a PNG; a second run queues nothing.
func TestDigestAgreesWithThongke(t *testing.T) {
	f := newStaffFixture(t)
	f.say("900", "/dangky "+f.invite("Nguyễn Chủ Tịch", domain.RoleChairman))
	f.now = time.Date(2026, 11, 16, 7, 30, 0, 0, hcm) // Monday: the digest covers 9–15 Nov
	ctx := t.Context()
	n, err := f.weekly().WeeklyDigest(ctx, f.now)
	if err != nil || n != 1 {
		t.Fatalf("WeeklyDigest = %d, %v; want 1 digest", n, err)
	}
	if n, _ := f.weekly().WeeklyDigest(ctx, f.now); n != 0 {
		t.Errorf("a second run queued %d", n)
	}
	rows, err := f.db.DueOutgoing(ctx, f.now.AddDate(1, 0, 0), 10)
	if err != nil || len(rows) != 1 {
		t.Fatalf("outbox: %v, %v", rows, err)
	}
	var payload struct {
		Text  string
		Image struct{ Data []byte }
	}
	if err := json.Unmarshal(rows[0].Payload, &payload); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(payload.Image.Data, []byte("\x89PNG")) {
		t.Errorf("the digest's image is not a PNG (%d bytes)", len(payload.Image.Data))
	}
	week := f.sendTake("900", "/thongke tuantruoc")
	if len(week) == 0 {
		t.Fatal("no /thongke answer")
	}
	compared := 0
	for _, l := range strings.Split(week[0].Text, "\n") {
		if strings.HasPrefix(l, "• Tiếp nhận") || strings.HasPrefix(l, "• Đã giải quyết") ||
			strings.HasPrefix(l, "• Đang giải quyết") || strings.HasPrefix(l, "• Công dân rút") {
			compared++
			if !strings.Contains(payload.Text, l) {
				t.Errorf("the digest lacks /thongke's line %q:\n%s", l, payload.Text)
			}
		}
	}
	if compared != 4 {
		t.Errorf("compared %d lines of /thongke, want 4:\n%s", compared, week[0].Text)
	}
	if !strings.Contains(payload.Text, "09/11/2026 – 15/11/2026") {
		t.Errorf("digest period: %s", payload.Text)
	}
}
