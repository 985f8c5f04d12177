package stats

import (
	"path/filepath"
	"testing"
	"time"

	"xabot/internal/domain"
	"xabot/internal/store"
)

// Daily counts each local day's received dossiers and, of the dossiers
// received in the period, those resolved that day — the definition of
// Report, so the weekly digest's chart and text agree: a dossier received
// the week before and resolved in this one is in neither. Withdrawals and
// open dossiers are not "resolved"; days without any are zero; a field
// scope counts its fields only, in both.
func TestDaily(t *testing.T) {
	db, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "x.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	at := func(d, h int) time.Time { return time.Date(2026, 11, d, h, 0, 0, 0, hcm).UTC() }
	mk := func(seq, recvDay, recvHour int, st domain.Status, finDay int) domain.Dossier {
		d := domain.Dossier{Code: "H55.20-2611" + twoDigits(recvDay) + "-" + twoDigits(seq), ProcedureName: "Khai sinh",
			Field: "Hộ tịch", Phone: "0905123456", Intake: domain.IntakeDirect, Status: st,
			ReceivedAt: at(recvDay, recvHour), DueAt: at(recvDay+3, 0)}
		if finDay > 0 {
			d.FinishedAt = at(finDay, 16)
		}
		return d
	}
	ds := []domain.Dossier{
		mk(1, 16, 8, domain.StatusDone, 18),        // Mon in, Wed out
		mk(2, 16, 23, domain.StatusInProgress, 0),  // 23:00 local is still Monday (16:00 UTC)
		mk(3, 18, 9, domain.StatusReturned, 18),    // Wed in and out
		mk(4, 20, 7, domain.StatusWithdrawn, 20),   // withdrawn: received, not resolved
		mk(5, 10, 7, domain.StatusNotAccepted, 17), // received the week before, refused on Tue: not this week's
		mk(6, 23, 7, domain.StatusDone, 23),        // the next week
	}
	other := mk(7, 17, 9, domain.StatusDone, 19) // another field: Tue in, Thu out
	other.Field = "Đất đai"
	ds = append(ds, other)
	if _, err := db.UpsertDossiers(t.Context(), ds, "test"); err != nil {
		t.Fatal(err)
	}
	s := New(db, hcm)
	s.SetClock(func() time.Time { return at(25, 9) })
	from, to, err := s.Period(LastWeek, at(25, 9))
	if err != nil {
		t.Fatal(err)
	}
	days, err := s.Daily(t.Context(), from, to, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ rec, res int }{{2, 0}, {1, 0}, {1, 2}, {0, 1}, {1, 0}, {0, 0}, {0, 0}}
	if len(days) != len(want) {
		t.Fatalf("Daily gave %d days, want %d", len(days), len(want))
	}
	for i, w := range want {
		if days[i].Received != w.rec || days[i].Resolved != w.res {
			t.Errorf("day %d (%s): received %d resolved %d, want %d %d", i, days[i].Date.Format("02/01"),
				days[i].Received, days[i].Resolved, w.rec, w.res)
		}
	}
	if got := days[0].Date.Format("02/01/2006"); got != "16/11/2026" {
		t.Errorf("first day %s, want 16/11/2026", got)
	}

	// The chart's bars add up to the text's figures, for the commune and
	// for one field.
	for _, keep := range []func(string) bool{nil, func(f string) bool { return f == "Hộ tịch" }} {
		days, err := s.Daily(t.Context(), from, to, keep)
		if err != nil {
			t.Fatal(err)
		}
		var c domain.Counts
		if keep == nil {
			c, err = s.Report(t.Context(), from, to)
		} else {
			var by map[string]domain.Counts
			by, err = s.ReportBy(t.Context(), from, to, "field")
			c = by["Hộ tịch"]
		}
		if err != nil {
			t.Fatal(err)
		}
		rec, res := 0, 0
		for _, d := range days {
			rec, res = rec+d.Received, res+d.Resolved
		}
		if rec != c.Received || res != c.Resolved || rec == 0 || res == 0 {
			t.Errorf("scope %v: chart %d received, %d resolved; text %d, %d", keep != nil, rec, res, c.Received, c.Resolved)
		}
	}
}

func twoDigits(n int) string { return string(rune('0'+n/10)) + string(rune('0'+n%10)) }
