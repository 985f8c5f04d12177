package feedback_test

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"xabot/internal/domain"
	"xabot/internal/service/feedback"
)

func TestSubmitRoutes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		kind  domain.FeedbackKind
		cat   domain.Category
		to    []string
		first string
		due   string
	}{
		{domain.KindFeedback, domain.CatAdminProcedure, []string{chatHead}, "feedback.new", "14/12/2026"},
		{domain.KindFeedback, domain.CatStaffAttitude, []string{chatHead, chatChair}, "feedback.new", "14/12/2026"},
		// Hoàng Văn Em also handles Xây dựng, but was revoked.
		{domain.KindFeedback, domain.CatRoadsLighting, []string{chatGiang}, "feedback.new", "14/12/2026"},
		{domain.KindFeedback, domain.CatEnvironmentWaste, []string{chatKhoa}, "feedback.new", "14/12/2026"},
		{domain.KindFeedback, domain.CatSecurityOrder, []string{chatChair}, "feedback.new", "14/12/2026"},
		// Võ Thị Phương (Đất đai) never registered.
		{domain.KindFeedback, domain.CatLand, []string{chatLan}, "feedback.new", "14/12/2026"},
		{domain.KindFeedback, domain.CatOther, []string{chatHead}, "feedback.new", "14/12/2026"},
		// Complaints: 10 calendar days, Mon 30/11. Denunciations: 5 working days, skipping 24/11: Mon 30/11.
		// Both go to the head and the chairman only, whatever the category.
		{domain.KindComplaint, domain.CatLand, []string{chatHead, chatChair}, "feedback.new_complaint", "30/11/2026"},
		{domain.KindDenunciation, domain.CatStaffAttitude, []string{chatHead, chatChair}, "feedback.new_denunciation", "30/11/2026"},
		{domain.KindDenunciation, domain.CatRoadsLighting, []string{chatHead, chatChair}, "feedback.new_denunciation", "30/11/2026"},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind)+"/"+string(tt.cat), func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			ack, err := f.svc.Submit(t.Context(), citizenA, tt.kind, tt.cat, lampText, false, nil, domain.Location{})
			if err != nil {
				t.Fatalf("Submit: %v", err)
			}
			prefix := tt.kind.Prefix() + "-2611-0001"
			if ack.Ticket != prefix || ack.Kind != tt.kind || ack.Due.Format("02/01/2006") != tt.due {
				t.Errorf("ack %+v, want %s due %s", ack, prefix, tt.due)
			}
			if l := ack.Line(); l.Key != "feedback.ack."+string(tt.kind) || l.Args["ticket"] != prefix || l.Args["due"] != tt.due {
				t.Errorf("ack line %+v", l)
			}
			got := f.rec.take()
			want := slices.Clone(tt.to)
			slices.Sort(want)
			if !slices.Equal(recipients(got), want) {
				t.Fatalf("notified %v, want %v", recipients(got), want)
			}
			for _, n := range got {
				if n.Key != "feedback|"+prefix+"|new|"+n.To || n.Priority != domain.PriorityAlert {
					t.Errorf("key %q priority %d", n.Key, n.Priority)
				}
				wantLines := []string{tt.first, "feedback.kind." + string(tt.kind), "feedback.cat." + string(tt.cat), "feedback.card.sent", "feedback.card.text"}
				if !slices.Equal(lineKeys(n), wantLines) {
					t.Errorf("lines %v, want %v", lineKeys(n), wantLines)
				}
				first := n.Lines[0].Args
				if tt.kind == domain.KindFeedback {
					if first["refuse"] != "25/11/2026" || first["answer"] != tt.due {
						t.Errorf("first line args %v", first)
					}
				} else if first["due"] != tt.due {
					t.Errorf("first line args %v", first)
				}
				if n.Lines[2].Args != nil || n.Lines[3].Args["date"] != "10:00 20/11/2026" || n.Lines[4].Args["text"] != lampText {
					t.Errorf("card %+v", n.Lines)
				}
				var wantData []string
				for _, a := range []string{"take", "answer", "more", "refuse", "forward"} {
					wantData = append(wantData, "act "+prefix+" "+a)
				}
				if !slices.Equal(buttonData(n), wantData) {
					t.Errorf("buttons %v", buttonData(n))
				}
			}
		})
	}
}

func TestSubmitCard(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	photos := []domain.Photo{{FileID: "AgAD1", Size: 300_000, MIME: "image/jpeg"}, {FileID: "AgAD2"}}
	loc := domain.Location{Lat: 15.0712, Lon: 108.8023, Has: true}
	ack, err := f.svc.Submit(t.Context(), citizenA, domain.KindFeedback, domain.CatEnvironmentWaste, "  "+lampText+"\n", true, photos, loc)
	if err != nil {
		t.Fatal(err)
	}
	n := f.rec.take()[0]
	want := []string{"feedback.new", "feedback.kind.feedback", "feedback.cat.environment_waste", "feedback.card.sent",
		"feedback.card.text", "feedback.card.photos", "feedback.card.location", "feedback.card.anonymous"}
	if !slices.Equal(lineKeys(n), want) {
		t.Errorf("lines %v", lineKeys(n))
	}
	if a := n.Lines[5].Args; a["count"] != "2" {
		t.Errorf("photos %v", a)
	}
	if a := n.Lines[6].Args; a["lat"] != "15.071200" || a["lon"] != "108.802300" {
		t.Errorf("location %v", a)
	}
	fb := f.get(t, ack.Ticket)
	if !slices.Equal(fb.Photos, []string{"AgAD1", "AgAD2"}) || fb.Location != loc || !fb.Anonymous || fb.Text != lampText ||
		fb.Citizen != citizenA || !fb.DueRefuse.Equal(date(11, 25)) || !fb.DueMore.Equal(date(11, 30)) || !fb.DueAnswer.Equal(date(12, 14)) {
		t.Errorf("stored %+v", fb)
	}
}

func TestSubmitInvalid(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	photo := domain.Photo{FileID: "AgAD1", Size: 1000}
	tests := []struct {
		name      string
		kind      domain.FeedbackKind
		cat       domain.Category
		text      string
		anonymous bool
		photos    []domain.Photo
		key       string
	}{
		{"anonymous complaint", domain.KindComplaint, domain.CatLand, lampText, true, nil, "feedback.anonymous_not_allowed"},
		{"anonymous denunciation", domain.KindDenunciation, domain.CatStaffAttitude, lampText, true, nil, "feedback.anonymous_not_allowed"},
		{"empty", domain.KindFeedback, domain.CatOther, "", false, nil, "feedback.text_too_short"},
		{"10,000 characters", domain.KindFeedback, domain.CatOther, strings.Repeat("x", 10_000), false, nil, "feedback.text_too_long"},
		{"six photos", domain.KindFeedback, domain.CatOther, lampText, false, slices.Repeat([]domain.Photo{photo}, 6), "feedback.too_many_photos"},
		{"photo of 6 MB", domain.KindFeedback, domain.CatOther, lampText, false, []domain.Photo{{FileID: "x", Size: 6 << 20}}, "feedback.photo_too_large"},
		{"a document", domain.KindFeedback, domain.CatOther, lampText, false, []domain.Photo{{FileID: "x", MIME: "application/msword"}}, "feedback.photo_not_image"},
		{"unknown category", domain.KindFeedback, "weather", lampText, false, nil, "feedback.bad_category"},
		{"unknown kind", "gossip", domain.CatOther, lampText, false, nil, "feedback.bad_kind"},
	}
	for _, tt := range tests {
		_, err := f.svc.Submit(t.Context(), citizenA, tt.kind, tt.cat, tt.text, tt.anonymous, tt.photos, domain.Location{})
		t.Run(tt.name, func(t *testing.T) { wantInvalid(t, err, tt.key) })
	}
	if mine, err := f.svc.Mine(t.Context(), citizenA); err != nil || len(mine) != 0 {
		t.Errorf("stored %d messages, %v", len(mine), err)
	}
	if got := f.rec.take(); len(got) != 0 {
		t.Errorf("notified %d", len(got))
	}
	// The same complaint, signed, is accepted.
	if _, err := f.svc.Submit(t.Context(), citizenA, domain.KindComplaint, domain.CatLand, lampText, false, nil, domain.Location{}); err != nil {
		t.Errorf("signed complaint: %v", err)
	}
}

func TestThrottle(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	for i := range feedback.MaxPerWindow {
		f.clock.set(fri.Add(time.Duration(i) * time.Second))
		f.submit(t, citizenA)
	}
	f.clock.set(fri.Add(30 * time.Second))
	f.rec.take()
	_, err := f.svc.Submit(ctx, citizenA, domain.KindFeedback, domain.CatOther, "Tin nhắn thứ mười một", false, nil, domain.Location{})
	var te *feedback.ThrottledError
	if !errors.As(err, &te) || !errors.Is(err, domain.ErrRateLimited) || te.Key != "feedback.throttled" {
		t.Fatalf("11th within a minute: %v, want a ThrottledError", err)
	}
	mine, _ := f.svc.Mine(ctx, citizenA)
	if len(mine) != feedback.MaxPerWindow {
		t.Errorf("%d stored, want %d", len(mine), feedback.MaxPerWindow)
	}
	for _, m := range mine {
		if m.Text == "Tin nhắn thứ mười một" {
			t.Error("the refused text was stored")
		}
	}
	if got := f.rec.take(); len(got) != 0 {
		t.Errorf("refused message notified %d", len(got))
	}
	// Someone else is not held up.
	f.submit(t, citizenB)
	// A minute after the first ones, free again.
	f.clock.set(fri.Add(time.Minute + 10*time.Second))
	if _, err := f.svc.Submit(ctx, citizenA, domain.KindFeedback, domain.CatOther, "Tin nhắn thứ mười một", false, nil, domain.Location{}); err != nil {
		t.Errorf("after a minute: %v", err)
	}
}

func TestSubmitConcurrent(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const n = 24
	tickets := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			kind := domain.KindFeedback
			if i%3 == 0 {
				kind = domain.KindComplaint
			}
			ack, err := f.svc.Submit(t.Context(), fmt.Sprintf("tg:%d", 2000+i), kind, domain.CatOther, lampText, false, nil, domain.Location{})
			if err != nil {
				t.Errorf("Submit %d: %v", i, err)
			}
			tickets[i] = ack.Ticket
		})
	}
	wg.Wait()
	slices.Sort(tickets)
	var want []string
	for i := 1; i <= n/3; i++ {
		want = append(want, fmt.Sprintf("KN-2611-%04d", i))
	}
	for i := 1; i <= n-n/3; i++ {
		want = append(want, fmt.Sprintf("PA-2611-%04d", i))
	}
	if !slices.Equal(tickets, want) {
		t.Errorf("tickets %v\nwant %v", tickets, want)
	}
}

func TestStatus(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	ack := f.submit(t, citizenA)
	got, err := f.svc.Status(ctx, citizenA, "pa 2611 1")
	if err != nil || got.Ticket != ack.Ticket || got.Text != lampText {
		t.Fatalf("own ticket: %+v, %v", got, err)
	}
	ie := wantInvalid(t, errOf(f.svc.Status(ctx, citizenB, ack.Ticket)), "feedback.not_yours")
	unknown := wantInvalid(t, errOf(f.svc.Status(ctx, citizenB, "PA-2611-0099")), "feedback.not_yours")
	if ie.Args["ticket"] != ack.Ticket || unknown.Args["ticket"] != "PA-2611-0099" {
		t.Errorf("args %v %v", ie.Args, unknown.Args)
	}
	wantInvalid(t, errOf(f.svc.Status(ctx, citizenA, "H55.20-250501-0001")), "feedback.bad_ticket")
	// Nor can another citizen add to it or rate it.
	wantInvalid(t, errOf(f.svc.Supplement(ctx, citizenB, ack.Ticket, "thêm")), "feedback.not_yours")
	wantInvalid(t, errOf(f.svc.Rate(ctx, citizenB, ack.Ticket, false)), "feedback.not_yours")
}

func errOf[T any](_ T, err error) error { return err }

func TestOfficialActionsForbidden(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	ack := f.submit(t, citizenA)
	f.rec.take()
	id := f.ids[chatGiang]
	for _, actor := range []string{citizenA, citizenB, chatRevoked, ""} {
		for name, call := range map[string]func() error{
			"Take":        func() error { return errOf(f.svc.Take(ctx, actor, ack.Ticket)) },
			"Answer":      func() error { return errOf(f.svc.Answer(ctx, actor, ack.Ticket, "Đã sửa")) },
			"RequestMore": func() error { return errOf(f.svc.RequestMore(ctx, actor, ack.Ticket, "Cột số mấy?")) },
			"Refuse":      func() error { return errOf(f.svc.Refuse(ctx, actor, ack.Ticket, "Không")) },
			"Forward":     func() error { return errOf(f.svc.Forward(ctx, actor, ack.Ticket, id)) },
			"Inbox":       func() error { return errOf(f.svc.Inbox(ctx, actor, feedback.BoxOpen)) },
		} {
			if err := call(); !errors.Is(err, domain.ErrForbidden) {
				t.Errorf("%s by %q: %v, want ErrForbidden", name, actor, err)
			}
		}
	}
	if fb := f.get(t, ack.Ticket); fb.Status != domain.FeedbackNew || fb.Owner != "" {
		t.Errorf("changed: %+v", fb)
	}
	if got := f.rec.take(); len(got) != 0 {
		t.Errorf("notified %d", len(got))
	}
}

// TestFlow follows one message through every step and checks each notice.
func TestFlow(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	ack := f.submit(t, citizenA)
	tk := ack.Ticket
	f.rec.take()
	one := func(to string, keys ...string) domain.Notice {
		t.Helper()
		got := f.rec.take()
		if len(got) != 1 || got[0].To != to || !slices.Equal(lineKeys(got[0]), keys) {
			var summary []string
			for _, n := range got {
				summary = append(summary, n.To+" "+strings.Join(lineKeys(n), ","))
			}
			t.Fatalf("notices %v; want one to %s with %v", summary, to, keys)
		}
		return got[0]
	}
	status := func(want domain.FeedbackStatus, owner string) {
		t.Helper()
		if fb := f.get(t, tk); fb.Status != want || fb.Owner != owner {
			t.Fatalf("status %s owner %q; want %s %q", fb.Status, fb.Owner, want, owner)
		}
	}

	f.clock.set(at(2026, 11, 23, 8, 0))
	if _, err := f.svc.Take(ctx, chatGiang, tk); err != nil {
		t.Fatalf("Take: %v", err)
	}
	status(domain.FeedbackTaken, chatGiang)
	if n := one(citizenA, "feedback.taken"); n.Lines[0].Args["due"] != "14/12/2026" {
		t.Errorf("taken args %v", n.Lines[0].Args)
	}
	wantInvalid(t, errOf(f.svc.Take(ctx, chatGiang, tk)), "feedback.not_now.taken")

	if _, err := f.svc.RequestMore(ctx, chatGiang, tk, "Cột đèn số mấy?"); err != nil {
		t.Fatalf("RequestMore: %v", err)
	}
	status(domain.FeedbackMoreRequested, chatGiang)
	n := one(citizenA, "feedback.more")
	if n.Lines[0].Args["request"] != "Cột đèn số mấy?" || !slices.Equal(buttonData(n), []string{"supplement " + tk}) ||
		n.Priority != domain.PriorityAnswer {
		t.Errorf("more notice %+v", n)
	}
	wantInvalid(t, errOf(f.svc.Answer(ctx, chatGiang, tk, "Đã sửa")), "feedback.not_now.more_requested")

	if _, err := f.svc.Supplement(ctx, citizenA, strings.ToLower(tk), "Cột số 12, gần cổng nhà văn hóa"); err != nil {
		t.Fatalf("Supplement: %v", err)
	}
	status(domain.FeedbackTaken, chatGiang)
	n = one(chatGiang, "feedback.supplemented", "feedback.kind.feedback", "feedback.cat.roads_lighting",
		"feedback.card.sent", "feedback.card.text", "feedback.card.supplement")
	if !slices.Equal(buttonData(n), []string{"act " + tk + " answer", "act " + tk + " more", "act " + tk + " refuse", "act " + tk + " forward"}) {
		t.Errorf("buttons %v", buttonData(n))
	}
	// Opened from /phananh, it offers its owner the notice's buttons.
	op, err := f.svc.Open(ctx, chatGiang, tk)
	if opened := buttonData(domain.Notice{Buttons: op.Actions}); err != nil || !slices.Equal(opened, buttonData(n)) ||
		op.Actions[0].Key != "feedback.btn.answer" {
		t.Errorf("Open: %v, %v; want %v", opened, err, buttonData(n))
	}
	wantInvalid(t, errOf(f.svc.Supplement(ctx, citizenA, tk, "lần nữa")), "feedback.not_now.taken")

	// An official of another field may not answer it; empty answers are refused.
	wantInvalid(t, errOf(f.svc.Answer(ctx, chatBinh, tk, "Đã sửa")), "feedback.not_in_scope")
	wantInvalid(t, errOf(f.svc.Answer(ctx, chatGiang, tk, "   ")), "feedback.reply_empty")
	if _, err := f.svc.Answer(ctx, chatGiang, tk, "Đã thay bóng đèn cột số 12 ngày 23/11."); err != nil {
		t.Fatalf("Answer: %v", err)
	}
	status(domain.FeedbackAnswered, chatGiang)
	n = one(citizenA, "feedback.answered", "feedback.card.answer", "feedback.rate_ask")
	if !slices.Equal(buttonData(n), []string{"judge " + tk + " yes", "judge " + tk + " no"}) || n.Priority != domain.PriorityAnswer {
		t.Errorf("answer notice %+v", n)
	}
	wantInvalid(t, errOf(f.svc.Answer(ctx, chatGiang, tk, "Lần hai")), "feedback.not_now.answered")

	// Not helpful: reopened for the head, with a fresh answer clock.
	f.clock.set(at(2026, 11, 25, 9, 0))
	if _, err := f.svc.Rate(ctx, citizenA, tk, false); err != nil {
		t.Fatalf("Rate(no): %v", err)
	}
	status(domain.FeedbackReopened, chatHead)
	n = one(chatHead, "feedback.reopened", "feedback.kind.feedback", "feedback.cat.roads_lighting",
		"feedback.card.sent", "feedback.card.text", "feedback.card.supplement", "feedback.card.answer")
	// 15 working days from Wed 25/11: 26/11 … 16/12.
	if n.Lines[0].Args["due"] != "16/12/2026" || !f.get(t, tk).DueAnswer.Equal(date(12, 16)) {
		t.Errorf("reopened due %v", n.Lines[0].Args)
	}
	if !slices.Equal(buttonData(n), []string{"act " + tk + " take", "act " + tk + " answer", "act " + tk + " forward"}) {
		t.Errorf("buttons %v", buttonData(n))
	}
	wantInvalid(t, errOf(f.svc.Rate(ctx, citizenA, tk, true)), "feedback.not_now.reopened")
	// Giang no longer owns it.
	wantInvalid(t, errOf(f.svc.Answer(ctx, chatGiang, tk, "Đã sửa lại")), "feedback.not_owner")

	if _, err := f.svc.Answer(ctx, chatHead, tk, "Đã kiểm tra lại, đèn sáng bình thường."); err != nil {
		t.Fatalf("head's Answer: %v", err)
	}
	one(citizenA, "feedback.answered", "feedback.card.answer", "feedback.rate_ask")
	if _, err := f.svc.Rate(ctx, citizenA, tk, true); err != nil {
		t.Fatalf("Rate(yes): %v", err)
	}
	status(domain.FeedbackClosed, chatHead)
	one(chatHead, "feedback.rated_helpful")
	wantInvalid(t, errOf(f.svc.Rate(ctx, citizenA, tk, false)), "feedback.not_now.closed")
	wantInvalid(t, errOf(f.svc.Take(ctx, chatHead, tk)), "feedback.not_now.closed")

	fb := f.get(t, tk)
	evs, err := f.db.FeedbackEvents(ctx, fb.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range evs {
		got = append(got, fmt.Sprintf("%s %s>%s %s %s", e.Action, e.From, e.To, e.Actor, e.Detail))
	}
	want := []string{
		"created >new citizen ",
		"take new>taken " + chatGiang + " ",
		"more taken>more_requested " + chatGiang + " ",
		"supplement more_requested>taken citizen ",
		"answer taken>answered " + chatGiang + " ",
		"rate answered>reopened citizen helpful=no",
		"answer reopened>answered " + chatHead + " ",
		"rate answered>closed citizen helpful=yes",
	}
	if !slices.Equal(got, want) {
		t.Errorf("events\n%q\nwant\n%q", got, want)
	}
	for _, e := range evs {
		if strings.Contains(e.Detail, citizenA) || strings.Contains(e.Actor, citizenA) {
			t.Errorf("event %+v names the citizen", e)
		}
	}
}

func TestRefuseAndForward(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	a := f.submit(t, citizenA)
	b := f.submit(t, citizenB)
	f.rec.take()

	wantInvalid(t, errOf(f.svc.Refuse(ctx, chatGiang, a.Ticket, "")), "feedback.reply_empty")
	if _, err := f.svc.Refuse(ctx, chatGiang, a.Ticket, "Tuyến đường do huyện quản lý."); err != nil {
		t.Fatalf("Refuse: %v", err)
	}
	got := f.rec.take()
	if len(got) != 1 || got[0].To != citizenA || got[0].Lines[0].Key != "feedback.refused" ||
		got[0].Lines[0].Args["reason"] != "Tuyến đường do huyện quản lý." || len(got[0].Buttons) != 0 {
		t.Fatalf("refused notices %+v", got)
	}
	if fb := f.get(t, a.Ticket); fb.Status != domain.FeedbackRefused || fb.ClosedAt.IsZero() {
		t.Errorf("refused %+v", fb)
	}
	wantInvalid(t, errOf(f.svc.Rate(ctx, citizenA, a.Ticket, true)), "feedback.not_now.refused")
	wantInvalid(t, errOf(f.svc.Forward(ctx, chatGiang, a.Ticket, f.ids[chatLan])), "feedback.not_now.refused")
	wantInvalid(t, errOf(f.svc.Take(ctx, chatGiang, "PA-2611-0777")), "feedback.no_such")
	wantInvalid(t, errOf(f.svc.Take(ctx, chatGiang, "rubbish")), "feedback.bad_ticket")

	// Forward: the status stays, the new owner is told.
	if _, err := f.svc.Take(ctx, chatGiang, b.Ticket); err != nil {
		t.Fatal(err)
	}
	f.rec.take()
	wantInvalid(t, errOf(f.svc.Forward(ctx, chatGiang, b.Ticket, f.ids[chatRevoked])), "feedback.no_such_official")
	wantInvalid(t, errOf(f.svc.Forward(ctx, chatGiang, b.Ticket, 9999)), "feedback.no_such_official")
	wantInvalid(t, errOf(f.svc.Forward(ctx, chatGiang, b.Ticket, f.ids[chatGiang])), "feedback.forward_self")
	wantInvalid(t, errOf(f.svc.Forward(ctx, chatHead, b.Ticket, f.ids[chatGiang])), "feedback.forward_same")
	wantInvalid(t, errOf(f.svc.Forward(ctx, chatBinh, b.Ticket, f.ids[chatBinh])), "feedback.not_in_scope")
	if _, err := f.svc.Forward(ctx, chatGiang, b.Ticket, f.ids[chatLan]); err != nil {
		t.Fatalf("Forward: %v", err)
	}
	if fb := f.get(t, b.Ticket); fb.Status != domain.FeedbackTaken || fb.Owner != chatLan {
		t.Errorf("forwarded %+v", fb)
	}
	got = f.rec.take()
	if len(got) != 1 || got[0].To != chatLan || got[0].Lines[0].Key != "feedback.forwarded" ||
		!maps.Equal(got[0].Lines[0].Args, map[string]string{"ticket": b.Ticket, "from": "Đặng Văn Giang", "answer": "14/12/2026"}) {
		t.Fatalf("forward notices %+v", got)
	}
	// The head may act on anyone's message.
	if _, err := f.svc.Forward(ctx, chatHead, b.Ticket, f.ids[chatKhoa]); err != nil {
		t.Errorf("head's Forward: %v", err)
	}
}

func TestConcurrentAnswers(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ack := f.submit(t, citizenA)
	f.rec.take()
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, who := range []string{chatGiang, chatHead} {
		wg.Go(func() { _, errs[i] = f.svc.Answer(t.Context(), who, ack.Ticket, "Trả lời của "+who) })
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		var ie *domain.InvalidError
		switch {
		case err == nil:
			ok++
		case errors.Is(err, domain.ErrConflict), errors.As(err, &ie) && ie.Key == "feedback.not_now.answered":
		default:
			t.Errorf("unexpected %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d answers succeeded: %v", ok, errs)
	}
	if got := f.rec.take(); len(got) != 1 || got[0].To != citizenA {
		t.Errorf("the citizen got %d answers", len(got))
	}
}

func TestComplaintNotRated(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	ack, err := f.svc.Submit(ctx, citizenA, domain.KindComplaint, domain.CatLand, "Khiếu nại quyết định thu hồi đất của UBND xã.", false, nil, domain.Location{})
	if err != nil {
		t.Fatal(err)
	}
	if ack.Ticket != "KN-2611-0001" || ack.Line().Key != "feedback.ack.complaint" {
		t.Errorf("ack %+v", ack)
	}
	f.rec.take()
	if _, err := f.svc.Answer(ctx, chatHead, ack.Ticket, "Đơn đã được thụ lý, thông báo gửi kèm."); err != nil {
		t.Fatal(err)
	}
	got := f.rec.take()
	if len(got) != 1 || !slices.Equal(lineKeys(got[0]), []string{"feedback.answered", "feedback.card.answer"}) || len(got[0].Buttons) != 0 {
		t.Errorf("answer to a complaint %+v", got)
	}
	wantInvalid(t, errOf(f.svc.Rate(ctx, citizenA, ack.Ticket, false)), "feedback.no_rating")
}

func TestInbox(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	a := f.submit(t, citizenA) // Giang takes it
	b := f.submit(t, citizenA) // stays new
	c := f.submit(t, citizenB) // answered: waits for the rating
	d := f.submit(t, citizenB) // more requested, then given to Khoa
	e := f.submit(t, citizenB) // refused
	for _, step := range []error{
		errOf(f.svc.Take(ctx, chatGiang, a.Ticket)),
		errOf(f.svc.Answer(ctx, chatGiang, c.Ticket, "Đã sửa")),
		errOf(f.svc.RequestMore(ctx, chatGiang, d.Ticket, "Ở đâu?")),
		errOf(f.svc.Forward(ctx, chatGiang, d.Ticket, f.ids[chatKhoa])),
		errOf(f.svc.Refuse(ctx, chatGiang, e.Ticket, "Trùng phản ánh "+a.Ticket)),
	} {
		if step != nil {
			t.Fatal(step)
		}
	}
	tickets := func(fs []domain.Feedback) []string {
		var out []string
		for _, x := range fs {
			out = append(out, x.Ticket)
		}
		return out
	}
	tests := []struct {
		who, box string
		now      time.Time
		want     []string
	}{
		// Binh's field (Hộ tịch) has none; Khoa sees the one given to him.
		{chatBinh, feedback.BoxOpen, fri, nil},
		{chatGiang, feedback.BoxOpen, fri, []string{a.Ticket, b.Ticket, d.Ticket}},
		{chatKhoa, feedback.BoxOpen, fri, []string{d.Ticket}},
		{chatHead, feedback.BoxOpen, fri, []string{a.Ticket, b.Ticket, d.Ticket}},
		{chatGiang, feedback.BoxMine, fri, []string{a.Ticket}},
		{chatKhoa, feedback.BoxMine, fri, []string{d.Ticket}},
		{chatChair, feedback.BoxOverdue, at(2026, 11, 25, 17, 0), nil},
		// Thu 26/11: b's refuse clock ran out; a is taken, its answer clock runs to 14/12.
		{chatChair, feedback.BoxOverdue, at(2026, 11, 26, 8, 0), []string{b.Ticket}},
		{chatChair, feedback.BoxOverdue, at(2026, 12, 15, 8, 0), []string{a.Ticket, b.Ticket}},
	}
	for _, tt := range tests {
		f.clock.set(tt.now)
		got, err := f.svc.Inbox(ctx, tt.who, tt.box)
		if err != nil || !slices.Equal(tickets(got), tt.want) {
			t.Errorf("Inbox(%s, %s) at %v = %v, %v; want %v", tt.who, tt.box, tt.now, tickets(got), err, tt.want)
		}
	}
	wantInvalid(t, errOf(f.svc.Inbox(ctx, chatBinh, "all")), "feedback.bad_box")
}

func TestForget(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	a := f.submit(t, citizenA)
	f.submit(t, citizenA)
	b := f.submit(t, citizenB)
	n, err := f.svc.Forget(ctx, citizenA)
	if err != nil || n != 2 {
		t.Fatalf("Forget = %d, %v; want 2", n, err)
	}
	fb := f.get(t, a.Ticket)
	if fb.Citizen != "" || fb.Text != lampText {
		t.Errorf("after Forget: %+v; want the text and no identity", fb)
	}
	if mine, _ := f.svc.Mine(ctx, citizenA); len(mine) != 0 {
		t.Errorf("still %d of theirs", len(mine))
	}
	wantInvalid(t, errOf(f.svc.Status(ctx, citizenA, a.Ticket)), "feedback.not_yours")
	if _, err := f.svc.Status(ctx, citizenB, b.Ticket); err != nil {
		t.Errorf("the other citizen's: %v", err)
	}
	// It is still answered, to no one.
	f.rec.take()
	if _, err := f.svc.Answer(ctx, chatGiang, a.Ticket, "Đã sửa"); err != nil {
		t.Fatal(err)
	}
	if got := f.rec.take(); len(got) != 0 {
		t.Errorf("answer sent to %v", recipients(got))
	}
}

// TestButtonsFit: every button a ticket's notices carry fits under a
// button (domain.MaxRef), for the longest ticket a month can number.
func TestButtonsFit(t *testing.T) {
	t.Parallel()
	for _, tk := range []string{"PA-2611-0042", "TC-2612-10000"} {
		var ins []domain.Intent
		for _, a := range domain.FeedbackActions() {
			ins = append(ins, domain.Intent{Kind: domain.IntentAct, Ref: tk, Arg: a})
		}
		ins = append(ins, domain.Intent{Kind: domain.IntentJudge, Ref: tk, Arg: domain.Helpful},
			domain.Intent{Kind: domain.IntentJudge, Ref: tk, Arg: domain.NotHelpful},
			domain.Intent{Kind: domain.IntentSupplement, Ref: tk})
		for _, in := range ins {
			if !in.Fits() {
				t.Errorf("%+v does not fit a button", in)
			}
		}
	}
}
