package store

import (
	"testing"
	"time"

	"xabot/internal/domain"
)

// The feedback of November's figures (domain.TallyFeedback over
// FeedbackForStats): sent, answered and, for indicator 5.2, judged — those
// answered in the period and those due in it without an answer by its end.
// Open feedback not yet due is no failure; complaints are not feedback.
func TestFeedbackForStats(t *testing.T) {
	db, _, _ := newTestDB(t)
	ctx := t.Context()
	loc := hcmZone(t)
	date := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 0, 0, 0, 0, time.UTC) }
	mk := func(kind domain.FeedbackKind, created time.Time, due time.Time, answered time.Time) {
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
	in := time.Date(2026, 11, 3, 9, 0, 0, 0, loc)
	mk(domain.KindFeedback, in, date(11, 20), time.Date(2026, 11, 20, 23, 30, 0, 0, loc))                                    // on its due date, late evening: on time
	mk(domain.KindFeedback, in, date(11, 20), time.Date(2026, 11, 21, 0, 30, 0, 0, loc))                                     // just after midnight: late
	mk(domain.KindFeedback, in, date(11, 25), time.Time{})                                                                   // due in November, unanswered: a failure
	mk(domain.KindFeedback, in, date(12, 14), time.Time{})                                                                   // open, due in December: not judged
	mk(domain.KindComplaint, in, date(11, 10), time.Time{})                                                                  // not feedback
	mk(domain.KindFeedback, time.Date(2026, 10, 20, 9, 0, 0, 0, loc), date(11, 5), time.Date(2026, 11, 4, 10, 0, 0, 0, loc)) // sent before, answered in November
	mk(domain.KindFeedback, time.Date(2026, 10, 1, 9, 0, 0, 0, loc), date(10, 20), time.Date(2026, 10, 15, 9, 0, 0, 0, loc)) // October's
	from := time.Date(2026, 11, 1, 0, 0, 0, 0, loc)
	to := time.Date(2026, 11, 30, 23, 59, 59, 0, loc)
	fs, err := db.FeedbackForStats(ctx, from, to)
	if err != nil {
		t.Fatal(err)
	}
	got := domain.TallyFeedback(fs, from, to, loc)
	want := domain.FeedbackTally{Received: 4, Answered: 3, AnsweredOnTime: 2, Judged: 4}
	if got != want {
		t.Errorf("November: %+v, want %+v", got, want)
	}
}
