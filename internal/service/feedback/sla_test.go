package feedback_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"xabot/internal/domain"
)

// TestSLA runs the feedback-sla job morning after morning over a feedback
// about a street light (refuse by 25/11, more by 30/11, answer by 14/12)
// and a complaint (accept by 30/11), both sent Fri 20/11 10:00, across the
// weekend and the Tue 24/11 holiday.
func TestSLA(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	pa := f.submit(t, citizenA).Ticket
	kn, err := f.svc.Submit(ctx, citizenB, domain.KindComplaint, domain.CatLand, "Khiếu nại việc đo đạc ranh giới thửa đất.", false, nil, domain.Location{})
	if err != nil {
		t.Fatal(err)
	}
	f.rec.take()
	key := func(ticket, clock, due, what, to string) string {
		return strings.Join([]string{"feedback-sla", ticket, clock, due, what, to}, "|")
	}
	type sent struct {
		key  string
		line string
		args map[string]string
	}
	steps := []struct {
		name string
		when time.Time
		do   func(t *testing.T)
		want []sent
	}{
		{name: "Fri 20/11: two working days left", when: at(2026, 11, 20, 16, 0)},
		{name: "Sat 21/11: a day off", when: at(2026, 11, 21, 7, 30)},
		{name: "Mon 23/11: the refuse clock runs out on Wed (Tue is a holiday)", when: at(2026, 11, 23, 7, 30),
			want: []sent{{key(pa, "refuse", "2026-11-25", "warn", chatGiang), "feedback.sla.warn_refuse",
				map[string]string{"ticket": pa, "due": "25/11/2026", "days": "1"}}}},
		{name: "Mon 23/11 again: idempotent", when: at(2026, 11, 23, 15, 0)},
		{name: "Tue 24/11: the holiday", when: at(2026, 11, 24, 7, 30)},
		{name: "Wed 25/11: the last day, already warned", when: at(2026, 11, 25, 7, 30)},
		{name: "Thu 26/11: refuse clock ran out, the head is told", when: at(2026, 11, 26, 7, 30),
			want: []sent{{key(pa, "refuse", "2026-11-25", "late", chatHead), "feedback.sla.late_refuse_nobody",
				map[string]string{"ticket": pa, "due": "25/11/2026", "days": "1", "owner": ""}}}},
		{name: "Fri 27/11: more clock and the complaint's legal clock (to the head and the chairman)", when: at(2026, 11, 27, 7, 30),
			want: []sent{
				{key(kn.Ticket, "answer", "2026-11-30", "warn", chatHead), "feedback.sla.warn_answer",
					map[string]string{"ticket": kn.Ticket, "due": "30/11/2026", "days": "1"}},
				{key(kn.Ticket, "answer", "2026-11-30", "warn", chatChair), "feedback.sla.warn_answer",
					map[string]string{"ticket": kn.Ticket, "due": "30/11/2026", "days": "1"}},
				{key(pa, "more", "2026-11-30", "warn", chatGiang), "feedback.sla.warn_more",
					map[string]string{"ticket": pa, "due": "30/11/2026", "days": "1"}},
			}},
		{name: "Mon 30/11, Giang took it on Friday", when: at(2026, 11, 30, 7, 30), do: func(t *testing.T) {
			f.clock.set(at(2026, 11, 27, 9, 0))
			if _, err := f.svc.Take(ctx, chatGiang, pa); err != nil {
				t.Fatal(err)
			}
			f.rec.take()
		}},
		{name: "Tue 1/12: the more clock only warns; the complaint is late", when: at(2026, 12, 1, 7, 30),
			want: []sent{{key(kn.Ticket, "answer", "2026-11-30", "late", chatHead), "feedback.sla.late_answer_nobody",
				map[string]string{"ticket": kn.Ticket, "due": "30/11/2026", "days": "1", "owner": ""}}}},
		{name: "Fri 11/12: the owner is warned", when: at(2026, 12, 11, 7, 30),
			want: []sent{{key(pa, "answer", "2026-12-14", "warn", chatGiang), "feedback.sla.warn_answer",
				map[string]string{"ticket": pa, "due": "14/12/2026", "days": "1"}}}},
		{name: "Tue 15/12: late, the head is told who has it", when: at(2026, 12, 15, 7, 30),
			want: []sent{{key(pa, "answer", "2026-12-14", "late", chatHead), "feedback.sla.late_answer",
				map[string]string{"ticket": pa, "due": "14/12/2026", "days": "1", "owner": "Đặng Văn Giang"}}}},
		{name: "Wed 16/12: told once", when: at(2026, 12, 16, 7, 30)},
		{name: "answered: no more clocks", when: at(2026, 12, 17, 7, 30), do: func(t *testing.T) {
			if _, err := f.svc.Answer(ctx, chatGiang, pa, "Đã sửa."); err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.Refuse(ctx, chatHead, kn.Ticket, "Không thuộc thẩm quyền UBND xã."); err != nil {
				t.Fatal(err)
			}
			f.rec.take()
		}},
	}
	for _, st := range steps {
		if st.do != nil {
			st.do(t)
		}
		n, err := f.svc.SLA(ctx, st.when)
		if err != nil {
			t.Fatalf("%s: SLA: %v", st.name, err)
		}
		got := f.rec.takeNew()
		slices.SortFunc(got, func(a, b domain.Notice) int { return strings.Compare(a.Key, b.Key) })
		if n != len(st.want) || len(got) != len(st.want) {
			var keys []string
			for _, g := range got {
				keys = append(keys, g.Key)
			}
			t.Errorf("%s: SLA = %d, sent %q; want %d", st.name, n, keys, len(st.want))
			continue
		}
		for i, w := range st.want {
			g := got[i]
			if g.Key != w.key || g.Lines[0].Key != w.line || g.Priority != domain.PriorityAlert {
				t.Errorf("%s: notice %q %s, want %q %s", st.name, g.Key, g.Lines[0].Key, w.key, w.line)
			}
			for k, v := range w.args {
				if g.Lines[0].Args[k] != v {
					t.Errorf("%s: %s arg %s = %q, want %q", st.name, w.line, k, g.Lines[0].Args[k], v)
				}
			}
			kind := domain.KindComplaint
			if strings.HasPrefix(w.args["ticket"], "PA") {
				kind = domain.KindFeedback
			}
			if len(g.Lines) < 5 || g.Lines[1].Key != "feedback.kind."+string(kind) {
				t.Errorf("%s: card %v", st.name, lineKeys(g))
			}
			if len(g.Buttons) == 0 {
				t.Errorf("%s: no buttons", st.name)
			}
		}
	}
}

// TestSLAReopened: a reopened message's fresh answer clock is warned about
// again, to the head who now owns it.
func TestSLAReopened(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	pa := f.submit(t, citizenA).Ticket
	if _, err := f.svc.Answer(ctx, chatGiang, pa, "Đã sửa."); err != nil {
		t.Fatal(err)
	}
	f.clock.set(at(2026, 11, 25, 9, 0))
	if _, err := f.svc.Rate(ctx, citizenA, pa, false); err != nil { // answer due 16/12
		t.Fatal(err)
	}
	f.rec.take()
	if n, err := f.svc.SLA(ctx, at(2026, 12, 15, 7, 30)); err != nil || n != 1 {
		t.Fatalf("SLA = %d, %v", n, err)
	}
	got := f.rec.takeNew()
	if want := "feedback-sla|" + pa + "|answer|2026-12-16|warn|" + chatHead; len(got) != 1 || got[0].Key != want {
		t.Errorf("got %+v, want %s", got, want)
	}
}
