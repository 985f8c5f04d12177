package outbox

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"xabot/internal/chat"
	"xabot/internal/domain"
	"xabot/internal/store"
)

// pcall is one call a platform received: every message of a reply is a
// call of its own, as sendMessage is.
type pcall struct {
	at   time.Time
	chat string
	text string
	err  error
}

// platform stands in for a chat platform the way the adapters meet it: a
// reply of several lines is as many messages, each one call, and it can be
// sent one message at a time (chat.StepSender) or resumed (chat.PartSender).
// fault, when set, decides the answer to each call (n counts every call
// from 0).
type platform struct {
	mu    sync.Mutex
	calls []pcall
	n     int
	fault func(chatID, text string, n int) error
	delay time.Duration // each call takes this long
}

func (p *platform) call(ctx context.Context, chatID, text string) error {
	at := time.Now()
	p.mu.Lock()
	n := p.n
	p.n++
	var err error
	if p.fault != nil {
		err = p.fault(chatID, text, n)
	}
	p.calls = append(p.calls, pcall{at: at, chat: chatID, text: text, err: err})
	p.mu.Unlock()
	if p.delay > 0 {
		select {
		case <-time.After(p.delay):
		case <-ctx.Done():
		}
	}
	return err
}

func lines(text string) []string { return strings.Split(text, "\n") }

func (p *platform) Send(ctx context.Context, r chat.Reply) error { return p.SendParts(ctx, r, 0, nil) }

func (p *platform) SendParts(ctx context.Context, r chat.Reply, skip int, sent func(int)) error {
	for i, line := range lines(r.Text) {
		if i < skip {
			continue
		}
		if err := p.call(ctx, r.ChatID, line); err != nil {
			return err
		}
		if sent != nil {
			sent(i + 1)
		}
	}
	return nil
}

func (p *platform) SendStep(ctx context.Context, r chat.Reply, done int) (int, error) {
	ls := lines(r.Text)
	if done >= len(ls) {
		return len(ls), nil
	}
	return len(ls), p.call(ctx, r.ChatID, ls[done])
}

func (p *platform) all() []pcall {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.calls)
}

// delivered returns the texts each chat received, in order.
func (p *platform) delivered() map[string][]string {
	out := map[string][]string{}
	for _, c := range p.all() {
		if c.err == nil {
			out[c.chat] = append(out[c.chat], c.text)
		}
	}
	return out
}

// maxInWindow is the largest number of calls that started within any span
// d (the calls sorted by time).
func maxInWindow(calls []pcall, d time.Duration) int {
	at := make([]time.Time, len(calls))
	for i, c := range calls {
		at[i] = c.at
	}
	slices.SortFunc(at, time.Time.Compare)
	most, j := 0, 0
	for i := range at {
		for at[i].Sub(at[j]) >= d {
			j++
		}
		most = max(most, i-j+1)
	}
	return most
}

// process is one xabot process's outbox: its own connection to the shared
// database file.
func process(t *testing.T, path string, p *platform, cfg Config) (*Outbox, *store.DB) {
	t.Helper()
	db, err := store.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return New(db, map[chat.Channel]chat.Sender{chat.Telegram: p}, cfg), db
}

// runUntilDone runs the outboxes until no row is queued, or d passed.
func runUntilDone(t *testing.T, db *store.DB, d time.Duration, outs ...*Outbox) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	for _, o := range outs {
		wg.Go(func() {
			if err := o.Run(ctx); err != nil {
				t.Errorf("Run: %v", err)
			}
		})
	}
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		c, err := db.OutboxCounts(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if c[domain.OutQueued] == 0 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	wg.Wait()
}

func senders(s chat.Sender) map[chat.Channel]chat.Sender {
	return map[chat.Channel]chat.Sender{chat.Telegram: s}
}

// ctxRunUntil runs o until done says so, or d passed.
func ctxRunUntil(t *testing.T, o *Outbox, done func() bool, d time.Duration) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	stopped := make(chan error, 1)
	go func() { stopped <- o.Run(ctx) }()
	deadline := time.Now().Add(d)
	for !done() && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-stopped; err != nil {
		t.Errorf("Run: %v", err)
	}
}
