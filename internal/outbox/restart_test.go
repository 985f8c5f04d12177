package outbox

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"xabot/internal/chat"
	"xabot/internal/domain"
	"xabot/internal/store"
)

func TestRunWakesOnPut(t *testing.T) {
	cfg := fast()
	cfg.Poll = time.Hour
	o, _, rec := newTest(t, cfg)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- o.Run(ctx) }()
	time.Sleep(50 * time.Millisecond) // Run is asleep for an hour
	put(t, o, "a", "tg:1", domain.PriorityAnswer, "x")
	deadline := time.Now().Add(2 * time.Second)
	for len(rec.sent()) == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v, want nil", err)
	}
	if n := len(rec.sent()); n != 1 {
		t.Errorf("%d sends, want 1", n)
	}
	if err := o.Flush(t.Context()); err != nil {
		t.Errorf("Flush after Run: %v", err)
	}
}

func TestRunAndFlushExclusive(t *testing.T) {
	cfg := fast()
	o, _, _ := newTest(t, cfg)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- o.Run(ctx) }()
	time.Sleep(20 * time.Millisecond)
	if err := o.Flush(t.Context()); !errors.Is(err, errRunning) {
		t.Errorf("Flush during Run = %v, want errRunning", err)
	}
	cancel()
	<-done
}

// A shutdown in the middle of sending loses nothing and sends nothing
// twice: the send in flight finishes and is marked, the rest go after the
// restart.
func TestRestartSendsEachOnce(t *testing.T) {
	for _, workers := range []int{1, 4} {
		t.Run(fmt.Sprint("workers=", workers), func(t *testing.T) {
			db, path := openDB(t)
			cfg := fast()
			cfg.Workers = workers
			first := &recorder{}
			started := make(chan struct{})
			release := make(chan struct{})
			var once sync.Once
			var sendErr error
			first.hold = func(ctx context.Context, _ chat.Reply) {
				isFirst := false
				once.Do(func() { isFirst = true })
				if !isFirst {
					return
				}
				close(started)
				<-release
				sendErr = ctx.Err() // the send must outlive Run's context
			}
			o := New(db, map[chat.Channel]chat.Sender{chat.Telegram: first}, cfg)
			const n = 8
			for i := range n {
				put(t, o, fmt.Sprintf("m:%d", i), fmt.Sprintf("tg:%d", i+1), domain.PriorityAlert, fmt.Sprint(i))
			}
			ctx, cancel := context.WithCancel(t.Context())
			done := make(chan error, 1)
			go func() { done <- o.Run(ctx) }()
			<-started
			cancel() // SIGTERM while the first send is in flight
			time.Sleep(20 * time.Millisecond)
			close(release)
			if err := <-done; err != nil {
				t.Fatalf("Run = %v, want nil", err)
			}
			if sendErr != nil {
				t.Errorf("the send in flight saw its context end: %v", sendErr)
			}
			db.Close()

			// The restart: a new process on the same file.
			db2, err := store.Open(t.Context(), path)
			if err != nil {
				t.Fatal(err)
			}
			defer db2.Close()
			second := &recorder{}
			o2 := New(db2, map[chat.Channel]chat.Sender{chat.Telegram: second}, cfg)
			if err := o2.Flush(t.Context()); err != nil {
				t.Fatal(err)
			}
			seen := map[string]int{}
			for _, c := range append(first.sent(), second.sent()...) {
				seen[c.chatID]++
			}
			for i := range n {
				if id := fmt.Sprint(i + 1); seen[id] != 1 {
					t.Errorf("chat %s got %d messages, want exactly 1", id, seen[id])
				}
			}
			if workers == 1 && len(second.sent()) == 0 {
				t.Error("the first worker sent everything: the test stopped nothing mid-batch")
			}
			if got := counts(t, db2); got != fmt.Sprintf("map[failed:0 queued:0 sent:%d stopped:0]", n) {
				t.Errorf("counts = %s", got)
			}
		})
	}
}

// A send that outlasts the shutdown grace is cut; its row stays queued,
// uncounted, and goes after the restart.
func TestShutdownGraceCutsAHungSend(t *testing.T) {
	o, db, rec := newTest(t, fast())
	o.grace = 50 * time.Millisecond
	started := make(chan struct{})
	var once sync.Once
	rec.hold = func(ctx context.Context, _ chat.Reply) {
		once.Do(func() { close(started) })
		<-ctx.Done()
	}
	rec.fail = func(string, int) error { return context.Canceled }
	put(t, o, "a", "tg:1", 0, "x")
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- o.Run(ctx) }()
	<-started
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after the grace")
	}
	if m := row(t, db, "a"); m.Status != domain.OutQueued || m.Attempts != 0 {
		t.Errorf("row = %+v; want queued, no attempt counted", m)
	}
}

// failingMarks is a Repo whose records of a sent row fail a number of
// times, as a full disk would make them.
type failingMarks struct {
	Repo
	mu    sync.Mutex
	fails int
}

func (f *failingMarks) SettleOutgoing(ctx context.Context, a domain.Attempt) error {
	f.mu.Lock()
	if f.fails > 0 && a.Status == domain.OutSent {
		f.fails--
		f.mu.Unlock()
		return errors.New("disk I/O error")
	}
	f.mu.Unlock()
	return f.Repo.SettleOutgoing(ctx, a)
}

// A send whose mark fails is not sent again while the mark is retried.
func TestFailedMarkDoesNotResend(t *testing.T) {
	db, _ := openDB(t)
	repo := &failingMarks{Repo: db, fails: 3} // the send, the next round, the last try of Flush
	rec := &recorder{}
	o := New(repo, map[chat.Channel]chat.Sender{chat.Telegram: rec}, fast())
	put(t, o, "a", "tg:1", 0, "x")
	if err := o.Flush(t.Context()); err == nil {
		t.Fatal("Flush hid a failing mark")
	}
	if m := row(t, db, "a"); m.Status != domain.OutQueued {
		t.Fatalf("row = %+v", m)
	}
	flush(t, o)
	if n := len(rec.all()); n != 1 {
		t.Errorf("%d calls, want 1", n)
	}
	if m := row(t, db, "a"); m.Status != domain.OutSent {
		t.Errorf("row = %+v, want sent", m)
	}
}

func TestDefaultBackoff(t *testing.T) {
	for _, tt := range []struct {
		n    int
		want time.Duration
	}{
		{-1, 5 * time.Second}, {0, 5 * time.Second}, {1, 10 * time.Second}, {2, 20 * time.Second},
		{9, 2560 * time.Second}, {10, time.Hour}, {100, time.Hour},
	} {
		if got := DefaultBackoff(tt.n); got != tt.want {
			t.Errorf("DefaultBackoff(%d) = %v, want %v", tt.n, got, tt.want)
		}
	}
}

func TestParseTo(t *testing.T) {
	for _, tt := range []struct {
		to     string
		ch     chat.Channel
		id     string
		wantOK bool
	}{
		{"tg:123", chat.Telegram, "123", true},
		{"zalo:abc:def", chat.Zalo, "abc:def", true},
		{"tg:-100123", chat.Telegram, "-100123", true},
		{"tg", "", "", false},
		{"tg:", "", "", false},
		{":1", "", "", false},
	} {
		ch, id, ok := parseTo(tt.to)
		if ch != tt.ch || id != tt.id || ok != tt.wantOK {
			t.Errorf("parseTo(%q) = %q, %q, %v", tt.to, ch, id, ok)
		}
	}
}

// Many messages to a few chats, many workers, a tiny gap: sends finish
// while fetches run, and still no row goes twice.
func TestNoDuplicatesUnderLoad(t *testing.T) {
	cfg := Config{Rate: 5000, PerChat: time.Millisecond, Poll: 10 * time.Millisecond, Workers: 16}
	o, db, rec := newTest(t, cfg)
	const n, chats = 300, 6
	for i := range n {
		put(t, o, fmt.Sprint(i), fmt.Sprintf("tg:%d", 1+i%chats), domain.PriorityBulk, fmt.Sprint(i))
	}
	flush(t, o)
	seen := map[string]int{}
	for _, c := range rec.all() {
		seen[c.text]++
	}
	for i := range n {
		if seen[fmt.Sprint(i)] != 1 {
			t.Errorf("message %d sent %d times, want 1", i, seen[fmt.Sprint(i)])
		}
	}
	if got := counts(t, db); got != fmt.Sprintf("map[failed:0 queued:0 sent:%d stopped:0]", n) {
		t.Errorf("counts = %s", got)
	}
}
