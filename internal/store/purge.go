package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// purgeable says, for each name the retention purge uses, the table, its
// time column (unix seconds) and what else a row must be to go (:before is
// the cutoff, :now_ms the clock):
//   - outbox: rows done with (sent, failed, stopped or cancelled), created and last
//     due before the cutoff; queued rows are never purged;
//   - inbox: webhook deliveries received before the cutoff and not in a
//     worker's hands. Handled and given-up ones are deleted at once
//     (DoneInbound); one left that old was never drained (its channel was
//     switched off or to polling) and will not be;
//   - lookups: lookup attempts made before the cutoff;
//   - slots: the record of jobs' slots (which ran) before the cutoff, none
//     held by a live claim;
//   - photos: announcements' kept photos whose announcement was done or
//     cancelled before the cutoff.
var purgeable = map[string]struct{ table, at, also string }{
	"slots":   {"job_slots", "slot", "lease_until <= :now_ms"},
	"outbox":  {"outbox", "created_at", "status <> 'queued' AND coalesce(sent_at, next_at) < :before"},
	"inbox":   {"inbox", "received_at", "lease_until <= :now_ms"},
	"lookups": {"lookup_attempts", "at", "1"},
	"photos":  {"announcement_photos", "fetched_at", annPhotoGone},
}

// PurgeBounds returns the ids the purge of what must walk: from the first
// row to the last one made before before (hi 0: none is that old). It
// reads on the query pool, so the scan holds up no writer.
func (db *DB) PurgeBounds(ctx context.Context, what string, before time.Time) (lo, hi int64, err error) {
	p, ok := purgeable[what]
	if !ok {
		return 0, 0, fmt.Errorf("store: purge %q: unknown", what)
	}
	var l, h sql.NullInt64
	err = db.r.QueryRowContext(ctx, `SELECT (SELECT min(id) FROM `+p.table+`),
		(SELECT max(id) FROM `+p.table+` WHERE `+p.at+` < ?)`, before.Unix()).Scan(&l, &h)
	if err != nil {
		return 0, 0, fmt.Errorf("store: purge %s: bounds: %w", what, err)
	}
	return l.Int64, h.Int64, nil
}

// PurgeIDs deletes the rows of what with ids from from to to (inclusive)
// that are past before, in one short write transaction, and says how many
// went. A range of ids walks the table in order: no index is needed, and
// the writer is held only as long as the range takes.
func (db *DB) PurgeIDs(ctx context.Context, what string, before time.Time, from, to int64) (int, error) {
	p, ok := purgeable[what]
	if !ok {
		return 0, fmt.Errorf("store: purge %q: unknown", what)
	}
	res, err := db.w.ExecContext(ctx, `DELETE FROM `+p.table+` WHERE id BETWEEN :from AND :to
		AND `+p.at+` < :before AND `+p.also,
		sql.Named("from", from), sql.Named("to", to), sql.Named("before", before.Unix()),
		sql.Named("now_ms", db.now().UnixMilli()))
	if err != nil {
		return 0, fmt.Errorf("store: purge %s: %w", what, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: purge %s: %w", what, err)
	}
	return int(n), nil
}
