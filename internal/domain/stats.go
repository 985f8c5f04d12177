package domain

// Counts are the report categories of the dossiers received in a period
// [FROM, TO], as of the end of TO (docs/STATISTICS.md «Report categories»):
//
//	Received  = Direct + Online + Postal
//	Received  = Withdrawn + Resolved + InProgress
//	Resolved  = Early + OnTime + Late
//	InProgress = Within + Overdue
//
// A dossier that ended after TO is in progress for the report on [FROM, TO].
type Counts struct {
	Received int // tiếp nhận
	Online   int // trực tuyến (intake 2)
	Direct   int // trực tiếp (intake 1)
	Postal   int // bưu chính công ích (intake 3)

	Withdrawn int // công dân rút (status 7, ended by TO)

	Resolved int // đã giải quyết: statuses 3, 8, 9, 10 ended by TO
	Early    int // finish date (local) before the original due date
	OnTime   int // on the original due date, or no due date at all
	Late     int // after the original due date, even if within an extension

	InProgress int // đang giải quyết at the end of TO
	Within     int // due date in force (extended if any) not before TO, or none
	Overdue    int // due date in force before TO's date
}

// Add returns the sum of c and o, category by category (a commune total
// from the per-field counts of an official's fields, say).
func (c Counts) Add(o Counts) Counts {
	return Counts{
		Received: c.Received + o.Received, Online: c.Online + o.Online, Direct: c.Direct + o.Direct,
		Postal: c.Postal + o.Postal, Withdrawn: c.Withdrawn + o.Withdrawn, Resolved: c.Resolved + o.Resolved,
		Early: c.Early + o.Early, OnTime: c.OnTime + o.OnTime, Late: c.Late + o.Late,
		InProgress: c.InProgress + o.InProgress, Within: c.Within + o.Within, Overdue: c.Overdue + o.Overdue,
	}
}

// Consistent reports whether the identities in the type's comment hold.
func (c Counts) Consistent() bool {
	return c.Received == c.Direct+c.Online+c.Postal &&
		c.Received == c.Withdrawn+c.Resolved+c.InProgress &&
		c.Resolved == c.Early+c.OnTime+c.Late &&
		c.InProgress == c.Within+c.Overdue
}

// Indicator is one Decision 766 indicator computed at commune scope
// ("tự tính", self-computed): Num/Den is the ratio R, scored by the 766
// rule against Target with at most Max points.
type Indicator struct {
	ID       string // "2.1", "3.3", "5.2", "5.4"
	Num, Den int
	Target   float64 // a fraction: 0.5 = 50 %
	Max      float64 // P_max, points
}

// Ratio is Num/Den as a fraction; ok is false when Den is 0 (nothing to
// measure: show "—", not 0 % or 100 %).
func (i Indicator) Ratio() (r float64, ok bool) {
	if i.Den <= 0 {
		return 0, false
	}
	return float64(i.Num) / float64(i.Den), true
}

// Score is the 766 score of the indicator; ok is false when Den is 0.
func (i Indicator) Score() (float64, bool) {
	r, ok := i.Ratio()
	if !ok {
		return 0, false
	}
	return Score766(r, i.Target, i.Max), true
}

// Score766 is the Decision 766 rule for threshold indicators: P_max when
// R ≥ target, else R × P_max / target (docs/STATISTICS.md «Scoring rule for
// threshold indicators»). A negative R scores 0.
func Score766(r, target, pmax float64) float64 {
	switch {
	case r <= 0:
		return 0
	case target <= 0 || r >= target:
		return pmax
	}
	return r * pmax / target
}

// The targets and maximum points of the indicators the chairman sees
// (docs/STATISTICS.md «Decision 766 indicators at commune scope»).
const (
	// 2.1, dossiers handled early or on time: 20 points, target 100 % (so
	// the score is 20 × ratio).
	OnTimeMax, OnTimeTarget = 20.0, 1.0
	// 3.3, online dossiers: full points at ≥ 50 %. Decision 766 gives no
	// maximum for 3.3 itself («Chưa xác định»); the online public services
	// group it belongs to, «Dịch vụ công trực tuyến», carries 12 points,
	// which are used here.
	OnlineMax, OnlineTarget = 12.0, 0.5
	// 5.2, feedback (PAKN) handled on time: 6 points; no threshold, target
	// 100 %.
	FeedbackMax, FeedbackTarget = 6.0, 1.0
	// 5.4, satisfaction with dossier handling: 6 points, full at ≥ 90 %.
	SatisfactionMax, SatisfactionTarget = 6.0, 0.9
)

// OnTimeIndicator is 766 indicator 2.1 at commune scope: (resolved early
// or on time + in progress within deadline) / dossiers received in the
// period (docs/STATISTICS.md). Withdrawn dossiers stay in the denominator.
func OnTimeIndicator(c Counts) Indicator {
	return Indicator{ID: "2.1", Num: c.Early + c.OnTime + c.Within, Den: c.Received,
		Target: OnTimeTarget, Max: OnTimeMax}
}

// OnlineIndicator is 766 indicator 3.3: online received / received.
func OnlineIndicator(c Counts) Indicator {
	return Indicator{ID: "3.3", Num: c.Online, Den: c.Received, Target: OnlineTarget, Max: OnlineMax}
}

// FeedbackIndicator is 766 indicator 5.2: feedback handled within its
// clock / feedback whose clock ended in the period (counted by the
// feedback store).
func FeedbackIndicator(onTime, total int) Indicator {
	return Indicator{ID: "5.2", Num: onTime, Den: total, Target: FeedbackTarget, Max: FeedbackMax}
}

// SatisfactionIndicator is 766 indicator 5.4: 100 % − (late % + % of
// dossiers with a complaint or a dislike), as the fraction
// (received − late − complained) / received, floored at 0. late is the
// dossiers resolved late plus those overdue at the end of the period;
// complained the dossiers of the period with feedback or a low rating.
func SatisfactionIndicator(c Counts, complained int) Indicator {
	num := max(c.Received-c.Late-c.Overdue-complained, 0)
	return Indicator{ID: "5.4", Num: num, Den: c.Received, Target: SatisfactionTarget, Max: SatisfactionMax}
}
