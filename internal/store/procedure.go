package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"xabot/internal/domain"
)

const procedureColumns = `code, name, field, days, fee, documents, online`

// UpsertProcedure writes p whole under its code (the demo's catalogue).
func (db *DB) UpsertProcedure(ctx context.Context, p domain.Procedure) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		stamp, err := nextProcedureStamp(ctx, tx, db.now().UnixMilli())
		if err != nil {
			return err
		}
		return writeProcedure(ctx, tx, p, stamp)
	})
}

func writeProcedure(ctx context.Context, tx *sql.Tx, p domain.Procedure, stamp int64) error {
	var days any
	if p.Days != domain.DaysUnknown {
		days = p.Days
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO procedures (`+procedureColumns+`, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (code) DO UPDATE SET name = excluded.name, field = excluded.field, days = excluded.days,
			fee = excluded.fee, documents = excluded.documents, online = excluded.online, updated_at = excluded.updated_at
		WHERE (name, field, days, fee, documents, online) IS NOT
			(excluded.name, excluded.field, excluded.days, excluded.fee, excluded.documents, excluded.online)`,
		p.Code, p.Name, p.Field, days, p.Fee, strings.Join(p.Documents, "\n"), int(p.Online), stamp)
	if err != nil {
		return fmt.Errorf("store: procedure %q: %w", p.Code, err)
	}
	return nil
}

// nextProcedureStamp is the updated_at of the next write: now, or past the
// greatest stored, so that the catalogue's stamp only grows.
func nextProcedureStamp(ctx context.Context, tx *sql.Tx, nowMs int64) (int64, error) {
	var last int64
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(updated_at), 0) FROM procedures`).Scan(&last); err != nil {
		return 0, fmt.Errorf("store: procedures: %w", err)
	}
	return max(nowMs, last+1), nil
}

// MergeProcedures applies each patch to the procedure stored under its code
// (domain.MergeProcedure: only what a row carries changes), in one
// transaction; the outcomes are in the order of ps, with why a patch was
// refused. On error nothing is written.
func (db *DB) MergeProcedures(ctx context.Context, ps []domain.ProcedurePatch) ([]domain.ProcedureMerge, error) {
	out := make([]domain.ProcedureMerge, len(ps))
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		stamp, err := nextProcedureStamp(ctx, tx, db.now().UnixMilli())
		if err != nil {
			return err
		}
		for i, p := range ps {
			var stored *domain.Procedure
			row := tx.QueryRowContext(ctx, `SELECT `+procedureColumns+` FROM procedures WHERE code = ?`, p.Values.Code)
			if got, err := scanProcedure(row); err == nil {
				stored = &got
			} else if !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("store: procedure %q: %w", p.Values.Code, err)
			}
			m, o, refused := domain.MergeProcedure(stored, p)
			out[i] = domain.ProcedureMerge{Procedure: m, Outcome: o, Refused: refused}
			if o == domain.DossierCreated || o == domain.DossierUpdated {
				if err := writeProcedure(ctx, tx, m, stamp); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func scanProcedure(s scanner) (domain.Procedure, error) {
	var p domain.Procedure
	var days sql.NullInt64
	var docs string
	var online int
	if err := s.Scan(&p.Code, &p.Name, &p.Field, &days, &p.Fee, &docs, &online); err != nil {
		return p, err
	}
	p.Days = domain.DaysUnknown
	if days.Valid {
		p.Days = int(days.Int64)
	}
	if docs != "" {
		p.Documents = strings.Split(docs, "\n")
	}
	p.Online = domain.Online(online)
	return p, nil
}

// Procedures returns the procedure catalogue by field, then name (byte
// order: people read it through collate).
func (db *DB) Procedures(ctx context.Context) ([]domain.Procedure, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+procedureColumns+` FROM procedures ORDER BY field, name, code`)
	if err != nil {
		return nil, fmt.Errorf("store: procedures: %w", err)
	}
	defer rows.Close()
	var out []domain.Procedure
	for rows.Next() {
		p, err := scanProcedure(rows)
		if err != nil {
			return nil, fmt.Errorf("store: procedures: %w", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: procedures: %w", err)
	}
	return out, nil
}

// ProceduresStamp changes whenever the catalogue does: it is the latest
// write's stamp (nothing deletes a procedure), read from its index.
func (db *DB) ProceduresStamp(ctx context.Context) (string, error) {
	var last int64
	err := db.r.QueryRowContext(ctx, `SELECT coalesce(max(updated_at), 0) FROM procedures`).Scan(&last)
	if err != nil {
		return "", fmt.Errorf("store: procedures: %w", err)
	}
	return strconv.FormatInt(last, 10), nil
}
