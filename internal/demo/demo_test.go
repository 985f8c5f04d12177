package demo

import (
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"xabot/internal/domain"
)

func hcm(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// testCalendar has the 2025 holidays around 30 April and the swapped
// Saturday, so the generator meets a real calendar's quirks.
func testCalendar() *domain.Calendar {
	d := func(m time.Month, day int) time.Time { return time.Date(2025, m, day, 0, 0, 0, 0, time.UTC) }
	return domain.NewCalendar(
		[]time.Time{d(4, 30), d(5, 1), d(5, 2), d(9, 1), d(9, 2), d(1, 1)},
		[]time.Time{d(4, 26)},
	)
}

// nows are the moments the tests generate at: a Monday, a Sunday, just
// after a holiday, and an early morning.
func nows(loc *time.Location) []time.Time {
	return []time.Time{
		time.Date(2025, 11, 24, 10, 0, 0, 0, loc),
		time.Date(2025, 11, 30, 20, 0, 0, 0, loc),
		time.Date(2025, 5, 5, 9, 0, 0, 0, loc),
		time.Date(2026, 1, 2, 6, 0, 0, 0, loc),
	}
}

func TestDeterministic(t *testing.T) {
	loc := hcm(t)
	cal := testCalendar()
	a := Generate(time.Date(2025, 11, 24, 8, 0, 0, 0, loc), loc, cal)
	b := Generate(time.Date(2025, 11, 24, 23, 59, 0, 0, loc), loc, cal) // same local date
	if !reflect.DeepEqual(a, b) {
		t.Error("Generate differs within one local date")
	}
	c := Generate(time.Date(2025, 11, 25, 8, 0, 0, 0, loc), loc, cal)
	if reflect.DeepEqual(a.Dossiers, c.Dossiers) {
		t.Error("Generate is the same on two dates")
	}
}

func TestCommune(t *testing.T) {
	loc := hcm(t)
	cal := testCalendar()
	codeShape := regexp.MustCompile(`^H55\.20-\d{6}-\d{4}$`)
	fourDigits := regexp.MustCompile(`^\d{4}$`)
	for _, now := range nows(loc) {
		c := Generate(now, loc, cal)
		today := domain.DateOf(now, loc)
		start := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, loc)
		name := now.Format("2006-01-02")

		if len(c.Villages) != 7 || len(c.Fields) < 10 || len(c.Procedures) < 38 {
			t.Errorf("%s: %d villages, %d fields, %d procedures", name, len(c.Villages), len(c.Fields), len(c.Procedures))
		}
		if n := len(c.Dossiers); n < 400 || n > 650 {
			t.Errorf("%s: %d dossiers, want about 500", name, n)
		}
		procs := map[string]domain.Procedure{}
		for _, p := range c.Procedures {
			if _, dup := procs[p.Code]; dup {
				t.Errorf("%s: procedure code %s twice", name, p.Code)
			}
			procs[p.Code] = p
			if _, err := domain.ParseCode(p.Code); err == nil || p.Days < 0 || p.Days > 15 {
				t.Errorf("%s: procedure %+v: a dossier code or bad days", name, p)
			}
		}

		statuses := map[domain.Status]int{}
		intakes := map[domain.Intake]int{}
		perPhone := map[string]int{}
		codes := map[string]bool{}
		overdue, dueSoon, extended := 0, 0, 0
		soon := cal.AddWorkingDays(today, 5)
		for _, d := range c.Dossiers {
			statuses[d.Status]++
			intakes[d.Intake]++
			perPhone[d.Phone]++
			if codes[d.Code] {
				t.Errorf("%s: code %s twice", name, d.Code)
			}
			codes[d.Code] = true
			if got, err := domain.ParseCode(d.Code); err != nil || got != d.Code || !codeShape.MatchString(d.Code) {
				t.Errorf("%s: code %q: ParseCode = %q, %v", name, d.Code, got, err)
			}
			if day := d.ReceivedAt.In(loc).Format("060102"); !strings.Contains(d.Code, "-"+day+"-") {
				t.Errorf("%s: code %s received %v", name, d.Code, d.ReceivedAt.In(loc))
			}
			if p, ok := domain.NormalizePhone(d.Phone); !ok || p != d.Phone || len(p) != 10 {
				t.Errorf("%s: %s: phone not a normalised mobile", name, d.Code)
			}
			if p, ok := procs[d.ProcedureCode]; !ok || p.Name != d.ProcedureName || p.Field != d.Field {
				t.Errorf("%s: %s: procedure %s not in the catalogue", name, d.Code, d.ProcedureCode)
			}
			if len(strings.Fields(d.ApplicantName)) < 3 || d.Handler == "" || d.Village == "" {
				t.Errorf("%s: %s: applicant %d words, handler %q, village %q", name, d.Code,
					len(strings.Fields(d.ApplicantName)), d.Handler, d.Village)
			}
			if d.IDLast4 != "" && !fourDigits.MatchString(d.IDLast4) {
				t.Errorf("%s: %s: IDLast4 not four digits", name, d.Code)
			}
			if !d.Status.Valid() || d.Intake < 1 || d.Intake > 3 {
				t.Errorf("%s: %s: status %d intake %d", name, d.Code, d.Status, d.Intake)
			}
			if d.Status.Ended() != !d.FinishedAt.IsZero() {
				t.Errorf("%s: %s: status %v finished %v", name, d.Code, d.Status, d.FinishedAt)
			}
			if (d.Status == domain.StatusReturned) != !d.ReturnedAt.IsZero() {
				t.Errorf("%s: %s: status %v returned %v", name, d.Code, d.Status, d.ReturnedAt)
			}
			checkTimes(t, name, d, start, loc, cal)
			if (d.Status == domain.StatusSupplementRequested || d.Status == domain.StatusPaymentRequired ||
				d.Status == domain.StatusDone) && d.Note == "" {
				t.Errorf("%s: %s: status %v without a note", name, d.Code, d.Status)
			}
			if d.Status == domain.StatusDone && !strings.Contains(d.Note, "Trung tâm Phục vụ hành chính công xã") {
				t.Errorf("%s: %s: done, note %q", name, d.Code, d.Note)
			}
			if d.Status == domain.StatusPaymentRequired && !strings.Contains(d.Note, "đồng") {
				t.Errorf("%s: %s: payment note %q", name, d.Code, d.Note)
			}
			if d.Extended() != (d.ExtensionReason != "") {
				t.Errorf("%s: %s: extended %v reason %q", name, d.Code, d.ExtendedDueAt, d.ExtensionReason)
			}
			if d.Extended() {
				extended++
			}
			if d.Overdue(now, loc) {
				overdue++
			}
			due := domain.DateOf(d.Due(), loc)
			if !d.Status.Ended() && due.After(today) && !due.After(soon) {
				dueSoon++
			}
		}
		for s := domain.StatusNew; s <= domain.StatusReturned; s++ {
			if statuses[s] == 0 {
				t.Errorf("%s: no dossier in status %v", name, s)
			}
		}
		if overdue < 2 || dueSoon < 2 || extended < 1 {
			t.Errorf("%s: %d overdue, %d due within 5 working days, %d extended", name, overdue, dueSoon, extended)
		}
		n := float64(len(c.Dossiers))
		if direct := float64(intakes[domain.IntakeDirect]) / n; direct < 0.6 || direct > 0.8 {
			t.Errorf("%s: %.0f%% direct, want about 70%%", name, 100*direct)
		}
		if online := float64(intakes[domain.IntakeOnline]) / n; online < 0.2 || online > 0.36 {
			t.Errorf("%s: %.0f%% online, want about 28%%", name, 100*online)
		}
		if intakes[domain.IntakePostal] == 0 || intakes[domain.IntakePostal] > 10 {
			t.Errorf("%s: %d postal, want a couple", name, intakes[domain.IntakePostal])
		}
		if resolved := statuses[domain.StatusDone] + statuses[domain.StatusReturned]; float64(resolved)/n < 0.8 {
			t.Errorf("%s: only %d of %.0f done or returned", name, resolved, n)
		}
		shared := 0
		for _, k := range perPhone {
			if k > 1 {
				shared++
			}
		}
		if shared < 10 {
			t.Errorf("%s: %d phones with several dossiers, want families", name, shared)
		}
	}
}

// checkTimes checks d's times: received on a working day in office hours,
// everything before the local date of now, in order, and UTC.
func checkTimes(t *testing.T, name string, d domain.Dossier, start time.Time, loc *time.Location, cal *domain.Calendar) {
	t.Helper()
	for _, tm := range []time.Time{d.ReceivedAt, d.FinishedAt, d.ReturnedAt} {
		if !tm.IsZero() && (!tm.Before(start) || tm.Location() != time.UTC) {
			t.Errorf("%s: %s: time %v not before %v or not UTC", name, d.Code, tm, start)
		}
	}
	local := d.ReceivedAt.In(loc)
	if minutes := local.Hour()*60 + local.Minute(); minutes < 7*60+30 || minutes >= 17*60 ||
		!cal.IsWorkingDay(domain.DateOf(d.ReceivedAt, loc)) {
		t.Errorf("%s: %s: received %v, not in office hours on a working day", name, d.Code, local)
	}
	if !start.AddDate(-2, 0, -1).Before(d.ReceivedAt) {
		t.Errorf("%s: %s: received %v, more than two years ago", name, d.Code, local)
	}
	if domain.DateOf(d.DueAt, loc).Before(domain.DateOf(d.ReceivedAt, loc)) {
		t.Errorf("%s: %s: due %v before received %v", name, d.Code, d.DueAt, d.ReceivedAt)
	}
	if h, m, _ := d.DueAt.In(loc).Clock(); h != 0 || m != 0 || !cal.IsWorkingDay(domain.DateOf(d.DueAt, loc)) {
		t.Errorf("%s: %s: due %v, not 00:00 of a working day", name, d.Code, d.DueAt.In(loc))
	}
	if d.Extended() && !d.ExtendedDueAt.After(d.DueAt) {
		t.Errorf("%s: %s: extended to %v, not after %v", name, d.Code, d.ExtendedDueAt, d.DueAt)
	}
	if !d.FinishedAt.IsZero() && !d.FinishedAt.After(d.ReceivedAt) {
		t.Errorf("%s: %s: finished %v before received %v", name, d.Code, d.FinishedAt, d.ReceivedAt)
	}
	if !d.ReturnedAt.IsZero() && !d.ReturnedAt.After(d.FinishedAt) {
		t.Errorf("%s: %s: returned %v before finished %v", name, d.Code, d.ReturnedAt, d.FinishedAt)
	}
}

func TestSamples(t *testing.T) {
	loc := hcm(t)
	for _, now := range nows(loc) {
		c := Generate(now, loc, testCalendar())
		samples := Samples(c, now, loc)
		name := now.Format("2006-01-02")
		if len(samples) < 6 {
			t.Errorf("%s: %d samples, want at least 6: %+v", name, len(samples), samples)
		}
		byCode := map[string]domain.Dossier{}
		perPhone := map[string]int{}
		for _, d := range c.Dossiers {
			byCode[d.Code] = d
			perPhone[d.Phone]++
		}
		var overdue, extended, family bool
		statuses := map[domain.Status]bool{}
		seen := map[string]bool{}
		for _, s := range samples {
			d, ok := byCode[s.Code]
			if !ok || d.Phone != s.Phone || d.Status != s.Status || d.ProcedureName != s.ProcedureName ||
				d.Overdue(now, loc) != s.Overdue || d.Extended() != s.Extended {
				t.Errorf("%s: sample %+v does not match its dossier", name, s)
			}
			if seen[s.Code] {
				t.Errorf("%s: sample %s twice", name, s.Code)
			}
			seen[s.Code] = true
			statuses[s.Status] = true
			overdue = overdue || s.Overdue
			extended = extended || s.Extended
			family = family || perPhone[s.Phone] > 1
		}
		for _, st := range []domain.Status{domain.StatusInProgress, domain.StatusSupplementRequested, domain.StatusDone} {
			if !statuses[st] {
				t.Errorf("%s: no sample in status %v", name, st)
			}
		}
		if !overdue || !extended || !family {
			t.Errorf("%s: samples overdue %v, extended %v, shared phone %v", name, overdue, extended, family)
		}
	}
}

func TestShowcaseProcedures(t *testing.T) {
	g := &gen{procs: procedures()}
	for _, s := range showcaseSpecs() {
		p := g.procByCode(s.proc)
		if !strings.HasPrefix(p.Code, s.proc+".") {
			t.Errorf("procByCode(%s) = %s", s.proc, p.Code)
		}
		if s.status == domain.StatusPaymentRequired && p.fee == 0 {
			t.Errorf("payment showcase %s: the procedure has no fee", s.proc)
		}
	}
}

func TestThousands(t *testing.T) {
	tests := map[int]string{0: "0", 999: "999", 2000: "2.000", 50000: "50.000", 1234567: "1.234.567"}
	for n, want := range tests {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}
