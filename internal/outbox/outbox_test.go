package outbox

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
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
	start := time.Now()
	flush(t, o)
	var busy []call
	for _, c := range rec.all() {
		if c.chatID == "1" {
			busy = append(busy, c)
			continue
		}
		// Not held up by the busy chat: all out before its second send.
		if d := c.at.Sub(start); d >= gap/2 {
			t.Errorf("chat %s sent after %v, want < %v", c.chatID, d, gap/2)
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
	flush(t, o)
	m := row(t, db, "a")
	if m.Status != domain.OutQueued || m.Attempts != 1 || !m.NextAt.Equal(clk.now().Add(time.Second)) ||
		!strings.HasPrefix(m.LastError, "flood: ") {
		t.Fatalf("after a 429: %+v; want queued, due in 1 s", m)
	}
	flush(t, o) // not due yet
	if n := len(rec.all()); n != 1 {
		t.Fatalf("%d calls before retry_after passed, want 1", n)
	}
	clk.add(time.Second)
	flush(t, o)
	calls := rec.all()
	if len(calls) != 2 || calls[1].err != nil {
		t.Fatalf("calls = %+v; want a 429 then one success", calls)
	}
	// The chat also waited retry_after on the real clock.
	if d := calls[1].at.Sub(calls[0].at); d < time.Second {
		t.Errorf("resent %v after the 429, want ≥ 1 s", d)
	}
	if m := row(t, db, "a"); m.Status != domain.OutSent || m.Attempts != 2 {
		t.Errorf("row = %+v", m)
	}
}

func TestGlobalRetryAfterPausesEveryChat(t *testing.T) {
	const wait = 600 * time.Millisecond
	clk := &clock{t: time.Date(2025, 5, 1, 9, 0, 0, 0, time.UTC)}
	cfg := fast()
	cfg.Now = clk.now
	cfg.Workers = 1
	o, db, rec := newTest(t, cfg)
	rec.fail = func(id string, _ int) error {
		if id == "1" {
			return floodError{after: wait, global: true}
		}
		return nil
	}
	put(t, o, "a", "tg:1", domain.PriorityAnswer, "x")
	put(t, o, "b", "tg:2", domain.PriorityBulk, "y")
	put(t, o, "c", "tg:3", domain.PriorityBulk, "z")
	flush(t, o)
	calls := rec.all()
	if len(calls) != 3 || calls[0].chatID != "1" {
		t.Fatalf("calls = %+v", calls)
	}
	for _, c := range calls[1:] {
		if d := c.at.Sub(calls[0].at); d < wait {
			t.Errorf("chat %s sent %v after a global 429, want ≥ %v", c.chatID, d, wait)
		}
	}
	if got := counts(t, db); got != "map[failed:0 queued:1 sent:2 stopped:0]" {
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

// failingMarks is a Repo whose MarkSent fails a number of times, as a full
// disk would make it.
type failingMarks struct {
	Repo
	mu    sync.Mutex
	fails int
}

func (f *failingMarks) MarkSent(ctx context.Context, id int64, at time.Time) error {
	f.mu.Lock()
	if f.fails > 0 {
		f.fails--
		f.mu.Unlock()
		return errors.New("disk I/O error")
	}
	f.mu.Unlock()
	return f.Repo.MarkSent(ctx, id, at)
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
