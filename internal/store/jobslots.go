package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// ClaimSlot takes job's slot (a whole minute) for owner until until, in one
// statement, so that of any number of claimers, in this process or others
// on the file, one wins. It is refused while any claim of the job is live
// at now (runs of a job never overlap), and for a slot that ran, unless
// again (an operator's deliberate rerun). takeover claims only a slot never
// claimed or whose holder's lease ran out (it died), not one given back
// after a failure: that waits for the next start's catch-up. Refused, it
// says when the slot's last run ended (zero: never) and until when a live
// claim of the job holds it (zero: none).
func (db *DB) ClaimSlot(ctx context.Context, job string, slot time.Time, owner string, now, until time.Time,
	again, takeover bool) (ok bool, ran, held time.Time, err error) {
	if owner == "" {
		return false, time.Time{}, time.Time{}, fmt.Errorf("store: claim %s slot: no owner", job)
	}
	res, err := db.w.ExecContext(ctx, `INSERT INTO job_slots (job, slot, owner, lease_until)
		SELECT :job, :slot, :owner, :until
		WHERE NOT EXISTS (SELECT 1 FROM job_slots WHERE job = :job AND lease_until > :now)
		ON CONFLICT (job, slot) DO UPDATE SET owner = excluded.owner, lease_until = excluded.lease_until
		WHERE (done_at IS NULL OR :again) AND (NOT :takeover OR owner <> '')`,
		sql.Named("job", job), sql.Named("slot", slot.Unix()), sql.Named("owner", owner),
		sql.Named("until", until.UnixMilli()), sql.Named("now", now.UnixMilli()),
		sql.Named("again", again), sql.Named("takeover", takeover))
	if err != nil {
		return false, time.Time{}, time.Time{}, fmt.Errorf("store: claim %s slot %d: %w", job, slot.Unix(), err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return err == nil, time.Time{}, time.Time{}, err
	}
	var ms sql.NullInt64
	err = db.r.QueryRowContext(ctx, `SELECT (SELECT done_at FROM job_slots WHERE job = :job AND slot = :slot),
		(SELECT max(lease_until) FROM job_slots WHERE job = :job AND lease_until > :now)`,
		sql.Named("job", job), sql.Named("slot", slot.Unix()), sql.Named("now", now.UnixMilli())).Scan(timeScan{&ran}, &ms)
	if err != nil {
		return false, time.Time{}, time.Time{}, fmt.Errorf("store: claim %s slot %d: %w", job, slot.Unix(), err)
	}
	if ms.Valid {
		held = time.UnixMilli(ms.Int64)
	}
	return false, ran, held, nil
}

// RenewSlot moves owner's lease on job's slot to until; false means the
// claim is no longer owner's (it ran out and another took the slot).
func (db *DB) RenewSlot(ctx context.Context, job string, slot time.Time, owner string, until time.Time) (bool, error) {
	res, err := db.w.ExecContext(ctx, `UPDATE job_slots SET lease_until = ?
		WHERE job = ? AND slot = ? AND owner = ? AND lease_until > 0`, until.UnixMilli(), job, slot.Unix(), owner)
	if err != nil {
		return false, fmt.Errorf("store: renew %s slot %d: %w", job, slot.Unix(), err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// ReleaseSlot gives owner's claim on job's slot back after a failed run:
// the slot can be claimed again (not taken over), and has not run.
func (db *DB) ReleaseSlot(ctx context.Context, job string, slot time.Time, owner string) error {
	_, err := db.w.ExecContext(ctx, `UPDATE job_slots SET owner = '', lease_until = 0
		WHERE job = ? AND slot = ? AND owner = ?`, job, slot.Unix(), owner)
	if err != nil {
		return fmt.Errorf("store: release %s slot %d: %w", job, slot.Unix(), err)
	}
	return nil
}

// DoneSlot records that job's slot ran, ending at at, and that the job ran
// as of the slot (LastRun, which the catch-up reads), in one transaction.
func (db *DB) DoneSlot(ctx context.Context, job string, slot time.Time, at time.Time) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE job_slots SET done_at = ?, lease_until = 0 WHERE job = ? AND slot = ?`,
			at.Unix(), job, slot.Unix()); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, setLastRun, job, slot.Unix())
		return err
	})
	if err != nil {
		return fmt.Errorf("store: done %s slot %d: %w", job, slot.Unix(), err)
	}
	return nil
}
