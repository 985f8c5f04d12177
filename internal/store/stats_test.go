package store

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"xabot/internal/domain"
)

var ict = time.FixedZone("ICT", 7*3600)

// local is a wall-clock time in the commune (UTC+7).
func local(y int, m time.Month, d, h, min, s int) time.Time {
	return time.Date(y, m, d, h, min, s, 0, ict)
}

// may is the report period 01/05/2025–31/05/2025, as the service passes it.
var mayFrom, mayTo = local(2025, 5, 1, 0, 0, 0), local(2025, 6, 1, 0, 0, 0).Add(-time.Nanosecond)

// TestDossierCountsCategories puts one dossier in an empty database per
// case and checks the one category it lands in, at every boundary of
// docs/STATISTICS.md «Report categories». Due dates are 10/05 17:00 local unless said otherwise.
func TestDossierCountsCategories(t *testing.T) {
	due := local(2025, 5, 10, 17, 0, 0)
	tests := []struct {
		name string
		edit func(*domain.Dossier)
		want domain.Counts // without the intake split, filled in below
	}{
		{"finished on the due date = on time", func(d *domain.Dossier) {
			d.Status, d.FinishedAt = domain.StatusReturned, local(2025, 5, 10, 16, 0, 0)
		}, domain.Counts{Resolved: 1, OnTime: 1}},
		{"finished early on the due date (previous day in UTC) = on time", func(d *domain.Dossier) {
			d.Status, d.FinishedAt = domain.StatusDone, local(2025, 5, 10, 6, 0, 0)
		}, domain.Counts{Resolved: 1, OnTime: 1}},
		{"finished the day after, just past midnight (same day in UTC) = late", func(d *domain.Dossier) {
			d.Status, d.FinishedAt = domain.StatusReturned, local(2025, 5, 11, 0, 30, 0)
		}, domain.Counts{Resolved: 1, Late: 1}},
		{"finished the day before = early", func(d *domain.Dossier) {
			d.Status, d.FinishedAt = domain.StatusReturned, local(2025, 5, 9, 23, 59, 0)
		}, domain.Counts{Resolved: 1, Early: 1}},
		{"finished at the last second of TO = resolved", func(d *domain.Dossier) {
			d.Status, d.FinishedAt = domain.StatusReturned, local(2025, 5, 31, 23, 59, 59)
		}, domain.Counts{Resolved: 1, Late: 1}},
		{"finished after TO, due before TO = in progress, overdue", func(d *domain.Dossier) {
			d.Status, d.FinishedAt = domain.StatusReturned, local(2025, 6, 1, 0, 0, 0)
		}, domain.Counts{InProgress: 1, Overdue: 1}},
		{"finished after TO, due after TO = in progress, within", func(d *domain.Dossier) {
			d.DueAt = local(2025, 6, 3, 17, 0, 0)
			d.Status, d.FinishedAt = domain.StatusReturned, local(2025, 6, 2, 9, 0, 0)
		}, domain.Counts{InProgress: 1, Within: 1}},
		{"withdrawn", func(d *domain.Dossier) {
			d.Status, d.FinishedAt = domain.StatusWithdrawn, local(2025, 5, 3, 9, 0, 0)
		}, domain.Counts{Withdrawn: 1}},
		{"withdrawn after TO = in progress", func(d *domain.Dossier) {
			d.DueAt = local(2025, 6, 5, 17, 0, 0)
			d.Status, d.FinishedAt = domain.StatusWithdrawn, local(2025, 6, 2, 9, 0, 0)
		}, domain.Counts{InProgress: 1, Within: 1}},
		{"refused (3) = resolved", func(d *domain.Dossier) {
			d.Status, d.FinishedAt = domain.StatusNotAccepted, local(2025, 5, 2, 9, 0, 0)
		}, domain.Counts{Resolved: 1, Early: 1}},
		{"stopped (8) = resolved", func(d *domain.Dossier) {
			d.Status, d.FinishedAt = domain.StatusStopped, local(2025, 5, 12, 9, 0, 0)
		}, domain.Counts{Resolved: 1, Late: 1}},
		{"extended, finished after the original date, before the extension = late", func(d *domain.Dossier) {
			d.ExtendedDueAt, d.ExtensionReason = local(2025, 5, 20, 17, 0, 0), "xác minh thêm"
			d.Status, d.FinishedAt = domain.StatusReturned, local(2025, 5, 15, 9, 0, 0)
		}, domain.Counts{Resolved: 1, Late: 1}},
		{"extended, still in progress, new date after TO = within", func(d *domain.Dossier) {
			d.ExtendedDueAt = local(2025, 6, 5, 17, 0, 0)
		}, domain.Counts{InProgress: 1, Within: 1}},
		{"extended, still in progress, new date before TO = overdue", func(d *domain.Dossier) {
			d.ExtendedDueAt = local(2025, 5, 30, 17, 0, 0)
		}, domain.Counts{InProgress: 1, Overdue: 1}},
		{"in progress, due before TO = overdue", func(d *domain.Dossier) {
			d.DueAt = local(2025, 5, 30, 17, 0, 0)
		}, domain.Counts{InProgress: 1, Overdue: 1}},
		{"in progress, due on TO = within", func(d *domain.Dossier) {
			d.DueAt = local(2025, 5, 31, 8, 0, 0)
		}, domain.Counts{InProgress: 1, Within: 1}},
		{"in progress, waiting on the applicant, due before TO = overdue", func(d *domain.Dossier) {
			d.Status = domain.StatusSupplementRequested
		}, domain.Counts{InProgress: 1, Overdue: 1}},
		{"in progress, no due date = within", func(d *domain.Dossier) {
			d.DueAt = time.Time{}
		}, domain.Counts{InProgress: 1, Within: 1}},
		{"resolved, no due date = on time", func(d *domain.Dossier) {
			d.DueAt = time.Time{}
			d.Status, d.FinishedAt = domain.StatusReturned, local(2025, 5, 12, 9, 0, 0)
		}, domain.Counts{Resolved: 1, OnTime: 1}},
		{"received at the first second of FROM = counted", func(d *domain.Dossier) {
			d.ReceivedAt = local(2025, 5, 1, 0, 0, 0)
			d.Status, d.FinishedAt = domain.StatusReturned, local(2025, 5, 2, 9, 0, 0)
		}, domain.Counts{Resolved: 1, Early: 1}},
		{"received at the last second of TO = counted", func(d *domain.Dossier) {
			d.ReceivedAt, d.DueAt = local(2025, 5, 31, 23, 59, 59), local(2025, 6, 4, 17, 0, 0)
		}, domain.Counts{InProgress: 1, Within: 1}},
		{"received before FROM = not counted", func(d *domain.Dossier) {
			d.ReceivedAt = local(2025, 4, 30, 23, 59, 59)
		}, domain.Counts{}},
		{"received after TO = not counted", func(d *domain.Dossier) {
			d.ReceivedAt = local(2025, 6, 1, 0, 0, 0)
		}, domain.Counts{}},
	}
	for i, tt := range tests {
		for _, in := range []domain.Intake{domain.IntakeDirect, domain.IntakeOnline, domain.IntakePostal} {
			t.Run(fmt.Sprintf("%s/%s", tt.name, in), func(t *testing.T) {
				db, _, _ := newTestDB(t)
				d := testDossier(fmt.Sprintf("H55.20-250502-%04d", i))
				d.ReceivedAt, d.DueAt, d.Intake = local(2025, 5, 2, 8, 0, 0), due, in
				tt.edit(&d)
				if _, err := db.UpsertDossier(t.Context(), d, "test"); err != nil {
					t.Fatal(err)
				}
				got, err := db.DossierCounts(t.Context(), mayFrom, mayTo, 7*time.Hour)
				if err != nil {
					t.Fatal(err)
				}
				want := tt.want
				if want != (domain.Counts{}) {
					want.Received = 1
					switch in {
					case domain.IntakeDirect:
						want.Direct = 1
					case domain.IntakeOnline:
						want.Online = 1
					case domain.IntakePostal:
						want.Postal = 1
					}
				}
				if got != want {
					t.Errorf("got  %+v\nwant %+v", got, want)
				}
				if !got.Consistent() {
					t.Errorf("inconsistent: %+v", got)
				}
			})
		}
	}
}

// TestDossierCountsOffset: the same instants give other categories in
// another zone, since dates are the commune's.
func TestDossierCountsOffset(t *testing.T) {
	db, _, _ := newTestDB(t)
	d := testDossier("H55.20-250502-0001")
	d.ReceivedAt = local(2025, 5, 2, 8, 0, 0)
	d.DueAt = local(2025, 5, 10, 17, 0, 0)                                       // 10/05 10:00 UTC
	d.Status, d.FinishedAt = domain.StatusReturned, local(2025, 5, 11, 0, 30, 0) // 10/05 17:30 UTC
	if _, err := db.UpsertDossier(t.Context(), d, "test"); err != nil {
		t.Fatal(err)
	}
	for off, want := range map[time.Duration]int{7 * time.Hour: 1, 0: 0} {
		c, err := db.DossierCounts(t.Context(), mayFrom, mayTo, off)
		if err != nil {
			t.Fatal(err)
		}
		if c.Late != want {
			t.Errorf("offset %v: late %d, want %d (%+v)", off, c.Late, want, c)
		}
	}
}

func TestDossierCountsEmpty(t *testing.T) {
	db, _, _ := newTestDB(t)
	c, err := db.DossierCounts(t.Context(), mayFrom, mayTo, 7*time.Hour)
	if err != nil || c != (domain.Counts{}) {
		t.Fatalf("got %+v, %v; want zero counts", c, err)
	}
	m, err := db.DossierCountsBy(t.Context(), mayFrom, mayTo, 7*time.Hour, "field")
	if err != nil || len(m) != 0 {
		t.Fatalf("got %v, %v; want an empty map", m, err)
	}
}

func TestDossierCountsBy(t *testing.T) {
	db, _, _ := newTestDB(t)
	var ds []domain.Dossier
	add := func(field, village string, in domain.Intake, st domain.Status, fin time.Time) {
		d := testDossier(fmt.Sprintf("H55.20-250502-%04d", len(ds)+1))
		d.Field, d.Village, d.Intake, d.Status, d.FinishedAt = field, village, in, st, fin
		d.ReceivedAt, d.DueAt = local(2025, 5, 2, 8, 0, 0), local(2025, 5, 10, 17, 0, 0)
		ds = append(ds, d)
	}
	early, late := local(2025, 5, 5, 9, 0, 0), local(2025, 5, 12, 9, 0, 0)
	add("Hộ tịch", "An Hòa", domain.IntakeOnline, domain.StatusReturned, early)
	add("Hộ tịch", "An Hòa", domain.IntakeDirect, domain.StatusReturned, late)
	add("Hộ tịch", "Phú Lộc", domain.IntakeDirect, domain.StatusWithdrawn, early)
	add("Chứng thực", "Phú Lộc", domain.IntakePostal, domain.StatusInProgress, time.Time{})
	add("", "", domain.IntakeOnline, domain.StatusDone, early)
	if _, err := db.UpsertDossiers(t.Context(), ds, "test"); err != nil {
		t.Fatal(err)
	}
	total, err := db.DossierCounts(t.Context(), mayFrom, mayTo, 7*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string]domain.Counts{
		"field": {
			"Hộ tịch":    {Received: 3, Online: 1, Direct: 2, Withdrawn: 1, Resolved: 2, Early: 1, Late: 1},
			"Chứng thực": {Received: 1, Postal: 1, InProgress: 1, Overdue: 1},
			"":           {Received: 1, Online: 1, Resolved: 1, Early: 1},
		},
		"village": {
			"An Hòa":  {Received: 2, Online: 1, Direct: 1, Resolved: 2, Early: 1, Late: 1},
			"Phú Lộc": {Received: 2, Direct: 1, Postal: 1, Withdrawn: 1, InProgress: 1, Overdue: 1},
			"":        {Received: 1, Online: 1, Resolved: 1, Early: 1},
		},
		"intake": {
			"online": {Received: 2, Online: 2, Resolved: 2, Early: 2},
			"direct": {Received: 2, Direct: 2, Withdrawn: 1, Resolved: 1, Late: 1},
			"postal": {Received: 1, Postal: 1, InProgress: 1, Overdue: 1},
		},
	}
	for dim, w := range want {
		got, err := db.DossierCountsBy(t.Context(), mayFrom, mayTo, 7*time.Hour, dim)
		if err != nil {
			t.Fatal(err)
		}
		var sum domain.Counts
		for k, c := range got {
			sum = sum.Add(c)
			if c != w[k] {
				t.Errorf("%s %q: got %+v, want %+v", dim, k, c, w[k])
			}
		}
		if len(got) != len(w) || sum != total {
			t.Errorf("%s: %d keys summing to %+v; want %d keys summing to %+v", dim, len(got), sum, len(w), total)
		}
	}
	if _, err := db.DossierCountsBy(t.Context(), mayFrom, mayTo, 7*time.Hour, "handler; DROP TABLE dossiers"); err == nil {
		t.Error("an unknown dimension was accepted")
	}
}

// TestDossierCountsUsesCoveringIndex checks the plan: the counts read the
// dossiers_stats index only, never the table.
func TestDossierCountsUsesCoveringIndex(t *testing.T) {
	db, _, _ := newTestDB(t)
	for _, q := range []string{`SELECT ` + statsPacked, `SELECT field, ` + statsPacked + ` GROUP BY field`, `SELECT ` + statsSums} {
		rows, err := db.r.QueryContext(t.Context(), `EXPLAIN QUERY PLAN `+q, 0, 1, 25200)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, notused int
			var detail string
			if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		if p := strings.Join(plan, "; "); !strings.Contains(p, "COVERING INDEX dossiers_stats") {
			t.Errorf("plan %q does not use the covering index", p)
		}
	}
}

// BenchmarkDossierCounts1M times one DossierCounts over a year on 1,000,000
// dossiers received over 2021–2025 (about 200,000 in the year). The data
// are generated once by SQL, in batches, outside the timer; set
// XABOT_BENCH_DB to a file path to keep and reuse them between runs.
func BenchmarkDossierCounts1M(b *testing.B) {
	const n = 1_000_000
	path := os.Getenv("XABOT_BENCH_DB")
	if path == "" {
		path = filepath.Join(b.TempDir(), "bench.db")
	}
	db, err := Open(b.Context(), path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	have, err := db.CountDossiers(b.Context())
	if err != nil {
		b.Fatal(err)
	}
	if have < n {
		generateDossiers(b, db, have, n)
	}
	from, to := local(2024, 1, 1, 0, 0, 0), local(2025, 1, 1, 0, 0, 0).Add(-time.Nanosecond)
	b.Run("all", func(b *testing.B) {
		var c domain.Counts
		for b.Loop() {
			if c, err = db.DossierCounts(b.Context(), from, to, 7*time.Hour); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(c.Received), "dossiers")
	})
	for _, dim := range StatsDimensions {
		b.Run("by_"+dim, func(b *testing.B) {
			for b.Loop() {
				if _, err := db.DossierCountsBy(b.Context(), from, to, 7*time.Hour, dim); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// generateDossiers inserts dossiers have+1..n, deterministic functions of
// their number: received every ~158 s from 2021-01-01, due 1–15 days later,
// most ended (some early, on time, late, withdrawn), some extended, over
// 12 fields and 20 villages. One INSERT … SELECT per batch of 100,000.
func generateDossiers(tb testing.TB, db *DB, have, n int) {
	tb.Helper()
	start := local(2021, 1, 1, 7, 0, 0).Unix()
	const batch = 100_000
	for lo := have + 1; lo <= n; lo += batch {
		hi := min(lo+batch-1, n)
		_, err := db.w.ExecContext(tb.Context(), `WITH RECURSIVE s(i) AS (SELECT ?1 UNION ALL SELECT i + 1 FROM s WHERE i < ?2),
			g AS (SELECT i, ?3 + i * 158 AS rec, (i * 2654435761) % 1000 AS h FROM s),
			d AS (SELECT i, rec, h, rec + (1 + h % 15) * 86400 AS due FROM g)
			INSERT INTO dossiers (code, code_key, procedure_code, procedure_name, field, village, applicant_name,
				phone, intake, status, received_at, due_at, finished_at, extended_due_at, updated_at)
			SELECT 'B-' || i, 'B-' || i, 'P' || (h % 40), 'Thủ tục ' || (h % 40), 'Lĩnh vực ' || (h % 12),
				'Thôn ' || (h % 20), 'Người ' || i, '09' || printf('%08d', i), CASE WHEN h % 50 = 7 THEN 3 WHEN h % 10 < 3 THEN 2 ELSE 1 END,
				CASE WHEN h < 900 THEN 10 WHEN h < 930 THEN 9 WHEN h < 940 THEN 7 WHEN h < 945 THEN 3
					WHEN h < 950 THEN 8 WHEN h < 980 THEN 4 ELSE 5 END,
				rec, due,
				CASE WHEN h < 950 THEN max(rec, due + ((h % 7) - 5) * 86400) END,
				CASE WHEN h % 25 = 0 THEN due + 5 * 86400 END,
				rec
			FROM d`, lo, hi, start)
		if err != nil {
			tb.Fatal(err)
		}
	}
}

// TestPackedMatchesPlain: the packed query DossierCounts runs gives the
// counts of the plain one, one sum per category, on generated dossiers over
// many periods and by every dimension.
func TestPackedMatchesPlain(t *testing.T) {
	db, _, _ := newTestDB(t)
	generateDossiers(t, db, 0, 30_000) // 2021-01-01 to late February 2021, every ~158 s
	var seen domain.Counts
	defer func() {
		if seen.Early == 0 || seen.OnTime == 0 || seen.Late == 0 || seen.Overdue == 0 || seen.Within == 0 || seen.Withdrawn == 0 || seen.Postal == 0 {
			t.Errorf("the generated data miss a category: %+v", seen)
		}
	}()
	for _, p := range [][2]time.Time{
		{local(2021, 1, 1, 0, 0, 0), local(2021, 2, 1, 0, 0, 0)},
		{local(2021, 2, 10, 0, 0, 0), local(2021, 2, 17, 0, 0, 0)},
		{local(2021, 1, 1, 0, 0, 0), local(2022, 1, 1, 0, 0, 0)},
		{local(2021, 2, 3, 0, 0, 0), local(2021, 2, 4, 0, 0, 0)},
	} {
		args := []any{p[0].Unix(), p[1].Unix() - 1, 7 * 3600}
		plain, err := scanCounts(db.r.QueryRowContext(t.Context(), `SELECT `+statsSums, args...))
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.DossierCounts(t.Context(), p[0], p[1].Add(-time.Nanosecond), 7*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		seen = seen.Add(got)
		if got != plain || !got.Consistent() {
			t.Errorf("%v: packed %+v\n plain %+v", p, got, plain)
		}
		for _, dim := range StatsDimensions {
			want, _, err := db.countsBy(t.Context(), `SELECT `+dim+`, `+statsSums+` GROUP BY `+dim, args, scanCounts)
			if err != nil {
				t.Fatal(err)
			}
			by, err := db.DossierCountsBy(t.Context(), p[0], p[1].Add(-time.Nanosecond), 7*time.Hour, dim)
			if err != nil {
				t.Fatal(err)
			}
			if len(by) != len(want) {
				t.Errorf("%v by %s: %d keys, want %d", p, dim, len(by), len(want))
			}
			for k, c := range want {
				if by[k] != c {
					t.Errorf("%v by %s %q: packed %+v, plain %+v", p, dim, k, by[k], c)
				}
			}
		}
	}
}
