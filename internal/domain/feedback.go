package domain

import (
	"time"
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

	// The dossier the text cites (FindCode) and its handler's name, as they
	// were at submission: a fact kept with the message, so that a sensitive
	// one never reaches that handler (Excludes), whatever imports change.
	DossierCode, DossierHandler string

	// Sender is who sent it «kèm danh tính», for the officials who handle
	// it to call back; zero for an anonymous message. Never logged.
	Sender Sender

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
