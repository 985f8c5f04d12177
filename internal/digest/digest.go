// Package digest is the weekly-digest job: every active official gets the
// previous week of their fields (the chairman, the admin and the head of
// the one-stop shop the whole commune) in the outbox — the figures of
// /thongke, the overdue list with owners, the feedback waiting, and a
// chart. It runs beside the router, not in it: internal/app schedules it
// (jobs.go). It imports chart, chat, domain, i18n and service/stats.
package digest

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"xabot/internal/chart"
	"xabot/internal/chat"
	"xabot/internal/domain"
	"xabot/internal/i18n"
	"xabot/internal/service/stats"
)

// maxDigestOverdue bounds the overdue list of a digest; the rest is counted.
const maxDigestOverdue = 15

// What the digest reads and where it puts it; the services and the
// outbox satisfy these (internal/app wires them).
type (
	// Stats are the figures: *stats.Service.
	Stats interface {
		Period(kind string, now time.Time) (from, to time.Time, err error)
		ReportIn(ctx context.Context, from, to time.Time, keep func(field string) bool) (domain.Counts, error)
		Daily(ctx context.Context, from, to time.Time, keep func(field string) bool) ([]stats.Day, error)
	}
	// Officials are the recipients: *officials.Service.
	Officials interface {
		List(ctx context.Context) ([]domain.Official, error)
	}
	// Citizens say a recipient's language: *citizen.Service.
	Citizens interface {
		Get(ctx context.Context, key string) (domain.Citizen, error)
	}
	// Overdue lists the overdue dossiers: *notify.Service.
	Overdue interface {
		OverdueOf(ctx context.Context, at time.Time, keep func(domain.Dossier) bool) ([]domain.Dossier, []int, error)
	}
	// Feedback is a recipient's inbox: *feedback.Service.
	Feedback interface {
		Inbox(ctx context.Context, actor, which string) ([]domain.Feedback, error)
	}
	// Queue is the outbox: *outbox.Outbox.
	Queue interface {
		Put(ctx context.Context, key, to string, priority int, r chat.Reply) (bool, error)
	}
)

// Config holds the digest's dependencies.
type Config struct {
	Texts     *i18n.Catalog
	Globals   i18n.Globals // the commune and its one-stop shop, as every text may name them
	Lang      string       // default language, "vi"
	TZ        *time.Location
	Stats     Stats
	Officials Officials
	Citizens  Citizens
	Overdue   Overdue
	Feedback  Feedback
	Queue     Queue
}

// Digest sends the weekly digest.
type Digest struct{ cfg Config }

// New returns a Digest.
func New(cfg Config) *Digest {
	if cfg.Lang == "" {
		cfg.Lang = "vi"
	}
	return &Digest{cfg: cfg}
}

// WeeklyDigest is the weekly-digest job as of at: every active official
// gets the previous week (Monday–Sunday) of their fields, the chairman, the
// admin and the head of the one-stop shop the whole commune — the figures
// of /thongke, the overdue list with owners, the feedback waiting, and a
// chart — queued once per (week, recipient).
func (r *Digest) WeeklyDigest(ctx context.Context, at time.Time) (int, error) {
	if r.cfg.Queue == nil {
		return 0, fmt.Errorf("digest: no outbox")
	}
	from, to, err := r.cfg.Stats.Period(stats.LastWeek, at)
	if err != nil {
		return 0, err
	}
	all, err := r.cfg.Officials.List(ctx)
	if err != nil {
		return 0, err
	}
	charts := map[string][]byte{} // by language and scope
	sent := 0
	for _, o := range all {
		if !o.Active() {
			continue
		}
		keep := o.Handles
		if o.Role != domain.RoleOfficial || o.Head {
			keep = nil
		}
		lang := r.cfg.Lang
		if c, err := r.cfg.Citizens.Get(ctx, o.ChatKey); err == nil && c.Lang != "" {
			lang = c.Lang
		}
		// One definition for the text and the chart: the week's dossiers
		// of the recipient's scope (week.counts agrees with week.days).
		week, err := r.week(ctx, from, to, keep)
		if err != nil {
			return sent, err
		}
		text, err := r.text(ctx, lang, o, keep, week.counts, from, to, at)
		if err != nil {
			return sent, err
		}
		scope := "all"
		if keep != nil {
			scope = strings.Join(o.Fields, "|")
		}
		png, ok := charts[lang+"|"+scope]
		if !ok {
			if png, err = r.weekChart(lang, week.days, week.counts); err != nil {
				return sent, err
			}
			charts[lang+"|"+scope] = png
		}
		reply := chat.Reply{Text: text, Image: &chat.Image{Data: png, Name: "tuan.png"}}
		fresh, err := r.cfg.Queue.Put(ctx, "digest|"+from.In(r.cfg.TZ).Format("2006-01-02")+"|"+o.ChatKey,
			o.ChatKey, domain.PriorityBulk, reply)
		if err != nil {
			return sent, err
		}
		if fresh {
			sent++
		}
	}
	return sent, nil
}

// week is what a digest shows of the week: the counts of the text and the
// days of the chart, both of the dossiers received in the week within
// keep's fields (nil: the commune), as of its end.
type week struct {
	counts domain.Counts
	days   []stats.Day
}

func (r *Digest) week(ctx context.Context, from, to time.Time, keep func(string) bool) (week, error) {
	c, err := r.cfg.Stats.ReportIn(ctx, from, to, keep)
	if err != nil {
		return week{}, err
	}
	days, err := r.cfg.Stats.Daily(ctx, from, to, keep)
	if err != nil {
		return week{}, err
	}
	return week{counts: c, days: days}, nil
}

// text is one recipient's digest in lang, of the week's counts c.
func (r *Digest) text(ctx context.Context, lang string, o domain.Official, keep func(string) bool,
	c domain.Counts, from, to, at time.Time) (string, error) {
	n := func(v int) string { return i18n.Number(lang, int64(v)) }
	t := func(key string, kv ...string) string { return r.t(lang, key, pairs(kv...)) }
	scope := t("digest.scope_all")
	if keep != nil {
		scope = t("digest.scope_fields", "fields", strings.Join(o.Fields, ", "))
	}
	lines := []string{
		t("digest.head", "from", r.date(from), "to", r.date(to), "scope", scope),
		t("stats.received", "received", n(c.Received), "online", n(c.Online), "direct", n(c.Direct), "postal", n(c.Postal)),
		t("stats.resolved", "resolved", n(c.Resolved), "early", n(c.Early), "on_time", n(c.OnTime), "late", n(c.Late)),
		t("stats.in_progress", "count", n(c.InProgress), "within", n(c.Within), "overdue", n(c.Overdue)),
		t("stats.withdrawn", "count", n(c.Withdrawn)),
	}
	if ind := domain.OnTimeIndicator(c); ind.Den > 0 {
		lines = append(lines, t("digest.on_time", "pct", i18n.Percent(lang, int64(ind.Num), int64(ind.Den), 1)))
	}
	filter := func(d domain.Dossier) bool { return keep == nil || keep(d.Field) }
	late, days, err := r.cfg.Overdue.OverdueOf(ctx, at, filter)
	if err != nil {
		return "", err
	}
	if len(late) == 0 {
		lines = append(lines, t("digest.no_overdue"))
	} else {
		lines = append(lines, t("digest.overdue_head", "count", n(len(late))))
		for i, d := range late {
			if i == maxDigestOverdue {
				lines = append(lines, t("digest.more", "count", n(len(late)-i)))
				break
			}
			lines = append(lines, t(domain.OverdueItemKey(d), "code", d.Code, "procedure", d.ProcedureName,
				"days", strconv.Itoa(days[i]), "handler", d.Handler))
		}
	}
	box := "mine"
	if keep == nil {
		box = "open"
	}
	if waiting, err := r.cfg.Feedback.Inbox(ctx, o.ChatKey, box); err == nil {
		lines = append(lines, t("digest.feedback", "count", n(len(waiting))))
	}
	return strings.Join(lines, "\n"), nil
}

// weekChart draws a week: received and resolved per day, and the on-time
// share of c, the counts of the same dossiers.
func (r *Digest) weekChart(lang string, days []stats.Day, c domain.Counts) ([]byte, error) {
	t := func(key string) string { return r.t(lang, key, nil) }
	w := chart.Week{Labels: chart.Labels{
		Received: t("digest.chart_received"), Resolved: t("digest.chart_resolved"), OnTime: t("digest.chart_on_time"),
		Axis: t("digest.chart_axis"), Thousands: ".", Decimal: ",",
	}}
	if lang == "en" {
		w.Labels.Thousands, w.Labels.Decimal = ",", "."
	}
	for i, name := range strings.Split(t("digest.chart_days"), "|") {
		if i < 7 {
			w.Labels.DayNames[i] = name
		}
	}
	for _, d := range days {
		w.Days = append(w.Days, chart.Day{Date: d.Date, Received: d.Received, Resolved: d.Resolved})
	}
	if len(days) > 0 {
		w.Title = r.t(lang, "digest.chart_title", map[string]string{
			"from": days[0].Date.Format("02/01"), "to": days[len(days)-1].Date.Format("02/01/2006")})
	}
	w.OnTimePct = -1
	if ind := domain.OnTimeIndicator(c); ind.Den > 0 {
		ratio, _ := ind.Ratio()
		w.OnTimePct = ratio * 100
	}
	return chart.Render(w, 800, 500)
}

// t renders key in lang with the globals.
func (r *Digest) t(lang, key string, a map[string]string) string {
	return r.cfg.Texts.T(lang, key, r.cfg.Globals.With(a))
}

// date shows a stored UTC time as the commune's local date.
func (r *Digest) date(t time.Time) string { return t.In(r.cfg.TZ).Format("02/01/2006") }

// pairs builds placeholder values from name, value pairs.
func pairs(kv ...string) map[string]string {
	m := make(map[string]string, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}
