package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"xabot/internal/domain"
)

// Subscribe makes chatKey follow the dossier (again, if it had stopped).
//
// A chat that follows the dossier already (each of its lookups calls this)
// is found on a reader and nothing is written: the one writer is the
// webhook's bottleneck. Its own unsubscribe cannot come in between, since
// one chat's updates are handled one at a time.
func (db *DB) Subscribe(ctx context.Context, dossierID int64, chatKey, source string, at time.Time) error {
	var follows bool
	if err := db.read.following.QueryRowContext(ctx, dossierID, chatKey).Scan(&follows); err != nil {
		return fmt.Errorf("store: subscribe %d: %w", dossierID, err)
	}
	if follows {
		return nil
	}
	_, err := db.execGrouped(ctx, `INSERT INTO subscriptions (dossier_id, chat_key, source, created_at)
		VALUES (?, ?, ?, ?)
		ON CONFLICT (dossier_id, chat_key) DO UPDATE SET unsubscribed_at = NULL`,
		dossierID, chatKey, source, at.Unix())
	if err != nil {
		return fmt.Errorf("store: subscribe %d: %w", dossierID, err)
	}
	return nil
}

// Unsubscribe stops chatKey following the dossier, also when it followed
// only through its verified phone.
func (db *DB) Unsubscribe(ctx context.Context, dossierID int64, chatKey string, at time.Time) error {
	_, err := db.w.ExecContext(ctx, `INSERT INTO subscriptions (dossier_id, chat_key, source, created_at, unsubscribed_at)
		VALUES (?, ?, 'unsubscribe', ?, ?)
		ON CONFLICT (dossier_id, chat_key) DO UPDATE SET unsubscribed_at = excluded.unsubscribed_at`,
		dossierID, chatKey, at.Unix(), at.Unix())
	if err != nil {
		return fmt.Errorf("store: unsubscribe %d: %w", dossierID, err)
	}
	return nil
}

// Subscribers lists the chats that follow a dossier: those that subscribed,
// and consenting citizens whose verified phone is the dossier's, minus any
// that unsubscribed from it.
func (db *DB) Subscribers(ctx context.Context, d domain.Dossier) ([]string, error) {
	rows, err := db.r.QueryContext(ctx, `
		SELECT chat_key FROM subscriptions WHERE dossier_id = ? AND unsubscribed_at IS NULL
		UNION
		SELECT c.key FROM citizens c
		WHERE c.phone = ? AND c.phone <> '' AND c.consent_at IS NOT NULL
		  AND NOT EXISTS (SELECT 1 FROM subscriptions s
		                  WHERE s.dossier_id = ? AND s.chat_key = c.key AND s.unsubscribed_at IS NOT NULL)
		ORDER BY 1`, d.ID, d.Phone, d.ID)
	if err != nil {
		return nil, fmt.Errorf("store: subscribers of %d: %w", d.ID, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, fmt.Errorf("store: subscribers of %d: %w", d.ID, err)
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// OpenDossiers lists the dossiers whose processing has not ended.
func (db *DB) OpenDossiers(ctx context.Context) ([]domain.Dossier, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+dossierColumns+` FROM dossiers
		WHERE status NOT IN (3, 7, 8, 9, 10) ORDER BY due_at, id`)
	return collect(rows, err, "open dossiers", scanDossier)
}

// DossierByID finds a dossier by id.
func (db *DB) DossierByID(ctx context.Context, id int64) (domain.Dossier, error) {
	return oneDossier(db.r.QueryRowContext(ctx, `SELECT `+dossierColumns+` FROM dossiers WHERE id = ?`, id),
		fmt.Sprintf("dossier %d", id))
}

// EventsAfter returns up to limit dossier events with id > after, oldest first.
func (db *DB) EventsAfter(ctx context.Context, after int64, limit int) ([]domain.Event, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT id, dossier_id, at, kind, from_status, to_status, note, source
		FROM dossier_events WHERE id > ? ORDER BY id LIMIT ?`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("store: events after %d: %w", after, err)
	}
	defer rows.Close()
	var out []domain.Event
	for rows.Next() {
		var e domain.Event
		var from, to sql.NullInt64
		if err := rows.Scan(&e.ID, &e.DossierID, timeScan{&e.At}, &e.Kind, &from, &to, &e.Note, &e.Source); err != nil {
			return nil, fmt.Errorf("store: events after %d: %w", after, err)
		}
		e.From, e.To = domain.Status(from.Int64), domain.Status(to.Int64)
		out = append(out, e)
	}
	return out, rows.Err()
}

// Cursor returns a reader's position (0 when it never read).
func (db *DB) Cursor(ctx context.Context, name string) (int64, error) {
	var v int64
	err := db.r.QueryRowContext(ctx, `SELECT value FROM cursors WHERE name = ?`, name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: cursor %s: %w", name, err)
	}
	return v, nil
}

// SetCursor stores a reader's position.
func (db *DB) SetCursor(ctx context.Context, name string, v int64) error {
	_, err := db.w.ExecContext(ctx, `INSERT INTO cursors (name, value) VALUES (?, ?)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value`, name, v)
	if err != nil {
		return fmt.Errorf("store: set cursor %s: %w", name, err)
	}
	return nil
}

// LastRun returns when job last ran to completion (zero: never).
func (db *DB) LastRun(ctx context.Context, job string) (time.Time, error) {
	var t time.Time
	err := db.r.QueryRowContext(ctx, `SELECT last_at FROM job_runs WHERE name = ?`, job).Scan(timeScan{&t})
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("store: last run of %s: %w", job, err)
	}
	return t, nil
}

// setLastRun records a job's run as of a time (unix seconds); an earlier
// one never moves it back.
const setLastRun = `INSERT INTO job_runs (name, last_at) VALUES (?, ?)
	ON CONFLICT (name) DO UPDATE SET last_at = max(last_at, excluded.last_at)`

// SetLastRun records that job ran as of at; an earlier at never moves it back.
func (db *DB) SetLastRun(ctx context.Context, job string, at time.Time) error {
	_, err := db.w.ExecContext(ctx, setLastRun, job, at.Unix())
	if err != nil {
		return fmt.Errorf("store: set last run of %s: %w", job, err)
	}
	return nil
}

// ExtendDossier moves the appointment of the dossier with code once
// (Decree 118/2025 Art. 19(6)), by domain.Dossier.Extend: it sets the new
// date and reason and records an "extended" event, in one transaction. A
// dossier extended before (its date, or only the event on record) or whose
// processing has ended is refused with Extend's *domain.InvalidError.
func (db *DB) ExtendDossier(ctx context.Context, code string, due time.Time, reason, source string, at time.Time) (domain.Dossier, error) {
	var d domain.Dossier
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		old, err := scanDossier(tx.StmtContext(ctx, db.upsert.byKey).QueryRowContext(ctx, domain.CanonicalCode(code)))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: extend %q: %w", code, domain.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("store: extend %q: %w", code, err)
		}
		var e domain.Event
		d, e, err = old.Extend(utcSecond(due), reason, source, utcSecond(at))
		if err != nil {
			return fmt.Errorf("store: extend %q: %w", code, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE dossiers SET extended_due_at = ?, extension_reason = ?, updated_at = ?
			WHERE id = ?`, unix(d.ExtendedDueAt), d.ExtensionReason, e.At.Unix(), d.ID); err != nil {
			return fmt.Errorf("store: extend %q: %w", code, err)
		}
		d.UpdatedAt = e.At
		return db.insertEvents(ctx, tx, d.Code, []domain.Event{e})
	})
	return d, err
}
