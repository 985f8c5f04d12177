package webhook_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"xabot/internal/store"
	"xabot/internal/webhook"
)

const secret = "s3cret-Token_123"

// recorder is a Process that remembers the bodies it was given and can be
// told to fail.
type recorder struct {
	mu    sync.Mutex
	got   []string
	fails map[string]int // body text → failures left
	done  chan string
}

func newRecorder() *recorder { return &recorder{fails: map[string]int{}, done: make(chan string, 100)} }

func (r *recorder) process(_ context.Context, body []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fails[string(body)] > 0 {
		r.fails[string(body)]--
		return errors.New("handler failed")
	}
	r.got = append(r.got, string(body))
	r.done <- string(body)
	return nil
}

func (r *recorder) bodies() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got)
}

// parse reads {"id": "...", "from": "..."}.
func parse(body []byte) (string, string, error) {
	var u struct{ ID, From string }
	if err := json.Unmarshal(body, &u); err != nil || u.ID == "" {
		return "", "", errors.New("no id")
	}
	return u.ID, u.From, nil
}

type rig struct {
	db    *store.DB
	path  string
	src   webhook.Source
	rec   *recorder
	srv   *httptest.Server
	wake  *webhook.Waker
	now   time.Time
	count *counter
}

func newRig(t *testing.T, lim ...webhook.Limits) *rig {
	t.Helper()
	path := filepath.Join(t.TempDir(), "x.db")
	db, err := store.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	r := &rig{db: db, rec: newRecorder(), wake: webhook.NewWaker(), path: path, now: time.Now(), count: &counter{refused: map[string]int{}}}
	r.src = webhook.Source{Channel: "tg", Header: "X-Secret", Secret: secret, MaxBody: 1024,
		Parse: parse, Process: r.rec.process}
	if len(lim) > 0 {
		r.src.Limits = lim[0]
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	r.srv = httptest.NewServer(webhook.Handler(r.src, db, r.wake.Wake, time.Now, log, r.count))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *rig) drain(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = webhook.Drain(ctx, r.src, r.db, r.wake, time.Now, slog.New(slog.NewTextHandler(io.Discard, nil)), r.count)
	}()
	t.Cleanup(func() { cancel(); <-done })
}

func (r *rig) post(t *testing.T, header, body string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, r.srv.URL, strings.NewReader(body))
	if header != "" {
		req.Header.Set("X-Secret", header)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func (r *rig) waiting(t *testing.T) int {
	t.Helper()
	n, err := r.db.InboundCount(t.Context(), "tg")
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRefusalsTouchNothing(t *testing.T) {
	r := newRig(t)
	good := `{"id":"1","from":"a"}`
	cases := []struct {
		name, header, body string
		want               int
	}{
		{"no secret", "", good, http.StatusUnauthorized},
		{"wrong secret", "s3cret-Token_124", good, http.StatusUnauthorized},
		{"secret prefix", secret[:8], good, http.StatusUnauthorized},
		{"secret longer", secret + "x", good, http.StatusUnauthorized},
		{"oversize", secret, `{"id":"2","pad":"` + strings.Repeat("x", 2000) + `"}`, http.StatusRequestEntityTooLarge},
		{"not json", secret, "hello", http.StatusBadRequest},
		{"empty", secret, "", http.StatusBadRequest},
	}
	for _, c := range cases {
		if got := r.post(t, c.header, c.body); got != c.want {
			t.Errorf("%s: status %d, want %d", c.name, got, c.want)
		}
	}
	resp, err := http.Get(r.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: status %d, want 405", resp.StatusCode)
	}
	if n := r.waiting(t); n != 0 {
		t.Errorf("%d deliveries stored after refusals, want 0", n)
	}
}

// The 200 comes after the row is stored and before it is processed: with no
// drain running, the update waits; a second delivery of it is not stored
// twice; the drain then handles it once.
func TestStoredThenProcessedOnce(t *testing.T) {
	r := newRig(t)
	body := `{"id":"7","from":"a"}`
	for range 3 {
		if got := r.post(t, secret, body); got != http.StatusOK {
			t.Fatalf("status %d, want 200", got)
		}
	}
	if n := r.waiting(t); n != 1 {
		t.Fatalf("%d rows waiting, want 1", n)
	}
	r.drain(t)
	waitFor(t, r.rec.done, 1)
	time.Sleep(50 * time.Millisecond)
	if got := r.rec.bodies(); len(got) != 1 || got[0] != body {
		t.Errorf("processed %q, want once", got)
	}
	if n := r.waiting(t); n != 0 {
		t.Errorf("%d rows left after processing, want 0 (a citizen's text is not kept)", n)
	}
}

// A failing update is retried and one sender's updates keep their order.
func TestRetryAndOrder(t *testing.T) {
	r := newRig(t)
	first := `{"id":"1","from":"a"}`
	r.rec.fails[first] = 1
	bodies := []string{first, `{"id":"2","from":"a"}`, `{"id":"3","from":"b"}`}
	for _, b := range bodies {
		if got := r.post(t, secret, b); got != http.StatusOK {
			t.Fatalf("status %d", got)
		}
	}
	r.drain(t)
	waitFor(t, r.rec.done, 3)
	got := r.rec.bodies()
	ia, ib := slices.Index(got, bodies[0]), slices.Index(got, bodies[1])
	if ia < 0 || ib < 0 || ia > ib {
		t.Errorf("order of sender a = %q: retried first update must still come before the second", got)
	}
}

// A dead store means the platform must retry: 503, not 200.
func TestStoreDownIs503(t *testing.T) {
	r := newRig(t)
	r.db.Close()
	if got := r.post(t, secret, `{"id":"1"}`); got != http.StatusServiceUnavailable {
		t.Errorf("status %d, want 503", got)
	}
}

func waitFor(t *testing.T, c <-chan string, n int) {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for i := 0; i < n; i++ {
		select {
		case <-c:
		case <-deadline:
			t.Fatalf("processed %d of %d in time", i, n)
		}
	}
}
