package domain

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Level is a citizen's satisfaction with how a dossier was handled, on the
// five-point scale of the ministries' survey pages and Thanh Hóa's one-door
// system (docs/STATISTICS.md «Ratings»). Higher is better: 5 is "Rất hài
// lòng", 1 "Rất không hài lòng", so averages and "at least" read
// naturally. The zero Level is no rating.
type Level int

// The five levels.
const (
	LevelVeryDissatisfied Level = 1 // Rất không hài lòng
	LevelDissatisfied     Level = 2 // Không hài lòng
	LevelNeutral          Level = 3 // Bình thường
	LevelSatisfied        Level = 4 // Hài lòng
	LevelVerySatisfied    Level = 5 // Rất hài lòng
)

// Levels lists the levels best first, the order forms print them in.
var Levels = []Level{LevelVerySatisfied, LevelSatisfied, LevelNeutral, LevelDissatisfied, LevelVeryDissatisfied}

var levelNames = [...]string{"", "very_dissatisfied", "dissatisfied", "neutral", "satisfied", "very_satisfied"}

// Valid reports whether l is one of the five levels.
func (l Level) Valid() bool { return l >= LevelVeryDissatisfied && l <= LevelVerySatisfied }

// String returns the level's English name, e.g. "very_satisfied".
func (l Level) String() string {
	if l.Valid() {
		return levelNames[l]
	}
	return "level(" + strconv.Itoa(int(l)) + ")"
}

// ParseLevel reads a level as its number ("1"–"5") or English name.
func ParseLevel(s string) (Level, error) {
	t := strings.TrimSpace(s)
	if n, err := strconv.Atoi(t); err == nil && Level(n).Valid() {
		return Level(n), nil
	}
	for i, name := range levelNames {
		if i > 0 && strings.EqualFold(t, name) {
			return Level(i), nil
		}
	}
	return 0, fmt.Errorf("level %q: want 1 to 5", s)
}

// Low reports whether l is one of the two lowest levels (không hài lòng,
// rất không hài lòng): those alert the head of the one-stop shop and count
// as a "dislike" in Decision 766's indicator 5.4.
func Low(l Level) bool { return l == LevelDissatisfied || l == LevelVeryDissatisfied }

// Eligible reports whether d may be rated: only once processing ended with a
// result, status 9 (result ready) or 10 (result returned), as Thanh Hóa's
// citizen portal offers it (docs/STATISTICS.md «Statuses»).
func Eligible(d Dossier) bool { return d.Status == StatusDone || d.Status == StatusReturned }

// Criterion is one optional yes/no question asked after the level, taken
// from the citizen criteria of Decree 118/2025 Art. 33(1).
type Criterion string

// The criteria, each a question answered yes (true) or no (false). Which
// answer is the bad one differs: see BadAnswer.
const (
	// CriterionOnTime, Art. 33(1)(a): "Was the result returned by the
	// appointment date?" Bad: no.
	CriterionOnTime Criterion = "on_time"
	// CriterionTrips, Art. 33(1)(c): "Did you have to come more than once
	// (or send more than once) to complete the dossier?" Bad: yes.
	CriterionTrips Criterion = "trips"
	// CriterionStaffAttitude, Art. 33(1)(đ): "Were the staff polite and
	// helpful?" Bad: no.
	CriterionStaffAttitude Criterion = "staff_attitude"
	// CriterionExtraFees, Art. 33(1)(e): "Were you asked to pay anything
	// beyond the fees the rules set?" Bad: yes.
	CriterionExtraFees Criterion = "extra_fees"
	// CriterionInfoAccuracy, Art. 33(1)(d): "Was the published information
	// on the procedure (papers, fees, time) accurate and enough?" Bad: no.
	CriterionInfoAccuracy Criterion = "info_accuracy"
)

// Criteria lists the criteria in the order they are asked.
var Criteria = []Criterion{CriterionOnTime, CriterionTrips, CriterionStaffAttitude, CriterionExtraFees, CriterionInfoAccuracy}

// Valid reports whether c is one of the criteria.
func (c Criterion) Valid() bool {
	switch c {
	case CriterionOnTime, CriterionTrips, CriterionStaffAttitude, CriterionExtraFees, CriterionInfoAccuracy:
		return true
	}
	return false
}

// BadAnswer is the answer to c that reports a failing of the commune: yes
// for trips and extra fees, no for the others.
func (c Criterion) BadAnswer() bool { return c == CriterionTrips || c == CriterionExtraFees }

// Bad reports whether answer to c is the bad one.
func (c Criterion) Bad(answer bool) bool { return c.Valid() && answer == c.BadAnswer() }

// MaxComment is the longest rating comment, in characters.
const MaxComment = 500

// Rating is a citizen's satisfaction rating of one dossier: one per
// dossier, which its citizen may change. The rater is kept only to let the
// person erase it; reports and alerts never show it (Decree 118 Art. 29(3)).
type Rating struct {
	DossierID int64
	Level     Level
	Criteria  map[Criterion]bool // answered criteria only
	Comment   string             // ≤ MaxComment characters; "" = none
	Rater     string             // chat key of who rated; "" once anonymised
	CreatedAt time.Time
	UpdatedAt time.Time
}

// CheckCriteria checks a set of criterion answers: none at all is
// rating.criteria_empty, an unknown criterion rating.bad_criterion (both
// *InvalidError).
func CheckCriteria(m map[Criterion]bool) error {
	if len(m) == 0 {
		return Invalid("rating.criteria_empty")
	}
	for c := range m {
		if !c.Valid() {
			return Invalid("rating.bad_criterion")
		}
	}
	return nil
}

// CleanComment readies a typed comment for storing: invalid UTF-8 becomes
// U+FFFD, control characters other than new lines go, runs of spaces
// collapse, and the ends are trimmed. Nothing visible left is
// rating.comment_empty, more than MaxComment characters
// rating.comment_too_long {max} (both *InvalidError).
func CleanComment(s string) (string, error) {
	s = strings.ToValidUTF8(s, "\uFFFD")
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	kept := lines[:0]
	for _, l := range lines {
		l = strings.Join(strings.FieldsFunc(l, func(r rune) bool {
			return unicode.IsSpace(r) || unicode.IsControl(r)
		}), " ")
		if l != "" || (len(kept) > 0 && kept[len(kept)-1] != "") {
			kept = append(kept, l) // at most one blank line in a row
		}
	}
	s = strings.TrimSpace(strings.Join(kept, "\n"))
	switch n := utf8.RuneCountInString(s); {
	case strings.IndexFunc(s, visible) < 0:
		return "", Invalid("rating.comment_empty")
	case n > MaxComment:
		return "", Invalid("rating.comment_too_long", "max", strconv.Itoa(MaxComment))
	}
	return s, nil
}

// visible reports whether r shows as something: not a space nor an
// invisible format character such as a zero-width space.
func visible(r rune) bool { return unicode.IsGraphic(r) && !unicode.IsSpace(r) }

// RatingStats counts ratings per level over a period.
type RatingStats struct {
	ByLevel map[Level]int // every level, zero counts included
	Total   int
}

// Low is how many of the ratings are at one of the two lowest levels.
func (s RatingStats) Low() int {
	return s.ByLevel[LevelDissatisfied] + s.ByLevel[LevelVeryDissatisfied]
}

// LowRatingRecipients returns who is alerted about a low rating: the active
// heads of the one-stop shop, else the active chairmen (docs/STATISTICS.md
// «Ratings»). Not the handler: the rating may be about them.
func LowRatingRecipients(all []Official) []Official {
	var heads, chairs []Official
	for _, o := range all {
		switch {
		case !o.Active():
		case o.Head:
			heads = append(heads, o)
		case o.Role == RoleChairman:
			chairs = append(chairs, o)
		}
	}
	if len(heads) > 0 {
		return heads
	}
	return chairs
}
