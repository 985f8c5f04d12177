package rating

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"xabot/internal/domain"
)

// When the rater of a low rating finishes, the head hears why: the answers
// and the comment, in the questions' order; never the rater. A rating that
// is not low, or someone else's, sends nothing.
func TestLowRatingFinishSaysWhy(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	f.official(t, headChat, "Phạm Thu", domain.RoleOfficial, true)
	if _, err := f.s.Rate(ctx, owner, done, domain.LevelVeryDissatisfied); err != nil {
		t.Fatal(err)
	}
	f.out.take()
	if _, err := f.s.SetCriteria(ctx, owner, done, map[domain.Criterion]bool{
		domain.CriterionExtraFees: true, domain.CriterionOnTime: false}); err != nil {
		t.Fatal(err)
	}
	const comment = "Bị đòi thêm 200.000 đồng"
	if _, err := f.s.Comment(ctx, owner, done, comment); err != nil {
		t.Fatal(err)
	}
	if err := f.s.Finish(ctx, owner, done); err != nil {
		t.Fatal(err)
	}
	got := f.out.take()
	if len(got) != 1 || got[0].To != headChat {
		t.Fatalf("Finish: %+v, want one notice to the head", got)
	}
	var keys []string
	for _, l := range got[0].Lines {
		keys = append(keys, l.Key)
	}
	want := []string{"rating.low_details", "rating.low_dossier", "rating.low_answer.on_time.no",
		"rating.low_answer.extra_fees.yes", "rating.low_comment", "rating.low_private"}
	if !slices.Equal(keys, want) {
		t.Errorf("lines %v, want %v", keys, want)
	}
	if c := got[0].Lines[4].Args["comment"]; c != comment {
		t.Errorf("comment %q, want %q", c, comment)
	}
	for _, secret := range []string{owner, "100", ownerPhone, "0905", ownerName, "Nguyễn", "An"} {
		if s := fmt.Sprintf("%v %v", got[0].Key, got[0].Lines); containsWord(s, secret) {
			t.Errorf("the notice gives away %q: %s", secret, s)
		}
	}
	// Finished again without a change: the same key, queued once by the outbox.
	if err := f.s.Finish(ctx, owner, done); err != nil {
		t.Fatal(err)
	}
	if again := f.out.take(); len(again) == 1 && again[0].Key != got[0].Key {
		t.Errorf("unchanged answers sent under a new key %q", again[0].Key)
	}
	// Not low any more: nothing.
	if _, err := f.s.Rate(ctx, owner, done, domain.LevelSatisfied); err != nil {
		t.Fatal(err)
	}
	f.out.take()
	if err := f.s.Finish(ctx, owner, done); err != nil {
		t.Fatal(err)
	}
	if n := f.out.take(); len(n) != 0 {
		t.Errorf("a satisfied rating sent %+v", n)
	}
}

// A rater who answers a low rating's questions and leaves without
// finishing is still heard: Explain, once the rating has been quiet for
// Quiet, sends the heads the details, once per version; a finished rating,
// a rating with no details, a fresh one, a satisfied one, or one older than
// Lookback sends nothing.
func TestExplainTellsWhatTheRaterLeft(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	f.official(t, headChat, "Phạm Thu", domain.RoleOfficial, true)
	rate := func(code string, l domain.Level, answers map[domain.Criterion]bool) {
		t.Helper()
		if _, err := f.s.Rate(ctx, owner, code, l); err != nil {
			t.Fatal(err)
		}
		if answers != nil {
			if _, err := f.s.SetCriteria(ctx, owner, code, answers); err != nil {
				t.Fatal(err)
			}
		}
	}
	explain := func() []domain.Notice {
		t.Helper()
		n, err := f.s.Explain(ctx, f.now)
		if err != nil {
			t.Fatal(err)
		}
		got := f.out.take()
		if n != len(got) {
			t.Errorf("Explain says %d queued, %d were", n, len(got))
		}
		return got
	}
	rate(done, domain.LevelVeryDissatisfied, map[domain.Criterion]bool{domain.CriterionTrips: false}) // left
	rate(returned, domain.LevelDissatisfied, nil)                                                     // no details
	f.out.take()
	if got := explain(); len(got) != 0 {
		t.Errorf("right after the rating: %+v", got)
	}
	f.now = f.now.Add(Quiet + time.Minute)
	got := explain()
	if len(got) != 1 || got[0].To != headChat || got[0].Lines[0].Key != "rating.low_details" ||
		got[0].Lines[0].Args["code"] != done || got[0].Lines[2].Key != "rating.low_answer.trips.no" {
		t.Fatalf("after Quiet: %+v, want the details of %s to the head", got, done)
	}
	if again := explain(); len(again) != 0 {
		t.Errorf("the same version twice: %+v", again)
	}

	// The rater comes back and finishes: Finish tells the new version,
	// Explain does not repeat it.
	if _, err := f.s.Comment(ctx, owner, done, "Đi lại ba lần"); err != nil {
		t.Fatal(err)
	}
	if err := f.s.Finish(ctx, owner, done); err != nil {
		t.Fatal(err)
	}
	if n := f.out.take(); len(n) != 1 {
		t.Fatalf("Finish: %+v", n)
	}
	f.now = f.now.Add(Quiet + time.Minute)
	if got := explain(); len(got) != 0 {
		t.Errorf("a finished rating told again: %+v", got)
	}

	// A satisfied rating with answers, and a low one past Lookback: nothing.
	if _, err := f.s.Rate(ctx, neighbour, others, domain.LevelSatisfied); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Comment(ctx, neighbour, others, "Nhanh gọn"); err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(Quiet + time.Minute)
	if got := explain(); len(got) != 0 {
		t.Errorf("a satisfied rating's details told: %+v", got)
	}
	rate(done, domain.LevelDissatisfied, map[domain.Criterion]bool{domain.CriterionExtraFees: true})
	f.out.take()
	f.now = f.now.Add(Lookback + time.Hour)
	if got := explain(); len(got) != 0 {
		t.Errorf("past Lookback or not low: %+v", got)
	}
}
