package digest

import (
	"path/filepath"
	"testing"
	"time"

	"xabot/internal/domain"
	"xabot/internal/service/stats"
	"xabot/internal/store"
)

var hcm = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		panic(err)
	}
	return loc
}()

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, hcm).UTC() }

// The weekly digest's chart and text count the same dossiers: those
// received in the week (and in the recipient's fields). A dossier received
// the week before and resolved in this one is in neither; the chart's bars
// add up to the text's figures.
func TestDigestChartAgreesWithText(t *testing.T) {
	ctx := t.Context()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "x.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, hcm)
	figures := stats.New(db, hcm)
	figures.SetClock(func() time.Time { return now })
	for _, d := range []domain.Dossier{
		{Code: "H55.20-261112-0001", ProcedureName: "Đăng ký khai sinh", Field: "Hộ tịch", Phone: "0905000001",
			Intake: domain.IntakeDirect, Status: domain.StatusDone, ReceivedAt: day(2026, 11, 12), DueAt: day(2026, 11, 19),
			FinishedAt: day(2026, 11, 19).Add(9 * time.Hour)}, // received before the week, resolved in it
		{Code: "H55.20-261117-0002", ProcedureName: "Đăng ký khai sinh", Field: "Hộ tịch", Phone: "0905000002",
			Intake: domain.IntakeOnline, Status: domain.StatusReturned, ReceivedAt: day(2026, 11, 17), DueAt: day(2026, 11, 24),
			FinishedAt: day(2026, 11, 20).Add(9 * time.Hour)},
		{Code: "H55.20-261119-0003", ProcedureName: "Cấp phép xây dựng", Field: "Xây dựng", Phone: "0905000003",
			Intake: domain.IntakeDirect, Status: domain.StatusDone, ReceivedAt: day(2026, 11, 19), DueAt: day(2026, 11, 26),
			FinishedAt: day(2026, 11, 21).Add(9 * time.Hour)},
	} {
		if _, err := db.UpsertDossier(ctx, d, "test"); err != nil {
			t.Fatal(err)
		}
	}
	dg := New(Config{TZ: hcm, Stats: figures})
	from, to, err := figures.Period(stats.LastWeek, now)
	if err != nil {
		t.Fatal(err)
	}
	official := domain.Official{Fields: []string{"hộ tịch"}}
	for name, keep := range map[string]func(string) bool{"commune": nil, "official": official.Handles} {
		week, err := dg.week(ctx, from, to, keep)
		if err != nil {
			t.Fatal(err)
		}
		rec, res := 0, 0
		for _, d := range week.days {
			rec, res = rec+d.Received, res+d.Resolved
		}
		if rec != week.counts.Received || res != week.counts.Resolved {
			t.Errorf("%s: chart %d received, %d resolved; text %d, %d", name, rec, res, week.counts.Received, week.counts.Resolved)
		}
		wantRes := map[string]int{"commune": 2, "official": 1}[name]
		if res != wantRes {
			t.Errorf("%s: %d resolved in the week's dossiers, want %d", name, res, wantRes)
		}
	}
}
