package store

import (
	"slices"
	"sync"
	"testing"

	"xabot/internal/domain"
)

// An update's own writes go to SQLite in the inbox's group commits, and
// those made together share one: alone, each held the one writer for a
// commit of its own.
func TestUpdateWritesShareAGroupCommit(t *testing.T) {
	db, clock, _ := newTestDB(t)
	ctx := t.Context()
	if err := db.RecordLookup(ctx, domain.LookupAttempt{User: "tg:0", Code: "C0", Outcome: domain.LookupOK, At: clock.now()}); err != nil {
		t.Fatal(err) // the committer runs
	}
	conn, err := db.w.Conn(ctx) // the writer held: the writes pile up
	if err != nil {
		t.Fatal(err)
	}
	before := db.group.commits
	var wg sync.WaitGroup
	errs := make(chan error, 60)
	for i := range 20 {
		user := "tg:" + string(rune('a'+i))
		wg.Go(func() {
			errs <- db.RecordLookup(ctx, domain.LookupAttempt{User: user, Code: "C1", Outcome: domain.LookupWrong, At: clock.now()})
			errs <- db.SetConsent(ctx, user, clock.now())
			errs <- db.SetLang(ctx, user, "en")
		})
	}
	conn.Close()
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := db.group.commits - before; n < 1 || n > 40 {
		t.Errorf("60 writes of 20 chats took %d group commits, want 1 to 40", n)
	}
	for _, user := range []string{"tg:a", "tg:t"} {
		c, err := db.Citizen(ctx, user)
		if err != nil || !c.Consented() || c.Lang != "en" {
			t.Errorf("%s = %+v, %v; want consented, en", user, c, err)
		}
		if f, err := db.FailedLookups(ctx, user, clock.now().Add(-1)); err != nil || len(f) != 1 {
			t.Errorf("%s failed lookups %v, %v; want 1", user, f, err)
		}
	}
}

// Following a dossier already followed, and resuming a chat never stopped,
// write nothing; the first follow, a follow again after an unsubscribe and
// the resume of a stopped chat do.
func TestFollowAndResumeWriteOnlyAChange(t *testing.T) {
	db, clock, _ := newTestDB(t)
	ctx := t.Context()
	d := testDossier("H55.20-250501-0001")
	if _, err := db.UpsertDossier(ctx, d, "test"); err != nil {
		t.Fatal(err)
	}
	d, err := db.DossierByCode(ctx, d.Code)
	if err != nil {
		t.Fatal(err)
	}
	commits := func(what string, want int, f func() error) {
		t.Helper()
		before := db.group.commits
		if err := f(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if n := db.group.commits - before; n != want {
			t.Errorf("%s: %d commits, want %d", what, n, want)
		}
	}
	follows := func(want bool) {
		t.Helper()
		chats, err := db.Subscribers(ctx, d)
		if err != nil || slices.Contains(chats, "tg:7") != want {
			t.Errorf("subscribers %v, %v; tg:7 among them: want %v", chats, err, want)
		}
	}
	subscribe := func() error { return db.Subscribe(ctx, d.ID, "tg:7", "lookup", clock.now()) }
	commits("first follow", 1, subscribe)
	commits("follow again", 0, subscribe)
	follows(true)
	if err := db.Unsubscribe(ctx, d.ID, "tg:7", clock.now()); err != nil {
		t.Fatal(err)
	}
	follows(false)
	commits("follow after unsubscribe", 1, subscribe)
	follows(true)

	resume := func() error { return db.ResumeChat(ctx, "tg:7") }
	commits("resume of a chat never stopped", 0, resume)
	if err := db.StopChat(ctx, "tg:7", clock.now()); err != nil {
		t.Fatal(err)
	}
	commits("resume of a stopped chat", 1, resume)
	if ok, err := db.Enqueue(ctx, outgoing("z:1", "tg:7", 0)); err != nil || !ok {
		t.Errorf("enqueue after resume = %v, %v; want queued", ok, err)
	}
}
