package store

import (
	"testing"
	"time"

	"xabot/internal/domain"
)

// One sender's deliveries come out in order: a later one waits while an
// earlier one waits for its retry; other senders are not held up.
func TestInboxOrderAndLease(t *testing.T) {
	db, _, _ := newTestDB(t)
	ctx := t.Context()
	t0 := time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)
	put := func(key, grp string) {
		t.Helper()
		fresh, err := db.PutInbound(ctx, domain.Inbound{Channel: "zalo", Key: key, Group: grp, Body: []byte(key)}, t0)
		if err != nil || !fresh {
			t.Fatalf("PutInbound(%s) = %v, %v", key, fresh, err)
		}
	}
	put("a1", "a")
	put("a2", "a")
	put("b1", "b")
	if fresh, err := db.PutInbound(ctx, domain.Inbound{Channel: "zalo", Key: "a1", Body: []byte("x")}, t0); err != nil || fresh {
		t.Errorf("duplicate PutInbound = %v, %v; want false", fresh, err)
	}
	keys := func(in []domain.Inbound) (out []string) {
		for _, i := range in {
			out = append(out, i.Key)
		}
		return out
	}
	got, err := db.TakeInbound(ctx, "zalo", t0, time.Minute, 10)
	if err != nil || len(got) != 3 {
		t.Fatalf("Take = %v, %v", keys(got), err)
	}
	// Leased: nothing more to take until the lease runs out.
	if again, _ := db.TakeInbound(ctx, "zalo", t0.Add(time.Second), time.Minute, 10); len(again) != 0 {
		t.Errorf("Take while leased = %v", keys(again))
	}
	// a1 fails and waits 10 s; a2 is given back; b1 is done.
	if err := db.RetryInbound(ctx, got[0].ID, t0.Add(10*time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := db.ReleaseInbound(ctx, got[1].ID); err != nil {
		t.Fatal(err)
	}
	if err := db.DoneInbound(ctx, got[2].ID); err != nil {
		t.Fatal(err)
	}
	if early, _ := db.TakeInbound(ctx, "zalo", t0.Add(5*time.Second), time.Minute, 10); len(early) != 0 {
		t.Errorf("Take before a1's retry = %v: a2 must wait for a1", keys(early))
	}
	late, _ := db.TakeInbound(ctx, "zalo", t0.Add(11*time.Second), time.Minute, 10)
	if len(late) != 2 || late[0].Key != "a1" || late[0].Attempts != 1 || late[1].Key != "a2" {
		t.Errorf("Take after the retry = %+v", late)
	}
	if n, _ := db.InboundCount(ctx, "zalo"); n != 2 {
		t.Errorf("InboundCount = %d, want 2", n)
	}
	if other, _ := db.TakeInbound(ctx, "tg", t0.Add(time.Hour), time.Minute, 10); len(other) != 0 {
		t.Errorf("Take(tg) = %v", keys(other))
	}
}
