package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"xabot/internal/domain"
)

// What UpsertDossier did; the numbers are intake.Outcome's.
const (
	unchanged = iota
	created
	updated
)

const dossierColumns = `id, code, procedure_code, procedure_name, field, applicant_name, phone,
	id_last4, village, intake, status, received_at, due_at, finished_at, returned_at,
	extended_due_at, extension_reason, handler, note, updated_at`

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
		timeScan{&d.ExtendedDueAt}, &d.ExtensionReason, &d.Handler, &d.Note, timeScan{&d.UpdatedAt})
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

// UpsertDossier inserts d or updates the dossier with the same canonical
// code, in one transaction, and records what changed as events: "created"
// for a new dossier, "status" when the status changed, "extended" when the
// appointment is moved for the first time. Identical data writes nothing,
// not even updated_at, and returns intake.Unchanged. Times are kept to the
// second.
func (db *DB) UpsertDossier(ctx context.Context, d domain.Dossier, source string) (int, error) {
	outcome := unchanged
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		outcome, err = db.upsertDossier(ctx, tx, d, source)
		return err
	})
	if err != nil {
		return unchanged, err
	}
	return outcome, nil
}

// UpsertDossiers does what UpsertDossier does for each of ds, all in one
// transaction: a large import then pays for one commit per batch instead of
// one per row. On error nothing of the batch is written. The outcomes are in
// the order of ds.
func (db *DB) UpsertDossiers(ctx context.Context, ds []domain.Dossier, source string) ([]int, error) {
	outcomes := make([]int, len(ds))
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		for i, d := range ds {
			var err error
			if outcomes[i], err = db.upsertDossier(ctx, tx, d, source); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return outcomes, nil
}

func (db *DB) upsertDossier(ctx context.Context, tx *sql.Tx, d domain.Dossier, source string) (int, error) {
	d = storedForm(d)
	key := domain.CanonicalCode(d.Code)
	if key == "" {
		return unchanged, errors.New("store: upsert dossier: empty code")
	}
	old, err := scanDossier(tx.StmtContext(ctx, db.upsert.byKey).QueryRowContext(ctx, key))
	if errors.Is(err, sql.ErrNoRows) {
		return created, db.insertDossier(ctx, tx, key, d, source)
	}
	if err != nil {
		return unchanged, fmt.Errorf("store: dossier %q: %w", d.Code, err)
	}
	d.ID, d.UpdatedAt = old.ID, old.UpdatedAt
	if d == old {
		return unchanged, nil
	}
	return updated, db.updateDossier(ctx, tx, key, old, d, source)
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

func (db *DB) insertDossier(ctx context.Context, tx *sql.Tx, key string, d domain.Dossier, source string) error {
	now := db.now()
	res, err := tx.StmtContext(ctx, db.upsert.insert).ExecContext(ctx,
		d.Code, key, d.ProcedureCode, d.ProcedureName, d.Field, d.ApplicantName, d.Phone,
		d.IDLast4, d.Village, int(d.Intake), int(d.Status), unix(d.ReceivedAt), unix(d.DueAt),
		unix(d.FinishedAt), unix(d.ReturnedAt), unix(d.ExtendedDueAt), d.ExtensionReason,
		d.Handler, d.Note, now.Unix())
	if err != nil {
		return fmt.Errorf("store: insert dossier %q: %w", d.Code, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return fmt.Errorf("store: insert dossier %q: %w", d.Code, err)
	}
	events := []domain.Event{{DossierID: id, At: now, Kind: "created", To: d.Status, Note: d.Note, Source: source}}
	if d.Extended() {
		events = append(events, domain.Event{DossierID: id, At: now, Kind: "extended",
			Note: d.ExtensionReason, Source: source})
	}
	return db.insertEvents(ctx, tx, d.Code, events)
}

func (db *DB) updateDossier(ctx context.Context, tx *sql.Tx, key string, old, d domain.Dossier, source string) error {
	now := db.now()
	_, err := tx.StmtContext(ctx, db.upsert.update).ExecContext(ctx,
		d.Code, key, d.ProcedureCode, d.ProcedureName, d.Field, d.ApplicantName, d.Phone,
		d.IDLast4, d.Village, int(d.Intake), int(d.Status), unix(d.ReceivedAt), unix(d.DueAt),
		unix(d.FinishedAt), unix(d.ReturnedAt), unix(d.ExtendedDueAt), d.ExtensionReason,
		d.Handler, d.Note, now.Unix(), old.ID)
	if err != nil {
		return fmt.Errorf("store: update dossier %q: %w", d.Code, err)
	}
	var events []domain.Event
	if d.Status != old.Status {
		events = append(events, domain.Event{DossierID: old.ID, At: now, Kind: "status",
			From: old.Status, To: d.Status, Note: d.Note, Source: source})
	}
	if !old.Extended() && d.Extended() {
		events = append(events, domain.Event{DossierID: old.ID, At: now, Kind: "extended",
			Note: d.ExtensionReason, Source: source})
	}
	return db.insertEvents(ctx, tx, d.Code, events)
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
