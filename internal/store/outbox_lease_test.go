package store

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"xabot/internal/domain"
)

// lease is the lease claims take in these tests.
const lease = 10 * time.Second

// claimAt claims up to limit rows for owner, due at now, at the real
// moment clock.
func claimAt(t *testing.T, db *DB, owner string, now, clock time.Time, limit int, only ...string) ([]domain.Outgoing, time.Time) {
	t.Helper()
	rows, wait, err := db.ClaimOutgoing(t.Context(), domain.Claim{Owner: owner, Now: now, Clock: clock,
		Lease: lease, Limit: limit, Only: only})
	if err != nil {
		t.Fatalf("ClaimOutgoing: %v", err)
	}
	return rows, wait
}

func claim(t *testing.T, db *DB, owner string, now time.Time, limit int) []domain.Outgoing {
	t.Helper()
	rows, _ := claimAt(t, db, owner, now, now, limit)
	return rows
}

// sent settles m as sent at at, the chat free again after gap.
func settleSent(t *testing.T, db *DB, m domain.Outgoing, at time.Time, gap time.Duration) {
	t.Helper()
	err := db.SettleOutgoing(t.Context(), domain.Attempt{ID: m.ID, Lease: m.Lease, Status: domain.OutSent,
		Counted: true, At: at, ChatLast: at, ChatNext: at.Add(gap)})
	if err != nil {
		t.Fatalf("settle %s: %v", m.Key, err)
	}
}

// Only a chat's first queued row may be claimed: the next waits for it,
// whatever its priority, and a claimed row is no one else's.
func TestClaimTakesEachChatsFirstRow(t *testing.T) {
	db, clock, _ := newTestDB(t)
	now := clock.now()
	mustEnqueue(t, db, outgoing("a1", "tg:1", domain.PriorityBulk))
	mustEnqueue(t, db, outgoing("a2", "tg:1", domain.PriorityAnswer))
	mustEnqueue(t, db, outgoing("b1", "tg:2", domain.PriorityAlert))
	got := claim(t, db, "p", now, 10)
	if fmt.Sprint(keys(got)) != "[b1 a1]" {
		t.Fatalf("claimed %v, want [b1 a1]: each chat's first, higher priority first", keys(got))
	}
	for _, m := range got {
		if m.Lease == "" {
			t.Errorf("%s claimed without a token", m.Key)
		}
	}
	if again := claim(t, db, "q", now, 10); len(again) != 0 {
		t.Errorf("claimed again while held: %v", keys(again))
	}
	settleSent(t, db, got[1], now, 0)
	if next := claim(t, db, "q", now, 10); fmt.Sprint(keys(next)) != "[a2]" {
		t.Errorf("after a1 went: %v, want [a2]", keys(next))
	}
}

// A row waiting for a retry holds its chat's later rows back.
func TestRetryHoldsTheChat(t *testing.T) {
	db, clock, _ := newTestDB(t)
	now := clock.now()
	mustEnqueue(t, db, outgoing("a1", "tg:1", 0))
	mustEnqueue(t, db, outgoing("a2", "tg:1", 0))
	m := claim(t, db, "p", now, 10)[0]
	err := db.SettleOutgoing(t.Context(), domain.Attempt{ID: m.ID, Lease: m.Lease, Status: domain.OutQueued,
		Counted: true, NextAt: now.Add(5 * time.Second), LastError: "transient: 502", ChatLast: now, ChatNext: now})
	if err != nil {
		t.Fatal(err)
	}
	if got := claim(t, db, "p", now.Add(4*time.Second), 10); len(got) != 0 {
		t.Errorf("claimed %v while the chat's first row waits for its retry", keys(got))
	}
	got := claim(t, db, "p", now.Add(5*time.Second), 10)
	if fmt.Sprint(keys(got)) != "[a1]" || got[0].Attempts != 1 || got[0].LastError != "transient: 502" {
		t.Errorf("at the retry: %+v", got)
	}
}

// Two processes claiming at once never both hold a row.
func TestConcurrentClaimsAreDisjoint(t *testing.T) {
	db, clock, path := newTestDB(t)
	now := clock.now()
	const rows = 120
	for i := range rows {
		mustEnqueue(t, db, outgoing(fmt.Sprint(i), fmt.Sprintf("tg:%d", i), 0))
	}
	other, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	var mu sync.Mutex
	held := map[int64]string{}
	var wg sync.WaitGroup
	for p, d := range []*DB{db, other, db, other} {
		wg.Go(func() {
			for {
				rows, _, err := d.ClaimOutgoing(t.Context(), domain.Claim{Owner: fmt.Sprint("p", p), Now: now,
					Clock: now, Lease: lease, Limit: 3})
				if err != nil {
					t.Error(err)
					return
				}
				if len(rows) == 0 {
					return
				}
				mu.Lock()
				for _, m := range rows {
					if h, ok := held[m.ID]; ok {
						t.Errorf("row %d claimed by %s and %s", m.ID, h, m.Lease)
					}
					held[m.ID] = m.Lease
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(held) != rows {
		t.Errorf("%d rows claimed, want %d", len(held), rows)
	}
}

// A sender that died leaves its lease to run out; another then takes the
// row, and the first can no longer record anything on it.
func TestExpiredLeaseIsTakenOver(t *testing.T) {
	db, clock, _ := newTestDB(t)
	ctx := t.Context()
	now := clock.now()
	mustEnqueue(t, db, outgoing("a", "tg:1", 0))
	dead := claim(t, db, "dead", now, 1)[0]
	got, wait := claimAt(t, db, "live", now, now.Add(lease-time.Millisecond), 1)
	if len(got) != 0 || !wait.Equal(now.Add(lease)) {
		t.Fatalf("before the lease ran out: %v, wait %v; want nothing until %v", keys(got), wait, now.Add(lease))
	}
	got, _ = claimAt(t, db, "live", now, now.Add(lease), 1)
	if len(got) != 1 || got[0].Lease == dead.Lease {
		t.Fatalf("after the lease ran out: %+v; want the row under a new claim", got)
	}
	err := db.SettleOutgoing(ctx, domain.Attempt{ID: dead.ID, Lease: dead.Lease, Status: domain.OutSent, Counted: true, At: now})
	if !errors.Is(err, domain.ErrConflict) {
		t.Errorf("the dead claim's settle = %v, want ErrConflict", err)
	}
	settleSent(t, db, got[0], now.Add(lease), time.Second)
	if m := mustOutgoing(t, db, "a"); m.Status != domain.OutSent || m.Attempts != 1 || m.Lease != "" {
		t.Errorf("row = %+v; want sent once, no lease", m)
	}
	err = db.SettleOutgoing(ctx, domain.Attempt{ID: got[0].ID, Lease: got[0].Lease, Status: domain.OutSent, Counted: true, At: now})
	if !errors.Is(err, domain.ErrConflict) {
		t.Errorf("a second settle = %v, want ErrConflict", err)
	}
	err = db.SettleOutgoing(ctx, domain.Attempt{ID: 999, Lease: "x", Status: domain.OutSent, At: now})
	if !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("settle of an unknown row = %v, want ErrNotFound", err)
	}
}

// A renewed lease keeps the row held past its first expiry.
func TestRenewLeases(t *testing.T) {
	db, clock, _ := newTestDB(t)
	now := clock.now()
	mustEnqueue(t, db, outgoing("a", "tg:1", 0))
	m := claim(t, db, "p", now, 1)[0]
	if err := db.RenewLeases(t.Context(), map[int64]string{m.ID: m.Lease, 999: "x"}, now.Add(2*lease)); err != nil {
		t.Fatal(err)
	}
	if got, _ := claimAt(t, db, "q", now, now.Add(lease), 1); len(got) != 0 {
		t.Errorf("claimed a renewed row at its first expiry: %v", keys(got))
	}
	if err := db.RenewLeases(t.Context(), map[int64]string{m.ID: "another claim"}, now.Add(3*lease)); err != nil {
		t.Fatal(err)
	}
	if got, _ := claimAt(t, db, "q", now, now.Add(2*lease), 1); len(got) != 1 {
		t.Errorf("another claim's token renewed the lease")
	}
}

// A chat's gap is kept in the database: a new process (another handle on
// the file) waits for it too; other chats do not.
func TestChatGapInTheDatabase(t *testing.T) {
	db, clock, path := newTestDB(t)
	now := clock.now()
	mustEnqueue(t, db, outgoing("a1", "tg:1", 0))
	mustEnqueue(t, db, outgoing("a2", "tg:1", 0))
	settleSent(t, db, claim(t, db, "p", now, 1)[0], now, 1500*time.Millisecond)
	mustEnqueue(t, db, outgoing("b1", "tg:2", 0))
	restarted, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer restarted.Close()
	got, _ := claimAt(t, restarted, "q", now, now.Add(time.Second), 10)
	if fmt.Sprint(keys(got)) != "[b1]" {
		t.Errorf("within tg:1's gap: %v, want [b1]", keys(got))
	}
	got, wait := claimAt(t, restarted, "q", now, now.Add(time.Second), 10)
	if len(got) != 0 || !wait.Equal(now.Add(1500*time.Millisecond)) {
		t.Errorf("claim = %v, wait %v; want tg:1 at +1.5s", keys(got), wait)
	}
	if got, _ := claimAt(t, restarted, "q", now, now.Add(1500*time.Millisecond), 10); fmt.Sprint(keys(got)) != "[a2]" {
		t.Errorf("after the gap: %v, want [a2]", keys(got))
	}
	// A chat's pacing is forgotten a minute after its gap.
	var n int
	claimAt(t, restarted, "q", now, now.Add(time.Hour), 1)
	if err := restarted.r.QueryRowContext(t.Context(), `SELECT count(*) FROM outbox_chats`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d chats remembered an hour later (%v)", n, err)
	}
}

// Among chats with a row due, the one served longest ago goes first (at
// one priority): a chat with a backlog takes its turn with the others.
func TestClaimServesTheLeastRecentChatFirst(t *testing.T) {
	db, clock, _ := newTestDB(t)
	now := clock.now()
	for i := range 3 {
		mustEnqueue(t, db, outgoing(fmt.Sprint("busy", i), "tg:1", 0))
	}
	mustEnqueue(t, db, outgoing("two", "tg:2", 0))
	mustEnqueue(t, db, outgoing("three", "tg:3", 0))
	var order []string
	for i := range 5 {
		at := now.Add(time.Duration(i) * time.Second)
		m := claim(t, db, "p", at, 1)
		if len(m) != 1 {
			t.Fatalf("claim %d: %v", i, keys(m))
		}
		order = append(order, m[0].Key)
		settleSent(t, db, m[0], at, 0)
		if i == 0 {
			mustEnqueue(t, db, outgoing("new", "tg:4", 0))
		}
	}
	if want := []string{"busy0", "two", "three", "new", "busy1"}; !slices.Equal(order, want) {
		t.Errorf("order = %v, want %v", order, want)
	}
}

// Only names the recipients a claim may take (GLOB patterns).
func TestClaimOnly(t *testing.T) {
	db, clock, _ := newTestDB(t)
	now := clock.now()
	mustEnqueue(t, db, outgoing("t", "tg:1", 0))
	mustEnqueue(t, db, outgoing("w", "web:official", 0))
	mustEnqueue(t, db, outgoing("c1", "console:demo-citizen", 0))
	mustEnqueue(t, db, outgoing("c2", "console:demo-official-1", 0))
	got, _ := claimAt(t, db, "p", now, now, 10, "web:*", "console:demo-citizen")
	slices.SortFunc(got, func(a, b domain.Outgoing) int { return int(a.ID - b.ID) })
	if fmt.Sprint(keys(got)) != "[w c1]" {
		t.Errorf("claimed %v, want [w c1]", keys(got))
	}
}

// The outcome of each kind of attempt, and a row stopped or forgotten
// under a claim.
func TestSettle(t *testing.T) {
	db, clock, _ := newTestDB(t)
	ctx := t.Context()
	now := clock.now()
	mustEnqueue(t, db, outgoing("a", "tg:1", 0))
	m := claim(t, db, "p", now, 1)[0]
	// A message of several out: no attempt counted, the rest still to go.
	if err := db.SettleOutgoing(ctx, domain.Attempt{ID: m.ID, Lease: m.Lease, Status: domain.OutQueued, Parts: 1,
		ChatLast: now, ChatNext: now}); err != nil {
		t.Fatal(err)
	}
	if got := mustOutgoing(t, db, "a"); got.Status != domain.OutQueued || got.PartsSent != 1 || got.Attempts != 0 || got.Lease != "" {
		t.Errorf("after a part: %+v", got)
	}
	m = claim(t, db, "p", now, 1)[0]
	if err := db.SettleOutgoing(ctx, domain.Attempt{ID: m.ID, Lease: m.Lease, Status: domain.OutFailed, Counted: true,
		Parts: 1, LastError: "invalid: 400"}); err != nil {
		t.Fatal(err)
	}
	if got := mustOutgoing(t, db, "a"); got.Status != domain.OutFailed || got.PartsSent != 1 || got.Attempts != 1 || got.LastError != "invalid: 400" {
		t.Errorf("after failing: %+v", got)
	}

	mustEnqueue(t, db, outgoing("b", "tg:2", 0))
	m = claim(t, db, "p", now, 1)[0]
	if err := db.StopChat(ctx, "tg:2", now); err != nil {
		t.Fatal(err)
	}
	err := db.SettleOutgoing(ctx, domain.Attempt{ID: m.ID, Lease: m.Lease, Status: domain.OutSent, Counted: true, At: now})
	if !errors.Is(err, domain.ErrConflict) {
		t.Errorf("settle of a stopped row = %v, want ErrConflict", err)
	}
	mustEnqueue(t, db, outgoing("c0", "tg:3", 0))
	settleSent(t, db, claim(t, db, "p", now, 1)[0], now, time.Second)
	mustEnqueue(t, db, outgoing("c", "tg:3", 0))
	m = claim(t, db, "p", now.Add(time.Second), 1)[0]
	if err := db.ForgetChat(ctx, "tg:3"); err != nil {
		t.Fatal(err)
	}
	err = db.SettleOutgoing(ctx, domain.Attempt{ID: m.ID, Lease: m.Lease, Status: domain.OutSent, Counted: true,
		At: now, ChatLast: now, ChatNext: now.Add(time.Second)})
	if !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("settle of a forgotten chat's row = %v, want ErrNotFound", err)
	}
	var n int
	if err := db.r.QueryRowContext(ctx, `SELECT count(*) FROM outbox_chats WHERE recipient = 'tg:3'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("a forgotten chat's pacing is kept: %d (%v)", n, err)
	}
	if q, err := db.CountQueued(ctx); err != nil || q != 0 {
		t.Errorf("CountQueued = %d, %v", q, err)
	}
}

// BenchmarkClaimAndSettle claims and records one row at a time with 10,000
// rows queued to 1,000 chats, as the outbox does for each call.
//
//	go test ./internal/store -run '^$' -bench ClaimAndSettle
func BenchmarkClaimAndSettle(b *testing.B) {
	path := b.TempDir() + "/x.db"
	db, err := Open(b.Context(), path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	const rows, chats = 10000, 1000
	for i := range rows {
		if _, err := db.Enqueue(b.Context(), outgoing(fmt.Sprint("k", i), fmt.Sprintf("tg:%d", i%chats), 5)); err != nil {
			b.Fatal(err)
		}
	}
	clock := time.Now()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		clock = clock.Add(time.Millisecond)
		got, _, err := db.ClaimOutgoing(b.Context(), domain.Claim{Owner: "b", Now: clock, Clock: clock, Lease: lease, Limit: 1})
		if err != nil || len(got) != 1 {
			b.Fatalf("claim %d: %v, %v", i, keys(got), err)
		}
		m := got[0]
		// Requeued as it was, so the queue keeps its length.
		if err := db.SettleOutgoing(b.Context(), domain.Attempt{ID: m.ID, Lease: m.Lease, Status: domain.OutQueued,
			ChatLast: clock, ChatNext: clock}); err != nil {
			b.Fatal(err)
		}
	}
}
