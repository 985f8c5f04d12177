package webhook_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"xabot/internal/domain"
	"xabot/internal/webhook"
)

// counter is a webhook.Counter that remembers.
type counter struct {
	mu      sync.Mutex
	refused map[string]int // "channel/reason"
	backlog int
}

func (c *counter) Update(channel, outcome string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.refused[channel+"/"+outcome]++
}

func (c *counter) WebhookRefused(channel, reason string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.refused[channel+"/"+reason]++
}

func (c *counter) InboxBacklog(_ string, n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.backlog = n
}

func (c *counter) get(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.refused[key]
}

// The budget: a sender's N+1th waiting update is answered 200 and dropped
// (a platform retries anything else), counted; another sender's is stored.
func TestPerSenderBudget(t *testing.T) {
	r := newRig(t, webhook.Limits{PerSender: 3})
	for i := range 5 {
		if got := r.post(t, secret, fmt.Sprintf(`{"id":"a%d","from":"a"}`, i)); got != http.StatusOK {
			t.Errorf("a%d: status %d, want 200", i, got)
		}
	}
	if got := r.post(t, secret, `{"id":"b0","from":"b"}`); got != http.StatusOK {
		t.Errorf("b0: status %d", got)
	}
	if n := r.waiting(t); n != 4 {
		t.Errorf("%d waiting, want a's 3 and b's 1", n)
	}
	if n, all := r.count.get("tg/budget"), r.count.get("tg/refused"); n != 2 || all != 2 {
		t.Errorf("refused for the budget: %d, updates refused %d; want 2, 2", n, all)
	}
	// Once a's are handled, a is welcome again.
	r.drain(t)
	waitFor(t, r.rec.done, 4)
	for deadline := time.Now().Add(5 * time.Second); r.waiting(t) > 0 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if got := r.post(t, secret, `{"id":"a9","from":"a"}`); got != http.StatusOK {
		t.Errorf("a9: status %d", got)
	}
	waitFor(t, r.rec.done, 1)
	if got := r.rec.bodies(); len(got) != 5 || got[len(got)-1] != `{"id":"a9","from":"a"}` {
		t.Errorf("handled %q", got)
	}
}

// asks is a webhook.Queue, the real store, counting the offers it is asked.
type asks struct {
	webhook.Queue
	n atomic.Int32
}

func (a *asks) OfferInbound(ctx context.Context, in domain.Inbound, at time.Time, perSender, capacity int) (domain.Offer, error) {
	a.n.Add(1)
	return a.Queue.OfferInbound(ctx, in, at, perSender, capacity)
}

// Past capacity the platform is answered 503 at once (it delivers again
// later) and nothing is stored. Once the store said «full», the next
// deliveries for Limits.FullFor are refused without asking it (refusing
// costs nothing while the drain works); after that a duplicate of a
// waiting update is 200 again, and the store is asked again.
func TestPastCapacityIs503Quickly(t *testing.T) {
	const fullFor = 300 * time.Millisecond
	r := newRig(t, webhook.Limits{Capacity: 3, StoreWait: 500 * time.Millisecond, FullFor: fullFor})
	q := &asks{Queue: r.db}
	r.srv.Config.Handler = webhook.Handler(r.src, q, r.wake.Wake, time.Now, slog.New(slog.DiscardHandler), r.count)
	for i := range 3 {
		if got := r.post(t, secret, fmt.Sprintf(`{"id":"%d","from":"u%d"}`, i, i)); got != http.StatusOK {
			t.Fatalf("%d: status %d", i, got)
		}
	}
	var slowest time.Duration
	begun := time.Now()
	for i := range 20 {
		start := time.Now()
		if got := r.post(t, secret, fmt.Sprintf(`{"id":"x%d","from":"v%d"}`, i, i)); got != http.StatusServiceUnavailable {
			t.Errorf("past capacity: status %d, want 503", got)
		}
		slowest = max(slowest, time.Since(start))
	}
	took := time.Since(begun)
	t.Logf("slowest 503 past capacity: %v; store asked %d times for 20 in %v", slowest, q.n.Load()-3, took)
	if slowest > time.Second {
		t.Errorf("a 503 took %v: it must come at once", slowest)
	}
	// The first refusal asked the store; one more each FullFor at most.
	if n, most := int(q.n.Load())-3, 1+int(took/fullFor); n < 1 || n > most {
		t.Errorf("the store was asked %d times for 20 deliveries past capacity in %v, want 1 to %d", n, took, most)
	}
	time.Sleep(fullFor)
	if got := r.post(t, secret, `{"id":"1","from":"u1"}`); got != http.StatusOK {
		t.Errorf("a duplicate at capacity: status %d, want 200", got)
	}
	if n, c := r.waiting(t), r.count.get("tg/capacity"); n != 3 || c != 20 {
		t.Errorf("%d waiting, %d counted past capacity; want 3, 20", n, c)
	}
}

// A store that cannot take the row soon (another process holds SQLite's
// write lock) is a 503 within 40 ms (store.ErrBusy), well before
// Limits.StoreWait and the platform's timeout.
func TestBusyStoreIs503Quickly(t *testing.T) {
	// A StoreWait far longer than the answer wanted: the 503 comes from the
	// store's busy lock, not from this wait running out.
	r := newRig(t, webhook.Limits{StoreWait: 5 * time.Second})
	other, err := sql.Open("sqlite", "file:"+r.path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	ctx := context.Background()
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	got := r.post(t, secret, `{"id":"1","from":"a"}`)
	took := time.Since(start)
	t.Logf("503 with the write lock held elsewhere: %v", took)
	if got != http.StatusServiceUnavailable {
		t.Errorf("status %d, want 503", got)
	}
	if took > time.Second {
		t.Errorf("the 503 took %v", took)
	}
	if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	if got := r.post(t, secret, `{"id":"1","from":"a"}`); got != http.StatusOK {
		t.Errorf("once the lock is free: status %d, want 200", got)
	}
	if n := r.count.get("tg/store"); n != 1 {
		t.Errorf("counted %d store refusals, want 1", n)
	}
}

// floodErr is a reply's 429: the platform asks to wait.
type floodErr time.Duration

func (e floodErr) Error() string { return "429" }

// A reply's 429 is a wait, not a fault: an update refused by the
// platform's flood limit more times than maxAttempts is still handled, in
// order before its sender's next.
func TestFloodWaitUsesNoAttempt(t *testing.T) {
	r := newRig(t)
	var mu sync.Mutex
	floods := 7
	process := r.src.Process
	r.src.Process = func(ctx context.Context, body []byte) error {
		mu.Lock()
		flood := string(body) == `{"id":"1","from":"a"}` && floods > 0
		if flood {
			floods--
		}
		mu.Unlock()
		if flood {
			return fmt.Errorf("send: %w", floodErr(10*time.Millisecond))
		}
		return process(ctx, body)
	}
	r.src.FloodWait = func(err error) (time.Duration, bool) {
		var f floodErr
		if errors.As(err, &f) {
			return time.Duration(f), true
		}
		return 0, false
	}
	r.src.MaxFlood = time.Minute
	for _, b := range []string{`{"id":"1","from":"a"}`, `{"id":"2","from":"a"}`} {
		if got := r.post(t, secret, b); got != http.StatusOK {
			t.Fatalf("status %d", got)
		}
	}
	r.drain(t)
	waitFor(t, r.rec.done, 2)
	if got := r.rec.bodies(); fmt.Sprint(got) != `[{"id":"1","from":"a"} {"id":"2","from":"a"}]` {
		t.Errorf("handled %q, want both in order after 7 flood waits", got)
	}
}
