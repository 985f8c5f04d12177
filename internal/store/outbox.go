package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"xabot/internal/domain"
)

const outboxColumns = `id, key, recipient, priority, payload, status, attempts, next_at,
	last_error, created_at, sent_at, parts_sent, lease_owner`

// stoppedError is last_error of the rows StopChat takes out of the queue.
const stoppedError = "stopped: the chat blocked the bot"

func scanOutgoing(s scanner) (domain.Outgoing, error) {
	var m domain.Outgoing
	err := s.Scan(&m.ID, &m.Key, &m.To, &m.Priority, &m.Payload, &m.Status, &m.Attempts,
		timeScan{&m.NextAt}, &m.LastError, timeScan{&m.CreatedAt}, timeScan{&m.SentAt}, &m.PartsSent, &m.Lease)
	return m, err
}

// ceilUnix is t in unix seconds rounded up, so a "not before" time stored to
// the second is never earlier than asked.
func ceilUnix(t time.Time) int64 {
	s := t.Unix()
	if t.Nanosecond() > 0 {
		s++
	}
	return s
}

// Enqueue queues m.Key, m.To, m.Priority and m.Payload (JSON) as a queued
// row; the other fields are ignored except NextAt (zero: now; otherwise
// rounded up to the second) and CreatedAt (zero: now). It returns true when
// a row was written and false when the key is already queued, whatever that
// row's state: jobs that run again queue nothing twice.
//
// A recipient in stopped_chats (it blocked the bot and has not written
// since) gets nothing: Enqueue returns false and writes no row, so a
// message is not kept for a person who refused it; once they write again
// (ResumeChat) new messages are queued as usual.
func (db *DB) Enqueue(ctx context.Context, m domain.Outgoing) (bool, error) {
	if m.Key == "" || m.To == "" {
		return false, fmt.Errorf("store: enqueue: key and recipient are required")
	}
	now := db.now()
	next := now.Unix()
	if !m.NextAt.IsZero() {
		next = ceilUnix(m.NextAt)
	}
	created := m.CreatedAt
	if created.IsZero() {
		created = now
	}
	// The SELECT's WHERE both skips stopped chats and lets SQLite parse
	// the upsert clause after a SELECT.
	res, err := db.w.ExecContext(ctx, `INSERT INTO outbox
		(key, recipient, priority, payload, status, attempts, next_at, last_error, created_at)
		SELECT ?, ?, ?, ?, 'queued', 0, ?, '', ?
		WHERE NOT EXISTS (SELECT 1 FROM stopped_chats WHERE recipient = ?)
		ON CONFLICT (key) DO NOTHING`,
		m.Key, m.To, m.Priority, string(m.Payload), next, created.Unix(), m.To)
	if err != nil {
		return false, fmt.Errorf("store: enqueue %q: %w", m.Key, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: enqueue %q: %w", m.Key, err)
	}
	return n == 1, nil
}

// DueOutgoing returns up to limit queued rows whose next_at is at or before
// now, highest priority first, then oldest first, with at most one row per
// recipient: that recipient's first in the same order. It only reads (what
// is waiting, for tests and tools); a sender claims rows with ClaimOutgoing.
func (db *DB) DueOutgoing(ctx context.Context, now time.Time, limit int) ([]domain.Outgoing, error) {
	if limit <= 0 {
		return nil, nil
	}
	// The window sorts ids only; the rows are read by id afterwards.
	rows, err := db.r.QueryContext(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE id IN (
			SELECT id FROM (
				SELECT id, priority,
					row_number() OVER (PARTITION BY recipient ORDER BY priority DESC, id) AS nth
				FROM outbox WHERE status = 'queued' AND next_at <= ?)
			WHERE nth = 1 ORDER BY priority DESC, id LIMIT ?)
		ORDER BY priority DESC, id`, now.Unix(), limit)
	return collect(rows, err, "due outgoing", scanOutgoing)
}

// Outgoing returns the row queued under key; an unknown key wraps
// domain.ErrNotFound.
func (db *DB) Outgoing(ctx context.Context, key string) (domain.Outgoing, error) {
	m, err := scanOutgoing(db.r.QueryRowContext(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE key = ?`, key))
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Outgoing{}, fmt.Errorf("store: outgoing %q: %w", key, domain.ErrNotFound)
	}
	if err != nil {
		return domain.Outgoing{}, fmt.Errorf("store: outgoing %q: %w", key, err)
	}
	return m, nil
}

// MarkSent records the delivery of row id at at, counting the attempt. It
// is for a row no sender holds (tools, tests): a claimed row's outcome is
// recorded by its claim (SettleOutgoing), and MarkSent refuses it with
// domain.ErrNotFound.
func (db *DB) MarkSent(ctx context.Context, id int64, at time.Time) error {
	return db.markOutgoing(ctx, "mark sent", id, `UPDATE outbox
		SET status = 'sent', sent_at = ?, attempts = attempts + 1 WHERE id = ? AND lease_owner = ''`, at.Unix(), id)
}

// MarkFailed counts a last failed attempt of row id and gives it up; like
// MarkSent, only for a row no sender holds.
func (db *DB) MarkFailed(ctx context.Context, id int64, lastErr string) error {
	return db.markOutgoing(ctx, "mark failed", id, `UPDATE outbox
		SET status = 'failed', attempts = attempts + 1, last_error = ? WHERE id = ? AND lease_owner = ''`, lastErr, id)
}

// markOutgoing runs one update of one row; no such row wraps
// domain.ErrNotFound.
func (db *DB) markOutgoing(ctx context.Context, what string, id int64, q string, args ...any) error {
	res, err := db.w.ExecContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("store: outgoing %d: %s: %w", id, what, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: outgoing %d: %s: %w", id, what, err)
	}
	if n == 0 {
		return fmt.Errorf("store: outgoing %d: %s: %w", id, what, domain.ErrNotFound)
	}
	return nil
}

// StopChat records that recipient blocked the bot at at, and stops its
// queued rows, in one transaction. Calling it again keeps the first time.
func (db *DB) StopChat(ctx context.Context, recipient string, at time.Time) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO stopped_chats (recipient, at) VALUES (?, ?)
			ON CONFLICT (recipient) DO NOTHING`, recipient, at.Unix())
		if err != nil {
			return fmt.Errorf("store: stop chat: %w", err)
		}
		_, err = tx.ExecContext(ctx, `UPDATE outbox SET status = 'stopped', last_error = ?
			WHERE recipient = ? AND status = 'queued'`, stoppedError, recipient)
		if err != nil {
			return fmt.Errorf("store: stop chat: %w", err)
		}
		return nil
	})
}

// ResumeChat lets messages be queued to recipient again; the router calls
// it when the person writes to the bot. Rows stopped earlier stay stopped:
// they are stale by then.
//
// Nearly every chat was never stopped: that is read on a reader, and only a
// stopped chat takes the one writer (each command calls this). A stop
// recorded between the read and now came after the person wrote, and
// stands, as it would after the delete.
func (db *DB) ResumeChat(ctx context.Context, recipient string) error {
	var stopped bool
	if err := db.read.stopped.QueryRowContext(ctx, recipient).Scan(&stopped); err != nil {
		return fmt.Errorf("store: resume chat: %w", err)
	}
	if !stopped {
		return nil
	}
	if _, err := db.execGrouped(ctx, `DELETE FROM stopped_chats WHERE recipient = ?`, recipient); err != nil {
		return fmt.Errorf("store: resume chat: %w", err)
	}
	return nil
}

// OutboxCounts returns how many rows are in each state; every state is
// present, with 0 when it has none.
func (db *DB) OutboxCounts(ctx context.Context) (map[string]int, error) {
	out := map[string]int{domain.OutQueued: 0, domain.OutSent: 0, domain.OutFailed: 0, domain.OutStopped: 0}
	rows, err := db.r.QueryContext(ctx, `SELECT status, count(*) FROM outbox GROUP BY status`)
	if err != nil {
		return nil, fmt.Errorf("store: outbox counts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var status string
		var n int
		if err := rows.Scan(&status, &n); err != nil {
			return nil, fmt.Errorf("store: outbox counts: %w", err)
		}
		out[status] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: outbox counts: %w", err)
	}
	return out, nil
}
