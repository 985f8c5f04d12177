package domain

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Citizen reception (tiếp công dân): the chairman receives citizens on the
// days of the commune's schedule; a citizen may register for a session
// with a topic, and the chairman or the official who keeps the reception
// book records each visit afterwards, registered or not, periodic or ad hoc.

// ReceptionSlot is one weekly session of the schedule: a weekday, a time
// range (local "HH:MM") and a place; Chairman says the chairman receives
// in person (the law: at least one day a week).
type ReceptionSlot struct {
	Weekday  time.Weekday
	From, To string
	Place    string
	Chairman bool
}

// ReceptionSession is one dated session: Day is midnight UTC of the local
// date, as DateOf returns.
type ReceptionSession struct {
	Day      time.Time
	From, To string
	Place    string
	Chairman bool
}

// Start is the session's start instant in loc.
func (s ReceptionSession) Start(loc *time.Location) time.Time {
	h, m, _ := ClockOf(s.From)
	return time.Date(s.Day.Year(), s.Day.Month(), s.Day.Day(), h, m, 0, 0, loc)
}

// ReceptionSchedule is the commune's reception days: the weekly slots and
// extra dated sessions.
type ReceptionSchedule struct {
	Weekly []ReceptionSlot
	Extra  []ReceptionSession
}

// Empty reports whether the schedule has no sessions at all.
func (s ReceptionSchedule) Empty() bool { return len(s.Weekly) == 0 && len(s.Extra) == 0 }

// MaxReceptionLookahead bounds how far ahead sessions are searched.
const MaxReceptionLookahead = 120 // days

// Next returns up to n sessions that start after now, in order. A weekly
// session on a holiday of cal is skipped; an extra session is kept
// whatever the day, as the commune chose it.
func (s ReceptionSchedule) Next(now time.Time, loc *time.Location, cal *Calendar, n int) []ReceptionSession {
	var out []ReceptionSession
	today := DateOf(now, loc)
	for i := 0; i <= MaxReceptionLookahead && len(out) < n; i++ {
		for _, ses := range s.On(today.AddDate(0, 0, i), cal) {
			if ses.Start(loc).After(now) && len(out) < n {
				out = append(out, ses)
			}
		}
	}
	return out
}

// On returns the sessions held on day (midnight UTC), earliest first. A
// weekly session on a holiday of cal is not held; one on a weekend day (a
// commune that receives on Saturdays) is, as the national calendar lists
// no weekend holidays (it moves them to a weekday).
func (s ReceptionSchedule) On(day time.Time, cal *Calendar) []ReceptionSession {
	day = DateOf(day, time.UTC)
	var out []ReceptionSession
	weekend := day.Weekday() == time.Saturday || day.Weekday() == time.Sunday
	if cal == nil || weekend || cal.IsWorkingDay(day) {
		for _, w := range s.Weekly {
			if w.Weekday == day.Weekday() {
				out = append(out, ReceptionSession{Day: day, From: w.From, To: w.To, Place: w.Place, Chairman: w.Chairman})
			}
		}
	}
	for _, e := range s.Extra {
		if DateOf(e.Day, time.UTC).Equal(day) {
			out = append(out, e)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].From < out[j].From })
	return out
}

// ClockOf reads a local time "H:MM" or "HH:MM".
func ClockOf(s string) (h, m int, ok bool) {
	hs, ms, found := strings.Cut(strings.TrimSpace(s), ":")
	if !found || len(ms) != 2 || len(hs) < 1 || len(hs) > 2 {
		return 0, 0, false
	}
	h, err1 := strconv.Atoi(hs)
	m, err2 := strconv.Atoi(ms)
	if err1 != nil || err2 != nil || h < 0 || h > 23 || m < 0 || m > 59 {
		return 0, 0, false
	}
	return h, m, true
}

// ReceptionTopic is what a citizen wants to raise at a session.
type ReceptionTopic string

const (
	TopicLand        ReceptionTopic = "land"            // đất đai
	TopicProcedure   ReceptionTopic = "admin_procedure" // thủ tục hành chính
	TopicPolicy      ReceptionTopic = "policy"          // chính sách, chế độ
	TopicEnvironment ReceptionTopic = "environment"     // môi trường
	TopicOrder       ReceptionTopic = "security_order"  // an ninh, trật tự
	TopicComplaint   ReceptionTopic = "complaint"       // khiếu nại, tố cáo
	TopicOther       ReceptionTopic = "other"
)

// ReceptionTopics are the topics offered, in order.
var ReceptionTopics = []ReceptionTopic{TopicLand, TopicProcedure, TopicPolicy, TopicEnvironment, TopicOrder, TopicComplaint, TopicOther}

// Valid reports whether t is one of ReceptionTopics.
func (t ReceptionTopic) Valid() bool {
	for _, v := range ReceptionTopics {
		if v == t {
			return true
		}
	}
	return false
}

// Bounds of a registration's text and of a visit's outcome.
const (
	MinReceptionText = 10
	MaxReceptionText = 1000
	MaxVisitOutcome  = 300
)

// ReceptionText checks the topic's text and returns it trimmed: a text
// too long is refused with its length, so the citizen knows how much to cut.
func ReceptionText(text string) (string, error) {
	t := strings.TrimSpace(text)
	switch n := utf8.RuneCountInString(t); {
	case n > MaxReceptionText:
		return "", Invalid("reception.text_too_long", "count", strconv.Itoa(n), "max", strconv.Itoa(MaxReceptionText))
	case n < MinReceptionText:
		return "", Invalid("reception.text_too_short", "min", strconv.Itoa(MinReceptionText))
	}
	return t, nil
}

// VisitOutcome checks the one line an official writes after a visit.
func VisitOutcome(text string) (string, error) {
	t := strings.TrimSpace(text)
	n := utf8.RuneCountInString(t)
	if n == 0 || n > MaxVisitOutcome || strings.ContainsAny(t, "\r\n") || strings.IndexFunc(t, unicode.IsControl) >= 0 {
		return "", Invalid("reception.book.bad_outcome", "max", strconv.Itoa(MaxVisitOutcome))
	}
	return t, nil
}

// Statuses of a registration. A registration is never deleted: a
// cancellation marks it.
const (
	RegRegistered = "registered"
	RegCancelled  = "cancelled"
)

// Registration is a citizen's registration for a reception session.
type Registration struct {
	ID          int64
	Ticket      string    // "TD-2612-0003"
	Day         time.Time // the session's date (midnight UTC)
	From, To    string
	Place       string
	Citizen     string // chat key; "" once the citizen had their data forgotten
	Sender      Sender // name and phone given to be received; "" once forgotten
	Topic       ReceptionTopic
	Text        string
	Status      string
	CreatedAt   time.Time
	CancelledAt time.Time
	// Visit is the visit recorded for it, if any.
	Visit *Visit
}

// Kinds of visit: at a session of the schedule, or outside it.
const (
	VisitPeriodic = "periodic" // định kỳ
	VisitAdHoc    = "adhoc"    // đột xuất
)

// Visit is one entry of the reception book: a registered citizen received
// (or not: Received false, they did not come) or a walk-in.
type Visit struct {
	ID           int64
	Registration int64 // 0 for a walk-in
	Ticket       string
	Day          time.Time // when the visit took place (midnight UTC)
	Kind         string    // VisitPeriodic or VisitAdHoc
	Received     bool
	Name         string // a walk-in's name as the official wrote it
	Outcome      string
	RecordedBy   string // official's chat key
	RecordedAt   time.Time
}

// ReceptionTally is the report's figures for a period.
type ReceptionTally struct {
	Periodic   int // visits received at sessions of the schedule, registered or not
	AdHoc      int // visits received outside it
	Registered int // registrations for sessions in the period, not cancelled
	Handled    int // of those, received
}

// ReceptionTicketPrefix starts every registration's ticket.
const ReceptionTicketPrefix = "TD"

// NextReceptionTicket is the ticket after lastSeq in the local month of at:
// "TD-2612-0003", in the style of feedback tickets.
func NextReceptionTicket(at time.Time, loc *time.Location, lastSeq int) string {
	return fmt.Sprintf("%s-%s-%04d", ReceptionTicketPrefix, TicketPeriod(at, loc), lastSeq+1)
}

// ParseReceptionTicket reads a typed reception ticket as loosely as
// ParseTicket reads a feedback ticket ("td 2612 3" → "TD-2612-0003").
func ParseReceptionTicket(s string) (string, bool) { return parseTicket(s, ReceptionTicketPrefix) }
