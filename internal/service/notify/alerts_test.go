package notify_test

import (
	"maps"
	"slices"
	"testing"
	"time"

	"xabot/internal/domain"
)

func TestApologyDuty(t *testing.T) {
	t.Parallel()
	type button struct{ days, date string }
	tests := []struct {
		name    string
		code    string // as stored; the button data uses its canonical form
		edit    func(*domain.Dossier)
		when    time.Time
		to      []string
		left    string
		buttons []button // +3, +5, +10 working days
	}{
		{name: "due Thu 26/11: +3 crosses the weekend", when: wed, to: []string{chatBinh}, left: "1",
			buttons: []button{{"3", "01/12/2026"}, {"5", "03/12/2026"}, {"10", "10/12/2026"}}},
		{name: "due today", edit: func(d *domain.Dossier) { d.DueAt = due(11, 25) }, when: wed, to: []string{chatBinh}, left: "0",
			buttons: []button{{"3", "30/11/2026"}, {"5", "02/12/2026"}, {"10", "09/12/2026"}}},
		{name: "Fri 20/11, due Mon 23/11: +3 crosses the weekend and the 24/11 holiday",
			edit: func(d *domain.Dossier) { d.DueAt = due(11, 23) }, when: at(2026, 11, 20, 7, 30), to: []string{chatBinh}, left: "1",
			buttons: []button{{"3", "27/11/2026"}, {"5", "01/12/2026"}, {"10", "08/12/2026"}}},
		{name: "non-canonical code", code: "h55.20-261102-7", when: wed, to: []string{chatBinh}, left: "1",
			buttons: []button{{"3", "01/12/2026"}, {"5", "03/12/2026"}, {"10", "10/12/2026"}}},
		{name: "routed to the field when the handler is unknown", edit: func(d *domain.Dossier) { d.Handler = "" },
			when: wed, to: []string{chatBinh, chatCuong}, left: "1",
			buttons: []button{{"3", "01/12/2026"}, {"5", "03/12/2026"}, {"10", "10/12/2026"}}},
		{name: "accepted (2)", edit: func(d *domain.Dossier) { d.Status = domain.StatusAccepted }, when: wed, to: []string{chatBinh}, left: "1",
			buttons: []button{{"3", "01/12/2026"}, {"5", "03/12/2026"}, {"10", "10/12/2026"}}},
		{name: "due Fri 27/11: 2 working days", edit: func(d *domain.Dossier) { d.DueAt = due(11, 27) }, when: wed},
		{name: "overdue", edit: func(d *domain.Dossier) { d.DueAt = due(11, 23) }, when: wed},
		{name: "already extended, to Thu 26/11", edit: func(d *domain.Dossier) {
			d.DueAt, d.ExtendedDueAt, d.ExtensionReason = due(11, 20), due(11, 26), "xác minh"
		}, when: wed},
		{name: "supplement requested (5)", edit: func(d *domain.Dossier) { d.Status = domain.StatusSupplementRequested }, when: wed},
		{name: "payment required (6)", edit: func(d *domain.Dossier) { d.Status = domain.StatusPaymentRequired }, when: wed},
		{name: "done (9)", edit: func(d *domain.Dossier) { d.Status, d.FinishedAt = domain.StatusDone, at(2026, 11, 24, 9, 0) }, when: wed},
		{name: "Saturday", when: at(2026, 11, 28, 7, 30)},
		{name: "holiday Tue 24/11", when: at(2026, 11, 24, 7, 30)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			c := tt.code
			if c == "" {
				c = code
			}
			d := dossier(c, domain.StatusInProgress, due(11, 26))
			if tt.edit != nil {
				tt.edit(&d)
			}
			f.put(t, d)
			n := run(t, "ApologyDuty", f.svc.ApologyDuty, tt.when)
			got := f.rec.take()
			if n != len(tt.to) || !slices.Equal(recipients(got), tt.to) {
				t.Fatalf("ApologyDuty = %d to %v; want %d to %v", n, recipients(got), len(tt.to), tt.to)
			}
			canon := domain.CanonicalCode(c)
			day := domain.DateOf(tt.when, hcm).Format("2006-01-02")
			for _, g := range got {
				// The subject is the code, as stored or canonical.
				if g.Key != "apology-duty|"+day+"|"+c+"|"+g.To && g.Key != "apology-duty|"+day+"|"+canon+"|"+g.To {
					t.Errorf("key %q, want apology-duty|%s|%s|%s", g.Key, day, canon, g.To)
				}
				// On the due date the window has passed: said plainly, no «còn 0 ngày».
				wantLines, left := []string{"apology.duty", "alert.dossier", "apology.draft_hint"}, tt.left
				if tt.left == "0" {
					wantLines, left = []string{"apology.duty_late", "alert.dossier", "apology.draft_hint_late"}, ""
				}
				if !slices.Equal(lineKeys(g), wantLines) {
					t.Errorf("lines %v, want %v", lineKeys(g), wantLines)
				}
				if a := g.Lines[0].Args; a["code"] != c || a["days"] != left || a["due"] != d.Due().In(hcm).Format("02/01/2006") {
					t.Errorf("apology.duty args %v", a)
				}
				if len(g.Buttons) != len(tt.buttons) {
					t.Fatalf("buttons %+v, want %v", g.Buttons, tt.buttons)
				}
				for i, b := range g.Buttons {
					w := tt.buttons[i]
					want := map[string]string{"date": w.date, "days": w.days}
					pick := domain.Intent{Kind: domain.IntentExtend, Ref: canon, Arg: w.days}
					if b.Key != "apology.choose" || b.Intent != pick || !maps.Equal(b.Args, want) {
						t.Errorf("button %d = %+v, want %+v args %v", i, b, pick, want)
					}
				}
			}
			// Idempotent: the same day again sends nothing new.
			if n := run(t, "ApologyDuty", f.svc.ApologyDuty, tt.when.Add(time.Hour)); n != 0 {
				t.Errorf("rerun sent %d", n)
			}
		})
	}
}

// overdueItem is one alert.overdue_item line, compactly.
func overdueItems(n domain.Notice) []string {
	var out []string
	for _, l := range n.Lines[1:] {
		switch l.Key {
		case "alert.overdue_item":
			out = append(out, l.Args["code"]+" "+l.Args["days"]+" "+l.Args["handler"])
		case "alert.overdue_item_nobody": // «chưa giao ai»
			out = append(out, l.Args["code"]+" "+l.Args["days"]+" nobody")
		default:
			out = append(out, "unexpected "+l.Key)
		}
	}
	return out
}

func TestOverdue(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	withField := func(d domain.Dossier, field, handler string) domain.Dossier {
		d.Field, d.Handler = field, handler
		return d
	}
	extended := dossier("H55.20-261102-0009", domain.StatusInProgress, due(11, 18))
	extended.ExtendedDueAt, extended.ExtensionReason = due(11, 30), "xác minh"
	f.put(t,
		// Hộ tịch: two overdue, 2 and 1 working days (Tue 24/11 is a holiday).
		dossier("H55.20-261102-0001", domain.StatusInProgress, due(11, 20)),
		withField(dossier("H55.20-261102-0002", domain.StatusAccepted, due(11, 23)), "Hộ tịch", ""),
		// Waiting on the applicant: not the commune's delay.
		dossier("H55.20-261102-0003", domain.StatusSupplementRequested, due(11, 19)),
		dossier("H55.20-261102-0004", domain.StatusPaymentRequired, due(11, 20)),
		// Not overdue: due today, ended, extended.
		dossier("H55.20-261102-0005", domain.StatusInProgress, due(11, 25)),
		dossier("H55.20-261102-0006", domain.StatusDone, due(11, 20)),
		extended,
		// Đất đai: no active official (revoked, unbound): the head. Wed
		// 18/11 is 4 working days late on Wed 25/11.
		withField(dossier("H55.20-261102-0007", domain.StatusInProgress, due(11, 18)), "Đất đai", "Võ Thị Phương"),
		// Chứng thực: Lê Văn Cường's.
		withField(dossier("H55.20-261102-0008", domain.StatusInProgress, due(11, 23)), "Chứng thực", "Lê Văn Cường"),
	)
	want := map[string]struct {
		field, count string
		items        []string
	}{
		"overdue|2026-11-25|Hộ tịch|" + chatBinh: {"Hộ tịch", "2", []string{
			"H55.20-261102-0001 2 Trần Thị Bình", "H55.20-261102-0002 1 nobody"}},
		"overdue|2026-11-25|Hộ tịch|" + chatCuong: {"Hộ tịch", "2", []string{
			"H55.20-261102-0001 2 Trần Thị Bình", "H55.20-261102-0002 1 nobody"}},
		"overdue|2026-11-25|Chứng thực|" + chatCuong: {"Chứng thực", "1", []string{"H55.20-261102-0008 1 Lê Văn Cường"}},
		"overdue|2026-11-25|Đất đai|" + chatHead:     {"Đất đai", "1", []string{"H55.20-261102-0007 4 Võ Thị Phương"}},
	}
	summaryKey := "overdue-summary|2026-11-25|all|" + chatChair

	if n := run(t, "Overdue", f.svc.Overdue, wed); n != len(want)+1 {
		t.Errorf("Overdue sent %d, want %d", n, len(want)+1)
	}
	got := f.rec.take()
	wantKeys := append(slices.Collect(maps.Keys(want)), summaryKey)
	slices.Sort(wantKeys)
	if !slices.Equal(keys(got), wantKeys) {
		t.Fatalf("keys\n%v\nwant\n%v", keys(got), wantKeys)
	}
	for _, g := range got {
		if g.Priority != domain.PriorityAlert || len(g.Buttons) != 0 {
			t.Errorf("%s: priority %d buttons %v", g.Key, g.Priority, g.Buttons)
		}
		if g.Key == summaryKey {
			wantLines := []domain.Line{
				domain.L("alert.summary_head", "count", "4", "date", "25/11/2026"),
				// Vietnamese order: Đ after D, before H.
				domain.L("alert.summary_item", "field", "Chứng thực", "count", "1"),
				domain.L("alert.summary_item", "field", "Đất đai", "count", "1"),
				domain.L("alert.summary_item", "field", "Hộ tịch", "count", "2"),
			}
			if !slices.EqualFunc(g.Lines, wantLines, func(a, b domain.Line) bool { return a.Key == b.Key && maps.Equal(a.Args, b.Args) }) {
				t.Errorf("summary %+v\nwant %+v", g.Lines, wantLines)
			}
			continue
		}
		w := want[g.Key]
		head := g.Lines[0]
		if head.Key != "alert.overdue_head" || head.Args["field"] != w.field || head.Args["count"] != w.count ||
			head.Args["date"] != "25/11/2026" {
			t.Errorf("%s: head %+v", g.Key, head)
		}
		if items := overdueItems(g); !slices.Equal(items, w.items) {
			t.Errorf("%s: items %v, want %v", g.Key, items, w.items)
		}
		if p := g.Lines[1].Args["procedure"]; p != "Đăng ký khai sinh" {
			t.Errorf("%s: procedure %q", g.Key, p)
		}
	}

	// Idempotent: the same day again sends nothing new, the same keys.
	if n := run(t, "Overdue", f.svc.Overdue, wed.Add(2*time.Hour)); n != 0 {
		t.Errorf("rerun sent %d", n)
	}
	if again := f.rec.take(); !slices.Equal(keys(again), wantKeys) {
		t.Errorf("rerun keys %v", keys(again))
	}
	// Days off send nothing.
	for _, when := range []time.Time{at(2026, 11, 24, 7, 30), at(2026, 11, 28, 7, 30)} {
		if n := run(t, "Overdue", f.svc.Overdue, when); n != 0 || len(f.rec.take()) != 0 {
			t.Errorf("day off %s: sent %d", when, n)
		}
	}
}

func TestOverdueNothingOverdue(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.put(t,
		dossier("H55.20-261102-0001", domain.StatusInProgress, due(11, 25)),
		dossier("H55.20-261102-0002", domain.StatusInProgress, due(11, 26)),
		dossier("H55.20-261102-0003", domain.StatusSupplementRequested, due(11, 10)),
		dossier("H55.20-261102-0004", domain.StatusReturned, due(11, 10)),
	)
	if n := run(t, "Overdue", f.svc.Overdue, wed); n != 0 {
		t.Errorf("sent %d", n)
	}
	if got := f.rec.take(); len(got) != 0 {
		t.Errorf("notices %v, want none (not even the chairman's summary)", keys(got))
	}
}

// TestDueSoonKeyIgnoresCodeSpelling: the same dossier re-imported with its
// code spelt another way ("h55.20-261102-7") must not be alerted twice the
// same day. The keys use d.Code as stored instead of its canonical form.
func TestDueSoonKeyIgnoresCodeSpelling(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.put(t, dossier("H55.20-261102-0007", domain.StatusInProgress, due(11, 26)))
	run(t, "DueSoon", f.svc.DueSoon, wed)
	run(t, "ApologyDuty", f.svc.ApologyDuty, wed)
	f.rec.take()
	f.put(t, dossier("h55.20-261102-7", domain.StatusInProgress, due(11, 26))) // same code_key
	for name, j := range map[string]job{"DueSoon": f.svc.DueSoon, "ApologyDuty": f.svc.ApologyDuty} {
		if n := run(t, name, j, wed.Add(time.Hour)); n != 0 {
			t.Errorf("%s rerun after respelling sent %d new: %v", name, n, keys(f.rec.take()))
		}
	}
}

// TestOverdueFieldSpelling: dossiers of one field spelt two ways ("Hộ tịch",
// "hộ tịch"), which routing treats as one field, must make one list.
func TestOverdueFieldSpelling(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	b := dossier("H55.20-261102-0002", domain.StatusInProgress, due(11, 20))
	b.Field = "hộ tịch"
	f.put(t, dossier("H55.20-261102-0001", domain.StatusInProgress, due(11, 20)), b)
	run(t, "Overdue", f.svc.Overdue, wed)
	var toBinh []domain.Notice
	for _, n := range f.rec.take() {
		if n.To == chatBinh {
			toBinh = append(toBinh, n)
		}
	}
	if len(toBinh) != 1 || len(toBinh[0].Lines) != 3 {
		t.Errorf("Hộ tịch official got %d lists, want one of 2 dossiers: %v", len(toBinh), keys(toBinh))
	}
}
