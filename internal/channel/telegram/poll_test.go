package telegram

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"xabot/internal/chat"
)

// The offset that confirms a batch is sent only once the handler returned.
func TestOffsetConfirmedAfterHandling(t *testing.T) {
	f := newFake(t)
	f.script("getUpdates", updates(textUpdate(10, 1, "a"), textUpdate(11, 2, "b")))
	b := newTestBot(t, f)

	entered := make(chan string, 2)
	release := make(chan struct{})
	b.run(t, handlerFunc(func(ctx context.Context, u chat.Update) error {
		entered <- u.ID
		if u.ID == "11" {
			<-release
		}
		return nil
	}))
	for range 2 {
		select {
		case <-entered:
		case <-time.After(5 * time.Second):
			t.Fatal("handler not called")
		}
	}
	time.Sleep(100 * time.Millisecond)
	if got := f.offsets(); !reflect.DeepEqual(got, []int{0}) {
		t.Fatalf("getUpdates offsets while handler blocked = %v, want [0]", got)
	}
	close(release)
	f.waitOffset(t, 12)
	if got := f.offsets(); got[1] != 12 {
		t.Errorf("offsets = %v, want the second poll at 12", got)
	}
}

// A failing update is delivered again with the same id, then skipped after
// handleAttempts failures; the user's next update still runs, in order.
func TestHandlerErrorRetries(t *testing.T) {
	tests := []struct {
		name      string
		failures  int
		flood     time.Duration // the failures are a 429 asking to wait this long
		want      []string
		wantSleep []time.Duration
	}{
		// A reply's 429 is a wait, not a fault: five of them do not use up the
		// update's attempts (the turn resumes after the messages already out).
		{"flood waits", 5, 3 * time.Second, []string{"20", "20", "20", "20", "20", "20", "21"},
			[]time.Duration{3 * time.Second, 3 * time.Second, 3 * time.Second, 3 * time.Second, 3 * time.Second}},
		// Past chat.MaxFloodWait the update is given up like any other.
		{"endless flood", 100, time.Minute, []string{"20", "20", "20", "20", "20", "21"},
			[]time.Duration{time.Minute, time.Minute, 500 * time.Millisecond, time.Second}},
		{"fails once", 1, 0, []string{"20", "20", "21"}, []time.Duration{500 * time.Millisecond}},
		{"poison", 100, 0, []string{"20", "20", "20", "21"}, []time.Duration{500 * time.Millisecond, time.Second}},
		{"panics", -1, 0, []string{"20", "20", "20", "21"}, []time.Duration{500 * time.Millisecond, time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			f.script("getUpdates", updates(textUpdate(20, 1, "a"), textUpdate(21, 1, "b")))
			b := newTestBot(t, f)
			var mu sync.Mutex
			var got []string
			fails := 0
			b.run(t, handlerFunc(func(ctx context.Context, u chat.Update) error {
				mu.Lock()
				defer mu.Unlock()
				got = append(got, u.ID)
				if u.ID != "20" {
					return nil
				}
				if tt.failures < 0 {
					panic("boom")
				}
				if fails < tt.failures {
					fails++
					if tt.flood > 0 {
						return floodErr(tt.flood)
					}
					return errors.New("store down")
				}
				return nil
			}))
			f.waitOffset(t, 22)
			mu.Lock()
			defer mu.Unlock()
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("deliveries = %v, want %v", got, tt.want)
			}
			if s := b.sleeps.all(); !reflect.DeepEqual(s, tt.wantSleep) {
				t.Errorf("sleeps = %v, want %v", s, tt.wantSleep)
			}
		})
	}
}

// Every callback query is answered exactly once, after its handling, even
// when the handler failed or the update was ignored.
func TestCallbacksAnsweredOnce(t *testing.T) {
	f := newFake(t)
	var mu sync.Mutex
	var events []string
	note := func(s string) { mu.Lock(); events = append(events, s); mu.Unlock() }
	f.setDefault("answerCallbackQuery", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		note("answer " + r.PostForm.Get("callback_query_id"))
		file(200, "answerCallbackQuery.json")(w, r)
	})
	f.script("getUpdates", updates(
		callbackUpdate(30, 1, "cbA", "private"),
		callbackUpdate(31, 2, "cbB", "private"),
		callbackUpdate(32, 3, "cbC", "group"),
		textUpdate(33, 1, "after"),
	))
	b := newTestBot(t, f)
	b.run(t, handlerFunc(func(ctx context.Context, u chat.Update) error {
		note("handle " + u.ID)
		if u.ID == "31" {
			return errors.New("always")
		}
		return nil
	}))
	f.waitOffset(t, 34)

	answered := map[string]int{}
	for _, c := range f.callsOf("answerCallbackQuery") {
		answered[c.Form.Get("callback_query_id")]++
		if c.Form.Has("text") {
			t.Errorf("answer carries text %q", c.Form.Get("text"))
		}
	}
	if want := map[string]int{"cbA": 1, "cbB": 1, "cbC": 1}; !reflect.DeepEqual(answered, want) {
		t.Errorf("answers = %v, want %v", answered, want)
	}
	mu.Lock()
	defer mu.Unlock()
	after := func(a, b string) bool {
		ia, ib := slices.Index(events, a), -1
		for i, e := range events {
			if e == b {
				ib = i
			}
		}
		return ia >= 0 && ib >= 0 && ia > ib
	}
	if !after("answer cbB", "handle 31") || !after("answer cbA", "handle 30") {
		t.Errorf("callbacks answered before their last handling: %v", events)
	}
}

// One user's updates run in order; a slow user does not hold up another.
func TestPerUserOrdering(t *testing.T) {
	f := newFake(t)
	f.script("getUpdates", updates(
		textUpdate(40, 1, "a1"), textUpdate(41, 2, "b1"), textUpdate(42, 1, "a2"),
		textUpdate(43, 2, "b2"), textUpdate(44, 1, "a3"),
	))
	b := newTestBot(t, f)
	var mu sync.Mutex
	order := map[string][]string{}
	bDone := make(chan struct{})
	b.run(t, handlerFunc(func(ctx context.Context, u chat.Update) error {
		if u.ID == "40" {
			select {
			case <-bDone:
			case <-time.After(5 * time.Second):
				t.Error("user 2 was blocked by user 1")
			}
		}
		mu.Lock()
		order[u.From.ID] = append(order[u.From.ID], u.ID)
		mu.Unlock()
		if u.ID == "43" {
			close(bDone)
		}
		return nil
	}))
	f.waitOffset(t, 45)
	mu.Lock()
	defer mu.Unlock()
	want := map[string][]string{"1": {"40", "42", "44"}, "2": {"41", "43"}}
	if !reflect.DeepEqual(order, want) {
		t.Errorf("order = %v, want %v", order, want)
	}
}

// Cancelling the run context aborts a long poll in flight.
func TestRunReturnsDuringLongPoll(t *testing.T) {
	f := newFake(t)
	aborted := make(chan struct{})
	f.setDefault("getUpdates", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
			close(aborted)
		case <-time.After(10 * time.Second):
		}
	})
	b := newTestBot(t, f)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx, handlerFunc(func(context.Context, chat.Update) error { return nil })) }()
	for polled := false; !polled; {
		select {
		case c := <-f.hit:
			polled = c.Method == "getUpdates"
			if polled && c.Form.Get("timeout") != "1" {
				t.Fatalf("getUpdates timeout=%q, want 1", c.Form.Get("timeout"))
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no poll")
		}
	}
	start := time.Now()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run = %v, want nil", err)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("Run took %v to return", d)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return")
	}
	select {
	case <-aborted:
	case <-time.After(5 * time.Second):
		t.Error("server never saw the request aborted")
	}
	if n := strings.Count(b.logs.String(), "msg=polling"); n != 1 {
		t.Errorf("%d polling lines, want 1:\n%s", n, b.logs)
	}
	if !strings.Contains(b.logs.String(), "ready_ms=") {
		t.Errorf("no ready_ms in logs:\n%s", b.logs)
	}
}

// Handled updates of the last batch are confirmed on shutdown.
func TestRunConfirmsOnShutdown(t *testing.T) {
	f := newFake(t)
	f.script("getUpdates", updates(textUpdate(50, 1, "a")))
	b := newTestBot(t, f)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- b.Run(ctx, handlerFunc(func(context.Context, chat.Update) error {
			cancel() // shutdown arrives while the update is in hand
			return nil
		}))
	}()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := f.offsets(); !reflect.DeepEqual(got, []int{0, 51}) {
		t.Errorf("offsets = %v, want [0 51]", got)
	}
}

func TestRunPollErrors(t *testing.T) {
	f := newFake(t)
	f.script("getUpdates",
		hangup,
		file(500, "emulator_500.json"),
		file(502, "error_502.json"),
		file(429, "error_429.json"),
		file(409, "error_409.json"),
		updates(textUpdate(60, 1, "a")),
	)
	b := newTestBot(t, f)
	got := make(chan string, 1)
	b.run(t, handlerFunc(func(ctx context.Context, u chat.Update) error {
		got <- u.ID
		return nil
	}))
	select {
	case id := <-got:
		if id != "60" {
			t.Errorf("update %s", id)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("update not handled after errors")
	}
	f.waitOffset(t, 61)
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, time.Second, 8 * time.Second}
	if s := b.sleeps.all(); !reflect.DeepEqual(s, want) {
		t.Errorf("sleeps = %v, want %v", s, want)
	}
	if !strings.Contains(b.logs.String(), "conflict") {
		t.Errorf("409 not logged as a conflict:\n%s", b.logs)
	}
}

func TestRunBadToken(t *testing.T) {
	for _, name := range []string{"error_401.json", "emulator_404"} {
		t.Run(name, func(t *testing.T) {
			f := newFake(t)
			b := newTestBot(t, f)
			if name == "emulator_404" {
				f.script("getUpdates", body(404, "<html>Not Found</html>"))
			} else {
				f.script("getUpdates", file(401, name))
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			err := b.Run(ctx, handlerFunc(func(context.Context, chat.Update) error { return nil }))
			if err == nil || !strings.Contains(err.Error(), "token rejected") {
				t.Fatalf("Run = %v, want token rejected", err)
			}
			if strings.Contains(err.Error(), testToken) {
				t.Errorf("token in error: %v", err)
			}
		})
	}
}

// An update the library cannot decode is confirmed, not retried forever.
func TestUndecodableUpdateSkipped(t *testing.T) {
	f := newFake(t)
	f.script("getUpdates", updates(`{"update_id":70,"message":{"message_id":"not a number"}}`, textUpdate(71, 1, "ok")))
	b := newTestBot(t, f)
	got := make(chan string, 2)
	b.run(t, handlerFunc(func(ctx context.Context, u chat.Update) error {
		got <- u.ID
		return nil
	}))
	f.waitOffset(t, 72)
	if id := <-got; id != "71" {
		t.Errorf("handled %s, want 71", id)
	}
}

// floodErr is a send refused with a 429 asking to wait d.
type floodErr time.Duration

func (e floodErr) Error() string             { return "429 Too Many Requests" }
func (e floodErr) RetryAfter() time.Duration { return time.Duration(e) }
