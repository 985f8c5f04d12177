package stats_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"
	"time"
	_ "time/tzdata" // Asia/Ho_Chi_Minh on machines without a zone database

	"xabot/internal/domain"
	"xabot/internal/i18n"
	"xabot/internal/service/stats"
	"xabot/internal/store"
)

// seedParagraph is the seed report's section III.4.b (seed/000_…txt,
// "4.080"), as /baocao 01/01/2021 30/04/2025 must write it.
const seedParagraph = "Từ ngày 01/01/2021 đến ngày 30/04/2025, Bộ phận Một cửa xã đã thực hiện tiếp nhận 4.080 hồ sơ " +
	"(trong đó, tiếp nhận trực tuyến 1.242 hồ sơ, trực tiếp 2.838 hồ sơ). Đã giải quyết: 4.040 hồ sơ (trong đó " +
	"3.839 hồ sơ trả kết quả trước hạn, 97 hồ sơ đúng hạn, quá hạn 104 hồ sơ); Đang giải quyết trong hạn 11 hồ sơ, " +
	"công dân rút 29 hồ sơ."

// seedDossiers generates, deterministically, a commune's dossiers whose
// report for 01/01/2021–30/04/2025 is the seed's, plus dossiers outside the
// period or that change category only after it.
func seedDossiers(loc *time.Location) []domain.Dossier {
	rng := rand.New(rand.NewPCG(766, 2025))
	at := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, loc) }
	first, last := at(2021, 1, 1, 0), at(2025, 4, 1, 0) // receipts of ended dossiers
	span := int64(last.Sub(first) / time.Second)
	var out []domain.Dossier
	add := func(d domain.Dossier) {
		n := len(out) + 1
		d.Code = fmt.Sprintf("H55.20-%s-%05d", d.ReceivedAt.In(loc).Format("060102"), n)
		d.ProcedureName, d.Field = "Chứng thực bản sao", []string{"Chứng thực", "Hộ tịch", "Đất đai"}[n%3]
		d.Village = fmt.Sprintf("Thôn %d", n%7+1)
		if d.Status == 0 {
			d.Status = domain.StatusReturned
		}
		out = append(out, d)
	}
	received := func() time.Time {
		return first.Add(time.Duration(rng.Int64N(span)) * time.Second).Truncate(time.Hour).Add(8 * time.Hour)
	}
	// The 4,080 of the period: categories in a shuffled order, so that
	// intakes and categories mix; 1,242 of them online.
	var cats []string
	for _, c := range []struct {
		name string
		n    int
	}{{"early", 3839}, {"on_time", 97}, {"late", 104}, {"within", 11}, {"withdrawn", 29}} {
		for range c.n {
			cats = append(cats, c.name)
		}
	}
	online := rng.Perm(len(cats))[:1242]
	isOnline := map[int]bool{}
	for _, i := range online {
		isOnline[i] = true
	}
	rng.Shuffle(len(cats), func(i, j int) { cats[i], cats[j] = cats[j], cats[i] })
	for i, c := range cats {
		d := domain.Dossier{Intake: domain.IntakeDirect}
		if isOnline[i] {
			d.Intake = domain.IntakeOnline
		}
		d.ReceivedAt = received()
		d.DueAt = domain.DateOf(d.ReceivedAt, loc).AddDate(0, 0, 3+rng.IntN(10)).Add(17*time.Hour - 7*time.Hour) // 17:00 local
		switch c {
		case "early":
			d.FinishedAt = d.DueAt.Add(-time.Duration(18+rng.IntN(48)) * time.Hour) // before the due date
			if d.FinishedAt.Before(d.ReceivedAt) {
				d.FinishedAt = d.ReceivedAt.Add(time.Hour)
			}
			switch i % 50 {
			case 0:
				d.Status = domain.StatusNotAccepted // refused: resolved
			case 1:
				d.Status = domain.StatusStopped // stopped: resolved
			case 2:
				d.Status = domain.StatusDone
			}
		case "on_time":
			d.FinishedAt = d.DueAt.Add(-time.Duration(rng.IntN(9)) * time.Hour) // 08:00–17:00 of the due date
		case "late":
			d.FinishedAt = d.DueAt.Add(time.Duration(8+rng.IntN(24*10)) * time.Hour)
			if i%4 == 0 { // extended, finished within the new date: still late
				d.ExtendedDueAt, d.ExtensionReason = d.FinishedAt.Add(72*time.Hour), "cần xác minh thêm"
			}
		case "within":
			// Received in the last days of April, due in May; some ended
			// after 30/04, which this report does not see.
			d.ReceivedAt = at(2025, 4, 25+i%6, 9)
			d.DueAt = at(2025, 5, 6, 17)
			d.Status = domain.StatusInProgress
			if i%3 == 0 {
				d.Status, d.FinishedAt = domain.StatusReturned, at(2025, 5, 2, 10)
			}
		case "withdrawn":
			d.Status, d.FinishedAt = domain.StatusWithdrawn, d.ReceivedAt.Add(30*time.Hour)
		}
		if d.Status == domain.StatusReturned || d.Status == domain.StatusDone {
			d.ReturnedAt = d.FinishedAt
		}
		add(d)
	}
	// Outside the period: before 2021 and after 30/04/2025, the boundary
	// seconds included, of every kind.
	for i := range 300 {
		var d domain.Dossier
		switch {
		case i == 0:
			d.ReceivedAt = at(2020, 12, 31, 23).Add(59*time.Minute + 59*time.Second)
		case i == 1:
			d.ReceivedAt = at(2025, 5, 1, 0)
		case i%2 == 0:
			d.ReceivedAt = at(2019, 1, 1, 8).Add(time.Duration(rng.Int64N(700*24)) * time.Hour)
		default:
			d.ReceivedAt = at(2025, 5, 1, 8).Add(time.Duration(rng.Int64N(60*24)) * time.Hour)
		}
		d.Intake = domain.Intake(1 + i%3)
		d.DueAt = d.ReceivedAt.Add(5 * 24 * time.Hour)
		switch i % 5 {
		case 0:
			d.Status = domain.StatusInProgress
		case 1:
			d.Status, d.FinishedAt = domain.StatusWithdrawn, d.ReceivedAt.Add(24*time.Hour)
		default:
			d.Status, d.FinishedAt = domain.StatusReturned, d.ReceivedAt.Add(time.Duration(i%9)*24*time.Hour)
		}
		add(d)
	}
	return out
}

func TestSeedFigures(t *testing.T) {
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "xabot.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ds := seedDossiers(loc)
	if _, err := db.UpsertDossiers(t.Context(), ds, "test"); err != nil {
		t.Fatal(err)
	}
	s := stats.New(db, loc)
	s.SetClock(func() time.Time { return time.Date(2025, 6, 15, 9, 0, 0, 0, loc) })
	from, to, err := s.ParsePeriod("01/01/2021 30/04/2025", time.Date(2025, 6, 15, 9, 0, 0, 0, loc))
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.Report(t.Context(), from, to)
	if err != nil {
		t.Fatal(err)
	}
	want := domain.Counts{Received: 4080, Online: 1242, Direct: 2838, Resolved: 4040, Early: 3839, OnTime: 97,
		Late: 104, InProgress: 11, Within: 11, Withdrawn: 29}
	if c != want {
		t.Fatalf("counts\n got %+v\nwant %+v", c, want)
	}
	l := s.Paragraph("vi", c, from, to)
	if got := seedCatalog(t).T("vi", l.Key, l.Args); got != seedParagraph {
		t.Errorf("paragraph\n got %s\nwant %s", got, seedParagraph)
	}
	l = s.Paragraph("en", c, from, to)
	wantEN := "From 01/01/2021 to 30/04/2025, the commune's one-stop shop received 4,080 dossiers (1,242 online, " +
		"2,838 in person). Resolved: 4,040 dossiers (3,839 with the result returned early, 97 on time, 104 late); " +
		"11 dossiers in progress within the deadline; 29 dossiers withdrawn by citizens."
	if got := seedCatalog(t).T("en", l.Key, l.Args); got != wantEN {
		t.Errorf("paragraph en\n got %s\nwant %s", got, wantEN)
	}

	// The breakdowns add up to the whole.
	for _, dim := range []string{"field", "village", "intake"} {
		by, err := s.ReportBy(t.Context(), from, to, dim)
		if err != nil {
			t.Fatal(err)
		}
		var sum domain.Counts
		for _, x := range by {
			sum = sum.Add(x)
		}
		if sum != want {
			t.Errorf("by %s sums to %+v", dim, sum)
		}
	}

	// The 766 indicators of the seed period: 2.1 = (3,839 + 97 + 11) /
	// 4,080 = 96.7 % → 19.35 of 20 points; 3.3 = 1,242 / 4,080 = 30.4 % of a
	// 50 % target → 7.31 of 12.
	on, _ := domain.OnTimeIndicator(c).Score()
	ol, _ := domain.OnlineIndicator(c).Score()
	if fmt.Sprintf("%.2f %.2f", on, ol) != "19.35 7.31" {
		t.Errorf("scores 2.1 %.4f, 3.3 %.4f", on, ol)
	}

	// A month later the dossiers that ended in May are resolved for a
	// period that includes May, not for this one.
	c2, err := s.Report(t.Context(), from, to)
	if err != nil || c2 != want {
		t.Errorf("second report %+v, %v", c2, err)
	}
}

func seedCatalog(t *testing.T) *i18n.Catalog {
	t.Helper()
	fsys := fstest.MapFS{}
	for _, lang := range []string{"vi", "en"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "..", "locales", "stats."+lang+".yaml"))
		if err != nil {
			t.Fatal(err)
		}
		fsys["stats."+lang+".yaml"] = &fstest.MapFile{Data: b}
	}
	c, err := i18n.Load(fsys, "vi")
	if err != nil {
		t.Fatal(err)
	}
	return c
}
