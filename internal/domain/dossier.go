package domain

import (
	"fmt"
	"strings"
	"time"

	"xabot/internal/fold"
)

// Intake is how a dossier was submitted (kênh tiếp nhận), by the one-door
// codes 1 = direct, 2 = online, 3 = public postal service.
type Intake int

// The three intake channels.
const (
	IntakeDirect Intake = 1 // trực tiếp
	IntakeOnline Intake = 2 // trực tuyến
	IntakePostal Intake = 3 // bưu chính công ích
)

func (c Intake) String() string {
	switch c {
	case IntakeDirect:
		return "direct"
	case IntakeOnline:
		return "online"
	case IntakePostal:
		return "postal"
	}
	return fmt.Sprintf("intake(%d)", int(c))
}

// ParseIntake reads "direct"/"online"/"postal", 1/2/3, or the Vietnamese
// words with or without accents.
func ParseIntake(s string) (Intake, error) {
	switch f := fold.String(s); f {
	case "1", "direct", "truc tiep", "tt", "tai quay", "offline":
		return IntakeDirect, nil
	case "2", "online", "truc tuyen", "dvc", "dich vu cong", "dvctt":
		return IntakeOnline, nil
	case "3", "postal", "buu chinh", "buu chinh cong ich", "bcci":
		return IntakePostal, nil
	}
	if in, ok := intakeByWords(s); ok {
		return in, nil
	}
	return 0, fmt.Errorf("channel %q: want direct, online or postal (1, 2, 3)", s)
}

// Dossier is an administrative dossier (hồ sơ thủ tục hành chính) as the
// province's one-door system knows it. Times are UTC; zero means unset.
type Dossier struct {
	ID              int64
	Code            string // as issued, e.g. "H55.20-250501-0001"
	ProcedureCode   string // mã TTHC, e.g. "1.001612.000.00.00.H55"
	ProcedureName   string // tên thủ tục
	Field           string // lĩnh vực
	ApplicantName   string
	Phone           string // normalised, "0905123456"
	IDLast4         string // last four digits of the applicant's ID number, if known
	Village         string // thôn
	Intake          Intake
	Status          Status
	ReceivedAt      time.Time
	DueAt           time.Time // ngày hẹn trả
	FinishedAt      time.Time // processing ended (statuses 3, 7, 8, 9, 10)
	ReturnedAt      time.Time // result handed over
	ExtendedDueAt   time.Time // new date after an apology (Decree 118 Art. 19(6))
	ExtensionReason string
	Handler         string // handling official's name
	Note            string // the latest status note: what to supplement, the fee…
	UpdatedAt       time.Time
	// ExtensionEvent reports an "extended" event in the dossier's history.
	// It is read from the history, never written: the extension counts even
	// where an old import blanked ExtendedDueAt.
	ExtensionEvent bool
}

// Due is the appointment in force: the extended date if there is one.
func (d Dossier) Due() time.Time {
	if !d.ExtendedDueAt.IsZero() {
		return d.ExtendedDueAt
	}
	return d.DueAt
}

// Extended reports whether the dossier has had its one extension (an
// apology that moved the appointment): a new date, or the event on record.
func (d Dossier) Extended() bool { return !d.ExtendedDueAt.IsZero() || d.ExtensionEvent }

// Overdue reports whether processing has not ended and the appointment day
// (in loc) is already past at now. Appointments are dates: a dossier due
// today is not overdue until tomorrow.
func (d Dossier) Overdue(now time.Time, loc *time.Location) bool {
	if d.Status.Ended() || d.Due().IsZero() {
		return false
	}
	return DateOf(now, loc).After(DateOf(d.Due(), loc))
}

// WaitingOnApplicant reports whether the next move is the applicant's:
// documents to supplement or fees to pay (statuses 5 and 6).
func (d Dossier) WaitingOnApplicant() bool {
	return d.Status == StatusSupplementRequested || d.Status == StatusPaymentRequired
}

// DateOf returns t's calendar date in loc, as midnight UTC of that date, so
// dates compare with Before/After/Equal whatever the zone.
func DateOf(t time.Time, loc *time.Location) time.Time {
	y, m, day := t.In(loc).Date()
	return time.Date(y, m, day, 0, 0, 0, 0, time.UTC)
}

// Citizen is a chat identity and what the person agreed to link to it.
type Citizen struct {
	Key             string // chat.UserKey.String(), e.g. "tg:12345"
	Lang            string // "vi", "en"; "" = not chosen
	ConsentAt       time.Time
	Phone           string // verified by sharing the platform contact; "" = none
	PhoneVerifiedAt time.Time
	Role            Role
}

// Consented reports whether the citizen agreed to the privacy notice.
func (c Citizen) Consented() bool { return !c.ConsentAt.IsZero() }

// Role is what a chat identity may do.
type Role string

// Roles, from least to most.
const (
	RoleCitizen  Role = "citizen"
	RoleOfficial Role = "official"
	RoleChairman Role = "chairman"
	RoleAdmin    Role = "admin"
)

// ParseRole reads a role name.
func ParseRole(s string) (Role, error) {
	switch r := Role(strings.ToLower(strings.TrimSpace(s))); r {
	case RoleCitizen, RoleOfficial, RoleChairman, RoleAdmin:
		return r, nil
	}
	return "", fmt.Errorf("role %q: want citizen, official, chairman or admin", s)
}

// Event is one change in a dossier's history.
type Event struct {
	ID        int64
	DossierID int64
	At        time.Time
	Kind      string // "created", "status", "note", "extended", "extension_moved"
	From, To  Status
	Note      string
	Source    string // "import", "sync", "demo", "bot"
}

// LookupOutcome is how one lookup ended, as far as the guessing limits care.
type LookupOutcome string

// The outcomes kept. A malformed code or factor is not kept: it cannot
// probe anything.
const (
	LookupOK      LookupOutcome = "ok"      // the second factor matched
	LookupWrong   LookupOutcome = "wrong"   // the second factor did not match
	LookupUnknown LookupOutcome = "unknown" // no dossier has the code
)

// LookupAttempt is one lookup, kept for the guessing limits (per chat and
// per code) and to show officials codes that are being guessed. The store
// keeps User only as a keyed hash.
type LookupAttempt struct {
	User    string // chat.UserKey.String()
	Code    string // canonical dossier code; "" for an unknown one
	Outcome LookupOutcome
	At      time.Time
}

// Failed reports whether the attempt counts against the limits.
func (a LookupAttempt) Failed() bool { return a.Outcome != LookupOK }

// sameWords compares two labels the way people write them: case, accents
// and spacing aside.
func sameWords(a, b string) bool { return fold.String(a) == fold.String(b) }
