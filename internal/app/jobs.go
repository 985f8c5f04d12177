package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"xabot/internal/commune"
	"xabot/internal/digest"
	"xabot/internal/i18n"
	"xabot/internal/schedule"
	"xabot/internal/service/dossier"
	"xabot/internal/service/notify"
	"xabot/internal/service/rating"
	"xabot/internal/service/retention"
	"xabot/internal/service/stats"
)

// pushJob re-reads dossier events every minute: a safety net behind the
// immediate pushes after imports and sync calls.
const pushJob = "push"

// feedbackSLAJob warns owners before a feedback clock runs out and tells
// the head after.
const feedbackSLAJob = "feedback-sla"

// digestJob sends the weekly digest on Monday mornings.
const digestJob = "weekly-digest"

// purgeJob deletes what is past retention, at night when little is sent.
const purgeJob = "purge"

// scheduler binds the jobs to the services, on the profile's specs.
func (a *App) scheduler() (*schedule.Scheduler, error) {
	weekly := digest.New(digest.Config{Texts: a.texts, Lang: a.cfg.Lang, TZ: a.cfg.TZ,
		Globals: i18n.Globals{Commune: a.profile.Name, Office: officeOf(a.profile), OfficeName: a.profile.Office},
		Stats:   stats.New(a.db, a.cfg.TZ), Officials: a.staff, Citizens: a.citizens, Overdue: a.notify,
		Feedback: a.feedback, Queue: a.outbox})
	count := func(f func(context.Context, time.Time) (int, error)) func(context.Context, time.Time) error {
		return func(ctx context.Context, at time.Time) error {
			n, err := f(ctx, at)
			if n > 0 {
				a.log.Info("notices queued", "count", n)
			}
			return err
		}
	}
	jobs := []schedule.Job{
		{Name: notify.JobDueSoon, Spec: a.profile.JobSpec(notify.JobDueSoon, "30 7 * * *"), Run: count(a.notify.DueSoon)},
		{Name: notify.JobApologyDuty, Spec: a.profile.JobSpec(notify.JobApologyDuty, "30 7 * * *"), Run: count(a.notify.ApologyDuty)},
		{Name: notify.JobOverdue, Spec: a.profile.JobSpec(notify.JobOverdue, "30 7 * * *"), Run: count(a.notify.Overdue)},
		{Name: feedbackSLAJob, Spec: a.profile.JobSpec(feedbackSLAJob, "30 7 * * *"), Run: count(a.feedback.SLA)},
		{Name: commune.JobReceptionRemind, Spec: a.profile.JobSpec(commune.JobReceptionRemind, commune.DefaultReceptionRemindSpec), Run: count(a.reception.Remind)},
		{Name: commune.JobReceptionList, Spec: a.profile.JobSpec(commune.JobReceptionList, commune.DefaultReceptionListSpec), Run: count(a.reception.List)},
		{Name: rating.JobExplain, Spec: a.profile.JobSpec(rating.JobExplain, "*/15 * * * *"), Run: count(a.ratings.Explain)},
		{Name: digestJob, Spec: a.profile.JobSpec(digestJob, "30 7 * * MON"), Run: count(weekly.WeeklyDigest)},
		{Name: pushJob, Spec: "* * * * *", Timeout: time.Minute, Run: count(func(ctx context.Context, _ time.Time) (int, error) {
			return a.notify.PushChanges(ctx)
		})},
		{Name: purgeJob, Spec: a.profile.JobSpec(purgeJob, "15 2 * * *"), Run: func(ctx context.Context, at time.Time) error {
			_, err := a.retention().Purge(ctx, at)
			return err
		}},
	}
	return schedule.New(schedule.Config{Loc: a.cfg.TZ, Log: a.log, Slots: a.db, Now: a.now, Count: a.metrics}, jobs...)
}

// JobsList prints the jobs, their specs and next runs.
func (a *App) JobsList(out io.Writer) error {
	s, err := a.scheduler()
	if err != nil {
		return err
	}
	now := a.now()
	for _, j := range s.Jobs() {
		next, _ := s.Next(j.Name, now)
		fmt.Fprintf(out, "%-14s %-14s %s\n", j.Name, j.Spec, next.In(a.cfg.TZ).Format("2006-01-02 15:04 MST"))
	}
	return nil
}

// JobsRun runs job as if at at. Its messages go to the outbox, which the
// running `xabot serve` delivers. A slot (the minute of at) that ran
// already, by the schedule or by hand, is refused, saying when, unless
// again: an operator's deliberate rerun, recorded as any run.
func (a *App) JobsRun(ctx context.Context, name string, at time.Time, again bool, out io.Writer) error {
	s, err := a.scheduler()
	if err != nil {
		return err
	}
	before, err := a.db.OutboxCounts(ctx)
	if err != nil {
		return err
	}
	run := s.RunNow
	if again {
		run = s.RunAgain
	}
	if err := run(ctx, name, at); err != nil {
		var ran *schedule.RanError
		if errors.As(err, &ran) {
			return errors.New(a.texts.T(a.cfg.Lang, "jobs.ran", map[string]string{"job": name,
				"slot": ran.Slot.In(a.cfg.TZ).Format("02/01/2006 15:04"), "ended": ran.End.In(a.cfg.TZ).Format("02/01/2006 15:04:05")}))
		}
		if errors.Is(err, schedule.ErrBusy) {
			return errors.New(a.texts.T(a.cfg.Lang, "jobs.busy", map[string]string{"job": name}))
		}
		return err
	}
	after, err := a.db.OutboxCounts(ctx)
	if err != nil {
		return err
	}
	args := map[string]string{"job": name, "at": at.In(a.cfg.TZ).Format("02/01/2006 15:04"),
		"queued": fmt.Sprint(after["queued"] + after["sent"] - before["queued"] - before["sent"])}
	key := "jobs.done"
	if name == purgeJob { // it queues nothing; it deletes
		key, args["deleted"] = "jobs.purged", fmt.Sprint(total(before)-total(after))
	}
	fmt.Fprintln(out, a.texts.T(a.cfg.Lang, key, args))
	return nil
}

// retention is the purge: XABOT_RETENTION_DAYS for the outbox and the
// inbox, the guessing limits' longest window for lookup attempts.
func (a *App) retention() *retention.Service {
	return retention.New(a.db, retention.Policy{
		Keep:    time.Duration(a.cfg.RetentionDays) * 24 * time.Hour,
		Lookups: dossier.DefaultPolicy.Keep(),
		Batch:   retention.DefaultBatch,
		Pause:   retention.DefaultPause,
	}, a.log)
}

func total(counts map[string]int) int {
	n := 0
	for _, c := range counts {
		n += c
	}
	return n
}
