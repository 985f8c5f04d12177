package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"xabot/internal/domain"
)

// offerAll makes the offers of keys and groups at once, one goroutine
// each, and counts the outcomes.
func (r *inboxRig) offerAll(keys, groups []string, perSender, capacity int) map[domain.Offer]int {
	r.t.Helper()
	var mu sync.Mutex
	got := map[domain.Offer]int{}
	var wg sync.WaitGroup
	for i := range keys {
		wg.Go(func() {
			o, err := r.db.OfferInbound(r.t.Context(), domain.Inbound{Channel: "zalo", Key: keys[i], Group: groups[i], Body: []byte("{}")},
				r.t0, perSender, capacity)
			if err != nil {
				r.t.Error(err)
				return
			}
			mu.Lock()
			got[o]++
			mu.Unlock()
		})
	}
	wg.Wait()
	return got
}

func seq(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprint(prefix, i)
	}
	return out
}

func same(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

// Offers arriving together are checked one after the other inside their
// shared transaction: the budget, the capacity and the dedupe hold exactly,
// however many race.
func TestInboxOfferRacesHoldLimits(t *testing.T) {
	r := newInboxRig(t)
	if got := r.offerAll(seq("a", 100), same("a", 100), 30, 0); got[domain.Stored] != 30 || got[domain.OverBudget] != 70 {
		t.Errorf("100 of one sender at once, budget 30: %v", got)
	}
	if got := r.offerAll(same("dup", 50), seq("d", 50), 30, 0); got[domain.Stored] != 1 || got[domain.Duplicate] != 49 {
		t.Errorf("one update delivered 50 times at once: %v", got)
	}
	// 31 wait now; room for 19 more.
	if got := r.offerAll(seq("c", 200), seq("c", 200), 30, 50); got[domain.Stored] != 19 || got[domain.Full] != 181 {
		t.Errorf("200 senders at once past capacity 50: %v", got)
	}
	if n, err := r.db.InboundCount(t.Context(), "zalo"); err != nil || n != 50 {
		t.Errorf("waiting %d, %v; want 50", n, err)
	}
}

// The offers that arrive while the writer is busy go to SQLite together,
// in one commit, and each is answered only once it is stored.
func TestInboxOffersShareACommit(t *testing.T) {
	r := newInboxRig(t)
	ctx := t.Context()
	r.put("first", "x") // the committer runs
	before := r.db.group.commits
	// Hold the one writer connection: the offers pile up meanwhile.
	conn, err := r.db.w.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan map[domain.Offer]int)
	go func() { done <- r.offerAll(seq("k", 100), seq("g", 100), 30, 0) }()
	time.Sleep(300 * time.Millisecond)
	select {
	case got := <-done:
		t.Fatalf("offers answered %v while the writer was held: not stored yet", got)
	default:
	}
	conn.Close()
	if got := <-done; got[domain.Stored] != 100 {
		t.Errorf("outcomes %v, want 100 stored", got)
	}
	// One commit may have begun with the first offer alone before the
	// writer was free; the rest went in the next.
	if n := r.db.group.commits - before; n > 2 {
		t.Errorf("100 offers made together took %d commits, want at most 2", n)
	}
	if n, err := r.db.InboundCount(ctx, "zalo"); err != nil || n != 101 {
		t.Errorf("waiting %d, %v; want 101", n, err)
	}
}

// An offer whose caller stops waiting returns at once; Close fails what
// still waits instead of leaving it hanging, and later offers fail too.
func TestInboxOfferGivesUp(t *testing.T) {
	r := newInboxRig(t)
	conn, err := r.db.w.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = r.db.OfferInbound(ctx, domain.Inbound{Channel: "zalo", Key: "a", Group: "a", Body: []byte("{}")}, r.t0, 0, 0)
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > time.Second {
		t.Errorf("offer with the writer held: %v after %v, want the deadline's error at once", err, time.Since(start))
	}
	late := make(chan error, 1)
	go func() {
		_, err := r.db.OfferInbound(t.Context(), domain.Inbound{Channel: "zalo", Key: "b", Group: "b", Body: []byte("{}")}, r.t0, 0, 0)
		late <- err
	}()
	time.Sleep(100 * time.Millisecond)
	conn.Close()
	if err := <-late; err != nil {
		t.Errorf("an offer waiting for the writer: %v", err)
	}
	// The one given up on was not stored: its caller answered 503.
	if n, err := r.db.InboundCount(t.Context(), "zalo"); err != nil || n != 1 {
		t.Errorf("waiting %d, %v; want only b", n, err)
	}
	if err := r.db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := r.db.OfferInbound(t.Context(), domain.Inbound{Channel: "zalo", Key: "c", Group: "c", Body: []byte("{}")}, r.t0, 0, 0); !errors.Is(err, errClosed) {
		t.Errorf("offer after Close: %v, want errClosed", err)
	}
}

// While another process holds SQLite's write lock, an offer fails with
// ErrBusy within about busyWait (the platform is told 503 and delivers it
// again), however long its caller would wait; a take waits on, and goes
// through once the lock is free.
func TestInboxBusyLockShedsOffers(t *testing.T) {
	r := newInboxRig(t)
	r.put("a0", "a")
	other, err := sql.Open("sqlite", r.db.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(t.Context(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	took := make(chan []domain.Inbound, 1)
	go func() { took <- r.take(0, 1, 1) }()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	start := time.Now()
	_, err = r.db.OfferInbound(ctx, domain.Inbound{Channel: "zalo", Key: "b0", Group: "b", Body: []byte("{}")}, r.t0, 0, 0)
	wait := time.Since(start)
	t.Logf("offer with the lock held elsewhere: %v after %v", err, wait)
	if !errors.Is(err, ErrBusy) || wait > time.Second {
		t.Errorf("offer = %v after %v, want ErrBusy after about %v", err, wait, busyWait)
	}
	time.Sleep(150 * time.Millisecond)
	select {
	case got := <-took:
		t.Fatalf("took %v while the lock was held", got)
	default:
	}
	if _, err := conn.ExecContext(t.Context(), "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	if got := <-took; len(got) != 1 || got[0].Key != "a0" {
		t.Errorf("take once the lock is free = %v", inKeys(got))
	}
	if n, err := r.db.InboundCount(t.Context(), "zalo"); err != nil || n != 1 {
		t.Errorf("waiting %d, %v; want a0 alone (b0 was refused)", n, err)
	}
}
