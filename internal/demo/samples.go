package demo

import (
	"slices"
	"time"

	"xabot/internal/domain"
)

// Sample is a demo dossier worth trying: its code, the phone that unlocks
// it, and what makes it interesting.
type Sample struct {
	Code, Phone       string
	Status            domain.Status
	Overdue, Extended bool
	ProcedureName     string
}

// showcaseSpec is one dossier the demo always has.
type showcaseSpec struct {
	status   domain.Status
	proc     string // code of the procedure, without the province suffix
	ago      int    // received this many working days before today
	finished int    // end states: finished this many working days before today
	intake   domain.Intake
	family   bool // from the household that has other dossiers
	extended bool
}

func showcaseSpecs() []showcaseSpec {
	const (
		direct = domain.IntakeDirect
		online = domain.IntakeOnline
		postal = domain.IntakePostal
	)
	return []showcaseSpec{
		{domain.StatusInProgress, "1.000894", 1, 0, direct, true, false},   // due in 2 working days
		{domain.StatusInProgress, "1.004873", 7, 0, direct, false, false},  // 4 working days overdue
		{domain.StatusInProgress, "1.003554", 19, 0, direct, false, false}, // overdue land mediation
		{domain.StatusInProgress, "1.004859", 2, 0, online, false, false},  // due tomorrow
		{domain.StatusAccepted, "1.000502", 1, 0, direct, false, false},    // due in 4 working days
		{domain.StatusSupplementRequested, "1.004884", 2, 0, direct, false, false},
		{domain.StatusPaymentRequired, "2.001035", 1, 0, direct, false, false},
		{domain.StatusDone, "2.000635", 2, 1, online, true, false},
		{domain.StatusInProgress, "1.009794", 16, 0, direct, false, true}, // past its first date, extended
		{domain.StatusNew, "1.001193", 1, 0, online, false, false},
		{domain.StatusNotAccepted, "2.000884", 20, 20, direct, false, false},
		{domain.StatusWithdrawn, "1.001776", 30, 25, direct, false, false},
		{domain.StatusStopped, "1.001653", 40, 20, direct, false, false},
		{domain.StatusReturned, "2.000815", 10, 10, postal, false, false},
	}
}

// showcase adds the dossiers the demo promises whatever the dice say: one
// in each status, some overdue, some due within the week, one extended.
// Two of them belong to a family that has other dossiers too.
func (g *gen) showcase() {
	family := g.households[0]
	for _, h := range g.households {
		if h.used > 0 {
			family = h
			break
		}
	}
	for _, s := range showcaseSpecs() {
		p := g.procByCode(s.proc)
		day := g.subWorkingDays(g.today, s.ago)
		h := pick(g.rng, g.households)
		if s.family {
			h = family
		}
		d := g.draft(day, p, s.intake, h)
		finished := g.subWorkingDays(g.today, s.finished)
		switch s.status {
		case domain.StatusSupplementRequested:
			d.Status, d.Note = s.status, supplementNote(p.Field)
		case domain.StatusPaymentRequired:
			d.Status, d.Note = s.status, payNote(p.fee)
		case domain.StatusDone:
			g.end(&d, s.status, finished, noteCollect)
		case domain.StatusNotAccepted:
			g.end(&d, s.status, finished, noteNotAccepted)
		case domain.StatusWithdrawn:
			g.end(&d, s.status, finished, noteWithdrawn)
		case domain.StatusStopped:
			g.end(&d, s.status, finished, noteStopped)
		case domain.StatusReturned:
			g.end(&d, s.status, finished, notePostReturned)
			d.ReturnedAt = g.timeAfter(g.cal.AddWorkingDays(finished, 1), d.FinishedAt)
		default:
			d.Status = s.status
		}
		if s.extended {
			d.ExtendedDueAt = g.at(g.cal.AddWorkingDays(g.today, 3), 0, 0)
			d.ExtensionReason = extensionReasons()[2]
		}
		g.add(d)
	}
}

// Samples picks dossiers of c to try in the demo, newest first: one in
// progress, one overdue, one due within the week, one waiting for
// documents, one with its result ready, one extended, and, if none of
// those has it, one whose phone has other dossiers ("my dossiers").
func Samples(c Commune, now time.Time, loc *time.Location) []Sample {
	if loc == nil {
		loc = time.UTC
	}
	today := domain.DateOf(now, loc)
	perPhone := map[string]int{}
	for _, d := range c.Dossiers {
		perPhone[d.Phone]++
	}
	newest := slices.Clone(c.Dossiers)
	slices.SortStableFunc(newest, func(a, b domain.Dossier) int { return b.ReceivedAt.Compare(a.ReceivedAt) })

	wanted := []func(d domain.Dossier) bool{
		func(d domain.Dossier) bool {
			return d.Status == domain.StatusInProgress && !d.Overdue(now, loc) && !d.Extended()
		},
		func(d domain.Dossier) bool { return d.Overdue(now, loc) },
		func(d domain.Dossier) bool { // within seven days: Samples has no calendar
			due := domain.DateOf(d.Due(), loc)
			return !d.Status.Ended() && due.After(today) && !due.After(today.AddDate(0, 0, 7))
		},
		func(d domain.Dossier) bool { return d.Status == domain.StatusSupplementRequested },
		func(d domain.Dossier) bool { return d.Status == domain.StatusDone },
		func(d domain.Dossier) bool { return d.Extended() && !d.Status.Ended() },
	}
	var out []Sample
	taken := map[string]bool{}
	family := false
	take := func(match func(domain.Dossier) bool) {
		for _, d := range newest {
			if !taken[d.Code] && match(d) {
				taken[d.Code] = true
				family = family || perPhone[d.Phone] > 1
				out = append(out, Sample{Code: d.Code, Phone: d.Phone, Status: d.Status,
					Overdue: d.Overdue(now, loc), Extended: d.Extended(), ProcedureName: d.ProcedureName})
				return
			}
		}
	}
	for _, w := range wanted {
		take(w)
	}
	if !family {
		take(func(d domain.Dossier) bool { return perPhone[d.Phone] > 1 })
	}
	return out
}
