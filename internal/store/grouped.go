package store

import (
	"context"
	"database/sql"
)

// execGrouped runs one write of an inbound update (a lookup recorded, a
// chat following a dossier, a consent) in the inbox's next group commit.
// Alone, each took the one writer for a commit of its own, and under
// webhook load those commits, one after another, held up the deliveries'
// and the drain's. It waits for the commit as ExecContext would: its
// caller is answered only once the write is durable.
func (db *DB) execGrouped(ctx context.Context, query string, args ...any) (sql.Result, error) {
	var res sql.Result
	err := db.grouped(ctx, true, func(ctx context.Context, tx *sql.Tx) error {
		var err error
		res, err = tx.ExecContext(ctx, query, args...)
		return err
	})
	return res, err
}
