package outbox

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"xabot/internal/chat"
	"xabot/internal/domain"
)

// parter stands in for an adapter that sends a long reply as several
// messages: one message per line. fail says whether the n-th message (from
// 1) fails at its attempt-th try (from 1).
type parter struct {
	mu        sync.Mutex
	delivered []string
	tries     map[int]int
	fail      func(n, attempt int) bool
}

func (p *parter) Send(ctx context.Context, r chat.Reply) error { return p.SendParts(ctx, r, 0, nil) }

func (p *parter) SendParts(_ context.Context, r chat.Reply, skip int, sent func(int)) error {
	for i, line := range strings.Split(r.Text, "\n") {
		if i < skip {
			continue
		}
		if err := p.try(i+1, line); err != nil {
			return err
		}
		if sent != nil {
			sent(i + 1)
		}
	}
	return nil
}

func (p *parter) SendStep(_ context.Context, r chat.Reply, done int) (int, error) {
	lines := strings.Split(r.Text, "\n")
	if done >= len(lines) {
		return len(lines), nil
	}
	return len(lines), p.try(done+1, lines[done])
}

// try sends message n of a reply, or fails it as p.fail says.
func (p *parter) try(n int, line string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tries == nil {
		p.tries = map[int]int{}
	}
	p.tries[n]++
	if p.fail != nil && p.fail(n, p.tries[n]) {
		return errors.New("telegram: send to chat 1 (part 2 of 2): 502 Bad Gateway")
	}
	p.delivered = append(p.delivered, line)
	return nil
}

func (p *parter) got() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.delivered)
}

// A reply that fails on its second message is retried from that message:
// the first is not sent again.
func TestRetryResumesAfterThePartsSent(t *testing.T) {
	tests := []struct {
		name string
		text string
		fail func(n, attempt int) bool
		want []string
	}{
		{"part 2 of 2 fails once", "một\nhai", func(n, a int) bool { return n == 2 && a == 1 }, []string{"một", "hai"}},
		{"part 1 fails once", "một\nhai", func(n, a int) bool { return n == 1 && a == 1 }, []string{"một", "hai"}},
		{"each of 3 fails once", "một\nhai\nba", func(_, a int) bool { return a == 1 }, []string{"một", "hai", "ba"}},
		{"part 3 fails twice", "một\nhai\nba", func(n, a int) bool { return n == 3 && a <= 2 }, []string{"một", "hai", "ba"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := &clock{t: time.Date(2025, 5, 1, 9, 0, 0, 0, time.UTC)}
			cfg := fast()
			cfg.Now = clk.now
			cfg.Backoff = func(int) time.Duration { return 0 }
			db, _ := openDB(t)
			p := &parter{fail: tt.fail}
			o := New(db, map[chat.Channel]chat.Sender{chat.Telegram: p}, cfg)
			put(t, o, "push|1|tg:1", "tg:1", domain.PriorityAlert, tt.text)
			for range 5 {
				flush(t, o)
				clk.add(time.Second) // next_at is kept to the second
			}
			if got := p.got(); !slices.Equal(got, tt.want) {
				t.Errorf("delivered %q, want %q: each message once", got, tt.want)
			}
			m := row(t, db, "push|1|tg:1")
			if m.Status != domain.OutSent || m.PartsSent != len(tt.want) {
				t.Errorf("row = %s, %d parts sent; want sent, %d", m.Status, m.PartsSent, len(tt.want))
			}
		})
	}
}

// A sender that cannot resume gets the whole reply again, as before.
func TestPlainSenderGetsTheWholeReplyAgain(t *testing.T) {
	clk := &clock{t: time.Date(2025, 5, 1, 9, 0, 0, 0, time.UTC)}
	cfg := fast()
	cfg.Now = clk.now
	cfg.Backoff = func(int) time.Duration { return 0 }
	o, db, rec := newTest(t, cfg)
	rec.fail = func(_ string, n int) error {
		if n == 0 {
			return errors.New("502")
		}
		return nil
	}
	put(t, o, "a", "tg:1", domain.PriorityAlert, "một\nhai")
	for range 3 {
		flush(t, o)
		clk.add(time.Second)
	}
	if calls := rec.all(); len(calls) != 2 || calls[1].text != "một\nhai" {
		t.Errorf("calls = %+v", calls)
	}
	if m := row(t, db, "a"); m.Status != domain.OutSent || m.PartsSent != 0 {
		t.Errorf("row = %+v", m)
	}
}
