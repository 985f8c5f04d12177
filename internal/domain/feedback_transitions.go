package domain

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

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
