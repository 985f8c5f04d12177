package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"xabot/internal/domain"
)

// dossierColumns are the columns scanDossier reads, from the table
// dossiers (unaliased): the last says whether an "extended" event is on
// record, the fact behind domain.Dossier.Extended.
const dossierColumns = `id, code, procedure_code, procedure_name, field, applicant_name, phone,
	id_last4, village, intake, status, received_at, due_at, finished_at, returned_at,
	extended_due_at, extension_reason, handler, note, updated_at,
	EXISTS (SELECT 1 FROM dossier_events e WHERE e.dossier_id = dossiers.id AND e.kind = 'extended')`

// The statements of an upsert, prepared once on the writer connection
// (prepareUpsert): parsing them again for every row was a third of a large
// import's time.
const (
	qDossierByKey  = `SELECT ` + dossierColumns + ` FROM dossiers WHERE code_key = ?`
	qInsertDossier = `INSERT INTO dossiers (code, code_key, procedure_code, procedure_name, field,
		applicant_name, phone, id_last4, village, intake, status, received_at, due_at, finished_at,
		returned_at, extended_due_at, extension_reason, handler, note, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	qUpdateDossier = `UPDATE dossiers SET code = ?, code_key = ?, procedure_code = ?,
		procedure_name = ?, field = ?, applicant_name = ?, phone = ?, id_last4 = ?, village = ?,
		intake = ?, status = ?, received_at = ?, due_at = ?, finished_at = ?, returned_at = ?,
		extended_due_at = ?, extension_reason = ?, handler = ?, note = ?, updated_at = ?
		WHERE id = ?`
	qInsertEvent = `INSERT INTO dossier_events (dossier_id, at, kind, from_status, to_status, note, source)
		VALUES (?, ?, ?, ?, ?, ?, ?)`
)

// upsertStmts are the prepared forms of the statements above.
type upsertStmts struct{ byKey, insert, update, event *sql.Stmt }

func (db *DB) prepareUpsert(ctx context.Context) error {
	for _, p := range []struct {
		to **sql.Stmt
		q  string
	}{{&db.upsert.byKey, qDossierByKey}, {&db.upsert.insert, qInsertDossier},
		{&db.upsert.update, qUpdateDossier}, {&db.upsert.event, qInsertEvent}} {
		st, err := db.w.PrepareContext(ctx, p.q)
		if err != nil {
			return fmt.Errorf("store: prepare: %w", err)
		}
		*p.to = st
	}
	return nil
}

type scanner interface{ Scan(dest ...any) error }

func scanDossier(s scanner) (domain.Dossier, error) {
	var d domain.Dossier
	err := s.Scan(&d.ID, &d.Code, &d.ProcedureCode, &d.ProcedureName, &d.Field, &d.ApplicantName,
		&d.Phone, &d.IDLast4, &d.Village, &d.Intake, &d.Status, timeScan{&d.ReceivedAt},
		timeScan{&d.DueAt}, timeScan{&d.FinishedAt}, timeScan{&d.ReturnedAt},
		timeScan{&d.ExtendedDueAt}, &d.ExtensionReason, &d.Handler, &d.Note, timeScan{&d.UpdatedAt},
		&d.ExtensionEvent)
	return d, err
}

// DossierByCode finds a dossier by its code, compared in canonical form; an
// unknown code wraps domain.ErrNotFound.
func (db *DB) DossierByCode(ctx context.Context, code string) (domain.Dossier, error) {
	return oneDossier(db.read.dossierByKey.QueryRowContext(ctx, domain.CanonicalCode(code)), fmt.Sprintf("dossier %q", code))
}

// DossiersByPhone lists the dossiers whose applicant phone is phone
// (normalised), newest received first, at most limit (all when limit ≤ 0).
func (db *DB) DossiersByPhone(ctx context.Context, phone string, limit int) ([]domain.Dossier, error) {
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	rows, err := db.r.QueryContext(ctx, `SELECT `+dossierColumns+` FROM dossiers
		WHERE phone = ? ORDER BY received_at DESC, id DESC LIMIT ?`, phone, limit)
	// The phone is personal data: it stays out of the message.
	return collect(rows, err, "dossiers by phone", scanDossier)
}

// CountDossiers returns how many dossiers are stored.
func (db *DB) CountDossiers(ctx context.Context) (int, error) {
	var n int
	if err := db.r.QueryRowContext(ctx, `SELECT count(*) FROM dossiers`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count dossiers: %w", err)
	}
	return n, nil
}

// MergeDossiers applies each record to the dossier stored under its
// canonical code, all in one transaction, by domain.MergeDossier: only the
// fields a record carries change, a new code is created when its record is
// complete, the cross-field rules hold on the result, and an extension on
// record is never undone. What changed is recorded as events stamped with
// source; identical data writes nothing, not even updated_at. A record a
// rule refuses writes nothing (its Merge says why) and the others are
// written. The error is a storage failure, after which nothing of the batch
// is written. Times are kept to the second.
func (db *DB) MergeDossiers(ctx context.Context, ps []domain.DossierPatch, source string) ([]domain.Merge, error) {
	out := make([]domain.Merge, len(ps))
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		for i, p := range ps {
			var err error
			if out[i], err = db.mergeDossier(ctx, tx, p, source); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UpsertDossier writes d whole (domain.WholePatch: its empty fields clear
// what may be cleared) by the rules of MergeDossiers, in one transaction;
// the demo and tests seed dossiers with it. A refused d is an error
// wrapping its *domain.InvalidError.
func (db *DB) UpsertDossier(ctx context.Context, d domain.Dossier, source string) (domain.UpsertOutcome, error) {
	outcomes, err := db.UpsertDossiers(ctx, []domain.Dossier{d}, source)
	if err != nil {
		return domain.DossierUnchanged, err
	}
	return outcomes[0], nil
}

// UpsertDossiers does what UpsertDossier does for each of ds, all in one
// transaction: on error, a refused dossier included, nothing is written.
// The outcomes are in the order of ds.
func (db *DB) UpsertDossiers(ctx context.Context, ds []domain.Dossier, source string) ([]domain.UpsertOutcome, error) {
	outcomes := make([]domain.UpsertOutcome, len(ds))
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		for i, d := range ds {
			m, err := db.mergeDossier(ctx, tx, domain.WholePatch(d), source)
			if err != nil {
				return err
			}
			if m.Refused != nil {
				return fmt.Errorf("store: dossier %q: %w", d.Code, m.Refused)
			}
			outcomes[i] = m.Outcome
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return outcomes, nil
}

// mergeDossier merges p into its stored dossier and writes the result.
func (db *DB) mergeDossier(ctx context.Context, tx *sql.Tx, p domain.DossierPatch, source string) (domain.Merge, error) {
	p.Values = storedForm(p.Values)
	key := domain.CanonicalCode(p.Values.Code)
	if key == "" {
		return domain.Merge{}, errors.New("store: upsert dossier: empty code")
	}
	var stored *domain.Dossier
	old, err := scanDossier(tx.StmtContext(ctx, db.upsert.byKey).QueryRowContext(ctx, key))
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return domain.Merge{}, fmt.Errorf("store: dossier %q: %w", p.Values.Code, err)
	default:
		stored = &old
	}
	m := domain.MergeDossier(stored, p)
	now := db.now()
	d := &m.Dossier
	switch m.Outcome {
	case domain.DossierCreated:
		if d.ID, err = db.insertDossier(ctx, tx, key, *d, now); err != nil {
			return m, err
		}
	case domain.DossierUpdated:
		if err := db.updateDossier(ctx, tx, key, *d, now); err != nil {
			return m, err
		}
	default:
		return m, nil
	}
	d.UpdatedAt = utcSecond(now)
	for i := range m.Events {
		m.Events[i].DossierID, m.Events[i].At, m.Events[i].Source = d.ID, now, source
	}
	return m, db.insertEvents(ctx, tx, d.Code, m.Events)
}

// storedForm is d as it would read back: UTC times in whole seconds, so
// that comparing with the stored row sees only real changes.
func storedForm(d domain.Dossier) domain.Dossier {
	for _, t := range []*time.Time{&d.ReceivedAt, &d.DueAt, &d.FinishedAt, &d.ReturnedAt,
		&d.ExtendedDueAt, &d.UpdatedAt} {
		*t = utcSecond(*t)
	}
	return d
}

func (db *DB) insertDossier(ctx context.Context, tx *sql.Tx, key string, d domain.Dossier, now time.Time) (int64, error) {
	res, err := tx.StmtContext(ctx, db.upsert.insert).ExecContext(ctx,
		d.Code, key, d.ProcedureCode, d.ProcedureName, d.Field, d.ApplicantName, d.Phone,
		d.IDLast4, d.Village, int(d.Intake), int(d.Status), unix(d.ReceivedAt), unix(d.DueAt),
		unix(d.FinishedAt), unix(d.ReturnedAt), unix(d.ExtendedDueAt), d.ExtensionReason,
		d.Handler, d.Note, now.Unix())
	if err != nil {
		return 0, fmt.Errorf("store: insert dossier %q: %w", d.Code, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("store: insert dossier %q: %w", d.Code, err)
	}
	return id, nil
}

func (db *DB) updateDossier(ctx context.Context, tx *sql.Tx, key string, d domain.Dossier, now time.Time) error {
	_, err := tx.StmtContext(ctx, db.upsert.update).ExecContext(ctx,
		d.Code, key, d.ProcedureCode, d.ProcedureName, d.Field, d.ApplicantName, d.Phone,
		d.IDLast4, d.Village, int(d.Intake), int(d.Status), unix(d.ReceivedAt), unix(d.DueAt),
		unix(d.FinishedAt), unix(d.ReturnedAt), unix(d.ExtendedDueAt), d.ExtensionReason,
		d.Handler, d.Note, now.Unix(), d.ID)
	if err != nil {
		return fmt.Errorf("store: update dossier %q: %w", d.Code, err)
	}
	return nil
}

func (db *DB) insertEvents(ctx context.Context, tx *sql.Tx, code string, events []domain.Event) error {
	if len(events) == 0 {
		return nil
	}
	ins := tx.StmtContext(ctx, db.upsert.event)
	for _, e := range events {
		_, err := ins.ExecContext(ctx,
			e.DossierID, e.At.Unix(), e.Kind, status(e.From), status(e.To), e.Note, e.Source)
		if err != nil {
			return fmt.Errorf("store: dossier %q event %q: %w", code, e.Kind, err)
		}
	}
	return nil
}

// status is s as stored in an event: NULL when there is none.
func status(s domain.Status) any {
	if s == 0 {
		return nil
	}
	return int(s)
}

// DossierEvents returns a dossier's history, oldest first.
func (db *DB) DossierEvents(ctx context.Context, dossierID int64) ([]domain.Event, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT dossier_id, at, kind, from_status, to_status, note, source
		FROM dossier_events WHERE dossier_id = ? ORDER BY at, id`, dossierID)
	if err != nil {
		return nil, fmt.Errorf("store: events of dossier %d: %w", dossierID, err)
	}
	defer rows.Close()
	var out []domain.Event
	for rows.Next() {
		var e domain.Event
		var from, to sql.NullInt64
		if err := rows.Scan(&e.DossierID, timeScan{&e.At}, &e.Kind, &from, &to, &e.Note, &e.Source); err != nil {
			return nil, fmt.Errorf("store: events of dossier %d: %w", dossierID, err)
		}
		e.From, e.To = domain.Status(from.Int64), domain.Status(to.Int64)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: events of dossier %d: %w", dossierID, err)
	}
	return out, nil
}
