package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"xabot/internal/domain"
)

// chatMemory is how long after its gap a chat's pacing is kept: past it,
// the chat is as one never sent to.
const chatMemory = time.Minute

// heads are the rows a sender may claim: each chat's first queued row, by
// id, so that a chat's next row waits for the one before it. With the
// claim's filters it is the start of both queries below.
const heads = `
	WITH heads AS (SELECT min(id) AS id FROM outbox WHERE status = 'queued' GROUP BY recipient)
	SELECT %s FROM heads JOIN outbox o ON o.id = heads.id
	LEFT JOIN outbox_chats c ON c.recipient = o.recipient
	WHERE o.next_at <= :now
	  AND (:all OR EXISTS (SELECT 1 FROM json_each(:only) WHERE o.recipient GLOB json_each.value))`

// ClaimOutgoing leases to c.Owner, until c.Clock+c.Lease, up to c.Limit
// rows it may send now (see domain.Claim), in one write transaction: two
// senders never hold one row. Each row comes with its claim's token
// (Outgoing.Lease), which SettleOutgoing and RenewLeases ask for. When it
// claims nothing, wait is the earliest time (real clock) a due row's chat
// or lease lets it go; zero when none waits for that (nothing is due, or
// only later).
func (db *DB) ClaimOutgoing(ctx context.Context, c domain.Claim) (rows []domain.Outgoing, wait time.Time, err error) {
	if c.Owner == "" || c.Limit <= 0 || c.Lease <= 0 {
		return nil, time.Time{}, fmt.Errorf("store: claim outgoing: owner, limit and lease are required")
	}
	only, err := json.Marshal(c.Only)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("store: claim outgoing: %w", err)
	}
	clock := c.Clock.UnixMilli()
	args := []any{sql.Named("now", c.Now.Unix()), sql.Named("clock", clock),
		sql.Named("all", len(c.Only) == 0), sql.Named("only", string(only)), sql.Named("limit", c.Limit)}
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM outbox_chats WHERE next_ms < ?`,
			c.Clock.Add(-chatMemory).UnixMilli()); err != nil {
			return err
		}
		q := fmt.Sprintf(heads, "o.id") + ` AND o.lease_until <= :clock AND coalesce(c.next_ms, 0) <= :clock
			ORDER BY o.priority DESC, coalesce(c.last_ms, 0), o.id LIMIT :limit`
		rs, err := tx.QueryContext(ctx, q, args...)
		ids, err := collect(rs, err, "heads", func(s scanner) (id int64, err error) { return id, s.Scan(&id) })
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			q := fmt.Sprintf(heads, "min(max(o.lease_until, coalesce(c.next_ms, 0)))") +
				` AND (o.lease_until > :clock OR c.next_ms > :clock)`
			var ms sql.NullInt64
			if err := tx.QueryRowContext(ctx, q, args...).Scan(&ms); err != nil {
				return err
			}
			if ms.Valid {
				wait = time.UnixMilli(ms.Int64)
			}
			return nil
		}
		until := c.Clock.Add(c.Lease).UnixMilli()
		for _, id := range ids {
			token := c.Owner + "/" + strconv.FormatInt(id, 10) + "/" + strconv.FormatInt(clock, 10)
			m, err := scanOutgoing(tx.QueryRowContext(ctx, `UPDATE outbox SET lease_owner = ?, lease_until = ?
				WHERE id = ? RETURNING `+outboxColumns, token, until, id))
			if err != nil {
				return err
			}
			rows = append(rows, m)
		}
		return nil
	})
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("store: claim outgoing: %w", err)
	}
	return rows, wait, nil
}

// SettleOutgoing records a's outcome on its row and gives the lease back,
// with the chat's pacing, in one write transaction; only the claim that
// holds the row may: another's token (the lease ran out and another
// sender took the row) or a row no longer queued (stopped, or given up by
// another) wraps domain.ErrConflict, a row deleted (/xoadulieu)
// domain.ErrNotFound.
func (db *DB) SettleOutgoing(ctx context.Context, a domain.Attempt) error {
	if a.Lease == "" {
		return fmt.Errorf("store: settle outgoing %d: no lease", a.ID)
	}
	counted := 0
	if a.Counted {
		counted = 1
	}
	var next, sent any
	if !a.NextAt.IsZero() {
		next = ceilUnix(a.NextAt)
	}
	if a.Status == domain.OutSent {
		sent = a.At.Unix()
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET status = :status, attempts = attempts + :counted,
				parts_sent = max(parts_sent, :parts), next_at = coalesce(:next, next_at),
				last_error = CASE WHEN :err = '' THEN last_error ELSE :err END,
				sent_at = coalesce(:sent, sent_at), lease_owner = '', lease_until = 0
			WHERE id = :id AND status = 'queued' AND lease_owner = :lease`,
			sql.Named("status", a.Status), sql.Named("counted", counted), sql.Named("parts", a.Parts),
			sql.Named("next", next), sql.Named("err", a.LastError), sql.Named("sent", sent),
			sql.Named("id", a.ID), sql.Named("lease", a.Lease))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			if err != nil {
				return err
			}
			var status string
			if err := tx.QueryRowContext(ctx, `SELECT status FROM outbox WHERE id = ?`, a.ID).Scan(&status); errors.Is(err, sql.ErrNoRows) {
				return domain.ErrNotFound
			}
			return fmt.Errorf("%w: the row is %s and its lease is not this claim's", domain.ErrConflict, status)
		}
		if a.ChatLast.IsZero() {
			return nil
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO outbox_chats (recipient, last_ms, next_ms)
			SELECT recipient, :last, :next FROM outbox WHERE id = :id
			ON CONFLICT (recipient) DO UPDATE SET last_ms = max(last_ms, excluded.last_ms),
				next_ms = max(next_ms, excluded.next_ms)`,
			sql.Named("last", a.ChatLast.UnixMilli()), sql.Named("next", a.ChatNext.UnixMilli()), sql.Named("id", a.ID))
		return err
	})
	if err != nil {
		return fmt.Errorf("store: settle outgoing %d: %w", a.ID, err)
	}
	return nil
}

// RecentCalls returns when the last call to each chat ended, for the chats
// whose last call ended after since: a restarted sender counts them in its
// window.
func (db *DB) RecentCalls(ctx context.Context, since time.Time) ([]time.Time, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT last_ms FROM outbox_chats WHERE last_ms > ? ORDER BY last_ms`, since.UnixMilli())
	return collect(rows, err, "recent calls", func(s scanner) (time.Time, error) {
		var ms int64
		err := s.Scan(&ms)
		return time.UnixMilli(ms), err
	})
}

// RenewLeases holds the rows of leases (id → the claim's token) until
// until, those still held by that claim; a sender renews the rows in its
// hands so that a long call does not lose them.
func (db *DB) RenewLeases(ctx context.Context, leases map[int64]string, until time.Time) error {
	if len(leases) == 0 {
		return nil
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		for id, token := range leases {
			if _, err := tx.ExecContext(ctx, `UPDATE outbox SET lease_until = ?
				WHERE id = ? AND status = 'queued' AND lease_owner = ?`, until.UnixMilli(), id, token); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: renew leases: %w", err)
	}
	return nil
}

// CountQueued is how many outbox rows wait to be sent.
func (db *DB) CountQueued(ctx context.Context) (int, error) {
	var n int
	if err := db.r.QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE status = 'queued'`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count queued: %w", err)
	}
	return n, nil
}
