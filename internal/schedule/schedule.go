// Package schedule runs named jobs on cron specs in the commune's time zone
// (robfig/cron v3): each run is recovered, timed out, never overlapping, run
// by one replica at a time (a lock), recorded, and caught up at start-up
// after downtime. Jobs receive the time they run "as of", so operators and
// tests can run one as if at another time. It imports nothing from this
// module.
package schedule

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sort"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
)

// Job is one scheduled task. Run must be idempotent: it can run again after
// a crash, a catch-up or a manual run without messaging anyone twice.
type Job struct {
	Name    string
	Spec    string // 5-field cron spec in the scheduler's zone, e.g. "30 7 * * *"
	Timeout time.Duration
	Run     func(ctx context.Context, at time.Time) error
}

// Locker keeps two replicas from running the same job at once.
type Locker interface {
	// TryLock takes name for ttl; ok false means another holder has it.
	TryLock(ctx context.Context, name string, ttl time.Duration) (unlock func(), ok bool, err error)
}

// Runs records when each job last ran.
type Runs interface {
	LastRun(ctx context.Context, job string) (time.Time, error)
	SetLastRun(ctx context.Context, job string, at time.Time) error
}

// ErrBusy means the job is running elsewhere (another replica, or still here).
var ErrBusy = errors.New("schedule: job is already running")

// Scheduler runs jobs.
type Scheduler struct {
	loc    *time.Location
	log    *slog.Logger
	locker Locker
	runs   Runs
	now    func() time.Time
	jobs   map[string]*entry
}

type entry struct {
	Job
	sched cron.Schedule
	mu    sync.Mutex // one run at a time in this process
}

var parser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow)

// New checks every job's spec and returns a scheduler; all bad specs are
// reported at once.
func New(loc *time.Location, log *slog.Logger, locker Locker, runs Runs, now func() time.Time, jobs ...Job) (*Scheduler, error) {
	s := &Scheduler{loc: loc, log: log.With("comp", "schedule"), locker: locker, runs: runs, now: now, jobs: map[string]*entry{}}
	var errs []error
	for _, j := range jobs {
		sched, err := parser.Parse(j.Spec)
		if err != nil {
			errs = append(errs, fmt.Errorf("schedule: job %s: spec %q: %w", j.Name, j.Spec, err))
			continue
		}
		if j.Timeout == 0 {
			j.Timeout = 10 * time.Minute
		}
		s.jobs[j.Name] = &entry{Job: j, sched: sched}
	}
	return s, errors.Join(errs...)
}

// Jobs lists the jobs by name.
func (s *Scheduler) Jobs() []Job {
	out := make([]Job, 0, len(s.jobs))
	for _, e := range s.jobs {
		out = append(out, e.Job)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Next returns when job runs next after t.
func (s *Scheduler) Next(name string, t time.Time) (time.Time, bool) {
	e, ok := s.jobs[name]
	if !ok {
		return time.Time{}, false
	}
	return e.sched.Next(t.In(s.loc)), true
}

// Missed returns the latest scheduled time of job after last and not after
// now: the run that downtime skipped (zero if none was skipped).
func (s *Scheduler) Missed(name string, last, now time.Time) time.Time {
	e, ok := s.jobs[name]
	if !ok || last.IsZero() {
		return time.Time{}
	}
	var missed time.Time
	for t := e.sched.Next(last.In(s.loc)); !t.After(now); t = e.sched.Next(t) {
		missed = t
	}
	return missed
}

// RunNow runs job as of at: locked against other replicas, recovered,
// timed out, and recorded.
func (s *Scheduler) RunNow(ctx context.Context, name string, at time.Time) error {
	e, ok := s.jobs[name]
	if !ok {
		return fmt.Errorf("schedule: no job %q", name)
	}
	if !e.mu.TryLock() {
		return ErrBusy
	}
	defer e.mu.Unlock()
	unlock, ok, err := s.locker.TryLock(ctx, "job:"+name, e.Timeout+time.Minute)
	if err != nil {
		return fmt.Errorf("schedule: lock %s: %w", name, err)
	}
	if !ok {
		return ErrBusy
	}
	defer unlock()
	ctx, cancel := context.WithTimeout(ctx, e.Timeout)
	defer cancel()
	start := s.now()
	err = s.safeRun(ctx, e, at)
	log := s.log.With("job", name, "at", at.In(s.loc).Format(time.RFC3339), "took", s.now().Sub(start))
	if err != nil {
		log.Error("job failed", "err", err)
		return err
	}
	if err := s.runs.SetLastRun(ctx, name, at); err != nil {
		return fmt.Errorf("schedule: record %s: %w", name, err)
	}
	log.Info("job done")
	return nil
}

func (s *Scheduler) safeRun(ctx context.Context, e *entry, at time.Time) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("schedule: job %s panicked: %v\n%s", e.Name, p, debug.Stack())
		}
	}()
	return e.Run(ctx, at)
}

// Run catches up the runs missed while the process was down, then runs
// each job on its schedule until ctx is cancelled, and waits for the runs
// in progress to finish.
func (s *Scheduler) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	for _, j := range s.Jobs() {
		last, err := s.runs.LastRun(ctx, j.Name)
		if err != nil {
			return err
		}
		now := s.now()
		if missed := s.Missed(j.Name, last, now); !missed.IsZero() {
			s.log.Info("catching up", "job", j.Name, "missed", missed.In(s.loc).Format(time.RFC3339))
			if err := s.RunNow(ctx, j.Name, missed); err != nil && !errors.Is(err, ErrBusy) {
				s.log.Warn("catch-up failed", "job", j.Name, "err", err)
			}
		} else if last.IsZero() {
			// First start: nothing was missed; remember from when to count.
			if err := s.runs.SetLastRun(ctx, j.Name, now); err != nil {
				return err
			}
		}
	}
	c := cron.New(cron.WithLocation(s.loc), cron.WithParser(parser))
	for _, j := range s.Jobs() {
		name := j.Name
		if _, err := c.AddFunc(j.Spec, func() {
			wg.Add(1)
			defer wg.Done()
			if err := s.RunNow(ctx, name, s.now()); err != nil && !errors.Is(err, ErrBusy) && ctx.Err() == nil {
				s.log.Warn("scheduled run failed", "job", name, "err", err)
			}
		}); err != nil {
			return fmt.Errorf("schedule: add %s: %w", name, err)
		}
	}
	c.Start()
	<-ctx.Done()
	<-c.Stop().Done()
	wg.Wait()
	return nil
}

// MemoryLocker is the Locker of a single process (no Redis configured).
type MemoryLocker struct {
	mu   sync.Mutex
	held map[string]bool
}

// TryLock implements Locker.
func (m *MemoryLocker) TryLock(_ context.Context, name string, _ time.Duration) (func(), bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.held == nil {
		m.held = map[string]bool{}
	}
	if m.held[name] {
		return nil, false, nil
	}
	m.held[name] = true
	return func() { m.mu.Lock(); delete(m.held, name); m.mu.Unlock() }, true, nil
}
