package store

import (
	"context"
	"fmt"
	"time"

	"xabot/internal/domain"
)

// RecordLookup stores one second-factor check.
func (db *DB) RecordLookup(ctx context.Context, a domain.LookupAttempt) error {
	ok := 0
	if a.OK {
		ok = 1
	}
	at := a.At
	if at.IsZero() {
		at = db.now()
	}
	_, err := db.w.ExecContext(ctx, `INSERT INTO lookup_attempts (user_key, code, ok, at) VALUES (?, ?, ?, ?)`,
		a.User, a.Code, ok, at.Unix())
	if err != nil {
		return fmt.Errorf("store: lookup attempt on %q: %w", a.Code, err)
	}
	return nil
}

// FailedLookups returns the times of user's failed checks at or after
// since, oldest first.
func (db *DB) FailedLookups(ctx context.Context, user string, since time.Time) ([]time.Time, error) {
	rows, err := db.read.failedLookups.QueryContext(ctx, user, since.Unix())
	if err != nil {
		return nil, fmt.Errorf("store: failed lookups of %q: %w", user, err)
	}
	defer rows.Close()
	var out []time.Time
	for rows.Next() {
		var t time.Time
		if err := rows.Scan(timeScan{&t}); err != nil {
			return nil, fmt.Errorf("store: failed lookups of %q: %w", user, err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: failed lookups of %q: %w", user, err)
	}
	return out, nil
}

// FailedLookupsOnCode counts failed checks on one code at or after since,
// by anyone.
func (db *DB) FailedLookupsOnCode(ctx context.Context, code string, since time.Time) (int, error) {
	var n int
	err := db.r.QueryRowContext(ctx, `SELECT count(*) FROM lookup_attempts
		WHERE code = ? AND at >= ? AND ok = 0`, code, since.Unix()).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: failed lookups on %q: %w", code, err)
	}
	return n, nil
}
