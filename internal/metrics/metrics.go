// Package metrics is what an operator scrapes at /metrics, in the
// Prometheus text format: updates handled, deduplicated and failed per
// channel, reply latency, the inbox backlog, the outbox's traffic and 429s,
// job runs and catch-ups, lockouts. Packages that count something declare
// the small interface they need; *Metrics satisfies them, and a nil
// *Metrics counts nothing (tests, the CLI).
package metrics

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Outcomes of an inbound update.
const (
	Handled   = "handled"   // handled to the end: replies out, session saved
	Duplicate = "duplicate" // a redelivery of one already handled
	Failed    = "failed"    // given back to be delivered again, or answered «bận» (sessions down)
	Refused   = "refused"   // turned away before handling: over a budget, past capacity
)

// Metrics holds the collectors on their own registry (nothing global: two
// Apps in one test process do not share counts).
type Metrics struct {
	reg          *prometheus.Registry
	updates      *prometheus.CounterVec
	reply        *prometheus.HistogramVec
	inbox        *prometheus.GaugeVec
	refused      *prometheus.CounterVec
	outbox       *prometheus.CounterVec
	outboxQueued prometheus.Gauge
	limited      *prometheus.CounterVec
	jobs         *prometheus.CounterVec
	lockouts     *prometheus.CounterVec
}

// New makes the collectors, with the Go runtime's and the process's.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		updates: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "xabot_updates_total",
			Help: "Inbound updates by channel and outcome (handled, duplicate, failed, refused)."},
			[]string{"channel", "outcome"}),
		reply: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "xabot_reply_seconds",
			Help:    "Time from taking an update to its replies sent and session saved.",
			Buckets: []float64{.002, .005, .01, .02, .05, .1, .25, .5, 1, 2.5, 5, 10}},
			[]string{"channel"}),
		inbox: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "xabot_inbox_backlog",
			Help: "Webhook deliveries stored and not yet handled."}, []string{"channel"}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "xabot_webhook_refused_total",
			Help: "Webhook deliveries refused by channel and reason: budget (the sender has too many waiting; answered 200 and dropped), capacity or store (answered 503, delivered again)."},
			[]string{"channel", "reason"}),
		outbox: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "xabot_outbox_messages_total",
			Help: "Outbox messages by event: queued, sent, retried, failed, stopped."}, []string{"event"}),
		outboxQueued: prometheus.NewGauge(prometheus.GaugeOpts{Name: "xabot_outbox_queued",
			Help: "Outbox messages waiting to be sent."}),
		limited: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "xabot_rate_limited_total",
			Help: "Platform answers 429 Too Many Requests, by channel."}, []string{"channel"}),
		jobs: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "xabot_job_runs_total",
			Help: "Scheduled job runs by job and kind (scheduled, catchup, manual, skipped)."},
			[]string{"job", "kind"}),
		lockouts: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "xabot_lookup_lockouts_total",
			Help: "Lookups refused by the guessing limits, by scope (chat, code)."}, []string{"scope"}),
	}
	m.reg.MustRegister(m.updates, m.reply, m.inbox, m.refused, m.outbox, m.outboxQueued, m.limited, m.jobs, m.lockouts,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Update counts one inbound update of channel with outcome (Handled, …).
func (m *Metrics) Update(channel, outcome string) {
	if m != nil {
		m.updates.WithLabelValues(channel, outcome).Inc()
	}
}

// Reply records how long one update took to answer.
func (m *Metrics) Reply(channel string, d time.Duration) {
	if m != nil {
		m.reply.WithLabelValues(channel).Observe(d.Seconds())
	}
}

// InboxBacklog sets how many deliveries of channel wait in the inbox.
func (m *Metrics) InboxBacklog(channel string, n int) {
	if m != nil {
		m.inbox.WithLabelValues(channel).Set(float64(n))
	}
}

// WebhookRefused counts a webhook delivery of channel refused for reason
// ("budget", "capacity", "store").
func (m *Metrics) WebhookRefused(channel, reason string) {
	if m != nil {
		m.refused.WithLabelValues(channel, reason).Inc()
	}
}

// Outbox counts one outbox event: "queued", "sent", "retried", "failed",
// "stopped".
func (m *Metrics) Outbox(event string) {
	if m != nil {
		m.outbox.WithLabelValues(event).Inc()
	}
}

// OutboxQueued sets how many messages wait in the outbox.
func (m *Metrics) OutboxQueued(n int) {
	if m != nil {
		m.outboxQueued.Set(float64(n))
	}
}

// RateLimited counts a 429 from channel's platform.
func (m *Metrics) RateLimited(channel string) {
	if m != nil {
		m.limited.WithLabelValues(channel).Inc()
	}
}

// JobRun counts a run of job: kind "scheduled", "catchup", "manual", or
// "skipped" (the slot had run already, here or on another replica).
func (m *Metrics) JobRun(job, kind string) {
	if m != nil {
		m.jobs.WithLabelValues(job, kind).Inc()
	}
}

// Lockout counts a lookup refused by a guessing limit of scope "chat" or
// "code".
func (m *Metrics) Lockout(scope string) {
	if m != nil {
		m.lockouts.WithLabelValues(scope).Inc()
	}
}
