package app

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"xabot/internal/bot"
	"xabot/internal/chat"
)

// /metrics answers in the Prometheus text format on the app's mux.
func TestMetricsEndpoint(t *testing.T) {
	a := syncApp(t, "")
	rec := httptest.NewRecorder()
	a.mux().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	if rec.Code != 200 || !strings.Contains(string(body), "# TYPE xabot_outbox_queued gauge") ||
		!strings.Contains(string(body), "process_resident_memory_bytes") {
		t.Fatalf("/metrics = %d:\n%.400s", rec.Code, body)
	}
}

// go-redis's own messages become JSON lines, not bare text on stderr.
func TestRedisLogIsJSON(t *testing.T) {
	var buf bytes.Buffer
	l := redisLog{slog.New(slog.NewJSONHandler(&buf, nil))}
	l.Printf(t.Context(), "redis: %s:%d: connection refused", "127.0.0.1", 6379)
	var line map[string]any
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatalf("not JSON: %q (%v)", buf.String(), err)
	}
	if line["msg"] != "redis: 127.0.0.1:6379: connection refused" || line["level"] != "WARN" {
		t.Errorf("line = %v", line)
	}
}

// The router counts into the app's /metrics: each update by how it ended,
// and the time its answer took.
func TestRouterCountsUpdates(t *testing.T) {
	a := syncApp(t, "")
	r, err := a.Router(map[chat.Channel]bot.Channel{chat.Telegram: nullChannel{}})
	if err != nil {
		t.Fatal(err)
	}
	u := chat.Update{ID: "1", From: chat.UserKey{Channel: chat.Telegram, ID: "5"}, ChatID: "5", Kind: chat.Command, Command: "trogiup"}
	for range 2 { // the second is a redelivery
		if err := r.Handle(t.Context(), u); err != nil {
			t.Fatal(err)
		}
	}
	body := scrape(t, a)
	for _, want := range []string{
		`xabot_updates_total{channel="tg",outcome="handled"} 1`,
		`xabot_updates_total{channel="tg",outcome="duplicate"} 1`,
		`xabot_reply_seconds_count{channel="tg"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

type nullChannel struct{}

func (nullChannel) Send(context.Context, chat.Reply) error { return nil }
func (nullChannel) Features() chat.Features                { return chat.Features{MaxText: 4096} }

// The outbox counts into the app's metrics: a message queued shows.
func TestOutboxCountsIntoMetrics(t *testing.T) {
	a := syncApp(t, "")
	if ok, err := a.outbox.Put(t.Context(), "metrics-test", "tg:1", 0, chat.Reply{Text: "xin chào"}); err != nil || !ok {
		t.Fatal(ok, err)
	}
	if body := scrape(t, a); !strings.Contains(body, `xabot_outbox_messages_total{event="queued"} 1`) {
		t.Errorf("/metrics does not count the queued message:\n%s", grepLines(body, "xabot_outbox"))
	}
}

// scrape reads the app's /metrics.
func scrape(t *testing.T, a *App) string {
	t.Helper()
	rec := httptest.NewRecorder()
	a.mux().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	return string(body)
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
