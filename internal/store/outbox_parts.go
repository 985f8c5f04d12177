package store

import (
	"context"
	"fmt"
)

// MarkParts records that the first n messages of row id are out, so that a
// retry resumes after them. The count never goes back.
func (db *DB) MarkParts(ctx context.Context, id int64, n int) error {
	if _, err := db.w.ExecContext(ctx, `UPDATE outbox SET parts_sent = ? WHERE id = ? AND parts_sent < ?`, n, id, n); err != nil {
		return fmt.Errorf("store: outgoing %d: mark parts: %w", id, err)
	}
	return nil
}
