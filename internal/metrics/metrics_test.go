package metrics

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestExposition(t *testing.T) {
	m := New()
	m.Update("tg", Handled)
	m.Update("tg", Handled)
	m.Update("zalo", Duplicate)
	m.Reply("tg", 12*time.Millisecond)
	m.InboxBacklog("tg", 7)
	m.WebhookRefused("tg", "budget")
	m.Outbox("sent")
	m.OutboxQueued(3)
	m.RateLimited("tg")
	m.JobRun("push", "catchup")
	m.Lockout("code")
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	for _, want := range []string{
		`xabot_updates_total{channel="tg",outcome="handled"} 2`,
		`xabot_updates_total{channel="zalo",outcome="duplicate"} 1`,
		`xabot_reply_seconds_bucket{channel="tg",le="0.02"} 1`,
		`xabot_inbox_backlog{channel="tg"} 7`,
		`xabot_webhook_refused_total{channel="tg",reason="budget"} 1`,
		`xabot_outbox_messages_total{event="sent"} 1`,
		`xabot_outbox_queued 3`,
		`xabot_rate_limited_total{channel="tg"} 1`,
		`xabot_job_runs_total{job="push",kind="catchup"} 1`,
		`xabot_lookup_lockouts_total{scope="code"} 1`,
		`go_goroutines`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

// A nil *Metrics is the "count nothing" value the CLI and tests pass.
func TestNilCountsNothing(t *testing.T) {
	var m *Metrics
	m.Update("tg", Handled)
	m.Reply("tg", time.Second)
	m.InboxBacklog("tg", 1)
	m.Outbox("sent")
	m.OutboxQueued(1)
	m.RateLimited("tg")
	m.JobRun("push", "manual")
	m.Lockout("chat")
}
