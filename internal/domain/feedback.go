package domain

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Citizens' voices: feedback and petitions (phản ánh, kiến nghị — PAKN),
// complaints (khiếu nại) and denunciations (tố cáo). All three are recorded
// as a Feedback with a ticket code and follow one small state machine:
//
//	action      from                                  to
//	take        new, reopened                         taken (owner = the official)
//	answer      new, taken, reopened                  answered
//	more        new, taken                            more_requested
//	supplement  more_requested                        taken (new if nobody owns it)
//	refuse      new, taken                            refused (final)
//	rate yes    answered                              closed (final)
//	rate no     answered                              reopened (owner = head of the one-stop shop)
//	forward     new, taken, more_requested, reopened  the same status, another owner
//
// new: nobody took it yet. taken: an official (the owner) handles it.
// more_requested: waiting for the citizen's supplement. answered: the answer
// reached the citizen, who may rate it; complaints and denunciations are not
// rated (their answer follows the law's procedure). reopened: the citizen
// found the answer unhelpful; the head of the one-stop shop handles it with
// a fresh answer clock. Answering, asking for more or refusing an untaken
// message takes it. Illegal moves return a *TransitionError (errors.Is
// ErrConflict).

// FeedbackKind says what a citizen's message is in law.
type FeedbackKind string

// The three kinds, with their ticket prefixes.
const (
	KindFeedback     FeedbackKind = "feedback"     // phản ánh, kiến nghị: PA
	KindComplaint    FeedbackKind = "complaint"    // khiếu nại (Luật Khiếu nại 2011): KN
	KindDenunciation FeedbackKind = "denunciation" // tố cáo (Luật Tố cáo 2018): TC
)

// FeedbackKinds lists the kinds in the order menus show them.
func FeedbackKinds() []FeedbackKind {
	return []FeedbackKind{KindFeedback, KindComplaint, KindDenunciation}
}

// Valid reports whether k is one of the three kinds.
func (k FeedbackKind) Valid() bool { return k.Prefix() != "" }

// Prefix is the ticket prefix of the kind: PA, KN or TC; "" if unknown.
func (k FeedbackKind) Prefix() string {
	switch k {
	case KindFeedback:
		return "PA"
	case KindComplaint:
		return "KN"
	case KindDenunciation:
		return "TC"
	}
	return ""
}

// Legal reports whether the kind is governed by a law with its own
// acceptance clock (complaints, denunciations): the bot records it,
// acknowledges it with that clock and hands it to the reception officer.
func (k FeedbackKind) Legal() bool { return k == KindComplaint || k == KindDenunciation }

// Category is what a message is about.
type Category string

// The categories a citizen picks from.
const (
	CatAdminProcedure   Category = "admin_procedure"   // thủ tục hành chính
	CatStaffAttitude    Category = "staff_attitude"    // thái độ, tác phong cán bộ
	CatRoadsLighting    Category = "roads_lighting"    // đường giao thông, chiếu sáng
	CatEnvironmentWaste Category = "environment_waste" // môi trường, rác thải
	CatSecurityOrder    Category = "security_order"    // an ninh, trật tự
	CatLand             Category = "land"              // đất đai
	CatOther            Category = "other"
)

// Categories lists the categories in the order menus show them.
func Categories() []Category {
	return []Category{CatAdminProcedure, CatStaffAttitude, CatRoadsLighting, CatEnvironmentWaste,
		CatSecurityOrder, CatLand, CatOther}
}

// Valid reports whether c is one of Categories.
func (c Category) Valid() bool {
	for _, x := range Categories() {
		if c == x {
			return true
		}
	}
	return false
}

// AllowsAnonymous reports whether a message of kind in category c may hide
// the sender from officials. Feedback may, whatever the category: a
// petition about a street light or a rude clerk is acted upon without
// knowing who sent it. Complaints and denunciations may not: the law needs
// the complainant's (denouncer's) name and address to accept them (Luật
// Khiếu nại 2011 Art. 8; Luật Tố cáo 2018 Art. 23), so the bot records who
// sent them and hands them over. An anonymous sender is still answered in
// the chat: only officials do not see who it is.
func (c Category) AllowsAnonymous(kind FeedbackKind) bool {
	return c.Valid() && kind == KindFeedback
}

// FeedbackStatus is where a Feedback is in its handling.
type FeedbackStatus string

// The statuses of the state machine above.
const (
	FeedbackNew           FeedbackStatus = "new"
	FeedbackTaken         FeedbackStatus = "taken"
	FeedbackMoreRequested FeedbackStatus = "more_requested"
	FeedbackAnswered      FeedbackStatus = "answered"
	FeedbackReopened      FeedbackStatus = "reopened"
	FeedbackRefused       FeedbackStatus = "refused"
	FeedbackClosed        FeedbackStatus = "closed"
)

// FeedbackStatuses lists every status.
func FeedbackStatuses() []FeedbackStatus {
	return []FeedbackStatus{FeedbackNew, FeedbackTaken, FeedbackMoreRequested, FeedbackAnswered,
		FeedbackReopened, FeedbackRefused, FeedbackClosed}
}

// Final reports whether nothing more happens: refused or closed.
func (s FeedbackStatus) Final() bool { return s == FeedbackRefused || s == FeedbackClosed }

// Pending reports whether the commune has the next move: new, taken,
// reopened. (more_requested waits for the citizen, answered for a rating.)
func (s FeedbackStatus) Pending() bool {
	return s == FeedbackNew || s == FeedbackTaken || s == FeedbackReopened
}

// Limits of what a citizen sends. A text shorter than MinFeedbackText runes
// says too little to act on ("đèn hỏng" is not enough: which light,
// where?); MaxFeedbackText is about a page, and what a chat message of
// Zalo (2,000 characters) carries. An answer, a request for more, a reason
// or a supplement is 1 to MaxFeedbackText runes.
const (
	MinFeedbackText  = 10
	MaxFeedbackText  = 2000
	MaxFeedbackPhoto = 5               // photos per message
	MaxPhotoBytes    = 5 * 1024 * 1024 // per photo, as the platform reports it
)

// Photo is an attached photo as the platform describes it. Size is in
// bytes; 0 means the platform did not say (Telegram may omit it; its
// compressed photos are far below the limit). MIME, when known, must be an
// image type: documents are refused.
type Photo struct {
	FileID string
	Size   int64
	MIME   string
}

// Location is a point the citizen shared; Has is false when none was.
type Location struct {
	Lat, Lon float64
	Has      bool
}

// Feedback is one message of a citizen to the commune and its handling.
// Times are UTC; zero means unset. Due dates are dates (midnight UTC, as
// DateOf returns): the clock runs out at the end of that local day.
type Feedback struct {
	ID        int64
	Ticket    string // "PA-2611-0042": kind prefix, local yyMM of creation, monthly sequence
	Kind      FeedbackKind
	Category  Category
	Text      string
	Anonymous bool     // officials are not told who sent it
	Citizen   string   // the sender's chat key, for answers; "" once anonymised (/xoadulieu)
	Photos    []string // platform file ids
	Location  Location
	Status    FeedbackStatus
	Owner     string // chat key of the official handling it; "" = nobody yet

	AnswerText     string
	RefuseReason   string
	MoreRequest    string // what the citizen was asked for; kept after the supplement
	SupplementText string // what the citizen added, rounds separated by a blank line

	CreatedAt, TakenAt, AnsweredAt, ClosedAt time.Time
	DueRefuse, DueMore, DueAnswer            time.Time
}

// FeedbackEvent is one step of a Feedback's history. Detail never holds
// personal data (no texts, no citizen's chat key).
type FeedbackEvent struct {
	ID         int64
	FeedbackID int64
	At         time.Time
	Actor      string // an official's chat key, ActorCitizen or ActorSystem
	Action     string // created, take, answer, more, supplement, refuse, forward, rate
	From, To   FeedbackStatus
	Detail     string
}

// Actors of feedback events that are not an official.
const (
	ActorCitizen = "citizen" // the sender, never named
	ActorSystem  = "system"
)

// Actions of feedback events and of officials' buttons.
const (
	ActCreated    = "created"
	ActTake       = "take"
	ActAnswer     = "answer"
	ActMore       = "more"
	ActRefuse     = "refuse"
	ActForward    = "forward"
	ActSupplement = "supplement"
	ActRate       = "rate"
)

// FeedbackActions are the officials' actions, in the order of their buttons.
func FeedbackActions() []string { return []string{ActTake, ActAnswer, ActMore, ActRefuse, ActForward} }

// TransitionError is an action its status does not allow.
type TransitionError struct {
	Action string
	From   FeedbackStatus
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("feedback: %s not allowed when %s", e.Action, e.From)
}

// Unwrap makes errors.Is(err, ErrConflict) hold.
func (e *TransitionError) Unwrap() error { return ErrConflict }

// allowed lists the statuses each action may start from.
var allowed = map[string][]FeedbackStatus{
	ActTake:       {FeedbackNew, FeedbackReopened},
	ActAnswer:     {FeedbackNew, FeedbackTaken, FeedbackReopened},
	ActMore:       {FeedbackNew, FeedbackTaken},
	ActRefuse:     {FeedbackNew, FeedbackTaken},
	ActForward:    {FeedbackNew, FeedbackTaken, FeedbackMoreRequested, FeedbackReopened},
	ActSupplement: {FeedbackMoreRequested},
	ActRate:       {FeedbackAnswered},
}

// Can reports whether action is allowed in f's status.
func (f Feedback) Can(action string) bool {
	for _, s := range allowed[action] {
		if s == f.Status {
			return true
		}
	}
	return false
}

func (f *Feedback) check(action string) error {
	if !f.Can(action) {
		return &TransitionError{Action: action, From: f.Status}
	}
	return nil
}

// checkReply validates an official's or a citizen's reply text.
func checkReply(text string) error {
	switch n := utf8.RuneCountInString(text); {
	case strings.TrimSpace(text) == "":
		return Invalid("feedback.reply_empty")
	case n > MaxFeedbackText:
		return Invalid("feedback.reply_too_long", "max", strconv.Itoa(MaxFeedbackText), "length", strconv.Itoa(n))
	}
	return nil
}

// Take makes owner handle f: new or reopened → taken.
func (f *Feedback) Take(owner string, at time.Time) error {
	if err := f.check(ActTake); err != nil {
		return err
	}
	if owner == "" {
		return Invalid("feedback.no_owner")
	}
	f.Status, f.Owner, f.TakenAt = FeedbackTaken, owner, at
	return nil
}

// take gives f to by when nobody owns it, as answering, asking for more or
// refusing an untaken message does.
func (f *Feedback) take(by string, at time.Time) {
	if f.Owner == "" || f.Status == FeedbackNew || f.Status == FeedbackReopened {
		if by != "" {
			f.Owner = by
		}
	}
	if f.TakenAt.IsZero() {
		f.TakenAt = at
	}
}

// Answer records the answer by the official by: new, taken or reopened →
// answered. text is 1 to MaxFeedbackText runes.
func (f *Feedback) Answer(by, text string, at time.Time) error {
	if err := f.check(ActAnswer); err != nil {
		return err
	}
	text = strings.TrimSpace(text)
	if err := checkReply(text); err != nil {
		return err
	}
	f.take(by, at)
	f.Status, f.AnswerText, f.AnsweredAt = FeedbackAnswered, text, at
	return nil
}

// RequestMore asks the citizen for more information: new or taken →
// more_requested.
func (f *Feedback) RequestMore(by, text string, at time.Time) error {
	if err := f.check(ActMore); err != nil {
		return err
	}
	text = strings.TrimSpace(text)
	if err := checkReply(text); err != nil {
		return err
	}
	f.take(by, at)
	f.Status, f.MoreRequest = FeedbackMoreRequested, text
	return nil
}

// Supplement adds the citizen's reply to a request for more:
// more_requested → taken (new if nobody owns it).
func (f *Feedback) Supplement(text string) error {
	if err := f.check(ActSupplement); err != nil {
		return err
	}
	text = strings.TrimSpace(text)
	if err := checkReply(text); err != nil {
		return err
	}
	if f.SupplementText != "" {
		text = f.SupplementText + "\n\n" + text
	}
	if n := utf8.RuneCountInString(text); n > 2*MaxFeedbackText {
		return Invalid("feedback.reply_too_long", "max", strconv.Itoa(MaxFeedbackText), "length", strconv.Itoa(n))
	}
	f.SupplementText, f.Status = text, FeedbackTaken
	if f.Owner == "" {
		f.Status = FeedbackNew
	}
	return nil
}

// Refuse refuses f with a reason: new or taken → refused (final).
func (f *Feedback) Refuse(by, reason string, at time.Time) error {
	if err := f.check(ActRefuse); err != nil {
		return err
	}
	reason = strings.TrimSpace(reason)
	if err := checkReply(reason); err != nil {
		return err
	}
	f.take(by, at)
	f.Status, f.RefuseReason, f.ClosedAt = FeedbackRefused, reason, at
	return nil
}

// MarkHelpful records the citizen's rating of the answer. Helpful closes
// f; not helpful reopens it and gives it to head (the head of the one-stop
// shop). Complaints and denunciations are not rated: their answer is the
// authority's, by the law's procedure (feedback.no_rating).
func (f *Feedback) MarkHelpful(helpful bool, head string, at time.Time) error {
	if f.Kind.Legal() {
		return Invalid("feedback.no_rating", "ticket", f.Ticket)
	}
	if err := f.check(ActRate); err != nil {
		return err
	}
	if helpful {
		f.Status, f.ClosedAt = FeedbackClosed, at
		return nil
	}
	f.Status, f.Owner, f.TakenAt = FeedbackReopened, head, time.Time{}
	return nil
}

// Forward gives f to the official to; the status stays.
func (f *Feedback) Forward(to string) error {
	if err := f.check(ActForward); err != nil {
		return err
	}
	switch to {
	case "":
		return Invalid("feedback.no_owner")
	case f.Owner:
		return Invalid("feedback.forward_same", "ticket", f.Ticket)
	}
	f.Owner = to
	return nil
}

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
func ParseTicket(s string) (string, bool) {
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
	switch prefix {
	case "PA", "KN", "TC":
	default:
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
