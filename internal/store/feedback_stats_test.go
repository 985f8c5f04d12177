package store

import (
	"testing"
	"time"

	"xabot/internal/domain"
)

// FeedbackCounts: feedback of the period only, answered ones, and those
// answered by their local due date; complaints are not feedback.
func TestFeedbackCounts(t *testing.T) {
	db, _, _ := newTestDB(t)
	ctx := t.Context()
	loc := hcmZone(t)
	due := time.Date(2026, 12, 14, 0, 0, 0, 0, time.UTC) // the answer clock's date
	mk := func(kind domain.FeedbackKind, created, answered time.Time) {
		t.Helper()
		f := newFeedback(kind, "tg:1", created)
		f.DueAnswer = due
		f, err := db.CreateFeedback(ctx, f, loc)
		if err != nil {
			t.Fatal(err)
		}
		if answered.IsZero() {
			return
		}
		after := f
		after.Status, after.AnsweredAt, after.AnswerText, after.Owner = domain.FeedbackAnswered, answered, "Đã xử lý", "tg:9"
		if _, err := db.UpdateFeedback(ctx, f, after, domain.FeedbackEvent{At: answered, Actor: "tg:9", Action: domain.ActAnswer}); err != nil {
			t.Fatal(err)
		}
	}
	in := time.Date(2026, 11, 20, 9, 0, 0, 0, loc)
	mk(domain.KindFeedback, in, time.Date(2026, 12, 14, 23, 30, 0, 0, loc)) // the due date, late evening: on time
	mk(domain.KindFeedback, in, time.Date(2026, 12, 15, 0, 30, 0, 0, loc))  // just after midnight: late
	mk(domain.KindFeedback, in, time.Time{})                                // not answered
	mk(domain.KindComplaint, in, time.Time{})                               // not feedback
	mk(domain.KindFeedback, time.Date(2026, 10, 31, 23, 0, 0, 0, loc), in)  // before the period
	from := time.Date(2026, 11, 1, 0, 0, 0, 0, loc)
	to := time.Date(2026, 11, 30, 23, 59, 59, 0, loc)
	total, answered, onTime, err := db.FeedbackCounts(ctx, from, to, 7*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if total != 3 || answered != 2 || onTime != 1 {
		t.Errorf("FeedbackCounts = %d, %d, %d; want 3, 2, 1", total, answered, onTime)
	}
}
