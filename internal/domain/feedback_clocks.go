package domain

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// FeedbackSLA holds the feedback clocks in working days: to refuse, to ask
// for more, to answer (the commune profile's sla; the NPSP scores 2, 5, 15).
// 0 means the same working day.
type FeedbackSLA struct {
	RefuseDays, MoreDays, AnswerDays int
}

// DefaultFeedbackSLA is the clocks the national portal scores.
func DefaultFeedbackSLA() FeedbackSLA { return FeedbackSLA{RefuseDays: 2, MoreDays: 5, AnswerDays: 15} }

// Legal clocks of complaints and denunciations.
const (
	// ComplaintAcceptDays: within 10 days of receiving a complaint the
	// authority accepts it and notifies the complainant (Luật Khiếu nại
	// 2011 Art. 27). Calendar days; a last day off moves to the next
	// working day (Bộ luật Dân sự 2015 Art. 148).
	ComplaintAcceptDays = 10
	// DenunciationNotifyDays: the denouncer is notified within 5 working
	// days (Luật Tố cáo 2018 Art. 29).
	DenunciationNotifyDays = 5
)

// LegalClock is the date by which the commune must tell a complainant or a
// denouncer whether their case is accepted, counted from the local date
// received; false for feedback, which has no legal clock.
func LegalClock(kind FeedbackKind, received time.Time, cal *Calendar, loc *time.Location) (time.Time, bool) {
	d := DateOf(received, loc)
	switch kind {
	case KindComplaint:
		return cal.AddWorkingDays(d.AddDate(0, 0, ComplaintAcceptDays), 0), true
	case KindDenunciation:
		return cal.AddWorkingDays(d, DenunciationNotifyDays), true
	}
	return time.Time{}, false
}

// FeedbackClocks are the due dates of a Feedback; zero = no such clock.
type FeedbackClocks struct {
	Refuse, More, Answer time.Time
}

// Clocks computes the clocks of a message of kind created at created: for
// feedback, sla's working days from the local date of creation (a message
// sent on a day off counts from the next working day); for complaints and
// denunciations, only the answer clock, which is the legal one.
func Clocks(kind FeedbackKind, created time.Time, cal *Calendar, loc *time.Location, sla FeedbackSLA) FeedbackClocks {
	if due, ok := LegalClock(kind, created, cal, loc); ok {
		return FeedbackClocks{Answer: due}
	}
	d := DateOf(created, loc)
	return FeedbackClocks{
		Refuse: cal.AddWorkingDays(d, sla.RefuseDays),
		More:   cal.AddWorkingDays(d, sla.MoreDays),
		Answer: cal.AddWorkingDays(d, sla.AnswerDays),
	}
}

// SetClocks sets f's due dates.
func (f *Feedback) SetClocks(c FeedbackClocks) {
	f.DueRefuse, f.DueMore, f.DueAnswer = c.Refuse, c.More, c.Answer
}

// Clock names.
const (
	ClockRefuse = "refuse"
	ClockMore   = "more"
	ClockAnswer = "answer"
)

// RunningClock is a clock that still matters in f's status.
type RunningClock struct {
	Name      string
	Due       time.Time
	Escalates bool // when it runs out the head of the one-stop shop is told
}

// Running lists the clocks f must still meet:
//   - refuse, while nobody decided on it (new): take it or refuse it;
//   - more, while new or taken and no request was made: a request for
//     more after it counts late. Not asking is no fault, so it only warns;
//   - answer, while the commune has the next move (new, taken, reopened);
//     waiting for the citizen's supplement is not the commune's delay.
func (f Feedback) Running() []RunningClock {
	var out []RunningClock
	if f.Status == FeedbackNew && !f.DueRefuse.IsZero() {
		out = append(out, RunningClock{ClockRefuse, f.DueRefuse, true})
	}
	if (f.Status == FeedbackNew || f.Status == FeedbackTaken) && f.MoreRequest == "" && !f.DueMore.IsZero() {
		out = append(out, RunningClock{ClockMore, f.DueMore, false})
	}
	if f.Status.Pending() && !f.DueAnswer.IsZero() {
		out = append(out, RunningClock{ClockAnswer, f.DueAnswer, true})
	}
	return out
}

// Overdue reports whether an escalating clock of f ran out before now's
// local date.
func (f Feedback) Overdue(now time.Time, loc *time.Location) bool {
	today := DateOf(now, loc)
	for _, c := range f.Running() {
		if c.Escalates && today.After(c.Due) {
			return true
		}
	}
	return false
}

// TicketPeriod is the yyMM part of a ticket created at at.
func TicketPeriod(at time.Time, loc *time.Location) string { return at.In(loc).Format("0601") }

// NextTicket returns the ticket after lastSeq in the month of at (local):
// NextTicket(KindFeedback, 2026-11-05, loc, 41) = "PA-2611-0042". The
// sequence restarts each month for each kind; past 9999 it grows a digit.
func NextTicket(kind FeedbackKind, at time.Time, loc *time.Location, lastSeq int) string {
	return fmt.Sprintf("%s-%s-%04d", kind.Prefix(), TicketPeriod(at, loc), lastSeq+1)
}

// ParseTicket reads a typed ticket loosely — case, spaces, dots and the
// dashes aside, the sequence with or without its zeros ("pa 2611 42") —
// and returns it canonical ("PA-2611-0042").
func ParseTicket(s string) (string, bool) { return parseTicket(s, "PA", "KN", "TC") }

// parseTicket reads a ticket loosely whose two-letter prefix is one of
// prefixes.
func parseTicket(s string, prefixes ...string) (string, bool) {
	if len(s) > 40 {
		return "", false
	}
	var b strings.Builder
	for _, r := range strings.ToUpper(strings.TrimSpace(s)) {
		switch {
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '.' || r == '_' || r == '/' || r == '–' || r == '—':
		default:
			return "", false
		}
	}
	c := b.String()
	if len(c) < 7 || len(c) > 12 {
		return "", false
	}
	prefix, period, seq := c[:2], c[2:6], c[6:]
	if !slices.Contains(prefixes, prefix) {
		return "", false
	}
	if m, err := strconv.Atoi(period[2:]); err != nil || m < 1 || m > 12 || !digits(period) {
		return "", false
	}
	n, err := strconv.Atoi(seq)
	if err != nil || n < 1 || !digits(seq) {
		return "", false
	}
	return fmt.Sprintf("%s-%s-%04d", prefix, period, n), true
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// ValidateFeedback checks what a citizen is about to send. Each problem is
// a *InvalidError: feedback.bad_kind, feedback.bad_category,
// feedback.anonymous_not_allowed, feedback.text_too_short {min},
// feedback.text_too_long {max, length}, feedback.too_many_photos {max},
// feedback.photo_not_image {number}, feedback.photo_too_large {number,
// max_mb}, feedback.bad_location.
func ValidateFeedback(kind FeedbackKind, cat Category, text string, anonymous bool, photos []Photo, loc Location) error {
	switch {
	case !kind.Valid():
		return Invalid("feedback.bad_kind")
	case !cat.Valid():
		return Invalid("feedback.bad_category")
	case anonymous && !cat.AllowsAnonymous(kind):
		return Invalid("feedback.anonymous_not_allowed")
	}
	switch n := utf8.RuneCountInString(strings.TrimSpace(text)); {
	case n < MinFeedbackText:
		return Invalid("feedback.text_too_short", "min", strconv.Itoa(MinFeedbackText), "max", strconv.Itoa(MaxFeedbackText))
	case n > MaxFeedbackText:
		return Invalid("feedback.text_too_long", "max", strconv.Itoa(MaxFeedbackText), "length", strconv.Itoa(n))
	}
	if len(photos) > MaxFeedbackPhoto {
		return Invalid("feedback.too_many_photos", "max", strconv.Itoa(MaxFeedbackPhoto))
	}
	for i, p := range photos {
		number := strconv.Itoa(i + 1)
		switch {
		case p.FileID == "":
			return Invalid("feedback.photo_not_image", "number", number)
		case p.MIME != "" && !strings.HasPrefix(strings.ToLower(p.MIME), "image/"):
			return Invalid("feedback.photo_not_image", "number", number)
		case p.Size < 0 || p.Size > MaxPhotoBytes:
			return Invalid("feedback.photo_too_large", "number", number, "max_mb", strconv.Itoa(MaxPhotoBytes>>20))
		}
	}
	if loc.Has && (loc.Lat < -90 || loc.Lat > 90 || loc.Lon < -180 || loc.Lon > 180 || math.IsNaN(loc.Lat) || math.IsNaN(loc.Lon)) {
		return Invalid("feedback.bad_location")
	}
	return nil
}
