package domain

import "time"

// FeedbackTally is the feedback (phản ánh, kiến nghị — not complaints or
// denunciations) of a period as the statistics read it.
type FeedbackTally struct {
	Received       int // sent in the period
	Answered       int // answered in the period, whenever sent
	AnsweredOnTime int // of those, answered by their local due date
	// Judged is indicator 5.2's denominator: the feedback answered in the
	// period, and the feedback whose answer fell due in the period and had
	// none by its end. Open feedback not yet due is no failure; feedback
	// refused (out of the commune's remit) is not judged on its answer.
	Judged int
}

// TallyFeedback counts fs over [from, to] (local instants, both
// inclusive), dates compared in loc; due dates are calendar dates (stored
// at midnight UTC).
func TallyFeedback(fs []Feedback, from, to time.Time, loc *time.Location) FeedbackTally {
	in := func(t time.Time) bool { return !t.IsZero() && !t.Before(from) && !t.After(to) }
	first, last := DateOf(from, loc), DateOf(to, loc)
	var t FeedbackTally
	for _, f := range fs {
		if f.Kind != KindFeedback {
			continue
		}
		if in(f.CreatedAt) {
			t.Received++
		}
		due := dueDate(f.DueAnswer)
		switch {
		case in(f.AnsweredAt):
			t.Answered++
			t.Judged++
			if due.IsZero() || !DateOf(f.AnsweredAt, loc).After(due) {
				t.AnsweredOnTime++
			}
		case f.Status != FeedbackRefused && !due.IsZero() && !due.Before(first) && !due.After(last) &&
			(f.AnsweredAt.IsZero() || f.AnsweredAt.After(to)):
			t.Judged++
		}
	}
	return t
}

// dueDate is a stored due date as a calendar date, comparable with DateOf.
func dueDate(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	u := t.UTC()
	return time.Date(u.Year(), u.Month(), u.Day(), 0, 0, 0, 0, time.UTC)
}
