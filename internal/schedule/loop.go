package schedule

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
)

// Run catches up the runs missed while no process was up, then runs each
// job on its schedule until ctx is cancelled, and waits for the runs in
// progress to finish.
func (s *Scheduler) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	for _, j := range s.Jobs() {
		last, err := s.Slots.LastRun(ctx, j.Name)
		if err != nil {
			return err
		}
		now := s.Now()
		if missed := s.Missed(j.Name, last, now); !missed.IsZero() {
			s.Log.Info("catching up", "job", j.Name, "missed", missed.In(s.Loc).Format(time.RFC3339))
			s.fire(ctx, &wg, s.jobs[j.Name], missed, "catchup")
		} else if last.IsZero() {
			// First start: nothing was missed; remember from when to count.
			if err := s.Slots.SetLastRun(ctx, j.Name, now); err != nil {
				return err
			}
		}
	}
	c := cron.New(cron.WithLocation(s.Loc), cron.WithParser(parser))
	for _, j := range s.Jobs() {
		e := s.jobs[j.Name]
		if _, err := c.AddFunc(j.Spec, func() {
			wg.Add(1)
			defer wg.Done()
			s.fire(ctx, &wg, e, s.SlotOf(s.Now()), "scheduled")
		}); err != nil {
			return err
		}
	}
	c.Start()
	<-ctx.Done()
	<-c.Stop().Done()
	return nil
}

// fire runs e's slot as the schedule asks. A slot that ran is skipped; one
// held by a run elsewhere is followed: if that run's process dies, its
// lease runs out and this one takes the slot over.
func (s *Scheduler) fire(ctx context.Context, wg *sync.WaitGroup, e *entry, slot time.Time, kind string) {
	err := s.run(ctx, e, slot, claim{kind: kind})
	var busy busyError
	switch {
	case errors.As(err, &busy):
		s.Count.JobRun(e.Name, "skipped")
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.follow(ctx, e, slot, busy.until)
		}()
	case errors.Is(err, ErrRan):
		s.Count.JobRun(e.Name, "skipped")
		s.Log.Debug("slot ran already", "job", e.Name, "slot", slot.Format(time.RFC3339))
	case err != nil && ctx.Err() == nil:
		s.Log.Warn(kind+" run failed", "job", e.Name, "err", err)
	}
}

// follow waits for the lease that holds e's job to end, then takes slot
// over unless it ran, was given back after a failure, or ctx ends; a lease
// renewed is waited for again. Replicas that follow one slot wake a
// little apart, and one takes it.
func (s *Scheduler) follow(ctx context.Context, e *entry, slot, until time.Time) {
	for {
		wait := until.Sub(s.Now()) + time.Duration(rand.Int64N(int64(time.Second)))
		select {
		case <-ctx.Done():
			return
		case <-time.After(max(wait, 100*time.Millisecond)):
		}
		err := s.run(ctx, e, slot, claim{takeover: true, kind: "catchup"})
		var busy busyError
		if !errors.As(err, &busy) {
			if err != nil && !errors.Is(err, ErrRan) && !errors.Is(err, errGivenBack) && ctx.Err() == nil {
				s.Log.Warn("run of a slot taken over failed", "job", e.Name, "err", err)
			}
			return
		}
		until = busy.until
	}
}
