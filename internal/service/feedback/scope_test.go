package feedback_test

import (
	"errors"
	"slices"
	"testing"

	"xabot/internal/domain"
	"xabot/internal/service/feedback"
)

// Feedback reaches only whom it concerns: the access rule as the service
// applies it to actions, /phananh, notices and forwarding.

const denunciationText = "Tố cáo cán bộ đòi tiền khi làm thủ tục đăng ký khai sinh ở Bộ phận Một cửa."

// submitKind sends a message of kind and category from citizen.
func (f *fixture) submitKind(t *testing.T, citizen string, kind domain.FeedbackKind, cat domain.Category, text string) string {
	t.Helper()
	ack, err := f.svc.Submit(t.Context(), citizen, kind, cat, text, false, nil, domain.Location{})
	if err != nil {
		t.Fatalf("Submit(%s, %s): %v", kind, cat, err)
	}
	return ack.Ticket
}

// dossierOf stores a dossier whose handler is the official named handler.
func (f *fixture) dossierOf(t *testing.T, code, handler string) {
	t.Helper()
	d := domain.Dossier{Code: code, ProcedureName: "Đăng ký khai sinh", Field: "Hộ tịch", Phone: "0905111222",
		Intake: domain.IntakeDirect, Status: domain.StatusInProgress, ReceivedAt: fri.AddDate(0, 0, -3),
		DueAt: fri.AddDate(0, 0, 4), Handler: handler}
	if _, err := f.db.UpsertDossiers(t.Context(), []domain.Dossier{d}, "test"); err != nil {
		t.Fatal(err)
	}
}

// roadsAndDenunciation is a fixture with a roads feedback and a
// denunciation, their notices taken.
func roadsAndDenunciation(t *testing.T) (f *fixture, roads, tc string) {
	t.Helper()
	t.Parallel()
	f = newFixture(t)
	roads = f.submitKind(t, citizenA, domain.KindFeedback, domain.CatRoadsLighting, lampText)
	tc = f.submitKind(t, citizenB, domain.KindDenunciation, domain.CatOther, denunciationText)
	f.rec.take()
	return f, roads, tc
}

func tickets(fs []domain.Feedback) []string {
	var out []string
	for _, x := range fs {
		out = append(out, x.Ticket)
	}
	return out
}

// A field official's forged "take" (or any other button) on a denunciation
// is refused and changes nothing; the head takes it.
func TestFieldOfficialCannotActOnDenunciation(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	tc := f.submitKind(t, citizenA, domain.KindDenunciation, domain.CatOther, denunciationText)
	if got := recipients(f.rec.take()); !slices.Equal(got, []string{chatHead, chatChair}) {
		t.Errorf("denunciation told to %v, want the head and the chairman", got)
	}
	for _, actor := range []string{chatGiang, chatBinh, chatLan, chatAdmin} {
		for name, call := range map[string]func() error{
			"Take":        func() error { return errOf(f.svc.Take(ctx, actor, tc)) },
			"Answer":      func() error { return errOf(f.svc.Answer(ctx, actor, tc, "Đã xác minh, không có sai phạm.")) },
			"RequestMore": func() error { return errOf(f.svc.RequestMore(ctx, actor, tc, "Cán bộ nào?")) },
			"Refuse":      func() error { return errOf(f.svc.Refuse(ctx, actor, tc, "Không đủ căn cứ.")) },
			"Forward":     func() error { return errOf(f.svc.Forward(ctx, actor, tc, f.ids[chatGiang])) },
			"CanAct":      func() error { return f.svc.CanAct(ctx, actor, tc, domain.ActTake) },
			"Targets":     func() error { return errOf(f.svc.ForwardTargets(ctx, actor, tc)) },
		} {
			t.Run(actor+"/"+name, func(t *testing.T) { wantInvalid(t, call(), "feedback.not_in_scope") })
		}
	}
	if fb := f.get(t, tc); fb.Status != domain.FeedbackNew || fb.Owner != "" {
		t.Errorf("changed by an official it was not routed to: %+v", fb)
	}
	if got := f.rec.take(); len(got) != 0 {
		t.Errorf("notified %v", recipients(got))
	}
	if _, err := f.svc.Take(ctx, chatHead, tc); err != nil {
		t.Fatalf("the head's Take: %v", err)
	}
	if fb := f.get(t, tc); fb.Owner != chatHead {
		t.Errorf("owner %q, want the head", fb.Owner)
	}
}

// /phananh lists only what is routed to the official's fields or given to
// them; heads and chairmen see the commune's; the admin nothing.
func TestInboxScope(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	roads := f.submitKind(t, citizenA, domain.KindFeedback, domain.CatRoadsLighting, lampText)
	land := f.submitKind(t, citizenA, domain.KindFeedback, domain.CatLand, "Lối đi chung ở xóm Đông bị lấn chiếm.")
	tc := f.submitKind(t, citizenB, domain.KindDenunciation, domain.CatRoadsLighting, denunciationText)
	kn := f.submitKind(t, citizenB, domain.KindComplaint, domain.CatLand, "Khiếu nại quyết định thu hồi đất của UBND xã.")
	staff := f.submitKind(t, citizenB, domain.KindFeedback, domain.CatStaffAttitude, "Cán bộ tiếp dân nói năng thiếu tôn trọng.")
	tests := []struct {
		who, box string
		want     []string
	}{
		{chatGiang, feedback.BoxOpen, []string{roads}},
		{chatLan, feedback.BoxOpen, []string{land}},
		{chatBinh, feedback.BoxOpen, nil},
		{chatAdmin, feedback.BoxOpen, nil},
		{chatHead, feedback.BoxOpen, []string{roads, land, tc, kn, staff}},
		{chatChair, feedback.BoxOpen, []string{roads, land, tc, kn, staff}},
	}
	for _, tt := range tests {
		got, err := f.svc.Inbox(ctx, tt.who, tt.box)
		if err != nil || !slices.Equal(tickets(got), tt.want) {
			t.Errorf("Inbox(%s, %s) = %v, %v; want %v", tt.who, tt.box, tickets(got), err, tt.want)
		}
	}
	// A sensitive message owned by a field official (as before this rule)
	// gives them nothing: not listed, not theirs to act on.
	before := f.get(t, kn)
	after := before
	after.Status, after.Owner = domain.FeedbackTaken, chatLan
	if _, err := f.db.UpdateFeedback(ctx, before, after, domain.FeedbackEvent{Actor: chatLan, Action: domain.ActTake}); err != nil {
		t.Fatal(err)
	}
	for _, box := range []string{feedback.BoxOpen, feedback.BoxMine} {
		if got, err := f.svc.Inbox(ctx, chatLan, box); err != nil || slices.Contains(tickets(got), kn) {
			t.Errorf("Inbox(Lan, %s) = %v, %v: lists the complaint", box, tickets(got), err)
		}
	}
	wantInvalid(t, errOf(f.svc.Answer(ctx, chatLan, kn, "Đã thụ lý.")), "feedback.not_in_scope")
	// The admin takes nothing by being admin.
	wantInvalid(t, errOf(f.svc.Take(ctx, chatAdmin, roads)), "feedback.not_in_scope")
}

// Forwarding to oneself is refused, owner or not, and changes nothing.
func TestForwardToSelf(t *testing.T) {
	f, roads, tc := roadsAndDenunciation(t)
	ctx := t.Context()
	// Routed to Giang but nobody's yet: he takes it before handing it on.
	wantInvalid(t, errOf(f.svc.Forward(ctx, chatGiang, roads, f.ids[chatHead])), "feedback.forward_take_first")
	for _, c := range []struct{ who, ticket string }{{chatHead, roads}, {chatHead, tc}} {
		t.Run(c.who+"/"+c.ticket, func(t *testing.T) {
			wantInvalid(t, errOf(f.svc.Forward(ctx, c.who, c.ticket, f.ids[c.who])), "feedback.forward_self")
		})
	}
	if _, err := f.svc.Take(ctx, chatGiang, roads); err != nil {
		t.Fatal(err)
	}
	wantInvalid(t, errOf(f.svc.Forward(ctx, chatGiang, roads, f.ids[chatGiang])), "feedback.forward_self")
	if fb := f.get(t, tc); fb.Owner != "" {
		t.Errorf("the denunciation is now %q's", fb.Owner)
	}
}

// A denunciation is forwarded only to a head or chairman, and the
// colleagues offered are only those a message may go to.
func TestForwardScope(t *testing.T) {
	f, roads, tc := roadsAndDenunciation(t)
	ctx := t.Context()

	// A denunciation never to a field official, nor to the admin.
	if _, err := f.svc.Take(ctx, chatHead, tc); err != nil {
		t.Fatal(err)
	}
	f.rec.take()
	for _, to := range []string{chatGiang, chatBinh, chatAdmin} {
		ie := wantInvalid(t, errOf(f.svc.Forward(ctx, chatHead, tc, f.ids[to])), "feedback.forward_not_eligible")
		if ie.Args["ticket"] != tc || ie.Args["name"] == "" {
			t.Errorf("args %v", ie.Args)
		}
	}
	// Nor can the plain feedback go to the admin.
	wantInvalid(t, errOf(f.svc.Forward(ctx, chatHead, roads, f.ids[chatAdmin])), "feedback.forward_not_eligible")
	if fb := f.get(t, tc); fb.Owner != chatHead {
		t.Errorf("denunciation moved to %q", fb.Owner)
	}
	if got := f.rec.take(); len(got) != 0 {
		t.Errorf("refused forwards notified %v", recipients(got))
	}

	names := func(os []domain.Official) []string {
		var out []string
		for _, o := range os {
			out = append(out, o.ChatKey)
		}
		return out
	}
	targets, err := f.svc.ForwardTargets(ctx, chatHead, tc)
	if err != nil || !slices.Equal(names(targets), []string{chatChair}) {
		t.Errorf("the head's targets for a denunciation: %v, %v; want the chairman", names(targets), err)
	}
	if _, err := f.svc.Take(ctx, chatGiang, roads); err != nil {
		t.Fatal(err)
	}
	f.rec.take()
	targets, err = f.svc.ForwardTargets(ctx, chatGiang, roads)
	if want := []string{chatBinh, chatHead, chatChair, chatKhoa, chatLan}; err != nil || !slices.Equal(names(targets), want) {
		t.Errorf("Giang's targets for a roads feedback: %v, %v; want %v", names(targets), err, want)
	}
	if _, err := f.svc.Forward(ctx, chatHead, tc, f.ids[chatChair]); err != nil {
		t.Fatalf("to the chairman: %v", err)
	}
	if got := recipients(f.rec.take()); !slices.Equal(got, []string{chatChair}) {
		t.Errorf("forward told %v", got)
	}
}

// A sensitive message citing a dossier reaches neither that dossier's
// handler — even the head: the chairman alone then — nor its field; the
// dossier and the handler are kept with it. Plain feedback citing it still
// reaches the head.
func TestSensitiveExcludesHandler(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	f.dossierOf(t, "H55.20-261117-0007", "PHẠM THỊ DUNG") // the head, spelt otherwise
	text := "Tố cáo: khi nộp hồ sơ H55.20-261117-7 tôi bị đòi 500.000 đồng «bồi dưỡng»."
	tc, err := f.svc.Submit(ctx, citizenA, domain.KindDenunciation, domain.CatOther, text, false,
		[]domain.Photo{{FileID: "AgAD9", Size: 1000}}, domain.Location{})
	if err != nil {
		t.Fatal(err)
	}
	got := f.rec.take()
	if !slices.Equal(recipients(got), []string{chatChair}) || !slices.Equal(got[0].Photos, []string{"AgAD9"}) {
		t.Fatalf("the card and photo went to %v, want the chairman alone", recipients(got))
	}
	fb := f.get(t, tc.Ticket)
	if fb.DossierCode != "H55.20-261117-0007" || fb.DossierHandler != "PHẠM THỊ DUNG" {
		t.Errorf("cites %q of %q", fb.DossierCode, fb.DossierHandler)
	}
	wantInvalid(t, errOf(f.svc.Take(ctx, chatHead, tc.Ticket)), "feedback.not_in_scope")
	if open, err := f.svc.Inbox(ctx, chatHead, feedback.BoxOpen); err != nil || len(open) != 0 {
		t.Errorf("the head's inbox: %v, %v", tickets(open), err)
	}
	// The chairman cannot hand it to the head it accuses.
	if _, err := f.svc.Take(ctx, chatChair, tc.Ticket); err != nil {
		t.Fatal(err)
	}
	if targets, err := f.svc.ForwardTargets(ctx, chatChair, tc.Ticket); err != nil || len(targets) != 0 {
		t.Errorf("targets %v, %v; want none", targets, err)
	}
	wantInvalid(t, errOf(f.svc.Forward(ctx, chatChair, tc.Ticket, f.ids[chatHead])), "feedback.forward_not_eligible")
	// Overdue: the chairman is told, not the head.
	f.rec.take()
	if _, err := f.svc.SLA(ctx, at(2026, 12, 1, 7, 30)); err != nil {
		t.Fatal(err)
	}
	if got := recipients(f.rec.takeNew()); !slices.Equal(got, []string{chatChair}) {
		t.Errorf("the overdue denunciation was told to %v", got)
	}

	// Plain feedback about the same dossier goes to the head as routed.
	f.submitKind(t, citizenB, domain.KindFeedback, domain.CatAdminProcedure, "Hồ sơ H55.20-261117-0007 chậm trả kết quả.")
	if got := recipients(f.rec.take()); !slices.Equal(got, []string{chatHead}) {
		t.Errorf("admin_procedure feedback told to %v, want the head", got)
	}
	// Staff attitude about it: the chairman alone; a code of no dossier excludes no one.
	f.submitKind(t, citizenB, domain.KindFeedback, domain.CatStaffAttitude, "Cán bộ xử lý hồ sơ H55.20-261117-0007 rất khó chịu.")
	if got := recipients(f.rec.take()); !slices.Equal(got, []string{chatChair}) {
		t.Errorf("staff attitude told to %v, want the chairman", got)
	}
	kn := f.submitKind(t, citizenB, domain.KindComplaint, domain.CatOther, "Khiếu nại về hồ sơ H55.20-261101-0099 bị trả lại.")
	if got := recipients(f.rec.take()); !slices.Equal(got, []string{chatHead, chatChair}) {
		t.Errorf("complaint citing an unknown dossier told to %v", got)
	}
	if fb := f.get(t, kn); fb.DossierCode != "H55.20-261101-0099" || fb.DossierHandler != "" {
		t.Errorf("cites %q of %q", fb.DossierCode, fb.DossierHandler)
	}
}

// A message whose owner was revoked is nobody's: the officials it is
// routed to may take it up again.
func TestRevokedOwnerFreesTheMessage(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	roads := f.submitKind(t, citizenA, domain.KindFeedback, domain.CatRoadsLighting, lampText)
	before := f.get(t, roads)
	after := before
	after.Status, after.Owner = domain.FeedbackTaken, chatRevoked
	if _, err := f.db.UpdateFeedback(ctx, before, after, domain.FeedbackEvent{Actor: chatRevoked, Action: domain.ActTake}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Answer(ctx, chatGiang, roads, "Đã thay bóng đèn."); err != nil {
		t.Errorf("the routed official's answer: %v", err)
	}
	if _, err := f.svc.Take(ctx, chatRevoked, roads); !errors.Is(err, domain.ErrForbidden) {
		t.Errorf("the revoked owner: %v", err)
	}
}
