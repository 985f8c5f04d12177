package outbox

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"xabot/internal/chat"
	"xabot/internal/domain"
)

// Two processes on one database send each row once: a row is claimed by
// one of them before it goes.
func TestTwoProcessesNeverSendARowTwice(t *testing.T) {
	path := filepath.Join(t.TempDir(), "xabot.db")
	p := &platform{delay: 2 * time.Millisecond}
	cfg := Config{Rate: 2000, PerChat: time.Millisecond, Poll: 5 * time.Millisecond, Workers: 8}
	a, db := process(t, path, p, cfg)
	b, _ := process(t, path, p, cfg)
	const n, chats = 150, 30
	want := map[string][]string{}
	for i := range n {
		to := fmt.Sprint(1 + i%chats)
		text := fmt.Sprint(i)
		put(t, a, text, "tg:"+to, domain.PriorityBulk, text)
		want[to] = append(want[to], text)
	}
	runUntilDone(t, db, time.Minute, a, b)
	got := p.delivered()
	for to, texts := range want {
		if !slices.Equal(got[to], texts) {
			t.Errorf("chat %s got %v, want %v: each once, in order", to, got[to], texts)
		}
	}
	if c := counts(t, db); c != fmt.Sprintf("map[failed:0 queued:0 sent:%d stopped:0]", n) {
		t.Errorf("counts = %s", c)
	}
}

// A 429 on a chat's first row holds the chat's later rows back until the
// first went: each chat reads its messages in the order they were queued.
func TestPerChatOrderHoldsThroughA429(t *testing.T) {
	p := &platform{}
	first := map[string]bool{}
	p.fault = func(chatID, text string, _ int) error {
		if text == "1" && !first[chatID] {
			first[chatID] = true
			return floodError{after: 150 * time.Millisecond}
		}
		return nil
	}
	db, _ := openDB(t)
	cfg := fast()
	o := New(db, senders(p), cfg)
	const chats = 10
	for c := range chats {
		for i := 1; i <= 3; i++ {
			put(t, o, fmt.Sprintf("%d-%d", c, i), fmt.Sprintf("tg:%d", c+1), domain.PriorityAlert, fmt.Sprint(i))
		}
	}
	runUntilDone(t, db, 10*time.Second, o)
	for to, texts := range p.delivered() {
		if !slices.Equal(texts, []string{"1", "2", "3"}) {
			t.Errorf("chat %s read %v, want [1 2 3]", to, texts)
		}
	}
	if c := counts(t, db); c != fmt.Sprintf("map[failed:0 queued:0 sent:%d stopped:0]", 3*chats) {
		t.Errorf("counts = %s", c)
	}
}

// The rate is a ceiling on calls to the platform in any second: the
// messages of a long reply each count, and so does every retry.
func TestRateCeilingCountsEveryCall(t *testing.T) {
	if testing.Short() {
		t.Skip("takes 5 s")
	}
	const rate = 20
	p := &platform{}
	p.fault = func(_, _ string, n int) error {
		if n%4 == 3 {
			return floodError{after: 50 * time.Millisecond}
		}
		return nil
	}
	db, _ := openDB(t)
	cfg := fast()
	cfg.Rate = rate
	o := New(db, senders(p), cfg)
	const rows = 40
	for i := range rows {
		put(t, o, fmt.Sprint(i), fmt.Sprintf("tg:%d", i+1), domain.PriorityBulk, "phần một\nphần hai")
	}
	runUntilDone(t, db, 30*time.Second, o)
	calls := p.all()
	ok := 0
	for _, c := range calls {
		if c.err == nil {
			ok++
		}
	}
	if ok != 2*rows {
		t.Fatalf("%d messages delivered, want %d", ok, 2*rows)
	}
	most := maxInWindow(calls, time.Second)
	t.Logf("%d calls (%d retried); most in any second: %d", len(calls), len(calls)-ok, most)
	if most > rate {
		t.Errorf("%d calls within one second, want at most %d", most, rate)
	}
}

// The gap between two messages to one chat holds across a restart: the
// new process reads the last send from the database.
func TestPerChatGapSurvivesARestart(t *testing.T) {
	const gap = 700 * time.Millisecond
	path := filepath.Join(t.TempDir(), "xabot.db")
	p := &platform{}
	cfg := fast()
	cfg.PerChat = gap
	a, adb := process(t, path, p, cfg)
	put(t, a, "one", "tg:1", domain.PriorityAlert, "một")
	flush(t, a)
	adb.Close()
	b, _ := process(t, path, p, cfg)
	put(t, b, "two", "tg:1", domain.PriorityAlert, "hai")
	flush(t, b)
	calls := p.all()
	if len(calls) != 2 {
		t.Fatalf("%d calls, want 2", len(calls))
	}
	if d := calls[1].at.Sub(calls[0].at); d < gap {
		t.Errorf("two messages to one chat %v apart across a restart, want ≥ %v", d, gap)
	}
}

// A chat with many messages due takes its turn with the others: a new
// chat's message goes out in the first round, not after the backlog.
func TestFairShareAmongChats(t *testing.T) {
	tests := []struct {
		name         string
		busy, each   int // busy chats and rows due to each
		within       int // the new chat's message is among the first within sends
		rate         int
		perChat      time.Duration
		newPriority  int
		busyPriority int
	}{
		{"one flooded chat", 1, 100, 2, 50, 100 * time.Millisecond, domain.PriorityAnswer, domain.PriorityAnswer},
		// More chats with rows due than one fetch of the store holds.
		{"sixty busy chats", 60, 5, 61, 100, 100 * time.Millisecond, domain.PriorityAnswer, domain.PriorityAnswer},
		{"an answer before bulk", 60, 5, 1, 100, 100 * time.Millisecond, domain.PriorityAnswer, domain.PriorityBulk},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &platform{}
			db, _ := openDB(t)
			cfg := fast()
			cfg.Rate, cfg.PerChat, cfg.Workers = tt.rate, tt.perChat, 1
			o := New(db, senders(p), cfg)
			for c := range tt.busy {
				for i := range tt.each {
					put(t, o, fmt.Sprintf("busy-%d-%d", c, i), fmt.Sprintf("tg:%d", 100+c), tt.busyPriority, "backlog")
				}
			}
			put(t, o, "new", "tg:1", tt.newPriority, "câu trả lời")
			ctxRunUntil(t, o, func() bool { return len(p.delivered()["1"]) > 0 }, 20*time.Second)
			calls := p.all()
			at := slices.IndexFunc(calls, func(c pcall) bool { return c.chat == "1" })
			if at < 0 || at >= tt.within {
				t.Errorf("the new chat's message was call %d, want among the first %d (%d busy chats, %d rows each)",
					at+1, tt.within, tt.busy, tt.each)
			}
		})
	}
}

// A sender that died holding a row leaves its lease to run out; another
// process then sends the row, once.
func TestExpiredLeaseIsTakenOver(t *testing.T) {
	const lease = 400 * time.Millisecond
	p := &platform{}
	o, db, _ := newTest(t, fast())
	o.senders = senders(p)
	put(t, o, "a", "tg:1", domain.PriorityAlert, "một")
	start := time.Now()
	dead, _, err := db.ClaimOutgoing(t.Context(), domain.Claim{Owner: "dead", Now: time.Now(), Clock: start, Lease: lease, Limit: 1})
	if err != nil || len(dead) != 1 {
		t.Fatalf("claim = %v, %v", dead, err)
	}
	flush(t, o)
	calls := p.all()
	if len(calls) != 1 {
		t.Fatalf("%d calls, want 1", len(calls))
	}
	if d := calls[0].at.Sub(start); d < lease {
		t.Errorf("sent %v after the dead sender's claim, want ≥ its lease %v", d, lease)
	}
	err = db.SettleOutgoing(t.Context(), domain.Attempt{ID: dead[0].ID, Lease: dead[0].Lease, Status: domain.OutSent, Counted: true, At: time.Now()})
	if !errors.Is(err, domain.ErrConflict) {
		t.Errorf("the dead sender's record = %v, want ErrConflict", err)
	}
	if m := row(t, db, "a"); m.Status != domain.OutSent || m.Attempts != 1 {
		t.Errorf("row = %+v; want sent once", m)
	}
}

// A call that lasts longer than the lease keeps its row: the lease is
// renewed while the call is in flight, and another process waits. The
// lease is a third of the call: a renewal (every Lease/3) may be late by
// most of a second on a loaded machine under -race without the row being
// taken, while a lease never renewed would run out twice over.
func TestLongCallKeepsItsLease(t *testing.T) {
	path := filepath.Join(t.TempDir(), "xabot.db")
	p := &platform{delay: 3 * time.Second}
	cfg := fast()
	cfg.Lease = time.Second
	a, db := process(t, path, p, cfg)
	b, _ := process(t, path, p, cfg)
	put(t, a, "slow", "tg:1", domain.PriorityAlert, "chậm")
	runUntilDone(t, db, 10*time.Second, a, b)
	if n := len(p.all()); n != 1 {
		t.Errorf("%d calls, want 1: the lease ran out while the call was in flight", n)
	}
}

// metricsRec counts what the outbox reports.
type metricsRec struct {
	mu      sync.Mutex
	events  map[string]int
	limited map[string]int
	queued  []int
}

func (m *metricsRec) Outbox(e string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.events[e]++
}

func (m *metricsRec) OutboxQueued(n int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.queued = append(m.queued, n)
}

func (m *metricsRec) RateLimited(ch string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.limited[ch]++
}

func TestMetrics(t *testing.T) {
	met := &metricsRec{events: map[string]int{}, limited: map[string]int{}}
	cfg := fast()
	cfg.Metrics = met
	cfg.MaxAttempts = 2
	cfg.Backoff = func(int) time.Duration { return 0 }
	cfg.Lease = 150 * time.Millisecond // the queue is counted on the lease's beat
	clk := &clock{t: time.Now()}
	cfg.Now = clk.now
	p := &platform{}
	flooded := false
	p.fault = func(chatID, text string, _ int) error {
		switch {
		case chatID == "2" && !flooded:
			flooded = true
			return floodError{after: time.Millisecond}
		case chatID == "3":
			return chat.ErrBlocked
		case chatID == "4":
			return errors.New("502 Bad Gateway")
		}
		return nil
	}
	db, _ := openDB(t)
	o := New(db, senders(p), cfg)
	put(t, o, "ok", "tg:1", 0, "một")
	put(t, o, "flood", "tg:2", 0, "flood")
	put(t, o, "blocked", "tg:3", 0, "x")
	put(t, o, "broken", "tg:4", 0, "y")
	ctxRunUntil(t, o, func() bool {
		met.mu.Lock()
		defer met.mu.Unlock()
		clk.add(time.Second) // the 502's retry is due at once
		return met.events["failed"] == 1 && met.events["sent"] == 2 && len(met.queued) > 0
	}, 10*time.Second)
	met.mu.Lock()
	defer met.mu.Unlock()
	want := map[string]int{"queued": 4, "sent": 2, "retried": 1 + 1, "failed": 1, "stopped": 1}
	for e, n := range want {
		if met.events[e] != n {
			t.Errorf("%s counted %d times, want %d (all: %v)", e, met.events[e], n, met.events)
		}
	}
	if met.limited["tg"] < 1 {
		t.Errorf("429s counted %v, want tg", met.limited)
	}
}

// A process started again after a crash knows the calls its predecessor
// made in the last second (the database's per-chat record): the rate stays
// a ceiling across the restart, not a window of its own on top.
func TestRateCeilingSurvivesARestart(t *testing.T) {
	const rate = 3
	path := filepath.Join(t.TempDir(), "xabot.db")
	p := &platform{}
	cfg := fast()
	cfg.Rate = rate
	a, adb := process(t, path, p, cfg)
	for i := range rate {
		put(t, a, fmt.Sprintf("a%d", i), fmt.Sprintf("tg:%d", i+1), domain.PriorityAlert, "a")
	}
	flush(t, a)
	adb.Close()
	b, _ := process(t, path, p, cfg) // a new process: a new window
	put(t, b, "b", "tg:99", domain.PriorityAlert, "b")
	flush(t, b)
	calls := p.all()
	if len(calls) != rate+1 {
		t.Fatalf("%d calls, want %d", len(calls), rate+1)
	}
	if d := calls[rate].at.Sub(calls[0].at); d < time.Second-10*time.Millisecond {
		t.Errorf("%d calls within %v across a restart, want at most %d a second", rate+1, d, rate)
	}
}
