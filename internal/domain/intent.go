package domain

import (
	"slices"
	"strconv"
)

// Intent is what a person may do next about a record — stop a dossier's
// pushes, rate it, take a ticket — as a service offers it under a notice.
// It names no dialog and no callback data: the bot maps each kind to the
// dialog step that does it (internal/bot/intents.go), checks that table
// against dialogs/ at start, and builds the buttons' data from it.
type Intent struct {
	Kind IntentKind
	Ref  string // the record: a dossier code (canonical) or a feedback ticket
	Arg  string // the choice, for the kinds that take one (TakesArg)
}

// IntentKind is one thing a person may do next.
type IntentKind string

// The intents services offer.
const (
	// IntentUnsubscribe stops the pushes about dossier Ref.
	IntentUnsubscribe IntentKind = "unsubscribe"
	// IntentExtend extends dossier Ref by Arg working days, with the
	// apology letter of Mẫu 04 (an official).
	IntentExtend IntentKind = "extend"
	// IntentRate rates dossier Ref: the levels are offered.
	IntentRate IntentKind = "rate"
	// IntentRateLevel rates dossier Ref at level Arg (1–5).
	IntentRateLevel IntentKind = "rate_level"
	// IntentAct is an official's action Arg (one of FeedbackActions) on
	// ticket Ref.
	IntentAct IntentKind = "act"
	// IntentJudge is the citizen saying the answer to ticket Ref helped
	// (Arg Helpful) or not (NotHelpful).
	IntentJudge IntentKind = "judge"
	// IntentSupplement is the citizen adding what was asked for to ticket
	// Ref.
	IntentSupplement IntentKind = "supplement"
	// IntentStopAnnouncements stops every village's announcements to the
	// chat; Ref is AllAnnouncements.
	IntentStopAnnouncements IntentKind = "stop_announcements"
)

// AllAnnouncements is IntentStopAnnouncements' Ref: every village.
const AllAnnouncements = "all"

// The answers of IntentJudge.
const (
	Helpful    = "yes"
	NotHelpful = "no"
)

// The longest Ref and Arg an intent carries under a button. With the
// bot's longest flow and step names they keep a button's data within
// Telegram's 64 bytes (the bot checks it at start); a dossier code longer
// than MaxRef gets no button.
const (
	MaxRef = 40
	MaxArg = 8
)

// maxExtendDays bounds IntentExtend's Arg: the buttons offer a few
// working days; more is a forged press.
const maxExtendDays = 30

// IntentKinds lists every kind, for the checks that each has a button.
func IntentKinds() []IntentKind {
	return []IntentKind{IntentUnsubscribe, IntentExtend, IntentRate, IntentRateLevel, IntentAct, IntentJudge, IntentSupplement, IntentStopAnnouncements}
}

// TakesArg reports whether the kind carries a choice besides its record.
func (k IntentKind) TakesArg() bool {
	switch k {
	case IntentExtend, IntentRateLevel, IntentAct, IntentJudge:
		return true
	}
	return false
}

// RefLimit is the longest Ref kind carries: MaxRef, or the one Ref a kind
// about no record has.
func (k IntentKind) RefLimit() int {
	if k == IntentStopAnnouncements {
		return len(AllAnnouncements)
	}
	return MaxRef
}

// Fits reports whether i can travel under a button: a known kind, a Ref
// of 1 to MaxRef bytes, and an Arg of at most MaxArg bytes where the kind
// takes one.
func (i Intent) Fits() bool {
	return i.Valid() && len(i.Ref) <= i.Kind.RefLimit() && len(i.Arg) <= MaxArg
}

// Valid reports whether i is one its kind accepts: a record, and an Arg
// the kind knows (none for the kinds without one). A press is read back
// into an Intent and checked here before anything acts on it; whether
// the presser may do it is the service's check.
func (i Intent) Valid() bool {
	if i.Ref == "" {
		return false
	}
	switch i.Kind {
	case IntentUnsubscribe, IntentRate, IntentSupplement:
		return i.Arg == ""
	case IntentExtend:
		n, err := strconv.Atoi(i.Arg)
		return err == nil && n >= 1 && n <= maxExtendDays
	case IntentRateLevel:
		n, err := strconv.Atoi(i.Arg)
		return err == nil && Level(n).Valid()
	case IntentAct:
		return slices.Contains(FeedbackActions(), i.Arg)
	case IntentJudge:
		return i.Arg == Helpful || i.Arg == NotHelpful
	case IntentStopAnnouncements:
		return i.Ref == AllAnnouncements && i.Arg == ""
	}
	return false
}
