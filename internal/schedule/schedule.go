// Package schedule runs named jobs on cron specs in the commune's time zone
// (robfig/cron v3): each run is recovered, timed out, never overlapping,
// and run once per slot — the minute it is for — by any number of replicas,
// through a claim recorded in the shared database before it runs (Slots).
// Downtime is caught up at start-up. Jobs receive the time they run "as
// of", so operators and tests can run one as if at another time. It
// imports nothing from this module.
package schedule

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"sort"
	"strconv"
	"sync/atomic"
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

// Slots is the durable record of the jobs' runs that the replicas share;
// *store.DB satisfies it. A slot is a whole minute.
type Slots interface {
	// LastRun is the latest slot of job that ran (zero: never).
	LastRun(ctx context.Context, job string) (time.Time, error)
	// SetLastRun records where the catch-up counts from.
	SetLastRun(ctx context.Context, job string, at time.Time) error
	// ClaimSlot takes job's slot for owner until until, unless a claim of
	// the job is live at now or the slot ran (again: even so); takeover
	// takes only a slot whose holder's lease ran out, not one given back.
	// Refused, it says when the slot ran and until when a claim holds it.
	ClaimSlot(ctx context.Context, job string, slot time.Time, owner string, now, until time.Time,
		again, takeover bool) (ok bool, ran, held time.Time, err error)
	// RenewSlot extends owner's claim; false: it is no longer owner's.
	RenewSlot(ctx context.Context, job string, slot time.Time, owner string, until time.Time) (bool, error)
	// ReleaseSlot gives owner's claim back after a failed run.
	ReleaseSlot(ctx context.Context, job string, slot time.Time, owner string) error
	// DoneSlot records that the slot ran, ending at at, and sets LastRun.
	DoneSlot(ctx context.Context, job string, slot, at time.Time) error
}

// Counter counts runs by job and kind: "scheduled", "catchup", "manual",
// or "skipped" (the slot ran or was running elsewhere).
type Counter interface {
	JobRun(job, kind string)
}

// Config is what a Scheduler needs.
type Config struct {
	Loc   *time.Location
	Log   *slog.Logger
	Slots Slots
	Now   func() time.Time
	Count Counter       // nil: nothing counted
	Lease time.Duration // a claim's lease, renewed at a third of it; zero: DefaultLease
}

// DefaultLease is how long a claim lasts unless renewed: a process killed
// in a run holds its slot that long, then another replica (or the process
// restarted) runs it.
const DefaultLease = 30 * time.Second

// ErrBusy means a run of the job is in progress (here or elsewhere).
var ErrBusy = errors.New("schedule: job is already running")

// ErrRan is what a *RanError is.
var ErrRan = errors.New("schedule: slot ran already")

// RanError refuses to run a slot that ran (RunAgain runs it anyway).
type RanError struct {
	Job       string
	Slot, End time.Time // the slot, when its last run ended
}

func (e *RanError) Error() string {
	return fmt.Sprintf("schedule: job %s: the slot %s ran already (ended %s)", e.Job,
		e.Slot.Format(time.RFC3339), e.End.Format(time.RFC3339))
}

// Is makes errors.Is(err, ErrRan) true.
func (e *RanError) Is(target error) bool { return target == ErrRan }

// Scheduler runs jobs.
type Scheduler struct {
	Config
	owner string        // this process, in claims' tokens
	seq   atomic.Uint64 // claims made, for unique tokens
	jobs  map[string]*entry
}

type entry struct {
	Job
	sched cron.Schedule
}

var parser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow)

// New checks every job's spec and returns a scheduler; all bad specs are
// reported at once.
func New(cfg Config, jobs ...Job) (*Scheduler, error) {
	if cfg.Lease <= 0 {
		cfg.Lease = DefaultLease
	}
	if cfg.Count == nil {
		cfg.Count = nopCounter{}
	}
	cfg.Log = cfg.Log.With("comp", "schedule")
	b := make([]byte, 4)
	rand.Read(b)
	host, _ := os.Hostname()
	s := &Scheduler{Config: cfg, owner: host + "/" + strconv.Itoa(os.Getpid()) + "/" + hex.EncodeToString(b), jobs: map[string]*entry{}}
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

type nopCounter struct{}

func (nopCounter) JobRun(string, string) {}

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
	return e.sched.Next(t.In(s.Loc)), true
}

// Missed returns the latest scheduled time of job after last and not after
// now: the run that downtime skipped (zero if none was skipped).
func (s *Scheduler) Missed(name string, last, now time.Time) time.Time {
	e, ok := s.jobs[name]
	if !ok || last.IsZero() {
		return time.Time{}
	}
	var missed time.Time
	for t := e.sched.Next(last.In(s.Loc)); !t.After(now); t = e.sched.Next(t) {
		missed = t
	}
	return missed
}

// SlotOf is the slot of a run as of at: its minute in the scheduler's zone.
// A cron firing runs a few milliseconds after its minute on every replica,
// and a catch-up as of the scheduled time itself: all name the same slot.
func (s *Scheduler) SlotOf(at time.Time) time.Time {
	return at.In(s.Loc).Truncate(time.Minute)
}

// RunNow runs job as of at, by hand, unless its slot ran (a *RanError
// names when) or a run of the job is in progress (ErrBusy).
func (s *Scheduler) RunNow(ctx context.Context, name string, at time.Time) error {
	return s.manual(ctx, name, at, false)
}

// RunAgain runs job as of at by hand even if its slot ran; the run is
// recorded as any other.
func (s *Scheduler) RunAgain(ctx context.Context, name string, at time.Time) error {
	return s.manual(ctx, name, at, true)
}

func (s *Scheduler) manual(ctx context.Context, name string, at time.Time, again bool) error {
	e, ok := s.jobs[name]
	if !ok {
		return fmt.Errorf("schedule: no job %q", name)
	}
	return s.run(ctx, e, at, claim{again: again, kind: "manual"})
}

// claim says how a run claims its slot, and how it is counted.
type claim struct {
	again, takeover bool
	kind            string
}

// busyError is ErrBusy with the end of the lease that holds the job.
type busyError struct{ until time.Time }

func (e busyError) Error() string        { return ErrBusy.Error() }
func (e busyError) Is(target error) bool { return target == ErrBusy }

// errGivenBack refuses a takeover of a slot whose run failed: the next
// start's catch-up tries it again.
var errGivenBack = errors.New("schedule: slot given back after a failure")

// run claims the slot of at, runs job as of at — recovered, timed out, the
// claim renewed meanwhile — and records the slot done, or gives it back if
// the run failed.
func (s *Scheduler) run(ctx context.Context, e *entry, at time.Time, c claim) error {
	slot := s.SlotOf(at)
	now := s.Now()
	owner := s.owner + "/" + strconv.FormatUint(s.seq.Add(1), 10)
	ok, ran, held, err := s.Slots.ClaimSlot(ctx, e.Name, slot, owner, now, now.Add(s.Lease), c.again, c.takeover)
	switch {
	case err != nil:
		return fmt.Errorf("schedule: claim %s: %w", e.Name, err)
	case ok:
	case !held.IsZero():
		return busyError{held}
	case !ran.IsZero():
		return &RanError{Job: e.Name, Slot: slot, End: ran}
	default:
		return errGivenBack
	}
	s.Count.JobRun(e.Name, c.kind)
	keep := context.WithoutCancel(ctx) // the outcome is recorded even at shutdown
	runCtx, cancel := context.WithTimeout(ctx, e.Timeout)
	renewed := make(chan struct{})
	go func() {
		defer close(renewed)
		s.renew(runCtx, e.Name, slot, owner)
	}()
	start := s.Now()
	err = s.safeRun(runCtx, e, at)
	cancel()
	<-renewed
	log := s.Log.With("job", e.Name, "at", at.In(s.Loc).Format(time.RFC3339), "took", s.Now().Sub(start))
	if err != nil {
		log.Error("job failed", "err", err)
		if rerr := s.Slots.ReleaseSlot(keep, e.Name, slot, owner); rerr != nil {
			log.Warn("slot not given back: it is free when its lease runs out", "err", rerr)
		}
		return err
	}
	if err := s.Slots.DoneSlot(keep, e.Name, slot, s.Now()); err != nil {
		return fmt.Errorf("schedule: record %s: %w", e.Name, err)
	}
	log.Info("job done")
	return nil
}

// renew extends the claim until the run ends (ctx, which its timeout also
// ends: a job that ignores its context loses the slot a lease later).
func (s *Scheduler) renew(ctx context.Context, job string, slot time.Time, owner string) {
	t := time.NewTicker(s.Lease / 3)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		ok, err := s.Slots.RenewSlot(ctx, job, slot, owner, s.Now().Add(s.Lease))
		if err != nil && ctx.Err() == nil {
			s.Log.Warn("claim not renewed", "job", job, "err", err)
		}
		if err == nil && !ok {
			s.Log.Warn("claim lost: its lease ran out and another took the slot", "job", job)
			return
		}
	}
}

func (s *Scheduler) safeRun(ctx context.Context, e *entry, at time.Time) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("schedule: job %s panicked: %v\n%s", e.Name, p, debug.Stack())
		}
	}()
	return e.Run(ctx, at)
}
