package store

import (
	"fmt"
	"testing"
	"time"

	"xabot/internal/domain"
)

// inboxRig puts and takes deliveries of channel "zalo" at fixed times.
type inboxRig struct {
	t  *testing.T
	db *DB
	t0 time.Time
}

func newInboxRig(t *testing.T) *inboxRig {
	db, _, _ := newTestDB(t)
	return &inboxRig{t: t, db: db, t0: time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)}
}

func (r *inboxRig) put(key, grp string) {
	r.t.Helper()
	fresh, err := r.db.PutInbound(r.t.Context(), domain.Inbound{Channel: "zalo", Key: key, Group: grp, Body: []byte(key)}, r.t0)
	if err != nil || !fresh {
		r.t.Fatalf("PutInbound(%s) = %v, %v", key, fresh, err)
	}
}

// putMany puts n rows n0, n1, … of sender grp in one statement (the
// triggers run for each as for PutInbound).
func (r *inboxRig) putMany(grp string, n int) {
	r.t.Helper()
	_, err := r.db.w.ExecContext(r.t.Context(), `WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < ?)
		INSERT INTO inbox (channel, key, grp, body, received_at, next_at) SELECT 'zalo', 'n' || i, ?, CAST('n' || i AS BLOB), ?, ? FROM seq`,
		n, grp, r.t0.Unix(), r.t0.UnixMilli())
	if err != nil {
		r.t.Fatal(err)
	}
}

func (r *inboxRig) take(at time.Duration, senders, perSender int, settled ...domain.Settled) []domain.Inbound {
	r.t.Helper()
	got, err := r.db.TakeInbound(r.t.Context(), domain.InboxTake{Channel: "zalo", Now: r.t0.Add(at),
		Lease: time.Minute, Senders: senders, PerSender: perSender, Settled: settled})
	if err != nil {
		r.t.Fatal(err)
	}
	return got
}

func inKeys(in []domain.Inbound) (out []string) {
	for _, i := range in {
		out = append(out, i.Key)
	}
	return out
}

// One sender's deliveries come out in order: a later one waits while an
// earlier one waits for its retry; other senders are not held up.
func TestInboxOrderAndLease(t *testing.T) {
	r := newInboxRig(t)
	ctx := t.Context()
	r.put("a1", "a")
	r.put("a2", "a")
	r.put("b1", "b")
	if fresh, err := r.db.PutInbound(ctx, domain.Inbound{Channel: "zalo", Key: "a1", Body: []byte("x")}, r.t0); err != nil || fresh {
		t.Errorf("duplicate PutInbound = %v, %v; want false", fresh, err)
	}
	got := r.take(0, 10, 10)
	if fmt.Sprint(inKeys(got)) != "[a1 a2 b1]" {
		t.Fatalf("Take = %v", inKeys(got))
	}
	// Leased: nothing more to take until the lease runs out.
	if again := r.take(time.Second, 10, 10); len(again) != 0 {
		t.Errorf("Take while leased = %v", inKeys(again))
	}
	// a1 fails and waits 10 s; a2 is given back; b1 is done.
	settled := []domain.Settled{{ID: got[0].ID, Retry: r.t0.Add(10 * time.Second)}, {ID: got[1].ID}, {ID: got[2].ID, Done: true}}
	if early := r.take(5*time.Second, 10, 10, settled...); len(early) != 0 {
		t.Errorf("Take before a1's retry = %v: a2 must wait for a1", inKeys(early))
	}
	late := r.take(11*time.Second, 10, 10)
	if len(late) != 2 || late[0].Key != "a1" || late[0].Attempts != 1 || late[1].Key != "a2" {
		t.Errorf("Take after the retry = %+v", late)
	}
	if n, _ := r.db.InboundCount(ctx, "zalo"); n != 2 {
		t.Errorf("InboundCount = %d, want 2", n)
	}
	if other, err := r.db.TakeInbound(ctx, domain.InboxTake{Channel: "tg", Now: r.t0.Add(time.Hour), Lease: time.Minute, Senders: 10, PerSender: 10}); err != nil || len(other) != 0 {
		t.Errorf("Take(tg) = %v, %v", inKeys(other), err)
	}
	// A worker that died: its lease runs out and the rows come again, in order.
	if again := r.take(11*time.Second+time.Minute, 10, 10); fmt.Sprint(inKeys(again)) != "[a1 a2]" {
		t.Errorf("Take after the lease ran out = %v", inKeys(again))
	}
	// A renewed lease holds them.
	if err := r.db.ExtendInbound(ctx, []int64{late[0].ID, late[1].ID}, r.t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if held := r.take(30*time.Minute, 10, 10); len(held) != 0 {
		t.Errorf("Take under a renewed lease = %v", inKeys(held))
	}
}

// A sender's head held for a retry holds its later rows, whatever the
// other senders do, and a flood wait counts no attempt.
func TestInboxRetryHoldsSender(t *testing.T) {
	r := newInboxRig(t)
	r.put("a1", "a")
	r.put("a2", "a")
	r.put("b1", "b")
	got := r.take(0, 1, 1)
	if fmt.Sprint(inKeys(got)) != "[a1]" {
		t.Fatalf("Take = %v", inKeys(got))
	}
	flood := domain.Settled{ID: got[0].ID, Retry: r.t0.Add(3 * time.Second), Flood: 3 * time.Second}
	if next := r.take(time.Second, 10, 10, flood); fmt.Sprint(inKeys(next)) != "[b1]" {
		t.Errorf("Take while a1 waits = %v, want only b1", inKeys(next))
	}
	again := r.take(3*time.Second, 10, 10)
	if fmt.Sprint(inKeys(again)) != "[a1 a2]" || again[0].Attempts != 0 || again[0].Flooded != 3*time.Second {
		t.Errorf("Take after the flood wait = %+v", again)
	}
}

// Round robin: a sender arriving behind one noisy sender's 10,000 rows is
// taken in the very next take, and the noisy sender, taken, goes to the
// back of the turns.
func TestInboxFairness(t *testing.T) {
	r := newInboxRig(t)
	r.putMany("noisy", 10000)
	r.put("c1", "citizen")
	r.put("d1", "other")
	first := r.take(0, 1, 4)
	if fmt.Sprint(inKeys(first)) != "[n0 n1 n2 n3]" {
		t.Fatalf("first take = %v", inKeys(first))
	}
	var done []domain.Settled
	for _, in := range first {
		done = append(done, domain.Settled{ID: in.ID, Done: true})
	}
	// The noisy sender is free again, but has had its turn.
	if next := r.take(time.Second, 2, 4, done...); fmt.Sprint(inKeys(next)) != "[c1 d1]" {
		t.Errorf("next take = %v, want the citizen and the other before the noisy sender again", inKeys(next))
	}
	if third := r.take(time.Second, 2, 4); fmt.Sprint(inKeys(third)) != "[n4 n5 n6 n7]" {
		t.Errorf("third take = %v", inKeys(third))
	}
	if n, _ := r.db.InboundCount(t.Context(), "zalo"); n != 10000-4+2 {
		t.Errorf("InboundCount = %d", n)
	}
}

// The budget and the capacity: a sender at its budget is refused, others
// are not; a channel at capacity refuses everyone; a duplicate is a
// duplicate first.
func TestInboxOffer(t *testing.T) {
	r := newInboxRig(t)
	ctx := t.Context()
	offer := func(key, grp string) domain.Offer {
		t.Helper()
		o, err := r.db.OfferInbound(ctx, domain.Inbound{Channel: "zalo", Key: key, Group: grp, Body: []byte("{}")}, r.t0, 3, 5)
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	for i := range 3 {
		if o := offer(fmt.Sprint("a", i), "a"); o != domain.Stored {
			t.Fatalf("a%d: %v", i, o)
		}
	}
	if o := offer("a3", "a"); o != domain.OverBudget {
		t.Errorf("the budget's next = %v, want OverBudget", o)
	}
	if o := offer("a0", "a"); o != domain.Duplicate {
		t.Errorf("a0 again = %v, want Duplicate", o)
	}
	if o, o2 := offer("b0", "b"), offer("c0", "c"); o != domain.Stored || o2 != domain.Stored {
		t.Errorf("others = %v, %v, want Stored", o, o2)
	}
	if o := offer("d0", "d"); o != domain.Full {
		t.Errorf("past capacity = %v, want Full", o)
	}
	// Handling one makes room.
	got := r.take(0, 1, 1)
	if err := r.db.SettleInbound(ctx, []domain.Settled{{ID: got[0].ID, Done: true}}); err != nil {
		t.Fatal(err)
	}
	if o := offer("d0", "d"); o != domain.Stored {
		t.Errorf("after one handled = %v, want Stored", o)
	}
}

// Rows waiting when 0017 is applied (a leased one, a retrying one) get
// their senders and totals, and are taken in order after it.
func TestInboxMigrationKeepsWaitingRows(t *testing.T) {
	r := newInboxRig(t)
	ctx := t.Context()
	// Back to the inbox as it was before 0017.
	for _, q := range []string{
		`DROP TRIGGER inbox_put`, `DROP TRIGGER inbox_done`, `DROP TRIGGER inbox_head`,
		`DROP TABLE inbox_senders`, `DROP TABLE inbox_totals`, `DROP INDEX inbox_sender`,
		`ALTER TABLE inbox DROP COLUMN flood_ms`, `CREATE INDEX inbox_due ON inbox (channel, next_at)`,
		`DELETE FROM schema_migrations WHERE name LIKE '0017%'`,
	} {
		if _, err := r.db.w.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	ms := r.t0.UnixMilli()
	for _, row := range []struct {
		key, grp     string
		next, leased int64
	}{
		{"a1", "a", ms, ms + 60_000}, // in a worker's hands for a minute
		{"a2", "a", ms, 0},
		{"b1", "b", ms + 10_000, 0}, // waiting for its retry
		{"c1", "", ms, 0},
	} {
		if _, err := r.db.w.ExecContext(ctx, `INSERT INTO inbox (channel, key, grp, body, received_at, next_at, lease_until)
			VALUES ('zalo', ?, ?, X'7B7D', ?, ?, ?)`, row.key, row.grp, r.t0.Unix(), row.next, row.leased); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if n, _ := r.db.InboundCount(ctx, "zalo"); n != 4 {
		t.Errorf("InboundCount after the migration = %d, want 4", n)
	}
	first := r.take(time.Second, 10, 10)
	if fmt.Sprint(inKeys(first)) != "[c1]" {
		t.Fatalf("take at once = %v, want c1 only (a leased, b retrying)", inKeys(first))
	}
	if got := r.take(time.Minute, 10, 10, domain.Settled{ID: first[0].ID, Done: true}); fmt.Sprint(inKeys(got)) != "[a1 a2 b1]" {
		t.Errorf("take after the lease and the retry = %v", inKeys(got))
	}
}
