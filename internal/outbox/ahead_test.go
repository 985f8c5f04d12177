package outbox

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"xabot/internal/chat"
	"xabot/internal/domain"
	"xabot/internal/store"
)

// claimLog is the store, noting when each claim that got rows began.
type claimLog struct {
	*store.DB
	mu     sync.Mutex
	starts []time.Time
}

func (c *claimLog) ClaimOutgoing(ctx context.Context, cl domain.Claim) ([]domain.Outgoing, time.Time, error) {
	start := time.Now()
	rows, wait, err := c.DB.ClaimOutgoing(ctx, cl)
	if len(rows) > 0 {
		c.mu.Lock()
		c.starts = append(c.starts, start)
		c.mu.Unlock()
	}
	return rows, wait, err
}

// The next batch is claimed while the window holds the last row of the one
// before, not after it: a slow claim does not leave the window idle. Each
// row still goes once, in the order claimed.
func TestNextBatchClaimedWhileTheWindowHolds(t *testing.T) {
	const n = 2 * claimBatch
	cfg := fast()
	cfg.Rate = 4 // a turn every 250 ms
	cfg.Workers = n
	db, _ := openDB(t)
	repo := &claimLog{DB: db}
	rec := &recorder{}
	o := New(repo, map[chat.Channel]chat.Sender{chat.Telegram: rec}, cfg)
	for i := range n {
		put(t, o, fmt.Sprintf("a:%d", i), fmt.Sprintf("tg:%d", i+1), domain.PriorityBulk, fmt.Sprint(i))
	}
	flush(t, o)
	calls := rec.all()
	if len(calls) != n {
		t.Fatalf("%d calls, want %d", len(calls), n)
	}
	for i, c := range calls {
		if c.chatID != fmt.Sprint(i+1) {
			t.Errorf("call %d went to chat %s, want %d", i, c.chatID, i+1)
		}
	}
	repo.mu.Lock()
	defer repo.mu.Unlock()
	if len(repo.starts) < 2 {
		t.Fatalf("%d claims got rows, want 2", len(repo.starts))
	}
	// Claimed after it, the second batch would begin about when the first
	// batch's last call does, a turn (250 ms) after the call before.
	if last := calls[claimBatch-1].at; !repo.starts[1].Before(last.Add(-125 * time.Millisecond)) {
		t.Errorf("the second batch was claimed %v before the first batch's last call, want a turn before", last.Sub(repo.starts[1]))
	}
}

// A shutdown gives back the batch claimed ahead too: another sender takes
// its rows at once, not when their leases run out.
func TestShutdownGivesBackTheBatchAhead(t *testing.T) {
	cfg := fast()
	cfg.Rate = 1 // a turn a second: the 4th waits from 2 s to 3 s
	cfg.Workers = 2 * claimBatch
	cfg.Lease = time.Minute
	db, _ := openDB(t)
	rec := &recorder{}
	o := New(db, map[chat.Channel]chat.Sender{chat.Telegram: rec}, cfg)
	const n = 2 * claimBatch
	for i := range n {
		put(t, o, fmt.Sprintf("b:%d", i), fmt.Sprintf("tg:%d", i+1), domain.PriorityBulk, fmt.Sprint(i))
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2500*time.Millisecond)
	defer cancel()
	if err := o.Run(ctx); err != nil {
		t.Fatal(err)
	}
	sent := len(rec.all())
	if sent != claimBatch-1 {
		t.Fatalf("%d sent before the shutdown, want %d", sent, claimBatch-1)
	}
	other := &recorder{}
	o2 := New(db, map[chat.Channel]chat.Sender{chat.Telegram: other}, fast())
	fctx, fcancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer fcancel()
	if err := o2.Flush(fctx); err != nil {
		t.Fatalf("another sender's Flush: %v (rows still leased?)", err)
	}
	if got := len(other.all()); got != n-sent {
		t.Errorf("another sender sent %d, want %d", got, n-sent)
	}
}
