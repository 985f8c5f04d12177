package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"xabot/internal/collate"
	"xabot/internal/dialog"
	"xabot/internal/domain"
	"xabot/internal/i18n"
	"xabot/internal/service/stats"
)

// statsActions bind /thongke and /baocao. The chairman and the admin see
// the whole commune; an official's statistics cover their own fields.
func (r *Router) statsActions() Actions {
	return Actions{
		"stats.entry":      r.statsEntry,
		"stats.show":       r.statsShow,
		"stats.by":         r.statsBy,
		"report.paragraph": r.reportParagraph,
	}
}

func (r *Router) statsEntry(ctx context.Context, c Call) (Result, error) {
	args := strings.TrimSpace(c.Slots["args"])
	if args == "" {
		return Result{Branch: "ask"}, nil
	}
	now := r.cfg.Now()
	from, to, named, err := r.cfg.Stats.NamedPeriod(args, now)
	if !named {
		from, to, err = r.cfg.Stats.ParsePeriod(args, now)
	}
	if err != nil {
		return Result{}, err
	}
	return r.statsFor(ctx, c, from, to)
}

func (r *Router) statsShow(ctx context.Context, c Call) (Result, error) {
	from, to, err := r.cfg.Stats.Period(c.Slots["period"], r.cfg.Now())
	if err != nil {
		return Result{}, err
	}
	return r.statsFor(ctx, c, from, to)
}

// statsFor renders the counts of [from, to] and the 766 indicators with
// their change against the previous period of the same length.
func (r *Router) statsFor(ctx context.Context, call Call, from, to time.Time) (Result, error) {
	keep, err := r.scope(ctx, call)
	if err != nil {
		return Result{}, err
	}
	c, err := r.cfg.Stats.ReportIn(ctx, from, to, keep)
	if err != nil {
		return Result{}, err
	}
	pf, pt := r.cfg.Stats.Previous(from, to)
	prev, err := r.cfg.Stats.ReportIn(ctx, pf, pt, keep)
	if err != nil {
		return Result{}, err
	}
	scope, err := r.voiceScope(ctx, call.User, keep)
	if err != nil {
		return Result{}, err
	}
	voices, err := r.cfg.Stats.Voices(ctx, from, to, scope)
	if err != nil {
		return Result{}, err
	}
	pvoices, err := r.cfg.Stats.Voices(ctx, pf, pt, scope)
	if err != nil {
		return Result{}, err
	}
	lang := call.Lang
	n := func(v int) string { return i18n.Number(lang, int64(v)) }
	p := dialog.Prompt{Key: "stats.head", Args: map[string]string{"from": r.date(from), "to": r.date(to)}}
	line := func(key string, kv ...string) { p.Parts = append(p.Parts, dialog.Prompt{Key: key, Args: args(kv...)}) }
	line("stats.received", "received", n(c.Received), "online", n(c.Online), "direct", n(c.Direct), "postal", n(c.Postal))
	line("stats.resolved", "resolved", n(c.Resolved), "early", n(c.Early), "on_time", n(c.OnTime), "late", n(c.Late))
	line("stats.in_progress", "count", n(c.InProgress), "within", n(c.Within), "overdue", n(c.Overdue))
	line("stats.withdrawn", "count", n(c.Withdrawn))
	line("stats.feedback", "count", n(voices.Received), "answered", n(voices.Answered), "on_time", n(voices.AnsweredOnTime))
	satisfied := voices.Ratings.ByLevel[domain.LevelSatisfied] + voices.Ratings.ByLevel[domain.LevelVerySatisfied]
	line("stats.ratings", "count", n(voices.Ratings.Total), "satisfied", n(satisfied), "low", n(voices.Ratings.Low()))
	line("stats.indicators")
	for _, pair := range [][2]domain.Indicator{
		{domain.OnTimeIndicator(c), domain.OnTimeIndicator(prev)},
		{domain.OnlineIndicator(c), domain.OnlineIndicator(prev)},
		{domain.FeedbackIndicator(voices.AnsweredOnTime, voices.Judged), domain.FeedbackIndicator(pvoices.AnsweredOnTime, pvoices.Judged)},
		{domain.SatisfactionIndicator(c, voices.Ratings.Low()), domain.SatisfactionIndicator(prev, pvoices.Ratings.Low())},
	} {
		value, change := r.indicatorText(lang, pair[0], pair[1])
		line("stats.ind."+pair[0].ID, "value", value, "change", change)
	}
	span := from.In(r.cfg.TZ).Format("20060102") + ":" + to.In(r.cfg.TZ).Format("20060102")
	var choices []dialog.Button
	for _, dim := range []string{"field", "village", "intake"} {
		choices = append(choices, dialog.Button{Key: "stats.by." + dim, Data: dim + ":" + span})
	}
	return Result{Say: []dialog.Prompt{p}, Choices: choices}, nil
}

// indicatorText is an indicator's value and its change against the
// previous period, or plainly that there are no figures: never «—
// điểm %» or «— → —/6 điểm».
func (r *Router) indicatorText(lang string, cur, old domain.Indicator) (value, change string) {
	ratio, ok := cur.Ratio()
	if !ok {
		return r.t(lang, "stats.ind_none", nil), ""
	}
	s, _ := cur.Score()
	value = r.t(lang, "stats.ind_value", args("pct", i18n.Percent(lang, int64(cur.Num), int64(cur.Den), 1),
		"score", decimal(lang, s), "max", strconv.FormatFloat(cur.Max, 'f', 0, 64)))
	was, ok := old.Ratio()
	if !ok {
		return value, r.t(lang, "stats.ind_no_prev", nil)
	}
	d := (ratio - was) * 100
	delta := decimal(lang, d)
	if d >= 0 {
		delta = "+" + delta
	}
	return value, r.t(lang, "stats.ind_change", args("delta", delta))
}

// statsBy breaks a period down by field, village or intake channel
// ("dim:yyyymmdd:yyyymmdd" from the buttons under the figures).
func (r *Router) statsBy(ctx context.Context, c Call) (Result, error) {
	parts := strings.Split(c.Slots["by"], ":")
	if len(parts) != 3 {
		return Result{}, domain.Invalid("errors.button_invalid")
	}
	from, err1 := time.ParseInLocation("20060102", parts[1], r.cfg.TZ)
	last, err2 := time.ParseInLocation("20060102", parts[2], r.cfg.TZ)
	if err1 != nil || err2 != nil || last.Before(from) {
		return Result{}, domain.Invalid("errors.button_invalid")
	}
	to := last.AddDate(0, 0, 1).Add(-time.Nanosecond)
	by, err := r.cfg.Stats.ReportBy(ctx, from, to, parts[0])
	if err != nil {
		return Result{}, err
	}
	keep, err := r.scope(ctx, c)
	if err != nil {
		return Result{}, err
	}
	lang := c.Lang
	n := func(v int) string { return i18n.Number(lang, int64(v)) }
	keys := make([]string, 0, len(by))
	for k := range by {
		if keep == nil || parts[0] != "field" || keep(k) {
			keys = append(keys, k)
		}
	}
	collate.Strings(keys)
	p := dialog.Prompt{Key: "stats.by_head", Args: map[string]string{"dim": r.t(lang, "stats.by."+parts[0], nil),
		"from": r.date(from), "to": r.date(to)}}
	for _, k := range keys {
		c := by[k]
		name := k
		if parts[0] == "intake" {
			name = r.t(lang, "stats.intake."+k, nil)
		}
		if name == "" {
			name = "—"
		}
		p.Parts = append(p.Parts, dialog.Prompt{Key: "stats.by_item", Args: map[string]string{"name": name,
			"received": n(c.Received), "resolved": n(c.Resolved), "late": n(c.Late), "overdue": n(c.Overdue)}})
	}
	return Result{Say: []dialog.Prompt{p}}, nil
}

// scope is which fields the caller may see: all (nil) for the chairman,
// the admin and the head of the one-stop shop; an official's own
// otherwise. Anyone else — a citizen, an official revoked a moment ago —
// is refused, never widened to the whole commune.
func (r *Router) scope(ctx context.Context, c Call) (func(field string) bool, error) {
	switch c.Citizen.Role {
	case domain.RoleChairman, domain.RoleAdmin:
		return nil, nil
	case domain.RoleOfficial:
	default:
		return nil, fmt.Errorf("bot: statistics for role %q: %w", c.Citizen.Role, domain.ErrForbidden)
	}
	o, err := r.cfg.Staff.ByChat(ctx, c.User)
	if errors.Is(err, domain.ErrNotFound) {
		return nil, fmt.Errorf("bot: statistics for an unbound official: %w", domain.ErrForbidden)
	}
	if err != nil {
		return nil, err
	}
	if o.Head {
		return nil, nil
	}
	return o.Handles, nil
}

// voiceScope limits the feedback and ratings to an official's, as keep
// limits the dossiers: the ratings of their fields' dossiers and the
// feedback they may list. The commune's (nil keep) is everyone's.
func (r *Router) voiceScope(ctx context.Context, user string, keep func(string) bool) (stats.Scope, error) {
	if keep == nil {
		return stats.Scope{}, nil
	}
	visible, err := r.cfg.Feedback.Visible(ctx, user)
	if err != nil {
		return stats.Scope{}, err
	}
	return stats.Scope{Field: keep, Feedback: visible}, nil
}

// reportParagraph is /baocao FROM TO [--en].
func (r *Router) reportParagraph(ctx context.Context, c Call) (Result, error) {
	args := strings.TrimSpace(c.Slots["args"])
	lang := c.Lang
	if strings.Contains(args, "--en") {
		lang, args = "en", strings.TrimSpace(strings.ReplaceAll(args, "--en", ""))
	}
	if args == "" {
		return Result{Branch: "ask"}, nil
	}
	from, to, err := r.cfg.Stats.ParsePeriod(args, r.cfg.Now())
	if err != nil {
		return Result{}, err
	}
	keep, err := r.scope(ctx, c)
	if err != nil {
		return Result{}, err
	}
	counts, err := r.cfg.Stats.ReportIn(ctx, from, to, keep)
	if err != nil {
		return Result{}, err
	}
	l := r.cfg.Stats.Paragraph(lang, counts, from, to)
	say := []dialog.Prompt{{Key: l.Key, Args: l.Args}}
	if say, err = r.withReception(ctx, say, lang, from, to); err != nil {
		return Result{}, err
	}
	if now := r.cfg.Now(); to.After(now) && r.date(to) != r.date(now) {
		// Counted as of the end of today: the rest has not happened.
		say = append([]dialog.Prompt{{Key: "report.future_end", Args: map[string]string{"to": r.date(to), "today": r.date(now)}}}, say...)
	}
	// The paragraph is said in the language asked for, whatever the chat's.
	return Result{Say: say, Effects: Effects{SayIn: lang}}, nil
}

// decimal writes f with one decimal in lang's way: "18,8" in Vietnamese.
func decimal(lang string, f float64) string {
	s := strconv.FormatFloat(f, 'f', 1, 64)
	if lang != "en" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}
