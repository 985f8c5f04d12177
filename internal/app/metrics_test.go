package app

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

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

// The outbox counts into the app's metrics: a message queued shows.
func TestOutboxCountsIntoMetrics(t *testing.T) {
	a := syncApp(t, "")
	if ok, err := a.outbox.Put(t.Context(), "metrics-test", "tg:1", 0, chat.Reply{Text: "xin chào"}); err != nil || !ok {
		t.Fatal(ok, err)
	}
	rec := httptest.NewRecorder()
	a.mux().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	if !strings.Contains(string(body), `xabot_outbox_messages_total{event="queued"} 1`) {
		t.Errorf("/metrics does not count the queued message:\n%s", grepLines(string(body), "xabot_outbox"))
	}
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
