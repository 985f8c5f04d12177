package notify_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"xabot/internal/domain"
)

const code = "H55.20-261102-0001"

func TestDueSoon(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		edit func(*domain.Dossier)
		to   []string // recipients; none: no alert
		days string   // working days left said in the alert
		due  string
	}{
		{"due Thu 26/11, 1 working day", nil, []string{chatBinh}, "1", "26/11/2026"},
		{"due Fri 27/11, 2 working days", func(d *domain.Dossier) { d.DueAt = due(11, 27) }, []string{chatBinh}, "2", "27/11/2026"},
		{"due Mon 30/11, 3 working days", func(d *domain.Dossier) { d.DueAt = due(11, 30) }, nil, "", ""},
		{"due today", func(d *domain.Dossier) { d.DueAt = due(11, 25) }, []string{chatBinh}, "0", "25/11/2026"},
		{"due today at midnight", func(d *domain.Dossier) { d.DueAt = at(2026, 11, 25, 0, 0) }, []string{chatBinh}, "0", "25/11/2026"},
		{"overdue since Mon 23/11", func(d *domain.Dossier) { d.DueAt = due(11, 23) }, nil, "", ""},
		{"new (1)", func(d *domain.Dossier) { d.Status = domain.StatusNew }, []string{chatBinh}, "1", "26/11/2026"},
		{"accepted (2)", func(d *domain.Dossier) { d.Status = domain.StatusAccepted }, []string{chatBinh}, "1", "26/11/2026"},
		{"supplement requested (5)", func(d *domain.Dossier) { d.Status = domain.StatusSupplementRequested }, nil, "", ""},
		{"payment required (6)", func(d *domain.Dossier) { d.Status = domain.StatusPaymentRequired }, nil, "", ""},
		{"handler without accents, other case", func(d *domain.Dossier) { d.Handler = "TRAN thi binh" }, []string{chatBinh}, "1", "26/11/2026"},
		{"handler with odd spacing", func(d *domain.Dossier) { d.Handler = "  trần  Thị   BÌNH " }, []string{chatBinh}, "1", "26/11/2026"},
		{"handler outside the field: only them", func(d *domain.Dossier) { d.Handler = "Phạm Thị Dung" }, []string{chatHead}, "1", "26/11/2026"},
		{"no handler match: the field's officials", func(d *domain.Dossier) { d.Handler = "Người Lạ" }, []string{chatBinh, chatCuong}, "1", "26/11/2026"},
		{"no handler, field in other case", func(d *domain.Dossier) { d.Handler, d.Field = "", "hộ TỊCH" }, []string{chatBinh, chatCuong}, "1", "26/11/2026"},
		{"revoked handler: the field's officials", func(d *domain.Dossier) { d.Handler = "Hoàng Văn Em" }, []string{chatBinh, chatCuong}, "1", "26/11/2026"},
		{"field nobody active has: the head", func(d *domain.Dossier) { d.Handler, d.Field = "", "Đất đai" }, []string{chatHead}, "1", "26/11/2026"},
		{"unbound handler, field of revoked and unbound only: the head", func(d *domain.Dossier) { d.Handler, d.Field = "Võ Thị Phương", "Đất đai" }, []string{chatHead}, "1", "26/11/2026"},
		{"extended to Thu 26/11 after being overdue", func(d *domain.Dossier) {
			d.DueAt, d.ExtendedDueAt, d.ExtensionReason = due(11, 18), due(11, 26), "xác minh"
		}, []string{chatBinh}, "1", "26/11/2026"},
		{"extended from 26/11 to 02/12", func(d *domain.Dossier) {
			d.ExtendedDueAt, d.ExtensionReason = due(12, 2), "xác minh"
		}, nil, "", ""},
	}
	for _, s := range []domain.Status{domain.StatusNotAccepted, domain.StatusWithdrawn, domain.StatusStopped,
		domain.StatusDone, domain.StatusReturned} {
		tests = append(tests, struct {
			name string
			edit func(*domain.Dossier)
			to   []string
			days string
			due  string
		}{"ended: " + s.String(), func(d *domain.Dossier) {
			d.Status, d.FinishedAt = s, at(2026, 11, 20, 10, 0)
		}, nil, "", ""})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			d := dossier(code, domain.StatusInProgress, due(11, 26))
			if tt.edit != nil {
				tt.edit(&d)
			}
			f.put(t, d)
			n := run(t, "DueSoon", f.svc.DueSoon, wed)
			got := f.rec.take()
			if n != len(tt.to) || !slices.Equal(recipients(got), tt.to) {
				t.Fatalf("DueSoon = %d, to %v; want %d to %v", n, recipients(got), len(tt.to), tt.to)
			}
			for _, g := range got {
				if want := "due-soon|2026-11-25|" + code + "|" + g.To; g.Key != want {
					t.Errorf("key %q, want %q", g.Key, want)
				}
				first, days := "alert.due_soon", tt.days
				if tt.days == "0" {
					first, days = "alert.due_today", "" // «hạn hôm nay», not «còn 0 ngày»
				}
				if g.Priority != domain.PriorityAlert || len(g.Buttons) != 0 ||
					!slices.Equal(lineKeys(g), []string{first, "alert.dossier"}) {
					t.Errorf("notice %+v", g)
				}
				a := g.Lines[0].Args
				if a["code"] != code || a["days"] != days || a["due"] != tt.due {
					t.Errorf("alert.due_soon args %v, want days %s due %s", a, tt.days, tt.due)
				}
				b := g.Lines[1].Args
				if b["procedure"] != "Đăng ký khai sinh" || b["field"] != d.Field || b["received"] != "02/11/2026" ||
					b["applicant"] != domain.MaskName(d.ApplicantName) || strings.Contains(b["applicant"], "Văn An") {
					t.Errorf("alert.dossier args %v", b)
				}
			}
		})
	}
}

// TestDueSoonDays runs the job over several days on the same dossiers: a
// rerun adds nothing, days off send nothing, the next working day sends
// new keys.
func TestDueSoonDays(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.put(t,
		dossier("H55.20-261102-0025", domain.StatusInProgress, due(11, 25)),
		dossier("H55.20-261102-0026", domain.StatusInProgress, due(11, 26)),
		dossier("H55.20-261102-0027", domain.StatusInProgress, due(11, 27)),
		dossier("H55.20-261102-0030", domain.StatusInProgress, due(11, 30)),
	)
	codesOf := func(ns []domain.Notice) []string {
		var cs []string
		for _, n := range ns {
			days := n.Lines[0].Args["days"]
			if n.Lines[0].Key == "alert.due_today" { // «hạn hôm nay», not «còn 0 ngày»
				days = "0"
			}
			cs = append(cs, n.Lines[0].Args["code"]+"="+days)
		}
		slices.Sort(cs)
		return cs
	}
	wedWant := []string{"H55.20-261102-0025=0", "H55.20-261102-0026=1", "H55.20-261102-0027=2"}

	if n := run(t, "DueSoon", f.svc.DueSoon, wed); n != 3 {
		t.Errorf("Wed: sent %d, want 3", n)
	}
	first := f.rec.take()
	if got := codesOf(first); !slices.Equal(got, wedWant) {
		t.Errorf("Wed: %v, want %v", got, wedWant)
	}

	// Rerun, and a run at 00:30 local (still Wednesday, 17:30 UTC Tuesday):
	// the same keys, nothing new.
	for _, when := range []time.Time{wed.Add(3 * time.Hour), time.Date(2026, 11, 24, 17, 30, 0, 0, time.UTC)} {
		if n := run(t, "DueSoon", f.svc.DueSoon, when); n != 0 {
			t.Errorf("rerun at %s: sent %d, want 0", when, n)
		}
		if again := f.rec.take(); !slices.Equal(keys(again), keys(first)) {
			t.Errorf("rerun at %s keys %v, want %v", when, keys(again), keys(first))
		}
	}

	// Days off: Tue 24/11 (Ngày Văn hóa Việt Nam, also 23:30 local seen from
	// UTC), Sat 28/11, Sun 29/11.
	for _, when := range []time.Time{
		at(2026, 11, 24, 7, 30), time.Date(2026, 11, 24, 16, 30, 0, 0, time.UTC),
		at(2026, 11, 28, 7, 30), at(2026, 11, 29, 7, 30),
	} {
		if n := run(t, "DueSoon", f.svc.DueSoon, when); n != 0 {
			t.Errorf("day off %s: sent %d", when, n)
		}
		if got := f.rec.take(); len(got) != 0 {
			t.Errorf("day off %s: notices %v", when, keys(got))
		}
	}

	// Thu 26/11: the dossier due 25/11 is now overdue; 30/11 comes in.
	thu := at(2026, 11, 26, 7, 30)
	if n := run(t, "DueSoon", f.svc.DueSoon, thu); n != 3 {
		t.Errorf("Thu: sent %d, want 3", n)
	}
	got := f.rec.take()
	if want := []string{"H55.20-261102-0026=0", "H55.20-261102-0027=1", "H55.20-261102-0030=2"}; !slices.Equal(codesOf(got), want) {
		t.Errorf("Thu: %v, want %v", codesOf(got), want)
	}
	for _, n := range got {
		if !strings.HasPrefix(n.Key, "due-soon|2026-11-26|") || slices.Contains(keys(first), n.Key) {
			t.Errorf("Thu key %q: want a new key of 2026-11-26", n.Key)
		}
	}
}
