package telegram

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"xabot/internal/channel/pace"
	"xabot/internal/chat"
)

const testToken = "7012345678:AAE-secret_TOKEN-never-logged"

// fakeTG plays the Bot API over HTTP. Each method answers from its queue of
// scripted responses, then from its default.
type fakeTG struct {
	t     *testing.T
	srv   *httptest.Server
	mu    sync.Mutex
	calls []call
	queue map[string][]respond
	def   map[string]respond
	hit   chan call         // every call, non-blocking
	files map[string][]byte // file_path → bytes, served under /file/bot<token>/
}

type call struct {
	Method string
	Form   url.Values
}

// respond writes one answer; r's context ends when the client gives up.
type respond func(w http.ResponseWriter, r *http.Request)

func newFake(t *testing.T) *fakeTG {
	t.Helper()
	f := &fakeTG{
		t:     t,
		queue: make(map[string][]respond),
		def: map[string]respond{
			"getMe":               file(200, "getMe.json"),
			"sendMessage":         file(200, "sendMessage.json"),
			"answerCallbackQuery": file(200, "answerCallbackQuery.json"),
			"getUpdates":          hold(200*time.Millisecond, `{"ok":true,"result":[]}`),
		},
		hit: make(chan call, 1000),
	}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeTG) endpoint() string { return f.srv.URL + "/bot%s/%s" }

func (f *fakeTG) serve(w http.ResponseWriter, r *http.Request) {
	if path, ok := strings.CutPrefix(r.URL.Path, "/file/bot"+testToken+"/"); ok {
		f.mu.Lock()
		data, ok := f.files[path]
		f.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(data)
		return
	}
	token, method, ok := strings.Cut(strings.TrimPrefix(r.URL.Path, "/bot"), "/")
	if !ok || token != testToken {
		body(404, `{"ok":false,"error_code":404,"description":"Not Found"}`)(w, r)
		return
	}
	if err := r.ParseForm(); err != nil {
		f.t.Errorf("fake: parse form: %v", err)
	}
	c := call{Method: method, Form: r.PostForm}
	f.mu.Lock()
	f.calls = append(f.calls, c)
	h := f.def[method]
	if q := f.queue[method]; len(q) > 0 {
		h, f.queue[method] = q[0], q[1:]
	}
	f.mu.Unlock()
	select {
	case f.hit <- c:
	default:
	}
	if h == nil {
		body(500, `{"message":"not emulated"}`)(w, r)
		return
	}
	h(w, r)
}

// script queues answers for method, used before its default.
func (f *fakeTG) script(method string, rs ...respond) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queue[method] = append(f.queue[method], rs...)
}

func (f *fakeTG) setDefault(method string, r respond) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.def[method] = r
}

func (f *fakeTG) callsOf(method string) []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []call
	for _, c := range f.calls {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// offsets lists the offset of every getUpdates call (0 when absent).
func (f *fakeTG) offsets() []int {
	var out []int
	for _, c := range f.callsOf("getUpdates") {
		n, _ := strconv.Atoi(c.Form.Get("offset"))
		out = append(out, n)
	}
	return out
}

// waitOffset waits until a getUpdates call carried offset.
func (f *fakeTG) waitOffset(t *testing.T, offset int) {
	t.Helper()
	eventually(t, fmt.Sprintf("getUpdates with offset %d", offset), func() bool {
		for _, o := range f.offsets() {
			if o == offset {
				return true
			}
		}
		return false
	})
}

func body(status int, s string) respond {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(s))
	}
}

func file(status int, name string) respond {
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		panic(err)
	}
	return body(status, string(b))
}

// hold answers s after d, like a long poll that timed out, or earlier when
// the client goes away.
func hold(d time.Duration, s string) respond {
	return func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
			return
		case <-time.After(d):
		}
		body(200, s)(w, r)
	}
}

// hangup drops the connection without an answer: a network error.
func hangup(w http.ResponseWriter, r *http.Request) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		conn.Close()
	}
}

// updates is a getUpdates answer carrying raw update objects.
func updates(objs ...string) respond {
	return body(200, `{"ok":true,"result":[`+strings.Join(objs, ",")+`]}`)
}

func textUpdate(id int, user int64, text string) string {
	return fmt.Sprintf(`{"update_id":%d,"message":{"message_id":%d,"from":{"id":%d,"is_bot":false,"first_name":"U"},"chat":{"id":%d,"first_name":"U","type":"private"},"date":1700000000,"text":%q}}`,
		id, id, user, user, text)
}

func callbackUpdate(id int, user int64, queryID, chatType string) string {
	return fmt.Sprintf(`{"update_id":%d,"callback_query":{"id":%q,"from":{"id":%d,"is_bot":false,"first_name":"U"},"message":{"message_id":1,"chat":{"id":%d,"type":%q},"date":1700000000,"text":"menu"},"chat_instance":"1","data":"menu:lookup"}}`,
		id, queryID, user, user, chatType)
}

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

// logBuf collects log output; the tests check it never holds the token.
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
		if strings.Contains(buf.String(), testToken) || strings.Contains(buf.String(), "secret_TOKEN") {
			t.Errorf("token in logs:\n%s", buf)
		}
	})
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})), buf
}

type testBot struct {
	*Bot
	fake   *fakeTG
	sleeps *sleeps
	logs   *logBuf
}

func newTestBot(t *testing.T, f *fakeTG) *testBot {
	t.Helper()
	log, buf := newLog(t)
	s := &sleeps{}
	b, err := newBot(t.Context(), Config{
		Token:       testToken,
		Endpoint:    f.endpoint(),
		Log:         log,
		SendRate:    1000,
		PollTimeout: time.Second,
	}, s.sleep)
	if err != nil {
		t.Fatalf("newBot: %v", err)
	}
	b.chats = pace.New[int64](0) // the per-chat limit has its own test
	return &testBot{Bot: b, fake: f, sleeps: s, logs: buf}
}

// run starts Run and stops it when the test ends.
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

type handlerFunc func(ctx context.Context, u chat.Update) error

func (f handlerFunc) Handle(ctx context.Context, u chat.Update) error { return f(ctx, u) }

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
