package schedule

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"xabot/internal/store"
)

// counter counts runs by kind, as /metrics does.
type counter struct {
	mu    sync.Mutex
	kinds map[string]int
}

func (c *counter) JobRun(_, kind string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.kinds == nil {
		c.kinds = map[string]int{}
	}
	c.kinds[kind]++
}

func (c *counter) get(kind string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.kinds[kind]
}

// replicas opens two stores on one database file (two processes) and a
// Scheduler on each, with the same job and a short lease.
func replicas(t *testing.T, job Job, lease time.Duration) (a, b *Scheduler, db *store.DB, count *counter) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "x.db")
	count = &counter{}
	var ss [2]*Scheduler
	for i := range ss {
		d, err := store.Open(t.Context(), path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		db = d
		if ss[i], err = New(Config{Loc: hcm, Log: quiet(), Slots: d, Now: time.Now, Count: count, Lease: lease}, job); err != nil {
			t.Fatal(err)
		}
	}
	return ss[0], ss[1], db, count
}

// Two replicas: each one's cron fires for the minute a few ms apart, and
// each catches the same minute up at start-up; the slot runs once.
func TestTwoReplicasRunASlotOnce(t *testing.T) {
	var runs atomic.Int32
	job := Job{Name: "push", Spec: "* * * * *", Run: func(context.Context, time.Time) error {
		runs.Add(1)
		time.Sleep(20 * time.Millisecond)
		return nil
	}}
	a, b, db, count := replicas(t, job, time.Second)
	minute := time.Date(2026, 11, 25, 7, 30, 0, 0, hcm)
	if got := a.Missed("push", minute.Add(-3*time.Minute), minute.Add(40*time.Second)); !got.Equal(minute) {
		t.Fatalf("Missed = %v, want %v", got, minute)
	}
	for _, ms := range []int{0, 3, 50, 999, 59_999} {
		if got := b.SlotOf(minute.Add(time.Duration(ms) * time.Millisecond).UTC()); !got.Equal(minute) {
			t.Errorf("a firing %d ms after %v is in slot %v", ms, minute, got)
		}
	}
	var wg sync.WaitGroup
	for i := range 8 {
		s := []*Scheduler{a, b}[i%2]
		kind := []string{"scheduled", "catchup"}[i/2%2]
		wg.Go(func() {
			time.Sleep(time.Duration(i) * 7 * time.Millisecond)
			at := minute
			if kind == "scheduled" {
				at = s.SlotOf(minute.Add(time.Duration(i) * 7 * time.Millisecond))
			}
			s.fire(t.Context(), &wg, s.jobs["push"], at, kind)
		})
	}
	wg.Wait() // the followers too: they find the slot ran
	if runs.Load() != 1 {
		t.Fatalf("the slot ran %d times on two replicas, want 1", runs.Load())
	}
	if n := count.get("scheduled") + count.get("catchup"); n != 1 {
		t.Errorf("counted %d runs, want 1", n)
	}
	if count.get("skipped") < 7 {
		t.Errorf("skipped %d firings, want 7 or more", count.get("skipped"))
	}
	if last, _ := db.LastRun(t.Context(), "push"); !last.Equal(minute) {
		t.Errorf("LastRun = %v, want %v", last, minute)
	}
	err := b.RunNow(t.Context(), "push", minute.Add(20*time.Second))
	var ran *RanError
	if !errors.As(err, &ran) || !ran.Slot.Equal(minute) || ran.End.IsZero() {
		t.Errorf("a run by hand of the slot: %v, want a RanError naming it", err)
	}
	if err := b.RunAgain(t.Context(), "push", minute); err != nil || runs.Load() != 2 {
		t.Errorf("a rerun (again): %v, %d runs", err, runs.Load())
	}
}

// A failed run gives its slot back: the next start's catch-up runs it
// again, on either replica, and the start after that runs nothing.
func TestFailedSlotIsRetriedByTheNextCatchUp(t *testing.T) {
	var runs atomic.Int32
	job := Job{Name: "overdue", Spec: "30 7 * * *", Run: func(context.Context, time.Time) error {
		if runs.Add(1) == 1 {
			return errors.New("the database was locked")
		}
		return nil
	}}
	a, b, db, _ := replicas(t, job, time.Second)
	now := time.Now()
	if err := db.SetLastRun(t.Context(), "overdue", now.AddDate(0, 0, -2)); err != nil {
		t.Fatal(err)
	}
	startAndStop(t, a)
	if runs.Load() != 1 {
		t.Fatalf("first start: %d runs, want the catch-up (failed)", runs.Load())
	}
	startAndStop(t, b)
	startAndStop(t, a)
	if runs.Load() != 2 {
		t.Fatalf("%d runs after three starts, want 2: the failed catch-up retried once", runs.Load())
	}
}

// A replica killed in a run leaves its claim to run out: the replica that
// found the slot held follows it and runs the slot then, once. A holder
// that finishes leaves its followers nothing to do; a panicking run gives
// the slot back.
func TestDeadHoldersSlotIsTakenOver(t *testing.T) {
	var runs atomic.Int32
	job := Job{Name: "push", Spec: "* * * * *", Run: func(context.Context, time.Time) error {
		runs.Add(1)
		return nil
	}}
	const lease = 300 * time.Millisecond
	a, b, db, count := replicas(t, job, lease)
	slot := b.SlotOf(time.Now())
	// The dead replica's claim, as it left it.
	if ok, _, _, err := db.ClaimSlot(t.Context(), "push", slot, "dead", time.Now(), time.Now().Add(lease), false, false); !ok || err != nil {
		t.Fatal(ok, err)
	}
	var wg sync.WaitGroup
	a.fire(t.Context(), &wg, a.jobs["push"], slot, "scheduled")
	b.fire(t.Context(), &wg, b.jobs["push"], slot, "catchup")
	if runs.Load() != 0 {
		t.Fatal("a held slot ran")
	}
	wg.Wait()
	if runs.Load() != 1 || count.get("catchup") != 1 {
		t.Fatalf("after the dead holder's lease: %d runs (%d counted), want 1", runs.Load(), count.get("catchup"))
	}

	// A live holder renews its claim past its lease; the follower waits and
	// finds the slot ran.
	next := slot.Add(time.Minute)
	release := make(chan struct{})
	slow := Job{Name: "push", Spec: "* * * * *", Timeout: time.Minute, Run: func(context.Context, time.Time) error {
		runs.Add(1)
		<-release
		return nil
	}}
	a.jobs["push"].Job = slow
	done := make(chan error)
	go func() { done <- a.RunNow(t.Context(), "push", next) }()
	time.Sleep(50 * time.Millisecond)
	b.fire(t.Context(), &wg, b.jobs["push"], next, "scheduled")
	time.Sleep(3 * lease)
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if runs.Load() != 2 {
		t.Fatalf("a slot whose holder renewed its claim ran %d times, want once", runs.Load()-1)
	}

	a.jobs["push"].Run = func(context.Context, time.Time) error { panic("bug") }
	later := next.Add(time.Minute)
	if err := a.RunNow(t.Context(), "push", later); err == nil {
		t.Fatal("a panicking run succeeded")
	}
	if err := b.RunNow(t.Context(), "push", later); err != nil || runs.Load() != 3 {
		t.Errorf("after a panic, the slot: %v, %d runs; want it run", err, runs.Load())
	}
}
