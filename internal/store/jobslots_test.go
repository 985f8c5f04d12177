package store

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Of many claimers of one slot, in two processes (two *DB on one file, as
// two replicas), exactly one wins, slot after slot; a done slot is never
// claimed again, however late.
func TestConcurrentSlotClaimsHaveOneWinner(t *testing.T) {
	db, clock, path := newTestDB(t)
	other, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	now := clock.now()
	const slots, claimers = 20, 16
	for i := range slots {
		slot := now.Add(time.Duration(i) * time.Minute)
		var wins atomic.Int32
		var winner atomic.Value
		var wg sync.WaitGroup
		for c := range claimers {
			d := []*DB{db, other}[c%2]
			wg.Go(func() {
				owner := fmt.Sprintf("p%d/%d", c%2, c)
				ok, _, _, err := d.ClaimSlot(t.Context(), "push", slot, owner, slot, slot.Add(30*time.Second), false, false)
				if err != nil {
					t.Error(err)
				}
				if ok {
					wins.Add(1)
					winner.Store(owner)
				}
			})
		}
		wg.Wait()
		if wins.Load() != 1 {
			t.Fatalf("slot %d: %d claimers won, want 1", i, wins.Load())
		}
		if err := other.DoneSlot(t.Context(), "push", slot, slot.Add(time.Second)); err != nil {
			t.Fatal(err)
		}
		later := slot.Add(time.Hour)
		for _, takeover := range []bool{false, true} {
			ok, ran, held, err := db.ClaimSlot(t.Context(), "push", slot, "late", later, later.Add(time.Minute), false, takeover)
			if err != nil || ok || !ran.Equal(slot.Add(time.Second)) || !held.IsZero() {
				t.Fatalf("slot %d done, claimed again (takeover %v): %v, ran %v, held %v, %v", i, takeover, ok, ran, held, err)
			}
		}
	}
	if last, _ := db.LastRun(t.Context(), "push"); !last.Equal(now.Add((slots - 1) * time.Minute)) {
		t.Errorf("LastRun = %v, want the last slot", last)
	}
}

// A claim whose holder died runs out and is taken over; one given back
// after a failure is claimed again but not taken over; while a claim of a
// job is live, no other slot of that job is claimed, another job's is.
func TestSlotLeases(t *testing.T) {
	db, clock, _ := newTestDB(t)
	ctx := t.Context()
	now := clock.now()
	slot, next := now.Truncate(time.Minute), now.Truncate(time.Minute).Add(time.Minute)
	claim := func(job string, slot time.Time, owner string, at time.Time, again, takeover bool) (bool, time.Time, time.Time) {
		t.Helper()
		ok, ran, held, err := db.ClaimSlot(ctx, job, slot, owner, at, at.Add(30*time.Second), again, takeover)
		if err != nil {
			t.Fatal(err)
		}
		return ok, ran, held
	}
	if ok, _, _ := claim("push", slot, "a", now, false, false); !ok {
		t.Fatal("a fresh slot was refused")
	}
	if ok, ran, held := claim("push", slot, "b", now.Add(10*time.Second), false, false); ok || !ran.IsZero() || !held.Equal(now.Add(30*time.Second)) {
		t.Fatalf("a held slot: %v, ran %v, held until %v; want refused, held until %v", ok, ran, held, now.Add(30*time.Second))
	}
	if ok, _, held := claim("push", next, "b", now.Add(10*time.Second), false, false); ok || held.IsZero() {
		t.Fatal("the next slot of a job was claimed while a run of it is live")
	}
	if ok, _, _ := claim("overdue", slot, "b", now.Add(10*time.Second), false, false); !ok {
		t.Fatal("another job's slot was refused")
	}
	if ok, err := db.RenewSlot(ctx, "push", slot, "a", now.Add(50*time.Second)); err != nil || !ok {
		t.Fatalf("renew by the holder: %v, %v", ok, err)
	}
	if ok, _, _ := claim("push", slot, "b", now.Add(40*time.Second), false, true); ok {
		t.Fatal("a renewed claim was taken over")
	}
	// a dies: its lease runs out, b takes the slot over, a has lost it.
	if ok, _, _ := claim("push", slot, "b", now.Add(51*time.Second), false, true); !ok {
		t.Fatal("a lapsed claim was not taken over")
	}
	if ok, err := db.RenewSlot(ctx, "push", slot, "a", now.Add(time.Minute)); err != nil || ok {
		t.Fatalf("renew by the dead holder: %v, %v; want false", ok, err)
	}
	// b fails and gives it back: not taken over, but claimed (a catch-up).
	if err := db.ReleaseSlot(ctx, "push", slot, "b"); err != nil {
		t.Fatal(err)
	}
	if ok, _, held := claim("push", slot, "c", now.Add(52*time.Second), false, true); ok || !held.IsZero() {
		t.Fatalf("a slot given back after a failure was taken over (%v, held %v)", ok, held)
	}
	if ok, _, _ := claim("push", slot, "c", now.Add(52*time.Second), false, false); !ok {
		t.Fatal("a slot given back was not claimed again")
	}
	done := now.Add(55 * time.Second)
	if err := db.DoneSlot(ctx, "push", slot, done); err != nil {
		t.Fatal(err)
	}
	// done: refused, but for a deliberate rerun, which is refused while it runs.
	if ok, ran, _ := claim("push", slot, "d", now.Add(time.Hour), false, false); ok || !ran.Equal(done) {
		t.Fatalf("a done slot: %v, ran %v", ok, ran)
	}
	if ok, _, _ := claim("push", slot, "d", now.Add(time.Hour), true, false); !ok {
		t.Fatal("a rerun (again) of a done slot was refused")
	}
	if ok, ran, held := claim("push", slot, "e", now.Add(time.Hour+time.Second), true, false); ok || !ran.Equal(done) || held.IsZero() {
		t.Fatalf("a second rerun while the first runs: %v, ran %v, held %v", ok, ran, held)
	}
	if _, _, _, err := db.ClaimSlot(ctx, "push", slot, "", now, now, false, false); err == nil {
		t.Error("a claim without owner was taken")
	}
}
