package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"xabot/internal/domain"
)

// PutInbound stores a webhook delivery. It reports false when the same
// (channel, key) is already waiting: a platform's retry while the first
// delivery is still in hand.
func (db *DB) PutInbound(ctx context.Context, in domain.Inbound, at time.Time) (bool, error) {
	res, err := db.w.ExecContext(ctx, `INSERT INTO inbox (channel, key, grp, body, received_at, next_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (channel, key) DO NOTHING`,
		in.Channel, in.Key, in.Group, in.Body, at.Unix(), at.UnixMilli())
	if err != nil {
		return false, fmt.Errorf("store: inbox put %s: %w", in.Channel, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: inbox put %s: %w", in.Channel, err)
	}
	return n == 1, nil
}

// TakeInbound leases up to limit due deliveries of channel, oldest first,
// until now+lease; a worker that dies lets the lease run out and the rows
// are taken again.
func (db *DB) TakeInbound(ctx context.Context, channel string, now time.Time, lease time.Duration, limit int) ([]domain.Inbound, error) {
	var out []domain.Inbound
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		ms := now.UnixMilli()
		// A row waits while an earlier one of its sender is waiting for a
		// retry or in another worker's hands: one sender's updates keep order.
		rows, err := tx.QueryContext(ctx, `SELECT id, channel, key, grp, body, attempts FROM inbox AS i
			WHERE channel = ? AND next_at <= ? AND lease_until <= ?
			  AND NOT EXISTS (SELECT 1 FROM inbox AS e WHERE e.channel = i.channel AND e.grp = i.grp AND e.id < i.id
			                  AND (e.next_at > ? OR e.lease_until > ?))
			ORDER BY id LIMIT ?`, channel, ms, ms, ms, ms, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var in domain.Inbound
			if err := rows.Scan(&in.ID, &in.Channel, &in.Key, &in.Group, &in.Body, &in.Attempts); err != nil {
				return err
			}
			out = append(out, in)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		until := now.Add(lease).UnixMilli()
		for _, in := range out {
			if _, err := tx.ExecContext(ctx, `UPDATE inbox SET lease_until = ? WHERE id = ?`, until, in.ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: inbox take %s: %w", channel, err)
	}
	return out, nil
}

// DoneInbound deletes a handled (or given up) delivery.
func (db *DB) DoneInbound(ctx context.Context, id int64) error {
	if _, err := db.w.ExecContext(ctx, `DELETE FROM inbox WHERE id = ?`, id); err != nil {
		return fmt.Errorf("store: inbox done %d: %w", id, err)
	}
	return nil
}

// ReleaseInbound gives a leased delivery back untouched.
func (db *DB) ReleaseInbound(ctx context.Context, id int64) error {
	if _, err := db.w.ExecContext(ctx, `UPDATE inbox SET lease_until = 0 WHERE id = ?`, id); err != nil {
		return fmt.Errorf("store: inbox release %d: %w", id, err)
	}
	return nil
}

// RetryInbound counts a failed attempt and releases the delivery until at.
func (db *DB) RetryInbound(ctx context.Context, id int64, at time.Time) error {
	_, err := db.w.ExecContext(ctx, `UPDATE inbox SET attempts = attempts + 1, next_at = ?, lease_until = 0 WHERE id = ?`,
		at.UnixMilli(), id)
	if err != nil {
		return fmt.Errorf("store: inbox retry %d: %w", id, err)
	}
	return nil
}

// InboundCount is how many deliveries of channel wait (health and tests).
func (db *DB) InboundCount(ctx context.Context, channel string) (int, error) {
	var n int
	if err := db.r.QueryRowContext(ctx, `SELECT count(*) FROM inbox WHERE channel = ?`, channel).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: inbox count %s: %w", channel, err)
	}
	return n, nil
}
