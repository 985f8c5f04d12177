// Package stats computes the chairman's statistics and the report paragraph
// of the commune's periodic report (seed section III.4.b) from the dossier
// records: the report categories over a period of local
// dates, the Decision 766 indicators at commune scope (domain.Indicator),
// and the paragraph as a locale line ready to render in vi or en. The chat
// commands, the digest and the CLI build on it.
package stats

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"xabot/internal/domain"
)

// Repo is the storage the figures come from; *store.DB satisfies it.
type Repo interface {
	DossierCounts(ctx context.Context, from, to time.Time, offset time.Duration) (domain.Counts, error)
	DossierCountsBy(ctx context.Context, from, to time.Time, offset time.Duration, dim string) (map[string]domain.Counts, error)
	DailyFlow(ctx context.Context, from, to time.Time, offset time.Duration) (received, resolved map[string]map[int]int, err error)
	FeedbackForStats(ctx context.Context, from, to time.Time) ([]domain.Feedback, error)
	RatingStatsBy(ctx context.Context, from, to time.Time) (map[string]domain.RatingStats, error)
}

// Voices are the feedback and the ratings of a period: what indicators
// 5.2 and 5.4 need beside the dossiers.
type Voices struct {
	domain.FeedbackTally
	Ratings domain.RatingStats
}

// Scope limits the figures to what one official sees: the dossiers (and
// their ratings) of their fields, and the feedback they may list. A nil
// func keeps everything: the commune.
type Scope struct {
	Field    func(field string) bool
	Feedback func(domain.Feedback) bool
}

// Voices counts the period's feedback (domain.TallyFeedback: sent,
// answered, and for indicator 5.2 those answered or due in it) and the
// ratings of its dossiers (received in it), within scope.
func (s *Service) Voices(ctx context.Context, from, to time.Time, scope Scope) (Voices, error) {
	to = s.clamp(to)
	fs, err := s.repo.FeedbackForStats(ctx, from, to)
	if err != nil {
		return Voices{}, err
	}
	if scope.Feedback != nil {
		fs = slices.DeleteFunc(fs, func(f domain.Feedback) bool { return !scope.Feedback(f) })
	}
	v := Voices{FeedbackTally: domain.TallyFeedback(fs, from, to, s.loc)}
	// RatingStatsBy takes [from, to): the end is exclusive there.
	by, err := s.repo.RatingStatsBy(ctx, from, to.Add(time.Nanosecond))
	if err != nil {
		return Voices{}, err
	}
	v.Ratings = domain.RatingStats{ByLevel: make(map[domain.Level]int, len(domain.Levels))}
	for _, l := range domain.Levels {
		v.Ratings.ByLevel[l] = 0
	}
	for field, st := range by {
		if scope.Field != nil && !scope.Field(field) {
			continue
		}
		for l, n := range st.ByLevel {
			v.Ratings.ByLevel[l] += n
		}
		v.Ratings.Total += st.Total
	}
	return v, nil
}

// Day is one day's flow: the period's dossiers received that day, and
// those of them resolved that day.
type Day struct {
	Date               time.Time // local midnight
	Received, Resolved int
}

// Daily is the flow of each day of [from, to] for the weekly chart, of
// the fields keep allows (nil: all). It counts the dossiers Report counts
// (those received in the period, as of its end), so the bars add up to
// the text's Received and Resolved.
func (s *Service) Daily(ctx context.Context, from, to time.Time, keep func(field string) bool) ([]Day, error) {
	to = s.clamp(to)
	rec, res, err := s.repo.DailyFlow(ctx, from, to, s.offset(from))
	if err != nil {
		return nil, err
	}
	sum := func(by map[string]map[int]int) map[int]int {
		out := map[int]int{}
		for field, days := range by {
			if keep != nil && !keep(field) {
				continue
			}
			for d, n := range days {
				out[d] += n
			}
		}
		return out
	}
	recv, resolved := sum(rec), sum(res)
	var out []Day
	f := from.In(s.loc)
	first := time.Date(f.Year(), f.Month(), f.Day(), 0, 0, 0, 0, s.loc)
	for i, d := 0, first; !d.After(to); i, d = i+1, d.AddDate(0, 0, 1) {
		out = append(out, Day{Date: d, Received: recv[i], Resolved: resolved[i]})
	}
	return out, nil
}

// Service computes statistics in the commune's zone.
type Service struct {
	repo Repo
	loc  *time.Location
	now  func() time.Time
}

// New returns a Service; loc is the commune's zone (Asia/Ho_Chi_Minh).
func New(repo Repo, loc *time.Location) *Service {
	return &Service{repo: repo, loc: loc, now: time.Now}
}

// SetClock replaces the clock Report clamps to; tests use a fixed time.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Period kinds of the /thongke buttons.
const (
	Week     = "week"      // this week, Monday to today
	LastWeek = "last_week" // last Monday to last Sunday
	Month    = "month"     // this month to today
	Quarter  = "quarter"   // this quarter to today
	Year     = "year"      // this year to today
)

// Kinds lists the period kinds in button order.
var Kinds = []string{Week, LastWeek, Month, Quarter, Year}

// Period returns the first and last instants (from, to; both inclusive) of
// the period kind that holds now, in local dates: weeks run Monday to
// Sunday. A current period ends at the end of today, not in the future,
// so that its figures are those of now. An unknown kind is an
// *domain.InvalidError with key stats.bad_period.
func (s *Service) Period(kind string, now time.Time) (from, to time.Time, err error) {
	t := now.In(s.loc)
	today := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, s.loc)
	var first, last time.Time // local dates, last inclusive
	switch kind {
	case Week, LastWeek:
		first = today.AddDate(0, 0, -((int(today.Weekday()) + 6) % 7)) // back to Monday
		last = first.AddDate(0, 0, 6)
		if kind == LastWeek {
			first, last = first.AddDate(0, 0, -7), first.AddDate(0, 0, -1)
		}
	case Month:
		first = time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, s.loc)
		last = first.AddDate(0, 1, -1)
	case Quarter:
		first = time.Date(t.Year(), (t.Month()-1)/3*3+1, 1, 0, 0, 0, 0, s.loc)
		last = first.AddDate(0, 3, -1)
	case Year:
		first = time.Date(t.Year(), 1, 1, 0, 0, 0, 0, s.loc)
		last = first.AddDate(1, 0, -1)
	default:
		return time.Time{}, time.Time{}, domain.Invalid("stats.bad_period")
	}
	if last.After(today) {
		last = today
	}
	return first, endOf(last), nil
}

// endOf is the last instant of the local date that starts at day.
func endOf(day time.Time) time.Time {
	return day.AddDate(0, 0, 1).Add(-time.Nanosecond)
}

// Previous is the period of the same number of days just before [from, to],
// for the change against the previous period.
func (s *Service) Previous(from, to time.Time) (pfrom, pto time.Time) {
	f, l := from.In(s.loc), to.In(s.loc)
	first := time.Date(f.Year(), f.Month(), f.Day(), 0, 0, 0, 0, s.loc)
	last := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, s.loc)
	days := 0
	for d := first; !d.After(last); d = d.AddDate(0, 0, 1) {
		days++
	}
	pfirst := first.AddDate(0, 0, -days)
	return pfirst, first.Add(-time.Nanosecond)
}

// ParsePeriod reads "FROM TO", each DD/MM/YYYY (D/M/YYYY too) or
// YYYY-MM-DD, into the first instant of FROM and the last of TO. Errors are
// *domain.InvalidError: stats.bad_period (not two dates), stats.bad_date
// {date} (a date that does not read or does not exist), stats.bad_order
// (TO before FROM), stats.future (FROM after today).
func (s *Service) ParsePeriod(args string, now time.Time) (from, to time.Time, err error) {
	parts := strings.Fields(strings.NewReplacer("–", " ", "—", " ", " - ", " ").Replace(args))
	if len(parts) != 2 {
		return time.Time{}, time.Time{}, domain.Invalid("stats.bad_period")
	}
	var days [2]time.Time
	for i, p := range parts {
		d, ok := s.parseDate(p)
		if !ok {
			return time.Time{}, time.Time{}, domain.Invalid("stats.bad_date", "date", domain.Echo(p))
		}
		days[i] = d
	}
	if days[1].Before(days[0]) {
		return time.Time{}, time.Time{}, domain.Invalid("stats.bad_order")
	}
	t := now.In(s.loc)
	if days[0].After(time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, s.loc)) {
		return time.Time{}, time.Time{}, domain.Invalid("stats.future")
	}
	return days[0], endOf(days[1]), nil
}

// parseDate reads one date at local midnight, refusing days that do not
// exist (31/02/2025).
func (s *Service) parseDate(p string) (time.Time, bool) {
	var y, m, d string
	if a := strings.Split(p, "-"); len(a) == 3 && len(a[0]) == 4 {
		y, m, d = a[0], a[1], a[2]
	} else if a := strings.Split(strings.ReplaceAll(p, ".", "/"), "/"); len(a) == 3 && len(a[2]) == 4 {
		d, m, y = a[0], a[1], a[2]
	} else {
		return time.Time{}, false
	}
	yy, e1 := strconv.Atoi(y)
	mm, e2 := strconv.Atoi(m)
	dd, e3 := strconv.Atoi(d)
	if e1 != nil || e2 != nil || e3 != nil || len(m) > 2 || len(d) > 2 || yy < 1970 {
		return time.Time{}, false
	}
	t := time.Date(yy, time.Month(mm), dd, 0, 0, 0, 0, s.loc)
	if t.Year() != yy || int(t.Month()) != mm || t.Day() != dd {
		return time.Time{}, false
	}
	return t, true
}

// Report returns the categories of the dossiers received in [from, to] as
// of to — or as of the end of today if to is later: what has not happened
// yet is not counted as overdue.
func (s *Service) Report(ctx context.Context, from, to time.Time) (domain.Counts, error) {
	return s.repo.DossierCounts(ctx, from, s.clamp(to), s.offset(from))
}

// ReportBy is Report broken down by dim: "field", "village" or "intake".
func (s *Service) ReportBy(ctx context.Context, from, to time.Time, dim string) (map[string]domain.Counts, error) {
	switch dim {
	case "field", "village", "intake":
	default:
		return nil, domain.Invalid("stats.bad_dimension", "dimension", dim)
	}
	return s.repo.DossierCountsBy(ctx, from, s.clamp(to), s.offset(from), dim)
}

// ReportIn is Report of the commune (keep nil), or the sum over the
// fields keep allows: an official's figures, in /thongke and the weekly
// digest alike.
func (s *Service) ReportIn(ctx context.Context, from, to time.Time, keep func(field string) bool) (domain.Counts, error) {
	if keep == nil {
		return s.Report(ctx, from, to)
	}
	by, err := s.ReportBy(ctx, from, to, "field")
	if err != nil {
		return domain.Counts{}, err
	}
	var sum domain.Counts
	for field, c := range by {
		if keep(field) {
			sum = sum.Add(c)
		}
	}
	return sum, nil
}

func (s *Service) clamp(to time.Time) time.Time {
	t := s.now().In(s.loc)
	if end := endOf(time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, s.loc)); to.After(end) {
		return end
	}
	return to
}

// offset is the zone's offset from UTC at t. Asia/Ho_Chi_Minh has kept
// +7h since 1975 and has no daylight saving, so one offset fits a period.
func (s *Service) offset(t time.Time) time.Duration {
	_, off := t.In(s.loc).Zone()
	return time.Duration(off) * time.Second
}

// Paragraph is the report paragraph of the seed's section III.4.b for the
// counts c of [from, to], in lang ("vi" or "en"), as one locale line:
// stats.paragraph, with "_postal" when postal intake is non-zero and
// "_overdue" when dossiers in progress are overdue. Its args are already
// formatted for lang — numbers with the language's thousands mark (vi
// "4.080", en "4,080", as i18n.Number writes them), dates DD/MM/YYYY — so
// the renderer only substitutes them.
func (s *Service) Paragraph(lang string, c domain.Counts, from, to time.Time) domain.Line {
	key := "stats.paragraph"
	if c.Postal > 0 {
		key += "_postal"
	}
	if c.Overdue > 0 {
		key += "_overdue"
	}
	n := func(v int) string { return number(lang, v) }
	kv := []string{
		"from", from.In(s.loc).Format("02/01/2006"), "to", to.In(s.loc).Format("02/01/2006"),
		"received", n(c.Received), "online", n(c.Online), "direct", n(c.Direct),
		"resolved", n(c.Resolved), "early", n(c.Early), "on_time", n(c.OnTime), "late", n(c.Late),
		"within", n(c.Within), "withdrawn", n(c.Withdrawn),
	}
	if c.Postal > 0 {
		kv = append(kv, "postal", n(c.Postal))
	}
	if c.Overdue > 0 {
		kv = append(kv, "overdue", n(c.Overdue))
	}
	return domain.L(key, kv...)
}

// number writes n with lang's thousands mark: "." in Vietnamese (and any
// language but English), "," in English. It is i18n.Number, which a
// service may not import; a test keeps the two in step.
func number(lang string, n int) string {
	mark := "."
	if l := strings.ToLower(lang); l == "en" || strings.HasPrefix(l, "en-") || strings.HasPrefix(l, "en_") {
		mark = ","
	}
	digits := strconv.Itoa(n)
	sign := ""
	if n < 0 {
		sign, digits = "-", digits[1:]
	}
	var b strings.Builder
	b.WriteString(sign)
	for i, r := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteString(mark)
		}
		b.WriteRune(r)
	}
	return b.String()
}
