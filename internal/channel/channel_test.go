package channel

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"xabot/internal/channel/pace"
	"xabot/internal/chat"
)

// waits records the loop's sleeps instead of sleeping (the loops under
// test call it from one goroutine).
type waits []time.Duration

func (w *waits) sleep(ctx context.Context, d time.Duration) error {
	*w = append(*w, d)
	return ctx.Err()
}

func (w *waits) all() []time.Duration { return *w }

type handlerFunc func(ctx context.Context, u chat.Update) error

func (f handlerFunc) Handle(ctx context.Context, u chat.Update) error { return f(ctx, u) }

func testLoop(t *testing.T) (Loop, *waits, *bytes.Buffer) {
	t.Helper()
	var buf bytes.Buffer
	w := &waits{}
	return Loop{Name: "test", Log: slog.New(slog.NewTextHandler(&buf, nil)), Sleep: w.sleep}, w, &buf
}

var upd = chat.Update{ChatID: "42", Kind: chat.Text, Text: "secret words"}

// The classes are what the router and the outbox test for, through the
// chat package's values; TooLong is a Permanent refusal.
func TestErrorClassesMatchTheirValues(t *testing.T) {
	cause := errors.New("sendMessage: 400 Bad Request")
	tests := []struct {
		c                 Class
		blocked, rejected bool
		retryAfter        time.Duration
		retryable         bool
		alsoIs            error
		wait              time.Duration
		wantString        string
	}{
		{c: Transient, retryable: true, alsoIs: ErrTransient, wantString: "transient"},
		{c: Permanent, rejected: true, alsoIs: ErrPermanent, wantString: "permanent"},
		{c: TooLong, rejected: true, alsoIs: ErrTooLong, wantString: "too_long"},
		{c: Throttled, retryable: true, alsoIs: ErrThrottled, retryAfter: time.Second, wantString: "throttled"},
		{c: Throttled, retryable: true, alsoIs: ErrThrottled, wait: 7 * time.Second, retryAfter: 7 * time.Second, wantString: "throttled"},
		{c: ContactStopped, blocked: true, alsoIs: ErrContactStopped, wantString: "contact_stopped"},
		{c: TokenRejected, alsoIs: ErrTokenRejected, wantString: "token_rejected"},
		{c: Conflict, alsoIs: ErrConflict, wantString: "conflict"},
		{c: Timeout, retryable: true, alsoIs: ErrTimeout, wantString: "timeout"},
	}
	for _, tt := range tests {
		err := fmt.Errorf("zalo: send to chat 1: %w", Fail(tt.c, tt.wait, cause))
		if got := errors.Is(err, chat.ErrBlocked); got != tt.blocked {
			t.Errorf("%v: Is(ErrBlocked) = %v", tt.c, got)
		}
		if got := errors.Is(err, chat.ErrRejected); got != tt.rejected {
			t.Errorf("%v: Is(ErrRejected) = %v", tt.c, got)
		}
		if !errors.Is(err, tt.alsoIs) || !errors.Is(err, cause) {
			t.Errorf("%v: not its class's value %v or its cause", tt.c, tt.alsoIs)
		}
		if errors.Is(err, ErrConflict) != (tt.c == Conflict) {
			t.Errorf("%v: Is(ErrConflict) = %v", tt.c, !(tt.c == Conflict))
		}
		d, ok := chat.FloodWait(err)
		if d != tt.retryAfter || ok != (tt.retryAfter > 0) {
			t.Errorf("%v: FloodWait = %v %v, want %v", tt.c, d, ok, tt.retryAfter)
		}
		if ClassOf(err) != tt.c || tt.c.Retryable() != tt.retryable || tt.c.String() != tt.wantString {
			t.Errorf("%v: ClassOf %v, retryable %v, name %q", tt.c, ClassOf(err), tt.c.Retryable(), tt.c.String())
		}
		if err.Error() != "zalo: send to chat 1: "+cause.Error() {
			t.Errorf("%v: text %q", tt.c, err)
		}
	}
	if ClassOf(errors.New("encode")) != Transient || ClassOf(nil) != Transient {
		t.Error("an error no adapter classified is not transient")
	}
}

func TestByStatus(t *testing.T) {
	for code, want := range map[int]Class{429: Throttled, 403: ContactStopped, 401: TokenRejected, 409: Conflict,
		400: Permanent, 404: Permanent, 408: Permanent, 500: Transient, 502: Transient, 0: Transient, 200: Transient} {
		if got := ByStatus(code); got != want {
			t.Errorf("ByStatus(%d) = %v, want %v", code, got, want)
		}
	}
}

// A failing update is tried HandleAttempts times with a doubling backoff,
// then given up on (true: confirm it), logged without its text.
func TestLoopGivesUpAfterAttempts(t *testing.T) {
	l, w, logs := testLoop(t)
	calls := 0
	h := handlerFunc(func(context.Context, chat.Update) error {
		calls++
		// A 5xx on the reply: classified, but no wait was asked. It is a
		// failure like any other, not a flood wait repeated forever.
		return fmt.Errorf("bot: send: %w", Fail(Transient, 0, errors.New("sendMessage: 502 Bad Gateway")))
	})
	if !l.Handle(t.Context(), t.Context(), h, upd, "update_id", 7) {
		t.Fatal("Handle = false, want true (given up)")
	}
	if calls != HandleAttempts {
		t.Errorf("%d calls, want %d", calls, HandleAttempts)
	}
	if got := w.all(); len(got) != 2 || got[0] != HandleBackoff || got[1] != 2*HandleBackoff {
		t.Errorf("waits %v, want %v then %v", got, HandleBackoff, 2*HandleBackoff)
	}
	out := logs.String()
	if !strings.Contains(out, "test update skipped after handler errors") || !strings.Contains(out, "update_id=7") {
		t.Errorf("no give-up line with the update id:\n%s", out)
	}
	if strings.Contains(out, "secret words") {
		t.Errorf("the update's text is in the logs:\n%s", out)
	}
}

// A reply's 429 is a wait, not an attempt, until chat.MaxFloodWait is used.
func TestLoopFloodWaitUsesNoAttempt(t *testing.T) {
	l, w, _ := testLoop(t)
	calls := 0
	h := handlerFunc(func(context.Context, chat.Update) error {
		calls++
		if calls <= 4 {
			return Fail(Throttled, 40*time.Second, errors.New("sendMessage: 429 Too Many Requests"))
		}
		return nil
	})
	if !l.Handle(t.Context(), t.Context(), h, upd) {
		t.Fatal("Handle = false")
	}
	// Three waits of 40s fit in MaxFloodWait (2 min); the fourth does not
	// and uses an attempt (backoff); the fifth call succeeds.
	want := []time.Duration{40 * time.Second, 40 * time.Second, 40 * time.Second, HandleBackoff}
	if got := w.all(); fmt.Sprint(got) != fmt.Sprint(want) || calls != 5 {
		t.Errorf("%d calls, waits %v; want 5 and %v", calls, got, want)
	}
}

// A handler panic is an error (retried, then given up), logged with its
// stack; the process lives on.
func TestLoopPanicIsAnError(t *testing.T) {
	l, _, logs := testLoop(t)
	calls := 0
	h := handlerFunc(func(context.Context, chat.Update) error {
		calls++
		panic("boom")
	})
	err := l.Safe(t.Context(), h, upd)
	if err == nil || !strings.Contains(err.Error(), "test: handler panic: boom") {
		t.Fatalf("Safe = %v", err)
	}
	if !strings.Contains(logs.String(), "test handler panic") || !strings.Contains(logs.String(), "stack=") {
		t.Errorf("panic not logged with its stack:\n%s", logs)
	}
	if !l.Handle(t.Context(), t.Context(), h, upd) || calls != 1+HandleAttempts {
		t.Errorf("panicking update: %d calls, want %d then given up", calls, 1+HandleAttempts)
	}
}

// Shutdown during a retry's wait: false, the update stays unconfirmed.
func TestLoopShutdownCutsRetries(t *testing.T) {
	l, _, _ := testLoop(t)
	ctx, cancel := context.WithCancel(t.Context())
	h := handlerFunc(func(context.Context, chat.Update) error {
		cancel()
		return errors.New("store down")
	})
	if l.Handle(ctx, t.Context(), h, upd) {
		t.Error("Handle = true after shutdown cut the retries")
	}
}

func TestRetry(t *testing.T) {
	down := Fail(Transient, 0, errors.New("getMe: connection refused"))
	tests := []struct {
		name    string
		errs    []error
		calls   int
		waits   []time.Duration
		wantErr string
	}{
		{"ok at once", nil, 1, nil, ""},
		{"blip", []error{down, down}, 3, []time.Duration{time.Second, 2 * time.Second}, ""},
		{"always down", []error{down, down, down, down}, 4, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second},
			"x: getMe failed 4 times: getMe: connection refused"},
		{"throttled waits what was asked", []error{Fail(Throttled, 9*time.Second, errors.New("429"))}, 2, []time.Duration{9 * time.Second}, ""},
		{"token rejected at once", []error{Fail(TokenRejected, 0, errors.New("401 Unauthorized"))}, 1, nil,
			"x: getMe: token rejected: 401 Unauthorized"},
		{"permanent at once", []error{Fail(Permanent, 0, errors.New("400 Bad Request"))}, 1, nil, "x: getMe: 400 Bad Request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := &waits{}
			calls := 0
			err := Retry{What: "x: getMe", Attempts: 4, First: time.Second, Timeout: time.Minute, Sleep: w.sleep}.Do(t.Context(),
				func(ctx context.Context) error {
					if _, ok := ctx.Deadline(); !ok {
						t.Error("the call has no timeout")
					}
					calls++
					if calls <= len(tt.errs) {
						return tt.errs[calls-1]
					}
					return nil
				})
			if (err == nil && tt.wantErr != "") || (err != nil && err.Error() != tt.wantErr) {
				t.Errorf("Do = %v, want %q", err, tt.wantErr)
			}
			if calls != tt.calls || fmt.Sprint(w.all()) != fmt.Sprint(tt.waits) {
				t.Errorf("%d calls, waits %v; want %d, %v", calls, w.all(), tt.calls, tt.waits)
			}
		})
	}
}

// A 429 holds the chat for its wait; another chat goes at once.
func TestGateHoldsAThrottledChat(t *testing.T) {
	now := time.Now()
	g := Gate[string]{Chats: pace.New[string](0), Global: pace.NewWindow(1000), Now: func() time.Time { return now }}
	err := g.Send(t.Context(), "a", true, func(context.Context) error {
		return Fail(Throttled, time.Hour, errors.New("429"))
	})
	if ClassOf(err) != Throttled {
		t.Fatalf("Send = %v, want the 429 back as it is", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if err := g.Send(ctx, "a", true, func(context.Context) error { return nil }); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("chat a after its 429: %v, want held", err)
	}
	if err := g.Send(ctx, "b", true, func(context.Context) error { return nil }); err != nil {
		t.Errorf("chat b: %v", err)
	}
	// Unpaced (the outbox's step): no wait, the call is made.
	called := false
	if err := g.Send(t.Context(), "a", false, func(context.Context) error { called = true; return nil }); err != nil || !called {
		t.Errorf("unpaced send to a held chat: %v, called %v", err, called)
	}
}

func TestKindName(t *testing.T) {
	if KindName(chat.Callback) != "callback" || KindName(chat.Other) != "other" || KindName(chat.Kind(99)) != "other" {
		t.Error("kind names")
	}
}

func TestBackoff(t *testing.T) {
	var b Backoff
	var got []time.Duration
	for range 7 {
		got = append(got, b.Next())
	}
	b.Reset()
	got = append(got, b.Next())
	want := "[1s 2s 4s 8s 16s 30s 30s 1s]"
	if fmt.Sprint(got) != want {
		t.Errorf("waits %v, want %s", got, want)
	}
}

// The handlers' context outlives the loop's by the grace, not forever.
func TestGraceOutlivesTheLoop(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	hctx, stop := Grace(ctx)
	defer stop()
	cancel()
	time.Sleep(20 * time.Millisecond)
	if hctx.Err() != nil {
		t.Fatal("the handlers' context ended with the loop's: no grace")
	}
	stop()
	if hctx.Err() == nil {
		t.Error("stop did not release the handlers' context")
	}
}
