package announce_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	_ "time/tzdata"

	"xabot/internal/domain"
	"xabot/internal/service/announce"
	"xabot/internal/store"
)

var _ announce.Repo = (*store.DB)(nil)

var hcm = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		panic(err)
	}
	return loc
}()

var villages = []string{"An Hòa", "Phú Lâm Tây", "Đại An"}

const chairman = "tg:500"

// queue puts notices straight into the store's outbox, as the bot's
// notifier does after rendering them.
type queue struct{ db *store.DB }

func (q queue) Notify(ctx context.Context, n domain.Notice) (bool, error) {
	return q.db.Enqueue(ctx, domain.Outgoing{Key: n.Key, To: n.To, Priority: n.Priority, Payload: []byte(`{"text":"x"}`)})
}

type fixture struct {
	db  *store.DB
	now time.Time
	svc *announce.Service
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "x.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f := &fixture{db: db, now: time.Date(2026, 11, 25, 9, 0, 0, 0, hcm)}
	f.svc = f.service()
	return f
}

// service is one replica's service over the fixture's database and clock.
func (f *fixture) service() *announce.Service {
	return announce.New(f.db, queue{f.db}, announce.Config{Villages: villages, Daily: 2, Loc: hcm,
		Now: func() time.Time { return f.now }})
}

func (f *fixture) subscribe(t *testing.T, chat string, vs ...string) {
	t.Helper()
	for _, v := range vs {
		if on, err := f.svc.Toggle(t.Context(), chat, v); err != nil || !on {
			t.Fatalf("subscribe %s to %s: on %v, %v", chat, v, on, err)
		}
	}
}

func (f *fixture) create(t *testing.T, a domain.Announcement) (domain.Announcement, error) {
	t.Helper()
	a.Author, a.AuthorName = chairman, "Nguyễn Chủ Tịch"
	if a.Text == "" {
		a.Text = "Họp thôn lúc 19:00."
	}
	return f.svc.Create(t.Context(), a)
}

func (f *fixture) mustCreate(t *testing.T, a domain.Announcement) domain.Announcement {
	t.Helper()
	a, err := f.create(t, a)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestDailyLimitPerVillage(t *testing.T) {
	f := newFixture(t)
	routine := domain.Announcement{Villages: []string{"An Hòa"}, Text: "Họp thôn."}
	f.mustCreate(t, routine)
	f.mustCreate(t, routine)
	_, err := f.create(t, routine)
	var limit *domain.DailyLimitError
	if !errors.As(err, &limit) {
		t.Fatalf("third routine announcement to An Hòa: %v, want a DailyLimitError", err)
	}
	resets := time.Date(2026, 11, 26, 0, 0, 0, 0, hcm)
	if limit.Village != "An Hòa" || limit.Count != 2 || limit.Limit != 2 || !limit.Resets.Equal(resets) {
		t.Errorf("refusal %+v, want An Hòa 2 of 2, resets at %v", limit, resets)
	}
	// Check says the same before anything is stored.
	if err := f.svc.Check(t.Context(), routine); !errors.As(err, &limit) {
		t.Errorf("Check: %v, want the limit", err)
	}
	// Urgent ones are neither limited nor counted; another village has its own share.
	f.mustCreate(t, domain.Announcement{Villages: []string{"An Hòa"}, Urgent: true})
	f.mustCreate(t, domain.Announcement{Villages: []string{"Đại An"}})
	// A whole-commune routine announcement counts for every village: An
	// Hòa is full, so it is refused; Đại An then takes one more only.
	if _, err := f.create(t, domain.Announcement{Whole: true}); !errors.As(err, &limit) || limit.Village != "An Hòa" {
		t.Errorf("whole commune with An Hòa full: %v, want An Hòa's limit", err)
	}
	// A cancelled one no longer counts.
	c := f.mustCreate(t, domain.Announcement{Villages: []string{"Đại An"}, SendAt: f.now.Add(time.Hour)})
	if _, err := f.create(t, domain.Announcement{Villages: []string{"Đại An"}}); !errors.As(err, &limit) {
		t.Errorf("Đại An's third: %v, want its limit", err)
	}
	if _, err := f.svc.Cancel(t.Context(), c.ID, chairman, domain.RoleChairman); err != nil {
		t.Fatal(err)
	}
	f.mustCreate(t, domain.Announcement{Villages: []string{"Đại An"}})
	// The commune's next day starts at its midnight, not UTC's.
	f.now = time.Date(2026, 11, 25, 23, 59, 0, 0, hcm)
	if _, err := f.create(t, routine); !errors.As(err, &limit) {
		t.Errorf("23:59 the same day: %v, want the limit", err)
	}
	f.now = resets
	f.mustCreate(t, routine)
}

func TestBadDraftsAreRefused(t *testing.T) {
	f := newFixture(t)
	long := make([]rune, domain.MaxAnnouncementText+1)
	for i := range long {
		long[i] = 'a'
	}
	for name, a := range map[string]domain.Announcement{
		"no village":    {},
		"unknown":       {Villages: []string{"Thôn Ma"}},
		"too long":      {Villages: []string{"An Hòa"}, Text: string(long)},
		"blank":         {Villages: []string{"An Hòa"}, Text: "  \n "},
		"too far ahead": {Villages: []string{"An Hòa"}, SendAt: f.now.Add(announce.MaxAhead + time.Hour)},
	} {
		var inv *domain.InvalidError
		if _, err := f.create(t, a); !errors.As(err, &inv) {
			t.Errorf("%s: %v, want an InvalidError", name, err)
		} else if name == "too long" && (inv.Key != "announce.text_too_long" || inv.Args["length"] != "1001") {
			t.Errorf("too long: %s %v, want its length 1001", inv.Key, inv.Args)
		}
	}
	all, err := f.svc.Recent(t.Context(), 10)
	if err != nil || len(all) != 0 {
		t.Errorf("stored %d announcements (%v), want none", len(all), err)
	}
}

func TestScheduledOneIsQueuedOnceByReplicas(t *testing.T) {
	f := newFixture(t)
	f.subscribe(t, "tg:1", "An Hòa")
	f.subscribe(t, "zalo:2", domain.WholeCommune)
	f.subscribe(t, "tg:3", "Đại An")
	f.subscribe(t, "tg:4", "An Hòa", domain.WholeCommune) // once, not twice
	a := f.mustCreate(t, domain.Announcement{Villages: []string{"An Hòa"}, SendAt: f.now.Add(2 * time.Hour)})
	if n, err := f.svc.Tick(t.Context(), f.now); err != nil || n != 0 {
		t.Fatalf("before its time: queued %d (%v), want 0", n, err)
	}
	f.now = f.now.Add(2 * time.Hour)
	// Three replicas tick at once, then again.
	var wg sync.WaitGroup
	total := make([]int, 3)
	for i := range total {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := f.service()
			for range 2 {
				n, err := s.Tick(context.Background(), f.now)
				if err != nil {
					t.Error(err)
				}
				total[i] += n
			}
		}()
	}
	wg.Wait()
	if sum := total[0] + total[1] + total[2]; sum != 3 {
		t.Errorf("replicas queued %v rows, want 3 in all", total)
	}
	got, err := f.svc.Get(t.Context(), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != domain.AnnSending || got.Figures.Recipients != 3 || got.Figures.Queued != 3 {
		t.Errorf("after the ticks: %s %+v, want sending to 3, 3 queued", got.Status, got.Figures)
	}
	for _, to := range []string{"tg:1", "zalo:2", "tg:4"} {
		row, err := f.db.Outgoing(t.Context(), announce.AnnounceKey(a.ID, to))
		if err != nil || row.Priority != domain.PriorityBulk {
			t.Errorf("row to %s: %+v, %v; want one, bulk", to, row, err)
		}
	}
	if _, err := f.db.Outgoing(t.Context(), announce.AnnounceKey(a.ID, "tg:3")); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("Đại An's subscriber got a row: %v", err)
	}
}

func TestDoneReportsFiguresOnce(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	for _, c := range []string{"tg:1", "tg:2", "tg:3", "tg:4"} {
		f.subscribe(t, c, "An Hòa")
	}
	if err := f.db.StopChat(ctx, "tg:4", f.now); err != nil { // blocked the bot earlier
		t.Fatal(err)
	}
	a := f.mustCreate(t, domain.Announcement{Villages: []string{"An Hòa"}, Urgent: true})
	if n, err := f.svc.Tick(ctx, f.now); err != nil || n != 3 {
		t.Fatalf("queued %d (%v), want 3", n, err)
	}
	row := func(to string) domain.Outgoing {
		r, err := f.db.Outgoing(ctx, announce.AnnounceKey(a.ID, to))
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if p := row("tg:1").Priority; p != domain.PriorityUrgent {
		t.Errorf("urgent row's priority %d, want %d", p, domain.PriorityUrgent)
	}
	if err := f.db.MarkSent(ctx, row("tg:1").ID, f.now); err != nil {
		t.Fatal(err)
	}
	if err := f.db.MarkFailed(ctx, row("tg:2").ID, "test"); err != nil {
		t.Fatal(err)
	}
	// One still waits: not done, no report.
	if _, err := f.svc.Tick(ctx, f.now); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.Outgoing(ctx, "annrep:1"); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("a report while a row waits: %v", err)
	}
	if err := f.db.MarkSent(ctx, row("tg:3").ID, f.now); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := f.svc.Tick(ctx, f.now); err != nil {
			t.Fatal(err)
		}
	}
	got, err := f.svc.Get(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := domain.AnnouncementFigures{Recipients: 4, Sent: 2, Failed: 1, Stopped: 1}
	if got.Status != domain.AnnDone || got.Figures != want {
		t.Errorf("done: %s %+v, want done %+v", got.Status, got.Figures, want)
	}
	rep, err := f.db.Outgoing(ctx, "annrep:1")
	if err != nil || rep.To != chairman {
		t.Errorf("report: %+v, %v; want one to the author", rep, err)
	}
}

func TestCancelWhileQueued(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	for _, c := range []string{"tg:1", "tg:2", "tg:3"} {
		f.subscribe(t, c, "Phú Lâm Tây")
	}
	a := f.mustCreate(t, domain.Announcement{Villages: []string{"Phú Lâm Tây"}})
	if _, err := f.svc.Tick(ctx, f.now); err != nil {
		t.Fatal(err)
	}
	first, err := f.db.Outgoing(ctx, announce.AnnounceKey(a.ID, "tg:1"))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.db.MarkSent(ctx, first.ID, f.now); err != nil {
		t.Fatal(err)
	}
	// Another official may not cancel the chairman's; the author may.
	if _, err := f.svc.Cancel(ctx, a.ID, "tg:300", domain.RoleOfficial); !errors.Is(err, domain.ErrForbidden) {
		t.Errorf("an official cancelling another's: %v, want forbidden", err)
	}
	got, err := f.svc.Cancel(ctx, a.ID, chairman, domain.RoleChairman)
	if err != nil {
		t.Fatal(err)
	}
	want := domain.AnnouncementFigures{Recipients: 3, Sent: 1, Cancelled: 2}
	if got.Status != domain.AnnCancelled || got.Figures != want {
		t.Errorf("cancelled: %s %+v, want %+v", got.Status, got.Figures, want)
	}
	rows, err := f.db.DueOutgoing(ctx, time.Now().Add(time.Hour), 10)
	if err != nil || len(rows) != 0 {
		t.Errorf("rows still due after the cancel: %d (%v)", len(rows), err)
	}
	var inv *domain.InvalidError
	if _, err := f.svc.Cancel(ctx, a.ID, chairman, domain.RoleChairman); !errors.As(err, &inv) || inv.Key != "announce.cancel_too_late" {
		t.Errorf("cancelling twice: %v, want too late", err)
	}
	// Kept, never deleted: the record and its audit stay.
	if all, err := f.svc.Recent(ctx, 5); err != nil || len(all) != 1 || all[0].Author != chairman {
		t.Errorf("recent after the cancel: %+v, %v", all, err)
	}
	audits, err := f.db.Audits(ctx, 10)
	if err != nil || len(audits) != 2 || audits[0].Action != "announce_cancel" || audits[1].Action != "announce" {
		t.Errorf("audits: %+v, %v; want announce then announce_cancel", audits, err)
	}
	// A scheduled one cancelled before its time is never queued.
	s := f.mustCreate(t, domain.Announcement{Villages: []string{"Phú Lâm Tây"}, SendAt: f.now.Add(time.Hour)})
	if _, err := f.svc.Cancel(ctx, s.ID, chairman, domain.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(2 * time.Hour)
	if n, err := f.svc.Tick(ctx, f.now); err != nil || n != 0 {
		t.Errorf("a cancelled scheduled one queued %d (%v)", n, err)
	}
}

func TestSubscriptionsAndTheOffer(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	if v, ok, err := f.svc.Offer(ctx, "tg:1", "thôn an hoa"); err != nil || !ok || v != "An Hòa" {
		t.Errorf("first offer: %q %v %v, want An Hòa", v, ok, err)
	}
	if _, ok, _ := f.svc.Offer(ctx, "tg:1", "An Hòa"); ok {
		t.Error("offered twice")
	}
	if _, ok, _ := f.svc.Offer(ctx, "tg:2", "Thôn Ma"); ok {
		t.Error("offered a village not in the profile")
	}
	f.subscribe(t, "tg:3", domain.WholeCommune)
	if _, ok, _ := f.svc.Offer(ctx, "tg:3", "Đại An"); ok {
		t.Error("offered to one who receives the whole commune")
	}
	if on, err := f.svc.Toggle(ctx, "tg:3", domain.WholeCommune); err != nil || on {
		t.Errorf("second toggle: on %v, %v; want off", on, err)
	}
	if _, err := f.svc.Toggle(ctx, "tg:3", "Thôn Ma"); err == nil {
		t.Error("subscribed to a village not in the profile")
	}
	f.subscribe(t, "tg:3", "An Hòa", "Đại An")
	if n, err := f.svc.Stop(ctx, "tg:3"); err != nil || n != 2 {
		t.Errorf("stop: %d, %v; want 2", n, err)
	}
	if subs, _ := f.svc.Subscriptions(ctx, "tg:3"); len(subs) != 0 {
		t.Errorf("after stop: %v", subs)
	}
	// /xoadulieu forgets subscriptions and the offer.
	f.subscribe(t, "tg:1", "An Hòa")
	if err := f.db.ForgetChat(ctx, "tg:1"); err != nil {
		t.Fatal(err)
	}
	if subs, _ := f.svc.Subscriptions(ctx, "tg:1"); len(subs) != 0 {
		t.Errorf("after forget: %v", subs)
	}
	if _, ok, _ := f.svc.Offer(ctx, "tg:1", "An Hòa"); !ok {
		t.Error("the offer was remembered after forget")
	}
}

func TestMayAnnounce(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	id, err := f.db.CreateOfficial(ctx, domain.Official{Name: "Trần Thị Hoa", Role: domain.RoleOfficial})
	if err != nil {
		t.Fatal(err)
	}
	hash := strings.Repeat("a", 64)
	if err := f.db.CreateInvite(ctx, domain.Invite{CodeHash: hash, OfficialID: id, ExpiresAt: f.now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.RedeemInvite(ctx, hash, "tg:300", f.now); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		chat string
		role domain.Role
		want bool
	}{{"tg:1", domain.RoleChairman, true}, {"tg:2", domain.RoleAdmin, true}, {"tg:300", domain.RoleOfficial, false}, {"tg:4", domain.RoleCitizen, false}} {
		if got, err := f.svc.MayAnnounce(ctx, c.chat, c.role); err != nil || got != c.want {
			t.Errorf("%s %s: %v %v, want %v", c.chat, c.role, got, err, c.want)
		}
	}
	if err := f.db.SetOfficialAnnounce(ctx, "cli", id, true, f.now); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.svc.MayAnnounce(ctx, "tg:300", domain.RoleOfficial); !got {
		t.Error("the right given is not seen")
	}
}

// TestWindowFeedsTheOutboxBitByBit: with a window of 2, five recipients
// are queued two at a time as rows go; one who stops before their turn
// gets nothing; the report counts those listed.
func TestWindowFeedsTheOutboxBitByBit(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	svc := announce.New(f.db, queue{f.db}, announce.Config{Villages: villages, Daily: 2, Window: 2, Loc: hcm,
		Now: func() time.Time { return f.now }})
	for _, c := range []string{"tg:1", "tg:2", "tg:3", "tg:4", "tg:5"} {
		f.subscribe(t, c, "An Hòa")
	}
	a := f.mustCreate(t, domain.Announcement{Villages: []string{"An Hòa"}})
	sendAll := func() int {
		rows, err := f.db.DueOutgoing(ctx, time.Now().Add(time.Hour), 100) // the store stamps rows with the real clock
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if err := f.db.MarkSent(ctx, r.ID, f.now); err != nil {
				t.Fatal(err)
			}
		}
		return len(rows)
	}
	var batches []int
	for range 6 {
		n, err := svc.Tick(ctx, f.now)
		if err != nil {
			t.Fatal(err)
		}
		batches = append(batches, n)
		if n == 2 && len(batches) == 2 {
			if _, err := svc.Stop(ctx, "tg:5"); err != nil { // before their turn
				t.Fatal(err)
			}
		}
		sendAll()
	}
	if want := []int{2, 2, 0, 0, 0, 0}; fmt.Sprint(batches) != fmt.Sprint(want) {
		t.Errorf("rows queued per tick %v, want %v", batches, want)
	}
	got, err := svc.Get(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := domain.AnnouncementFigures{Recipients: 4, Sent: 4}
	if got.Status != domain.AnnDone || got.Figures != want {
		t.Errorf("%s %+v, want done %+v", got.Status, got.Figures, want)
	}
	if _, err := f.db.Outgoing(ctx, announce.AnnounceKey(a.ID, "tg:5")); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("the one who stopped got a row: %v", err)
	}
}
