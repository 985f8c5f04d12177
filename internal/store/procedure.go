package store

import (
	"context"
	"fmt"

	"xabot/internal/domain"
)

// UpsertProcedure inserts or updates a procedure by code.
func (db *DB) UpsertProcedure(ctx context.Context, p domain.Procedure) error {
	_, err := db.w.ExecContext(ctx, `INSERT INTO procedures (code, name, field, days) VALUES (?, ?, ?, ?)
		ON CONFLICT (code) DO UPDATE SET name = excluded.name, field = excluded.field, days = excluded.days
		WHERE (name, field, days) IS NOT (excluded.name, excluded.field, excluded.days)`,
		p.Code, p.Name, p.Field, p.Days)
	if err != nil {
		return fmt.Errorf("store: procedure %q: %w", p.Code, err)
	}
	return nil
}

// Procedures returns the procedure catalogue by field, then name.
func (db *DB) Procedures(ctx context.Context) ([]domain.Procedure, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT code, name, field, days FROM procedures ORDER BY field, name, code`)
	if err != nil {
		return nil, fmt.Errorf("store: procedures: %w", err)
	}
	defer rows.Close()
	var out []domain.Procedure
	for rows.Next() {
		var p domain.Procedure
		if err := rows.Scan(&p.Code, &p.Name, &p.Field, &p.Days); err != nil {
			return nil, fmt.Errorf("store: procedures: %w", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: procedures: %w", err)
	}
	return out, nil
}
