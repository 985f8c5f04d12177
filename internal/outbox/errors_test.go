package outbox

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"xabot/internal/chat"
	"xabot/internal/domain"
)

// A 429 holds the chat for retry_after on the real clock; the row is sent
// again then, its attempts counted.
func TestRetryAfter(t *testing.T) {
	clk := &clock{t: time.Date(2025, 5, 1, 9, 0, 0, 0, time.UTC)}
	cfg := fast()
	cfg.Now = clk.now
	o, db, rec := newTest(t, cfg)
	rec.fail = func(_ string, n int) error {
		if n == 0 {
			return fmt.Errorf("telegram: send to chat 1: %w", floodError{after: time.Second})
		}
		return nil
	}
	put(t, o, "a", "tg:1", domain.PriorityAlert, "x")
	flush(t, o) // waits for the chat's flood wait
	calls := rec.all()
	if len(calls) != 2 || calls[1].err != nil {
		t.Fatalf("calls = %+v; want a 429 then one success", calls)
	}
	if d := calls[1].at.Sub(calls[0].at); d < time.Second {
		t.Errorf("resent %v after the 429, want ≥ 1 s", d)
	}
	if m := row(t, db, "a"); m.Status != domain.OutSent || m.Attempts != 2 || !strings.HasPrefix(m.LastError, "flood: ") {
		t.Errorf("row = %+v; want sent at the second attempt, the flood noted", m)
	}
}

func TestGlobalRetryAfterPausesEveryChat(t *testing.T) {
	const wait = 600 * time.Millisecond
	cfg := fast()
	cfg.Workers = 1
	o, db, rec := newTest(t, cfg)
	rec.fail = func(id string, n int) error {
		if id == "1" && n == 0 {
			return floodError{after: wait, global: true}
		}
		return nil
	}
	put(t, o, "a", "tg:1", domain.PriorityAnswer, "x")
	put(t, o, "b", "tg:2", domain.PriorityBulk, "y")
	put(t, o, "c", "tg:3", domain.PriorityBulk, "z")
	flush(t, o)
	calls := rec.all()
	if len(calls) != 4 || calls[0].chatID != "1" {
		t.Fatalf("calls = %+v", calls)
	}
	for _, c := range calls[1:] {
		if d := c.at.Sub(calls[0].at); d < wait {
			t.Errorf("chat %s sent %v after a global 429, want ≥ %v", c.chatID, d, wait)
		}
	}
	if got := counts(t, db); got != "map[failed:0 queued:0 sent:3 stopped:0]" {
		t.Errorf("counts = %s", got)
	}
}

func TestTransientErrorsBackOff(t *testing.T) {
	clk := &clock{t: time.Date(2025, 5, 1, 9, 0, 0, 0, time.UTC)}
	cfg := fast()
	cfg.Now = clk.now
	var mu sync.Mutex
	var asked []int
	cfg.Backoff = func(n int) time.Duration {
		mu.Lock()
		defer mu.Unlock()
		asked = append(asked, n)
		return 0
	}
	o, db, rec := newTest(t, cfg)
	rec.fail = func(_ string, n int) error {
		if n < 2 {
			return errors.New("telegram: send to chat 1: 502 Bad Gateway")
		}
		return nil
	}
	put(t, o, "a", "tg:1", domain.PriorityAlert, "x")
	for range 3 {
		flush(t, o)
		clk.add(time.Second) // next_at is kept to the second, rounded up
	}
	if got := rec.all(); len(got) != 3 || len(rec.sent()) != 1 {
		t.Errorf("calls = %+v; want two failures then a success", got)
	}
	if fmt.Sprint(asked) != "[0 1]" {
		t.Errorf("Backoff asked for %v, want [0 1]", asked)
	}
	if m := row(t, db, "a"); m.Status != domain.OutSent || m.Attempts != 3 || !strings.Contains(m.LastError, "502") {
		t.Errorf("row = %+v", m)
	}
}

func TestBackoffReschedules(t *testing.T) {
	clk := &clock{t: time.Date(2025, 5, 1, 9, 0, 0, 0, time.UTC)}
	cfg := fast()
	cfg.Now = clk.now
	o, db, rec := newTest(t, cfg)
	rec.fail = func(_ string, n int) error {
		if n == 0 {
			return errors.New("connection reset")
		}
		return nil
	}
	put(t, o, "a", "tg:1", 0, "x")
	flush(t, o)
	if m := row(t, db, "a"); m.Status != domain.OutQueued || !m.NextAt.Equal(clk.now().Add(5*time.Second)) {
		t.Fatalf("after one failure: %+v; want due in 5 s (DefaultBackoff(0))", m)
	}
	clk.add(5 * time.Second)
	flush(t, o)
	if n := len(rec.sent()); n != 1 {
		t.Errorf("%d sends, want 1", n)
	}
}

func TestMaxAttemptsFails(t *testing.T) {
	clk := &clock{t: time.Date(2025, 5, 1, 9, 0, 0, 0, time.UTC)}
	cfg := fast()
	cfg.Now = clk.now
	cfg.MaxAttempts = 3
	cfg.Backoff = func(int) time.Duration { return 0 }
	o, db, rec := newTest(t, cfg)
	rec.fail = func(string, int) error { return errors.New("500 Internal Server Error") }
	put(t, o, "a", "tg:1", 0, "x")
	for range 4 {
		flush(t, o)
		clk.add(time.Second)
	}
	if n := len(rec.all()); n != 3 {
		t.Errorf("%d calls, want 3", n)
	}
	m := row(t, db, "a")
	if m.Status != domain.OutFailed || m.Attempts != 3 || m.LastError != "transient: 500 Internal Server Error" {
		t.Errorf("row = %+v; want failed after 3 attempts", m)
	}
}

func TestFloodGivesUpLater(t *testing.T) {
	clk := &clock{t: time.Date(2025, 5, 1, 9, 0, 0, 0, time.UTC)}
	cfg := fast()
	cfg.Now = clk.now
	cfg.MaxAttempts = 1
	o, db, rec := newTest(t, cfg)
	rec.fail = func(string, int) error { return floodError{after: time.Millisecond} }
	put(t, o, "a", "tg:1", 0, "x")
	for range floodFactor {
		flush(t, o)
		clk.add(time.Second)
	}
	if n := len(rec.all()); n != floodFactor {
		t.Errorf("%d calls, want %d", n, floodFactor)
	}
	if m := row(t, db, "a"); m.Status != domain.OutFailed || m.Attempts != floodFactor {
		t.Errorf("row = %+v; want failed after %d flood waits", m, floodFactor)
	}
}

func TestBlockedStopsTheChat(t *testing.T) {
	o, db, rec := newTest(t, fast())
	blocked := true
	var mu sync.Mutex
	rec.fail = func(id string, _ int) error {
		mu.Lock()
		defer mu.Unlock()
		if id == "1" && blocked {
			return fmt.Errorf("telegram: send to chat 1: %w: Forbidden: bot was blocked by the user", chat.ErrBlocked)
		}
		return nil
	}
	put(t, o, "x:1", "tg:1", domain.PriorityAnswer, "a")
	put(t, o, "x:2", "tg:1", domain.PriorityBulk, "b")
	put(t, o, "x:3", "tg:1", domain.PriorityBulk, "c")
	put(t, o, "y:1", "tg:2", domain.PriorityBulk, "d")
	flush(t, o)
	if n := len(rec.all()); n != 2 {
		t.Errorf("%d calls, want 2 (one to the blocked chat, one to the other)", n)
	}
	for _, k := range []string{"x:1", "x:2", "x:3"} {
		if m := row(t, db, k); m.Status != domain.OutStopped {
			t.Errorf("%s is %s, want stopped", k, m.Status)
		}
	}
	if m := row(t, db, "y:1"); m.Status != domain.OutSent {
		t.Errorf("y:1 is %s, want sent", m.Status)
	}

	// Nothing more goes to the chat until the person writes again.
	if ok, err := o.Put(t.Context(), "x:4", "tg:1", 0, chat.Reply{Text: "e"}); err != nil || ok {
		t.Errorf("Put to a stopped chat = %v, %v; want false, nil", ok, err)
	}
	flush(t, o)
	if n := len(rec.all()); n != 2 {
		t.Errorf("%d calls after a Put to the stopped chat, want 2", n)
	}

	mu.Lock()
	blocked = false
	mu.Unlock()
	if err := db.ResumeChat(t.Context(), "tg:1"); err != nil {
		t.Fatal(err)
	}
	put(t, o, "x:5", "tg:1", 0, "f")
	flush(t, o)
	if got := rec.sent(); len(got) != 2 || got[1].chatID != "1" || got[1].text != "f" {
		t.Errorf("sent = %+v; want the message after ResumeChat", got)
	}
}

func TestUnknownChannelFails(t *testing.T) {
	o, db, rec := newTest(t, fast())
	put(t, o, "z", "zalo:7", 0, "x")
	flush(t, o)
	if n := len(rec.all()); n != 0 {
		t.Errorf("%d calls, want 0", n)
	}
	if m := row(t, db, "z"); m.Status != domain.OutFailed || !strings.Contains(m.LastError, `no sender for channel "zalo"`) {
		t.Errorf("row = %+v", m)
	}
}

func TestBadPayloadFails(t *testing.T) {
	o, db, rec := newTest(t, fast())
	ok, err := db.Enqueue(t.Context(), domain.Outgoing{Key: "k", To: "tg:1", Payload: []byte(`{"text": 5}`)})
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	flush(t, o)
	if m := row(t, db, "k"); m.Status != domain.OutFailed || !strings.HasPrefix(m.LastError, "invalid: bad payload") || len(rec.all()) != 0 {
		t.Errorf("row = %+v", m)
	}
}

func TestSenderPanicIsAnError(t *testing.T) {
	cfg := fast()
	cfg.MaxAttempts = 1
	o, db, rec := newTest(t, cfg)
	rec.hold = func(context.Context, chat.Reply) { panic("boom") }
	put(t, o, "a", "tg:1", 0, "x")
	flush(t, o)
	if m := row(t, db, "a"); m.Status != domain.OutFailed || !strings.Contains(m.LastError, "sender panicked") {
		t.Errorf("row = %+v", m)
	}
}
