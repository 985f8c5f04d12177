// Package retention deletes what xabot no longer needs: outbox rows done
// with (sent, failed, stopped) and stale webhook deliveries after the
// retention period, lookup attempts once the guessing limits no longer
// count them, the record of jobs' slots after some weeks, and an
// announcement's photo some days after the announcement ended. It deletes by ranges of ids, one short transaction each,
// with a pause between them: the outbox worker and the router share
// SQLite's one writer, and each waits at most one range.
package retention

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"xabot/internal/domain"
)

// What to purge, by the names the store knows.
const (
	Outbox  = "outbox"  // messages done with (sent, failed, stopped); never queued ones
	Inbox   = "inbox"   // webhook deliveries never drained
	Lookups = "lookups" // lookup attempts
	Slots   = "slots"   // which slots of the scheduled jobs ran
	Photos  = "photos"  // announcements' photos, after the announcement ended
)

// Repo is the storage the purge needs; *store.DB satisfies it.
type Repo interface {
	// PurgeBounds returns the ids to walk for what: from the first row to
	// the last one made before before (hi 0: none is that old).
	PurgeBounds(ctx context.Context, what string, before time.Time) (lo, hi int64, err error)
	// PurgeIDs deletes what's rows with ids from from to to that are past
	// before, in one transaction, and says how many went.
	PurgeIDs(ctx context.Context, what string, before time.Time, from, to int64) (int, error)
}

// Policy says what is kept how long, and how the purge paces itself.
type Policy struct {
	Keep    time.Duration // outbox rows done with, webhook deliveries (XABOT_RETENTION_DAYS)
	Lookups time.Duration // lookup attempts: the longest window of the guessing limits
	Slots   time.Duration // jobs' slots: how far back a rerun by hand is refused (DefaultSlots)
	Photos  time.Duration // announcements' photos after the end (domain.AnnouncementPhotoKeep)
	Batch   int           // ids per transaction (so at most that many rows)
	Pause   time.Duration // between transactions: the other writers' turn
}

// Pacing of the purge. A batch of 2,000 outbox rows takes ~10 ms on a
// small machine; the writer connection goes straight to a waiting writer
// when a batch commits, and a 1 ms pause after it lets the router in too.
const (
	DefaultBatch = 2000
	DefaultPause = time.Millisecond
)

// DefaultSlots keeps four weeks of jobs' slots: past them no replica or
// catch-up comes back to a slot (the catch-up runs only the latest missed
// one), and only `xabot jobs run --at` so far back would run one again
// unasked. The every-minute push makes ~40,000 rows in that time.
const DefaultSlots = 28 * 24 * time.Hour

// Report counts the rows a purge deleted.
type Report struct {
	Outbox, Inbox, Lookups, Slots, Photos int
}

// Total is every row deleted.
func (r Report) Total() int { return r.Outbox + r.Inbox + r.Lookups + r.Slots + r.Photos }

// Service purges.
type Service struct {
	repo   Repo
	policy Policy
	log    *slog.Logger
}

// New returns a Service; a zero Batch or Slots or a negative Pause takes
// the default.
func New(repo Repo, policy Policy, log *slog.Logger) *Service {
	if policy.Batch <= 0 {
		policy.Batch = DefaultBatch
	}
	if policy.Slots <= 0 {
		policy.Slots = DefaultSlots
	}
	if policy.Photos <= 0 {
		policy.Photos = domain.AnnouncementPhotoKeep
	}
	if policy.Pause < 0 {
		policy.Pause = DefaultPause
	}
	return &Service{repo: repo, policy: policy, log: log.With("comp", "retention")}
}

// Purge deletes what is past its time as of at. It stops early, with what
// it did so far, when ctx ends; the next run goes on from there.
func (s *Service) Purge(ctx context.Context, at time.Time) (Report, error) {
	var r Report
	for _, p := range []struct {
		what   string
		before time.Time
		n      *int
	}{
		{Outbox, at.Add(-s.policy.Keep), &r.Outbox},
		{Inbox, at.Add(-s.policy.Keep), &r.Inbox},
		{Lookups, at.Add(-s.policy.Lookups), &r.Lookups},
		{Slots, at.Add(-s.policy.Slots), &r.Slots},
		{Photos, at.Add(-s.policy.Photos), &r.Photos},
	} {
		if err := s.drain(ctx, p.what, p.before, p.n); err != nil {
			return r, fmt.Errorf("retention: %s: %w", p.what, err)
		}
	}
	s.log.Info("purged", "outbox", r.Outbox, "inbox", r.Inbox, "lookups", r.Lookups, "slots", r.Slots, "photos", r.Photos)
	return r, nil
}

// drain walks what's ids in ranges of Batch, one transaction each, with a
// pause between them.
func (s *Service) drain(ctx context.Context, what string, before time.Time, total *int) error {
	lo, hi, err := s.repo.PurgeBounds(ctx, what, before)
	if err != nil || hi == 0 {
		return err
	}
	for from := lo; from <= hi; from += int64(s.policy.Batch) {
		n, err := s.repo.PurgeIDs(ctx, what, before, from, min(from+int64(s.policy.Batch)-1, hi))
		*total += n
		if err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(s.policy.Pause):
		}
	}
	return nil
}
