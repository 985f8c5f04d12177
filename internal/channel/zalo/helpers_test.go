package zalo

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"xabot/internal/channel/pace"
	"xabot/internal/channel/zalo/zalofake"
	"xabot/internal/chat"
)

const (
	testToken  = "1459232241454765289:zSeCrEt-never_logged"
	testSecret = "zSeCrEt-never_logged"
)

// number writes choices as locales/vi.yaml's input.numbered does.
func number(n int, label string) string { return strconv.Itoa(n) + ". " + label }

// sleeps records waits instead of waiting.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeps) all() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

// logBuf collects log output; every test checks it never holds the token.
type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func newLog(t *testing.T) (*slog.Logger, *logBuf) {
	buf := &logBuf{}
	t.Cleanup(func() {
		if s := buf.String(); strings.Contains(s, testSecret) {
			t.Errorf("token in logs:\n%s", s)
		}
	})
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})), buf
}

type testBot struct {
	*Bot
	fake   *zalofake.Server
	sleeps *sleeps
	logs   *logBuf
}

func newFake(t *testing.T) *zalofake.Server {
	f := zalofake.New(testToken)
	t.Cleanup(f.Close)
	f.SetMaxPoll(200 * time.Millisecond)
	return f
}

// newTestBot makes a bot on the fake whose waits are recorded, not slept,
// and whose per-chat limit is out of the way (it has its own test).
func newTestBot(t *testing.T, f *zalofake.Server, edit ...func(*Config)) *testBot {
	t.Helper()
	log, buf := newLog(t)
	s := &sleeps{}
	cfg := Config{Token: testToken, BaseURL: f.URL(), Log: log, SendRate: 1000, PollTimeout: time.Second, Number: number}
	for _, e := range edit {
		e(&cfg)
	}
	b, err := newBot(t.Context(), cfg, s.sleep)
	if err != nil {
		t.Fatalf("newBot: %v", err)
	}
	b.chats = pace.New[string](0)
	return &testBot{Bot: b, fake: f, sleeps: s, logs: buf}
}

// run starts Run and checks, when the test ends, that it returns nil
// promptly after cancel.
func (b *testBot) run(t *testing.T, h chat.Handler) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx, h) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Errorf("Run did not return after cancel")
		}
	})
}

// recorder is a handler that keeps what it got; fail decides its answer.
type recorder struct {
	mu   sync.Mutex
	got  []chat.Update
	fail func(n int, u chat.Update) error // n counts calls from 1
}

func (r *recorder) Handle(ctx context.Context, u chat.Update) error {
	r.mu.Lock()
	r.got = append(r.got, u)
	n, fail := len(r.got), r.fail
	r.mu.Unlock()
	if fail != nil {
		return fail(n, u)
	}
	return nil
}

func (r *recorder) updates() []chat.Update {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]chat.Update(nil), r.got...)
}

// wait blocks until the handler got n updates.
func (r *recorder) wait(t *testing.T, n int) []chat.Update {
	t.Helper()
	eventually(t, "handled updates", func() bool { return len(r.updates()) >= n })
	return r.updates()
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// requests lists the bodies of the fake's calls of method.
func requests(f *zalofake.Server, method string) []map[string]any {
	var out []map[string]any
	for _, r := range f.Requests() {
		if r.Method != method {
			continue
		}
		var m map[string]any
		_ = json.Unmarshal(r.Body, &m)
		out = append(out, m)
	}
	return out
}

// messageID reads the message_id of a flat update body.
func messageID(t *testing.T, body []byte) string {
	t.Helper()
	var u struct {
		Message struct {
			MessageID string `json:"message_id"`
		} `json:"message"`
	}
	if err := json.Unmarshal(body, &u); err != nil || u.Message.MessageID == "" {
		t.Fatalf("no message_id in %s (%v)", body, err)
	}
	return u.Message.MessageID
}
