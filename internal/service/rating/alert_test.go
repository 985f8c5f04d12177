package rating

import (
	"fmt"
	"slices"
	"testing"

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
