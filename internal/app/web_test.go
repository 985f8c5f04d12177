package app

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"xabot/internal/commune"
	"xabot/internal/config"
	"xabot/internal/demo"
	"xabot/internal/domain"
	"xabot/internal/store"
)

// testConfig is the demo's configuration on a fresh database, its page on
// a port the system picks.
func testConfig(t *testing.T) config.Config {
	t.Helper()
	env := map[string]string{"XABOT_DB": filepath.Join(t.TempDir(), "demo.db"), "XABOT_HTTP_ADDR": "127.0.0.1:0"}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// openApp opens an App on the configuration env gives, on a fresh database
// unless env names one; it is closed when t ends.
func openApp(t *testing.T, env map[string]string) *App {
	t.Helper()
	if env["XABOT_DB"] == "" {
		env["XABOT_DB"] = filepath.Join(t.TempDir(), "x.db")
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	a, err := Open(t.Context(), cfg, quiet(), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

// syncBuffer is the terminal, written by the demo while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var pageLine = regexp.MustCompile(`http://127\.0\.0\.1:\d+/`)

func TestBindWebPersonasIsIdempotent(t *testing.T) {
	ctx := context.Background()
	cfg := testConfig(t)
	a, err := Open(ctx, cfg, quiet(), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	cal, err := commune.Default().Calendar()
	if err != nil {
		t.Fatal(err)
	}
	// A database seeded before the page existed: terminal bindings only.
	if err := a.seed(ctx, demo.Generate(time.Now(), cfg.TZ, cal)); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := a.bindWebPersonas(ctx); err != nil {
			t.Fatal(err)
		}
	}
	head, err := a.staff.ByChat(ctx, "web:official")
	if err != nil || head.Head || head.Role != domain.RoleOfficial || len(head.Fields) == 0 {
		t.Fatalf("web:official = %+v, %v; want a field official", head, err)
	}
	// The one whose fields hold overdue dossiers, so the overdue job reaches the panel.
	late, _, err := a.notify.OverdueOf(ctx, a.now(), func(d domain.Dossier) bool { return slices.Contains(head.Fields, d.Field) })
	if err != nil || len(late) == 0 {
		t.Errorf("web:official's fields have %d overdue dossiers (%v), want some", len(late), err)
	}
	chair, err := a.staff.ByChat(ctx, "web:chairman")
	if err != nil || chair.Role != domain.RoleChairman {
		t.Fatalf("web:chairman = %+v, %v; want the chairman", chair, err)
	}
	for _, o := range []domain.Official{head, chair} {
		chats, err := a.staff.Chats(ctx, o.ID)
		if err != nil || len(chats) != 2 || !strings.HasPrefix(chats[0], "console:") || !strings.HasPrefix(chats[1], "web:") {
			t.Errorf("official %d's chats = %v, %v; want the terminal one and one web chat", o.ID, chats, err)
		}
	}
}

func TestWebLabelsCoverPanelsAndJobs(t *testing.T) {
	a, err := Open(context.Background(), testConfig(t), quiet(), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	sched, err := a.scheduler()
	if err != nil {
		t.Fatal(err)
	}
	labels := a.webLabels()
	if len(labels) < 2 {
		t.Fatalf("labels in %d languages, want vi and en", len(labels))
	}
	var keys []string
	for _, p := range webPersonas() {
		// The page shows the label, its note and its empty-chat hint.
		keys = append(keys, p.Label, p.Label+"_note", p.Label+"_empty")
	}
	for _, j := range sched.Jobs() {
		keys = append(keys, "web.page.job_"+strings.ReplaceAll(j.Name, "-", "_"))
	}
	for lang, m := range labels {
		for _, k := range keys {
			if m[k] == "" {
				t.Errorf("%s: no page text %q", lang, k)
			}
		}
		if _, ok := m["web.demo.url"]; ok {
			t.Errorf("%s: the terminal's texts are sent to the page", lang)
		}
	}
}

// The demo's outbox claims the rows of the page's chats and of its own
// terminal; another terminal's rows (`xabot chat --as official`) stay
// queued for that process.
func TestDemoClaimsOnlyItsChats(t *testing.T) {
	db, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "x.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, to := range []string{"console:demo-official-1", "web:official", "webz:0123456789abcdef0123",
		"console:" + demoCitizen, "console:demo-official-2"} {
		m := domain.Outgoing{Key: to, To: to, Payload: []byte(`{"text":"x"}`)}
		if ok, err := db.Enqueue(t.Context(), m); err != nil || !ok {
			t.Fatal(ok, err)
		}
	}
	rows, _, err := db.ClaimOutgoing(t.Context(), domain.Claim{Owner: "demo", Now: time.Now(), Clock: time.Now(),
		Lease: time.Minute, Limit: 10, Only: demoRecipients()})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range rows {
		got = append(got, m.To)
	}
	slices.Sort(got)
	if want := []string{"console:" + demoCitizen, "web:official", "webz:0123456789abcdef0123"}; !slices.Equal(got, want) {
		t.Errorf("claimed %v, want %v", got, want)
	}
}

func TestDemoWithScriptedInputEnds(t *testing.T) {
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := Demo(ctx, testConfig(t), quiet(), time.Now, strings.NewReader("/start\n"), &out); err != nil {
		t.Fatal(err)
	}
	if !pageLine.MatchString(out.String()) || !strings.Contains(out.String(), "Đồng ý") {
		t.Errorf("demo printed %q; want the page's address and the answer to /start", out.String())
	}
	if strings.Contains(out.String(), "vẫn chạy") {
		t.Errorf("a scripted input kept the page running: %q", out.String())
	}
}

// TestDemoServesThePageAfterStdinEnds runs the demo as `xabot demo
// </dev/null` would: the terminal ends at once, the page stays, a job run
// from it reaches the official's panel through the outbox, and the
// terminal officials' rows stay queued rather than failed.
func TestDemoServesThePageAfterStdinEnds(t *testing.T) {
	cfg := testConfig(t)
	url, cancel, done := launchDemo(t, cfg)
	ctx := context.Background()
	res, err := http.Post(url+"api/jobs/weekly-digest", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	var ran struct{ Queued int }
	err = json.NewDecoder(res.Body).Decode(&ran)
	res.Body.Close()
	if res.StatusCode != 200 || err != nil || ran.Queued < 2 {
		t.Fatalf("run weekly-digest = %d %+v %v", res.StatusCode, ran, err)
	}

	sctx, stop := context.WithTimeout(ctx, 15*time.Second)
	defer stop()
	req, _ := http.NewRequestWithContext(sctx, http.MethodGet, url+"api/events?visitor=0123456789abcdef0123", nil)
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	charts := map[string]bool{} // panel → got the digest's chart
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() && len(charts) < 2 {
		var e struct{ Panel, From string }
		if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok && strings.Contains(data, `"url":"media/`) {
			if err := json.Unmarshal([]byte(data), &e); err == nil && e.From == "bot" {
				charts[e.Panel] = true
			}
		}
	}
	res.Body.Close()
	if !charts["official"] || !charts["chairman"] {
		t.Fatalf("the digest with its chart reached %v, want the official's and the chairman's panels", charts)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("demo = %v after Ctrl+C", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the demo did not stop after its context ended")
	}
	a, err := Open(context.Background(), cfg, quiet(), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	counts, err := a.db.OutboxCounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if counts[domain.OutFailed] != 0 || counts[domain.OutQueued] == 0 || counts[domain.OutSent] < 2 {
		t.Errorf("outbox = %v; want the page's rows sent, the terminal officials' queued, none failed", counts)
	}
}
