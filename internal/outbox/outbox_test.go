package outbox

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"xabot/internal/chat"
	"xabot/internal/domain"
	"xabot/internal/store"
)

// The store is the outbox's Repo.
var _ Repo = (*store.DB)(nil)

// call is one Send as the recorder saw it.
type call struct {
	at     time.Time
	chatID string
	text   string
	err    error
}

// recorder is a chat.Sender standing in for Telegram's servers: it records
// every call and fails the ones it is told to.
type recorder struct {
	mu    sync.Mutex
	calls []call
	// fail returns the error of the n-th call (from 0) to chatID; nil to
	// succeed. nil fail: every call succeeds.
	fail func(chatID string, n int) error
	// hold, when set, is called inside Send before it answers; it may block.
	hold  func(ctx context.Context, r chat.Reply)
	count map[string]int
	last  chat.Reply
}

func (r *recorder) Send(ctx context.Context, rep chat.Reply) error {
	at := time.Now()
	if r.hold != nil {
		r.hold(ctx, rep)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.count == nil {
		r.count = make(map[string]int)
	}
	n := r.count[rep.ChatID]
	r.count[rep.ChatID]++
	var err error
	if r.fail != nil {
		err = r.fail(rep.ChatID, n)
	}
	r.calls = append(r.calls, call{at: at, chatID: rep.ChatID, text: rep.Text, err: err})
	r.last = rep
	return err
}

// all returns every call; sent only the successful ones.
func (r *recorder) all() []call {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.calls)
}

func (r *recorder) sent() []call {
	var out []call
	for _, c := range r.all() {
		if c.err == nil {
			out = append(out, c)
		}
	}
	return out
}

// floodError is a 429 as an adapter may report it.
type floodError struct {
	after  time.Duration
	global bool
}

func (e floodError) Error() string {
	return fmt.Sprintf("429 too many requests, retry after %v", e.after)
}
func (e floodError) RetryAfter() time.Duration { return e.after }
func (e floodError) Global() bool              { return e.global }

// clock is a settable Config.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func openDB(t *testing.T) (*store.DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "xabot.db")
	db, err := store.Open(t.Context(), path)
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db, path
}

// fast is a config for tests: a high rate and a short per-chat gap.
func fast() Config {
	return Config{Rate: 1000, PerChat: 10 * time.Millisecond, Poll: 20 * time.Millisecond}
}

func newTest(t *testing.T, cfg Config) (*Outbox, *store.DB, *recorder) {
	t.Helper()
	db, _ := openDB(t)
	rec := &recorder{}
	return New(db, map[chat.Channel]chat.Sender{chat.Telegram: rec}, cfg), db, rec
}

func put(t *testing.T, o *Outbox, key, to string, priority int, text string) {
	t.Helper()
	ok, err := o.Put(t.Context(), key, to, priority, chat.Reply{Text: text})
	if err != nil || !ok {
		t.Fatalf("Put(%q) = %v, %v; want true, nil", key, ok, err)
	}
}

func flush(t *testing.T, o *Outbox) {
	t.Helper()
	if err := o.Flush(t.Context()); err != nil {
		t.Fatalf("Flush: %v", err)
	}
}

func row(t *testing.T, db *store.DB, key string) domain.Outgoing {
	t.Helper()
	m, err := db.Outgoing(t.Context(), key)
	if err != nil {
		t.Fatalf("Outgoing(%q): %v", key, err)
	}
	return m
}

func counts(t *testing.T, db *store.DB) string {
	t.Helper()
	c, err := db.OutboxCounts(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprint(c)
}

func TestPutIsIdempotent(t *testing.T) {
	o, db, rec := newTest(t, fast())
	put(t, o, "push:1", "tg:1", domain.PriorityAlert, "hồ sơ đã có kết quả")
	ok, err := o.Put(t.Context(), "push:1", "tg:1", domain.PriorityAlert, chat.Reply{Text: "again"})
	if err != nil || ok {
		t.Fatalf("second Put = %v, %v; want false, nil", ok, err)
	}
	flush(t, o)
	flush(t, o)
	if got := rec.all(); len(got) != 1 || got[0].chatID != "1" || got[0].text != "hồ sơ đã có kết quả" {
		t.Errorf("calls = %+v; want one send of the first text to chat 1", got)
	}
	// After it was sent too, the key sends nothing more.
	if ok, err := o.Put(t.Context(), "push:1", "tg:1", 0, chat.Reply{Text: "x"}); err != nil || ok {
		t.Errorf("Put after send = %v, %v; want false, nil", ok, err)
	}
	flush(t, o)
	if got := counts(t, db); got != "map[failed:0 queued:0 sent:1 stopped:0]" {
		t.Errorf("counts = %s", got)
	}
	if m := row(t, db, "push:1"); m.Status != domain.OutSent || m.Attempts != 1 || m.SentAt.IsZero() {
		t.Errorf("row = %+v", m)
	}
}

func TestPayloadRoundTrip(t *testing.T) {
	o, _, rec := newTest(t, fast())
	want := chat.Reply{
		Text:    "Đánh giá: <tốt> & \"rất tốt\"",
		Buttons: [][]chat.Button{{{Label: "Tốt", Data: "rate:1:5"}, {Label: "Chưa tốt", Data: "rate:1:1"}}},
	}
	put2 := func(key string, r chat.Reply) {
		if ok, err := o.Put(t.Context(), key, "tg:42", domain.PriorityAnswer, r); err != nil || !ok {
			t.Fatalf("Put: %v, %v", ok, err)
		}
		flush(t, o)
	}
	put2("a", want)
	want.ChatID = "42"
	if !reflect.DeepEqual(rec.last, want) {
		t.Errorf("sent %+v, want %+v", rec.last, want)
	}
	kb := chat.Reply{ChatID: "42", Text: "Chia sẻ số điện thoại", Keyboard: &chat.Keyboard{
		Rows: [][]chat.Key{{{Label: "Gửi số", RequestContact: true}}, {{Label: "Bỏ qua"}}}}}
	put2("b", kb)
	if !reflect.DeepEqual(rec.last, kb) {
		t.Errorf("sent %+v, want %+v", rec.last, kb)
	}
	img := chat.Reply{ChatID: "42", Text: "Biểu đồ tuần", Image: &chat.Image{Data: []byte{0x89, 'P', 'N', 'G', 0}, Name: "chart.png"}}
	put2("img", img)
	if !reflect.DeepEqual(rec.last, img) {
		t.Errorf("sent %+v, want %+v", rec.last, img)
	}
	rm := chat.Reply{ChatID: "42", Text: "Xong", Keyboard: &chat.Keyboard{Remove: true}}
	put2("c", rm)
	if !reflect.DeepEqual(rec.last, rm) {
		t.Errorf("sent %+v, want %+v", rec.last, rm)
	}
}

func TestPutRefuses(t *testing.T) {
	o, db, _ := newTest(t, fast())
	for _, tt := range []struct {
		key, to string
		r       chat.Reply
	}{
		{"", "tg:1", chat.Reply{Text: "x"}},
		{"k", "tg", chat.Reply{Text: "x"}},
		{"k", ":1", chat.Reply{Text: "x"}},
		{"k", "tg:", chat.Reply{Text: "x"}},
		{"k", "tg:1", chat.Reply{ChatID: "2", Text: "x"}},
		{"k", "tg:1", chat.Reply{Text: "  "}},
	} {
		if ok, err := o.Put(t.Context(), tt.key, tt.to, 0, tt.r); err == nil || ok {
			t.Errorf("Put(%q, %q, %+v) = %v, %v; want an error", tt.key, tt.to, tt.r, ok, err)
		}
	}
	if got := counts(t, db); got != "map[failed:0 queued:0 sent:0 stopped:0]" {
		t.Errorf("counts = %s", got)
	}
}

func TestPriorityOrder(t *testing.T) {
	cfg := fast()
	cfg.Workers = 1 // one send at a time, so the call order is the dispatch order
	o, _, rec := newTest(t, cfg)
	for i := range 20 {
		put(t, o, fmt.Sprintf("digest:%d", i), fmt.Sprintf("tg:%d", 100+i), domain.PriorityBulk, "bulk")
	}
	put(t, o, "alert:1", "tg:200", domain.PriorityAlert, "alert")
	put(t, o, "answer:1", "tg:300", domain.PriorityAnswer, "answer")
	flush(t, o)
	got := rec.all()
	if len(got) != 22 {
		t.Fatalf("%d calls, want 22", len(got))
	}
	if got[0].text != "answer" || got[1].text != "alert" {
		t.Errorf("first sends %q, %q; want answer, alert", got[0].text, got[1].text)
	}
	for i, c := range got[2:] {
		if want := fmt.Sprint(100 + i); c.chatID != want {
			t.Errorf("bulk send %d went to %s, want %s (oldest first)", i, c.chatID, want)
		}
	}
}

func TestGlobalRateNeverExceeded(t *testing.T) {
	if testing.Short() {
		t.Skip("takes 3 s")
	}
	const rate, n = 20, 60
	cfg := fast()
	cfg.Rate = rate
	o, db, rec := newTest(t, cfg)
	for i := range n {
		put(t, o, fmt.Sprintf("d:%d", i), fmt.Sprintf("tg:%d", i+1), domain.PriorityBulk, "digest")
	}
	start := time.Now()
	flush(t, o)
	elapsed := time.Since(start)
	calls := rec.all()
	if len(calls) != n {
		t.Fatalf("%d calls, want %d", len(calls), n)
	}
	// 60 sends at 20/s with a burst of 1: the last goes at 59/20 s.
	if elapsed < 2900*time.Millisecond {
		t.Errorf("%d sends took %v, want ≥ 2.9 s at %d/s", n, elapsed, rate)
	}
	slices.SortFunc(calls, func(a, b call) int { return a.at.Compare(b.at) })
	// Any rate+1 sends in a row span at least a second. The recorder's
	// clock reads a moment after the outbox's, by a scheduling delay that
	// may differ from one send to the next: a few milliseconds are allowed.
	span := time.Hour
	for i := rate; i < len(calls); i++ {
		span = min(span, calls[i].at.Sub(calls[i-rate].at))
	}
	t.Logf("shortest span of %d sends: %v", rate+1, span)
	if span < time.Second-5*time.Millisecond {
		t.Errorf("%d sends within %v, want ≤ %d a second", rate+1, span, rate)
	}
	if got := counts(t, db); got != "map[failed:0 queued:0 sent:60 stopped:0]" {
		t.Errorf("counts = %s", got)
	}
}

func TestPerChatSpacing(t *testing.T) {
	const gap = 300 * time.Millisecond
	cfg := fast()
	cfg.Rate = 100
	cfg.PerChat = gap
	o, _, rec := newTest(t, cfg)
	for i := range 5 {
		put(t, o, fmt.Sprintf("busy:%d", i), "tg:1", domain.PriorityAlert, fmt.Sprint(i))
		put(t, o, fmt.Sprintf("other:%d", i), fmt.Sprintf("tg:%d", 10+i), domain.PriorityBulk, "other")
	}
	flush(t, o)
	var busy []call
	for _, c := range rec.all() {
		if c.chatID == "1" {
			busy = append(busy, c)
			continue
		}
		// Not held up by the busy chat: all out before its second send.
		if len(busy) > 1 {
			t.Errorf("chat %s sent after the busy chat's second message", c.chatID)
		}
	}
	if len(busy) != 5 {
		t.Fatalf("%d sends to the busy chat, want 5", len(busy))
	}
	for i := 1; i < len(busy); i++ {
		if d := busy[i].at.Sub(busy[i-1].at); d < gap {
			t.Errorf("sends %d and %d to one chat %v apart, want ≥ %v", i-1, i, d, gap)
		}
		if busy[i].text != fmt.Sprint(i) {
			t.Errorf("send %d to the busy chat is %q, want in queue order", i, busy[i].text)
		}
	}
}

// steppedClock is the store seen from a process whose wall clock jumps
// ahead by step after every call: each chat's next time, in wall-clock
// milliseconds, comes due step early.
type steppedClock struct {
	*store.DB
	step time.Duration
}

func (s steppedClock) SettleOutgoing(ctx context.Context, a domain.Attempt) error {
	if !a.ChatNext.IsZero() {
		a.ChatNext = a.ChatNext.Add(-s.step)
	}
	return s.DB.SettleOutgoing(ctx, a)
}

// A wall clock stepped forward (a VM's time sync) makes the database's
// per-chat time due early; the process keeps the gap on its monotonic
// clock, so Telegram never sees two messages to a chat within it.
func TestPerChatGapHoldsWhenTheWallClockJumps(t *testing.T) {
	const gap = 300 * time.Millisecond
	cfg := fast()
	cfg.PerChat = gap
	db, _ := openDB(t)
	rec := &recorder{}
	o := New(steppedClock{db, 60 * time.Millisecond}, map[chat.Channel]chat.Sender{chat.Telegram: rec}, cfg)
	for i := range 4 {
		put(t, o, fmt.Sprintf("k:%d", i), "tg:1", domain.PriorityBulk, fmt.Sprint(i))
	}
	flush(t, o)
	calls := rec.all()
	if len(calls) != 4 {
		t.Fatalf("%d calls, want 4", len(calls))
	}
	for i := 1; i < len(calls); i++ {
		if d := calls[i].at.Sub(calls[i-1].at); d < gap {
			t.Errorf("calls %d and %d to one chat %v apart, want ≥ %v", i-1, i, d, gap)
		}
	}
}
