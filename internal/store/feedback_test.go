package store

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"sync"
	"testing"
	"time"
	_ "time/tzdata" // Asia/Ho_Chi_Minh without the system's zoneinfo

	"xabot/internal/domain"
	"xabot/internal/service/feedback"
)

var _ feedback.Repo = (*DB)(nil)

func hcmZone(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func newFeedback(kind domain.FeedbackKind, citizen string, at time.Time) domain.Feedback {
	return domain.Feedback{Kind: kind, Category: domain.CatRoadsLighting, Text: "Đèn đường thôn An Hòa hỏng",
		Citizen: citizen, CreatedAt: at}
}

func TestFeedbackCreateAndRead(t *testing.T) {
	db, _, _ := newTestDB(t)
	ctx := t.Context()
	loc := hcmZone(t)
	at := time.Date(2026, 11, 20, 10, 15, 30, 500, loc)
	in := domain.Feedback{Kind: domain.KindFeedback, Category: domain.CatEnvironmentWaste, Text: "Rác ứ đọng ở chợ",
		Anonymous: true, Citizen: "tg:1", Photos: []string{"AgAD1", "AgAD2"},
		Location: domain.Location{Lat: 15.123456, Lon: 108.654321, Has: true}, CreatedAt: at,
		DueRefuse: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC), DueMore: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC),
		DueAnswer:   time.Date(2026, 12, 14, 0, 0, 0, 0, time.UTC),
		DossierCode: "H55.20-261120-0001", DossierHandler: "Trần Thị Hoa"}
	f, err := db.CreateFeedback(ctx, in, loc)
	if err != nil {
		t.Fatalf("CreateFeedback: %v", err)
	}
	if f.ID == 0 || f.Ticket != "PA-2611-0001" || f.Status != domain.FeedbackNew || !f.CreatedAt.Equal(at.Truncate(time.Second)) {
		t.Fatalf("created %+v", f)
	}
	for name, get := range map[string]func() (domain.Feedback, error){
		"ByTicket": func() (domain.Feedback, error) { return db.FeedbackByTicket(ctx, f.Ticket) },
		"ByID":     func() (domain.Feedback, error) { return db.FeedbackByID(ctx, f.ID) },
	} {
		got, err := get()
		if err != nil || !reflect.DeepEqual(got, f) {
			t.Errorf("%s = %+v, %v\nwant %+v", name, got, err, f)
		}
	}
	plain, err := db.CreateFeedback(ctx, newFeedback(domain.KindFeedback, "tg:1", at), loc)
	if err != nil {
		t.Fatal(err)
	}
	if plain.Photos != nil || plain.Location.Has {
		t.Errorf("no photos, no location: %+v", plain)
	}
	if _, err := db.FeedbackByTicket(ctx, "PA-2611-0099"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("unknown ticket: %v", err)
	}
	if _, err := db.FeedbackByID(ctx, 99); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("unknown id: %v", err)
	}
	evs, err := db.FeedbackEvents(ctx, f.ID)
	if err != nil || len(evs) != 1 || evs[0].Action != domain.ActCreated || evs[0].Actor != domain.ActorCitizen ||
		evs[0].To != domain.FeedbackNew || evs[0].From != "" {
		t.Errorf("events %+v, %v", evs, err)
	}
	// The dossier cited is a fact of the submission: no update changes it.
	g := f
	g.DossierCode, g.DossierHandler = "", "Người Khác"
	if err := g.Take("tg:9", at); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateFeedback(ctx, f, g, domain.FeedbackEvent{Actor: "tg:9", Action: domain.ActTake}); err != nil {
		t.Fatal(err)
	}
	if got, err := db.FeedbackByID(ctx, f.ID); err != nil || got.DossierCode != in.DossierCode || got.DossierHandler != in.DossierHandler {
		t.Errorf("after an update: cites %q of %q, %v", got.DossierCode, got.DossierHandler, err)
	}
	// The law needs a complainant's identity: the schema refuses an anonymous complaint.
	bad := newFeedback(domain.KindComplaint, "tg:1", at)
	bad.Anonymous = true
	if _, err := db.CreateFeedback(ctx, bad, loc); err == nil {
		t.Error("anonymous complaint stored")
	}
	bad = newFeedback(domain.KindFeedback, "tg:1", at)
	bad.Category = "weather"
	if _, err := db.CreateFeedback(ctx, bad, loc); err == nil {
		t.Error("unknown category stored")
	}
}

func TestFeedbackTickets(t *testing.T) {
	db, _, _ := newTestDB(t)
	ctx := t.Context()
	loc := hcmZone(t)
	nov := time.Date(2026, 11, 20, 10, 0, 0, 0, loc)
	tests := []struct {
		kind domain.FeedbackKind
		at   time.Time
		want string
	}{
		{domain.KindFeedback, nov, "PA-2611-0001"},
		{domain.KindFeedback, nov, "PA-2611-0002"},
		{domain.KindComplaint, nov, "KN-2611-0001"},
		{domain.KindDenunciation, nov, "TC-2611-0001"},
		{domain.KindFeedback, time.Date(2026, 11, 30, 23, 59, 0, 0, loc), "PA-2611-0003"},
		// 17:30 UTC on 30/11 is 00:30 on 1/12 in the commune: a new month.
		{domain.KindFeedback, time.Date(2026, 11, 30, 17, 30, 0, 0, time.UTC), "PA-2612-0001"},
		{domain.KindComplaint, time.Date(2026, 12, 1, 8, 0, 0, 0, loc), "KN-2612-0001"},
		{domain.KindFeedback, nov.Add(time.Hour), "PA-2611-0004"},
	}
	for _, tt := range tests {
		f, err := db.CreateFeedback(ctx, newFeedback(tt.kind, "tg:1", tt.at), loc)
		if err != nil || f.Ticket != tt.want {
			t.Errorf("CreateFeedback(%s, %v) = %q, %v; want %q", tt.kind, tt.at, f.Ticket, err, tt.want)
		}
	}
}

func TestFeedbackTicketsConcurrent(t *testing.T) {
	db, _, _ := newTestDB(t)
	ctx := t.Context()
	loc := hcmZone(t)
	at := time.Date(2026, 11, 20, 10, 0, 0, 0, loc)
	const n = 30
	tickets := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			f, err := db.CreateFeedback(ctx, newFeedback(domain.KindFeedback, fmt.Sprintf("tg:%d", i), at), loc)
			if err != nil {
				t.Errorf("CreateFeedback %d: %v", i, err)
			}
			tickets[i] = f.Ticket
		})
	}
	wg.Wait()
	sort.Strings(tickets)
	for i, tk := range tickets {
		if want := fmt.Sprintf("PA-2611-%04d", i+1); tk != want {
			t.Fatalf("tickets %v: #%d = %q, want %q", tickets, i, tk, want)
		}
	}
}

func TestFeedbackLists(t *testing.T) {
	db, _, _ := newTestDB(t)
	ctx := t.Context()
	loc := hcmZone(t)
	t0 := time.Date(2026, 11, 20, 10, 0, 0, 0, loc)
	var fs []domain.Feedback
	for i, c := range []string{"tg:1", "tg:2", "tg:1", "tg:1"} {
		f, err := db.CreateFeedback(ctx, newFeedback(domain.KindFeedback, c, t0.Add(time.Duration(i)*time.Minute)), loc)
		if err != nil {
			t.Fatal(err)
		}
		fs = append(fs, f)
	}
	tickets := func(fs []domain.Feedback) []string {
		var out []string
		for _, f := range fs {
			out = append(out, f.Ticket)
		}
		return out
	}
	mine, err := db.FeedbackOf(ctx, "tg:1")
	if want := []string{"PA-2611-0004", "PA-2611-0003", "PA-2611-0001"}; err != nil || !reflect.DeepEqual(tickets(mine), want) {
		t.Errorf("FeedbackOf = %v, %v; want %v (newest first)", tickets(mine), err, want)
	}
	if none, err := db.FeedbackOf(ctx, ""); err != nil || len(none) != 0 {
		t.Errorf("FeedbackOf(\"\") = %v, %v", none, err)
	}

	// Take #1, refuse #2, close #3 through answer and rating.
	at := t0.Add(time.Hour)
	step := func(f domain.Feedback, actor, action string, change func(*domain.Feedback) error) domain.Feedback {
		t.Helper()
		g := f
		if err := change(&g); err != nil {
			t.Fatal(err)
		}
		if _, err := db.UpdateFeedback(ctx, f, g, domain.FeedbackEvent{At: at, Actor: actor, Action: action}); err != nil {
			t.Fatalf("UpdateFeedback(%s): %v", action, err)
		}
		return g
	}
	f1 := step(fs[0], "tg:9", domain.ActTake, func(f *domain.Feedback) error { return f.Take("tg:9", at) })
	step(fs[1], "tg:9", domain.ActRefuse, func(f *domain.Feedback) error { return f.Refuse("tg:9", "Không thuộc thẩm quyền", at) })
	f3 := step(fs[2], "tg:8", domain.ActAnswer, func(f *domain.Feedback) error { return f.Answer("tg:8", "Đã sửa", at) })
	step(f3, domain.ActorCitizen, domain.ActRate, func(f *domain.Feedback) error { return f.MarkHelpful(true, "tg:7", at) })

	open, err := db.OpenFeedback(ctx)
	if want := []string{"PA-2611-0001", "PA-2611-0004"}; err != nil || !reflect.DeepEqual(tickets(open), want) {
		t.Errorf("OpenFeedback = %v, %v; want %v", tickets(open), err, want)
	}
	owned, err := db.FeedbackForOwner(ctx, "tg:9")
	if want := []string{"PA-2611-0001"}; err != nil || !reflect.DeepEqual(tickets(owned), want) {
		t.Errorf("FeedbackForOwner = %v, %v; want %v (refused ones left out)", tickets(owned), err, want)
	}
	got, err := db.FeedbackByID(ctx, f1.ID)
	if err != nil || got.Status != domain.FeedbackTaken || got.Owner != "tg:9" || !got.TakenAt.Equal(at) {
		t.Errorf("after take: %+v, %v", got, err)
	}
	closed, _ := db.FeedbackByID(ctx, f3.ID)
	if closed.Status != domain.FeedbackClosed || closed.AnswerText != "Đã sửa" || !closed.ClosedAt.Equal(at) || !closed.AnsweredAt.Equal(at) {
		t.Errorf("closed: %+v", closed)
	}
	evs, err := db.FeedbackEvents(ctx, f3.ID)
	var seq []string
	for _, e := range evs {
		seq = append(seq, fmt.Sprintf("%s %s>%s %s", e.Action, e.From, e.To, e.Actor))
	}
	want := []string{"created >new citizen", "answer new>answered tg:8", "rate answered>closed citizen"}
	if err != nil || !reflect.DeepEqual(seq, want) {
		t.Errorf("events %q, %v; want %q", seq, err, want)
	}
}

func TestFeedbackUpdateConflict(t *testing.T) {
	db, _, _ := newTestDB(t)
	ctx := t.Context()
	loc := hcmZone(t)
	at := time.Date(2026, 11, 20, 10, 0, 0, 0, loc)
	f, err := db.CreateFeedback(ctx, newFeedback(domain.KindFeedback, "tg:1", at), loc)
	if err != nil {
		t.Fatal(err)
	}
	// Two officials answer the same message at once: each read it as new.
	a, b := f, f
	if err := a.Answer("tg:8", "Trả lời của A", at); err != nil {
		t.Fatal(err)
	}
	if err := b.Answer("tg:9", "Trả lời của B", at); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateFeedback(ctx, f, a, domain.FeedbackEvent{Actor: "tg:8", Action: domain.ActAnswer}); err != nil {
		t.Fatalf("first answer: %v", err)
	}
	if _, err := db.UpdateFeedback(ctx, f, b, domain.FeedbackEvent{Actor: "tg:9", Action: domain.ActAnswer}); !errors.Is(err, domain.ErrConflict) {
		t.Fatalf("second answer: %v, want ErrConflict", err)
	}
	got, _ := db.FeedbackByID(ctx, f.ID)
	if got.AnswerText != "Trả lời của A" || got.Owner != "tg:8" {
		t.Errorf("stored %+v; want A's answer", got)
	}
	if evs, _ := db.FeedbackEvents(ctx, f.ID); len(evs) != 2 {
		t.Errorf("events %+v; want created and one answer", evs)
	}
	// A forward racing a forward: the owner moved meanwhile.
	c, d := got, got
	c.Owner, d.Owner = "tg:5", "tg:6"
	if _, err := db.UpdateFeedback(ctx, got, c, domain.FeedbackEvent{Actor: "tg:8", Action: domain.ActForward}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateFeedback(ctx, got, d, domain.FeedbackEvent{Actor: "tg:8", Action: domain.ActForward}); !errors.Is(err, domain.ErrConflict) {
		t.Errorf("stale forward: %v, want ErrConflict", err)
	}
	ghost := f
	ghost.ID = 999
	if _, err := db.UpdateFeedback(ctx, ghost, ghost, domain.FeedbackEvent{Action: domain.ActTake}); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("unknown id: %v, want ErrNotFound", err)
	}
}

func TestFeedbackCountAndAnonymize(t *testing.T) {
	db, clock, _ := newTestDB(t)
	ctx := t.Context()
	loc := hcmZone(t)
	t0 := time.Date(2026, 11, 20, 10, 0, 0, 0, loc)
	sender := domain.Sender{Name: "Nguyễn Thị Mai", Phone: "0912345678"}
	for i, c := range []string{"tg:1", "tg:1", "tg:2", "tg:1"} {
		f := newFeedback(domain.KindFeedback, c, t0.Add(time.Duration(i)*20*time.Second))
		f.Sender = sender
		if _, err := db.CreateFeedback(ctx, f, loc); err != nil {
			t.Fatal(err)
		}
	}
	if f, err := db.FeedbackByTicket(ctx, "PA-2611-0001"); err != nil || f.Sender != sender {
		t.Fatalf("stored sender %+v, %v; want %+v", f.Sender, err, sender)
	}
	for _, tt := range []struct {
		since time.Time
		want  int
	}{{t0, 3}, {t0.Add(time.Second), 2}, {t0.Add(time.Minute), 1}, {t0.Add(time.Minute + time.Second), 0}} {
		if n, err := db.CountFeedbackSince(ctx, "tg:1", tt.since); err != nil || n != tt.want {
			t.Errorf("CountFeedbackSince(%v) = %d, %v; want %d", tt.since, n, err, tt.want)
		}
	}
	clock.set(t0.Add(time.Hour))
	n, err := db.AnonymizeFeedback(ctx, "tg:1")
	if err != nil || n != 3 {
		t.Fatalf("AnonymizeFeedback = %d, %v; want 3", n, err)
	}
	if mine, _ := db.FeedbackOf(ctx, "tg:1"); len(mine) != 0 {
		t.Errorf("after anonymising: %d messages still lead to tg:1", len(mine))
	}
	if n, _ := db.CountFeedbackSince(ctx, "tg:1", t0); n != 0 {
		t.Errorf("count after anonymising %d", n)
	}
	f, err := db.FeedbackByTicket(ctx, "PA-2611-0001")
	if err != nil || f.Citizen != "" || !f.Sender.Empty() || f.Text != "Đèn đường thôn An Hòa hỏng" {
		t.Errorf("anonymised %+v, %v; want the text kept and no citizen, name or phone", f, err)
	}
	if other, _ := db.FeedbackOf(ctx, "tg:2"); len(other) != 1 {
		t.Errorf("tg:2 lost its message: %v", other)
	}
	if n, err := db.AnonymizeFeedback(ctx, ""); err != nil || n != 0 {
		t.Errorf("AnonymizeFeedback(\"\") = %d, %v", n, err)
	}
}
