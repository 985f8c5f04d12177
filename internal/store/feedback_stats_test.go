package store

import (
	"fmt"
	"path/filepath"
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

// BenchmarkFeedbackForStats measures a year's figures over 20,000
// feedback messages (a large commune's several years): the rows read and
// tallied in Go, as /thongke and the digest do.
func BenchmarkFeedbackForStats(b *testing.B) {
	db, err := Open(b.Context(), filepath.Join(b.TempDir(), "x.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		b.Fatal(err)
	}
	start := time.Date(2023, 1, 1, 9, 0, 0, 0, loc)
	for i := range 20_000 {
		f := newFeedback(domain.KindFeedback, fmt.Sprintf("tg:%d", i), start.Add(time.Duration(i)*93*time.Minute))
		f.DueAnswer = domain.DateOf(f.CreatedAt.AddDate(0, 0, 21), loc)
		if _, err := db.CreateFeedback(b.Context(), f, loc); err != nil {
			b.Fatal(err)
		}
	}
	from, to := time.Date(2025, 1, 1, 0, 0, 0, 0, loc), time.Date(2025, 12, 31, 23, 59, 59, 0, loc)
	b.ResetTimer()
	for b.Loop() {
		fs, err := db.FeedbackForStats(b.Context(), from, to)
		if err != nil {
			b.Fatal(err)
		}
		if t := domain.TallyFeedback(fs, from, to, loc); t.Received == 0 {
			b.Fatal("nothing counted")
		}
	}
}
