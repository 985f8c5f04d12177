package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"xabot/internal/domain"
)

// The inbox's statements, prepared once on the writer (migration 0017 has
// the tables and the triggers that keep inbox_senders and inbox_totals).
const (
	// The sender's and the channel's waiting rows, and whether the update
	// waits already, in one read (inside the offers' transaction).
	qInboxRoom = `SELECT EXISTS (SELECT 1 FROM inbox WHERE channel = ?1 AND key = ?2),
		coalesce((SELECT waiting FROM inbox_senders WHERE channel = ?1 AND grp = ?3), 0),
		coalesce((SELECT waiting FROM inbox_totals WHERE channel = ?1), 0)`
	// Checked by qInboxRoom first, in the same transaction.
	qInboxPut = `INSERT INTO inbox (channel, key, grp, body, received_at, next_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (channel, key) DO NOTHING`
	// The first ready senders in turn order: by the (channel, turn) index,
	// skipping only senders in hand or waiting for a retry, which a take
	// sent to the back.
	qInboxSenders = `SELECT grp FROM inbox_senders WHERE channel = ? AND ready_at <= ? ORDER BY turn LIMIT ?`
	qInboxLast    = `SELECT coalesce(max(turn), 0) FROM inbox_senders WHERE channel = ?`
	qInboxTurn    = `UPDATE inbox_senders SET turn = ? WHERE channel = ? AND grp = ?`
	qInboxHead    = `SELECT id, key, body, attempts, flood_ms, next_at, lease_until FROM inbox
		WHERE channel = ? AND grp = ? ORDER BY id LIMIT ?`
	qInboxLease   = `UPDATE inbox SET lease_until = ? WHERE id = ?`
	qInboxDone    = `DELETE FROM inbox WHERE id = ?`
	qInboxRelease = `UPDATE inbox SET lease_until = 0 WHERE id = ?`
	qInboxRetry   = `UPDATE inbox SET attempts = attempts + ?, flood_ms = flood_ms + ?, next_at = ?, lease_until = 0 WHERE id = ?`
)

type inboxStmts struct {
	room, put, senders, last, turn, head, lease, done, release, retry *sql.Stmt
}

func (db *DB) prepareInbox(ctx context.Context) error {
	for _, p := range []struct {
		to **sql.Stmt
		q  string
	}{{&db.inbox.room, qInboxRoom}, {&db.inbox.put, qInboxPut}, {&db.inbox.senders, qInboxSenders},
		{&db.inbox.last, qInboxLast}, {&db.inbox.turn, qInboxTurn}, {&db.inbox.head, qInboxHead},
		{&db.inbox.lease, qInboxLease}, {&db.inbox.done, qInboxDone}, {&db.inbox.release, qInboxRelease},
		{&db.inbox.retry, qInboxRetry}} {
		st, err := db.w.PrepareContext(ctx, p.q)
		if err != nil {
			return fmt.Errorf("store: prepare %q: %w", p.q, err)
		}
		*p.to = st
	}
	return nil
}

// PutInbound stores a webhook delivery whatever the inbox holds. It reports
// false when the same (channel, key) is already waiting: a platform's retry
// while the first delivery is still in hand.
func (db *DB) PutInbound(ctx context.Context, in domain.Inbound, at time.Time) (bool, error) {
	o, err := db.OfferInbound(ctx, in, at, 0, 0)
	return o == domain.Stored, err
}

// TakeInbound first records what became of the deliveries in t.Settled,
// then leases, until t.Now+t.Lease, the oldest rows (up to t.PerSender
// each) of the first senders (up to t.Senders) of t.Channel whose oldest row
// is due and in no one's hands, in turn order: all in one transaction,
// shared with the inbox's other writes (group commit). A
// sender taken goes to the back of the turns, so a sender with a long
// backlog is served as often as one with one row. The rows come sender by
// sender, each sender's in order. A worker that dies lets its lease run out
// and the rows are taken again.
func (db *DB) TakeInbound(ctx context.Context, t domain.InboxTake) ([]domain.Inbound, error) {
	var out []domain.Inbound
	err := db.grouped(ctx, true, func(ctx context.Context, tx *sql.Tx) error {
		out = nil // run again alone if its group failed
		if err := db.settle(ctx, tx, t.Settled); err != nil {
			return err
		}
		if t.Senders <= 0 {
			return nil
		}
		ms, until := t.Now.UnixMilli(), t.Now.Add(t.Lease).UnixMilli()
		grps, err := senderColumn(ctx, tx.StmtContext(ctx, db.inbox.senders), t.Channel, ms, t.Senders)
		if err != nil || len(grps) == 0 {
			return err
		}
		var turn int64
		if err := tx.StmtContext(ctx, db.inbox.last).QueryRowContext(ctx, t.Channel).Scan(&turn); err != nil {
			return err
		}
		head, leaseRow, setTurn := tx.StmtContext(ctx, db.inbox.head), tx.StmtContext(ctx, db.inbox.lease), tx.StmtContext(ctx, db.inbox.turn)
		for _, g := range grps {
			rows, err := takeHead(ctx, head, t.Channel, g, ms, t.PerSender)
			if err != nil {
				return err
			}
			for _, in := range rows {
				if _, err := leaseRow.ExecContext(ctx, until, in.ID); err != nil {
					return err
				}
			}
			turn++
			if _, err := setTurn.ExecContext(ctx, turn, t.Channel, g); err != nil {
				return err
			}
			out = append(out, rows...)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: inbox take %s: %w", t.Channel, err)
	}
	return out, nil
}

// SettleInbound records what became of taken deliveries (TakeInbound
// taking nothing).
func (db *DB) SettleInbound(ctx context.Context, settled []domain.Settled) error {
	_, err := db.TakeInbound(ctx, domain.InboxTake{Settled: settled})
	return err
}

// settle deletes the deliveries done, and gives back the others: at once
// and untouched, or due at their Retry with an attempt counted (a flood
// wait counts no attempt, it adds to the row's flood_ms).
func (db *DB) settle(ctx context.Context, tx *sql.Tx, settled []domain.Settled) error {
	for _, s := range settled {
		var err error
		switch {
		case s.Done:
			_, err = tx.StmtContext(ctx, db.inbox.done).ExecContext(ctx, s.ID)
		case s.Retry.IsZero():
			_, err = tx.StmtContext(ctx, db.inbox.release).ExecContext(ctx, s.ID)
		default:
			attempt, flood := 1, s.Flood
			if flood > 0 {
				attempt = 0
			}
			_, err = tx.StmtContext(ctx, db.inbox.retry).ExecContext(ctx, attempt, max(flood, 0).Milliseconds(), s.Retry.UnixMilli(), s.ID)
		}
		if err != nil {
			return fmt.Errorf("row %d: %w", s.ID, err)
		}
	}
	return nil
}

// takeHead reads sender g's oldest rows up to limit, stopping at one not
// due or in hand: a sender's later rows never pass an earlier one.
func takeHead(ctx context.Context, head *sql.Stmt, channel, g string, ms int64, limit int) ([]domain.Inbound, error) {
	rows, err := head.QueryContext(ctx, channel, g, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []domain.Inbound
	for rows.Next() {
		in := domain.Inbound{Channel: channel, Group: g}
		var flood, next, leased int64
		if err := rows.Scan(&in.ID, &in.Key, &in.Body, &in.Attempts, &flood, &next, &leased); err != nil {
			return nil, err
		}
		if next > ms || leased > ms {
			break
		}
		in.Flooded = time.Duration(flood) * time.Millisecond
		out = append(out, in)
	}
	return out, rows.Err()
}

func senderColumn(ctx context.Context, st *sql.Stmt, args ...any) ([]string, error) {
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// ExtendInbound renews the lease of deliveries still in hand until until: a
// worker alive keeps its rows however long they take, a dead one loses
// them when the short lease runs out.
func (db *DB) ExtendInbound(ctx context.Context, ids []int64, until time.Time) error {
	err := db.grouped(ctx, true, func(ctx context.Context, tx *sql.Tx) error {
		st := tx.StmtContext(ctx, db.inbox.lease)
		for _, id := range ids {
			if _, err := st.ExecContext(ctx, until.UnixMilli(), id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: inbox extend: %w", err)
	}
	return nil
}

// InboundCount is how many deliveries of channel wait (the backlog gauge,
// tests); one line read, however long the backlog.
func (db *DB) InboundCount(ctx context.Context, channel string) (int, error) {
	var n int
	err := db.r.QueryRowContext(ctx, `SELECT waiting FROM inbox_totals WHERE channel = ?`, channel).Scan(&n)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("store: inbox count %s: %w", channel, err)
	}
	return n, nil
}
