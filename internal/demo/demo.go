// Package demo generates the seeded demo commune that `xabot demo` runs on:
// a commune modelled on xã Hành Dũng (Quảng Ngãi) from the seed report, with
// its villages, one-stop fields, about forty commune-level procedures and
// about 500 dossiers received over the two years before today, in every
// status, some overdue and some due this week. The output depends only on
// the local date of now, so a demo is reproducible within a day. It imports
// only internal/domain.
package demo

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"xabot/internal/domain"
)

// Commune is a generated demo commune.
type Commune struct {
	Name       string
	Villages   []string
	Fields     []string
	Procedures []domain.Procedure
	Dossiers   []domain.Dossier // by received time; codes "H55.20-yyMMdd-NNNN"
}

// agency is the demo commune's electronic identifier, the first part of its
// dossier codes.
const agency = "H55.20"

// household is a family: the dossiers of its members share one phone, so
// "my dossiers" lists more than one.
type household struct {
	family  string
	village string
	phone   string
	used    int // dossiers so far
}

// gen holds the state of one generation.
type gen struct {
	rng        *rand.Rand
	loc        *time.Location
	cal        *domain.Calendar
	today      time.Time // local date as midnight UTC, like domain.DateOf
	yesterday  time.Time // the last working day before today
	procs      []proc
	totalW     int
	households []*household
	dossiers   []domain.Dossier
}

// Generate builds the demo commune as of now: dossiers are received on the
// working days of cal in the two years before now's local date (in loc),
// and every time in them is before that date. Appointments (DueAt,
// ExtendedDueAt) are 00:00 local of their day, as the import stores
// date-only values.
func Generate(now time.Time, loc *time.Location, cal *domain.Calendar) Commune {
	if loc == nil {
		loc = time.UTC
	}
	if cal == nil {
		cal = domain.NewCalendar(nil, nil)
	}
	today := domain.DateOf(now, loc)
	y, m, d := today.Date()
	g := &gen{
		rng:   rand.New(rand.NewPCG(uint64(y*10000+int(m)*100+d), 0x78616230)), // the date is the seed
		loc:   loc,
		cal:   cal,
		today: today,
		procs: procedures(),
	}
	g.yesterday = g.subWorkingDays(today, 1)
	for _, p := range g.procs {
		g.totalW += p.weight
	}
	g.makeHouseholds(400)

	for day := today.AddDate(-2, 0, 0); day.Before(today); day = day.AddDate(0, 0, 1) {
		if !cal.IsWorkingDay(day) {
			continue
		}
		for range g.perDay() {
			g.add(g.random(day))
		}
	}
	g.showcase()

	c := Commune{Name: communeName(), Villages: villages(), Fields: fields(), Dossiers: g.numbered()}
	for _, p := range g.procs {
		c.Procedures = append(c.Procedures, p.entry())
	}
	return c
}

// perDay draws how many dossiers a working day brings: about one, so two
// years make about 500.
func (g *gen) perDay() int {
	switch r := g.rng.IntN(100); {
	case r < 38:
		return 0
	case r < 74:
		return 1
	case r < 92:
		return 2
	}
	return 3
}

func (g *gen) makeHouseholds(n int) {
	seen := map[string]bool{}
	vs := villages()
	prefixes := mobilePrefixes()
	for len(g.households) < n {
		phone := fmt.Sprintf("%s%07d", pick(g.rng, prefixes), g.rng.IntN(10_000_000))
		if seen[phone] {
			continue
		}
		seen[phone] = true
		g.households = append(g.households, &household{
			family: pick(g.rng, familyNames()), village: pick(g.rng, vs), phone: phone,
		})
	}
}

// applicant fills d's applicant from household h: a family member.
func (g *gen) applicant(d *domain.Dossier, h *household) {
	female := g.rng.IntN(2) == 0
	d.ApplicantName = h.family + " " + pick(g.rng, middleNames(female)) + " " + pick(g.rng, givenNames(female))
	d.Phone, d.Village = h.phone, h.village
	if g.rng.IntN(10) < 6 { // the ID number is not always in the export
		d.IDLast4 = fmt.Sprintf("%04d", g.rng.IntN(10000))
	}
	h.used++
}

func (g *gen) procedure() proc {
	n := g.rng.IntN(g.totalW)
	for _, p := range g.procs {
		if n < p.weight {
			return p
		}
		n -= p.weight
	}
	return g.procs[0]
}

// procByCode finds a procedure by the start of its code. The showcase asks
// only for codes of the catalogue (a test checks); the first procedure
// stands in for a typo rather than a panic.
func (g *gen) procByCode(prefix string) proc {
	for _, p := range g.procs {
		if strings.HasPrefix(p.Code, prefix+".") {
			return p
		}
	}
	return g.procs[0]
}

// draft returns a dossier of p from household h, received on day (a
// working day) in office hours, with its appointment and handler, not yet
// settled or numbered.
func (g *gen) draft(day time.Time, p proc, intake domain.Intake, h *household) domain.Dossier {
	d := domain.Dossier{
		ProcedureCode: p.Code, ProcedureName: p.Name, Field: p.Field, Handler: handler(p.Field),
		Intake: intake, ReceivedAt: g.officeTime(day),
		DueAt: g.at(g.cal.AddWorkingDays(day, p.Days), 0, 0),
	}
	g.applicant(&d, h)
	return d
}

// random returns a dossier received on day, in a status that fits its age.
func (g *gen) random(day time.Time) domain.Dossier {
	p := g.procedure()
	intake := domain.IntakeDirect
	switch r := g.rng.IntN(1000); {
	case r < 4:
		intake = domain.IntakePostal
	case r < 284:
		intake = domain.IntakeOnline
	}
	d := g.draft(day, p, intake, pick(g.rng, g.households))
	// Recent: received in the last two weeks or due in the last few days.
	due := domain.DateOf(d.DueAt, g.loc)
	if due.Before(g.subWorkingDays(g.today, 3)) && day.Before(g.subWorkingDays(g.today, 10)) {
		g.settleOld(&d, p, day, due)
	} else {
		g.settleRecent(&d, p, day, due)
	}
	return d
}

// settleOld gives a dossier whose appointment is well past an end state:
// mostly resolved early, about 3% late, a few withdrawn, refused, stopped.
func (g *gen) settleOld(d *domain.Dossier, p proc, day, due time.Time) {
	switch r := g.rng.IntN(1000); {
	case r < 7:
		g.end(d, domain.StatusWithdrawn, g.between(day, due), noteWithdrawn)
		return
	case r < 17:
		g.end(d, domain.StatusNotAccepted, day, noteNotAccepted)
		return
	case r < 22:
		g.end(d, domain.StatusStopped, g.between(day, due), noteStopped)
		return
	}
	var finished time.Time
	switch {
	case g.rng.IntN(100) < 3: // late
		finished = g.cal.AddWorkingDays(due, 1+g.rng.IntN(4))
		if g.rng.IntN(10) < 3 { // apologised and extended, still late by the original date
			d.ExtendedDueAt = g.at(g.cal.AddWorkingDays(due, 3+g.rng.IntN(3)), 0, 0)
			d.ExtensionReason = pick(g.rng, extensionReasons())
		}
	case p.Days > 0 && g.rng.IntN(100) < 97: // early
		finished = g.cal.AddWorkingDays(day, g.rng.IntN(p.Days))
	default: // on the day
		finished = due
	}
	g.resolve(d, finished, 96)
}

// settleRecent gives a dossier whose appointment is near or ahead a status
// of work in hand, or a result already out.
func (g *gen) settleRecent(d *domain.Dossier, p proc, day, due time.Time) {
	done := 25
	if due.Before(g.today) {
		done = 85 // most of those past their day are finished; the rest are overdue
	}
	if g.rng.IntN(100) < done {
		g.resolve(d, g.between(day, due), 50)
		return
	}
	switch r := g.rng.IntN(100); {
	case r < 10 && d.Intake == domain.IntakeOnline:
		d.Status = domain.StatusNew
	case r < 28:
		d.Status = domain.StatusAccepted
	case r < 45:
		d.Status, d.Note = domain.StatusSupplementRequested, supplementNote(p.Field)
	case r < 57 && p.fee > 0:
		d.Status, d.Note = domain.StatusPaymentRequired, payNote(p.fee)
	default:
		d.Status = domain.StatusInProgress
	}
	if !due.Before(g.subWorkingDays(g.today, 3)) && !due.After(g.cal.AddWorkingDays(g.today, 2)) &&
		g.rng.IntN(10) == 0 {
		d.ExtendedDueAt = g.at(g.cal.AddWorkingDays(due, 3+g.rng.IntN(3)), 0, 0)
		d.ExtensionReason = pick(g.rng, extensionReasons())
	}
}

// resolve finishes d on date finished (capped at yesterday); it is handed
// over (status 10) with probability returnedPct%, else waits (status 9).
func (g *gen) resolve(d *domain.Dossier, finished time.Time, returnedPct int) {
	if finished.After(g.yesterday) {
		finished = g.yesterday
	}
	if g.rng.IntN(100) >= returnedPct {
		g.end(d, domain.StatusDone, finished, noteCollect)
		return
	}
	note := ""
	if d.Intake == domain.IntakePostal {
		note = notePostReturned
	}
	g.end(d, domain.StatusReturned, finished, note)
	returned := g.cal.AddWorkingDays(finished, g.rng.IntN(3))
	if returned.After(g.yesterday) {
		returned = g.yesterday
	}
	d.ReturnedAt = g.timeAfter(returned, d.FinishedAt)
}

// end puts d in end state s, finished on date at office hours after its
// reception.
func (g *gen) end(d *domain.Dossier, s domain.Status, date time.Time, note string) {
	d.Status, d.Note = s, note
	d.FinishedAt = g.timeAfter(date, d.ReceivedAt)
}

// numbered sorts the dossiers by reception and gives them their codes, with
// the daily sequence of the one-door system.
func (g *gen) numbered() []domain.Dossier {
	ds := g.dossiers
	slices.SortStableFunc(ds, func(a, b domain.Dossier) int { return a.ReceivedAt.Compare(b.ReceivedAt) })
	seq, last := 0, ""
	for i := range ds {
		day := ds[i].ReceivedAt.In(g.loc).Format("060102")
		if day != last {
			seq, last = 0, day
		}
		seq++
		ds[i].Code = fmt.Sprintf("%s-%s-%04d", agency, day, seq)
	}
	return ds
}

func (g *gen) add(d domain.Dossier) { g.dossiers = append(g.dossiers, d) }

// at is hour:minute local on date (a midnight-UTC date value), in UTC.
func (g *gen) at(date time.Time, hour, minute int) time.Time {
	return time.Date(date.Year(), date.Month(), date.Day(), hour, minute, 0, 0, g.loc).UTC()
}

// officeTime is a random minute of office hours on date: 07:30–11:30 and
// 13:30–17:00.
func (g *gen) officeTime(date time.Time) time.Time {
	m := g.rng.IntN(450)
	if m < 240 {
		return g.at(date, 7, 30+m)
	}
	return g.at(date, 13, 30+m-240)
}

// timeAfter is an office time on date, or shortly after notBefore when that
// is later (the same day's reception).
func (g *gen) timeAfter(date, notBefore time.Time) time.Time {
	t := g.officeTime(date)
	if !t.After(notBefore) {
		t = notBefore.Add(time.Duration(20+g.rng.IntN(100)) * time.Minute)
	}
	return t
}

// between is a random working day from a to b (dates), never after
// yesterday.
func (g *gen) between(a, b time.Time) time.Time {
	if b.After(g.yesterday) {
		b = g.yesterday
	}
	n := g.cal.WorkingDaysBetween(a, b)
	if n <= 0 {
		return a
	}
	return g.cal.AddWorkingDays(a, g.rng.IntN(n+1))
}

// subWorkingDays is the date n working days before date.
func (g *gen) subWorkingDays(date time.Time, n int) time.Time {
	d := date
	for n > 0 {
		d = d.AddDate(0, 0, -1)
		if g.cal.IsWorkingDay(d) {
			n--
		}
	}
	return d
}

func payNote(fee int) string { return fmt.Sprintf(payNoteFormat, thousands(fee)) }

// thousands writes n the Vietnamese way: 50.000.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "." + s[i:]
	}
	return s
}

func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }
