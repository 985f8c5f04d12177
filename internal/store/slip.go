package store

import (
	"context"
	"time"
)

// CodesReceivedSince lists the codes of the dossiers received at or after
// since, oldest first: what `xabot qr --received-since` prints slips for.
// Codes only: nothing personal leaves the query.
func (db *DB) CodesReceivedSince(ctx context.Context, since time.Time) ([]string, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT code FROM dossiers WHERE received_at >= ? ORDER BY received_at, id`, since.Unix())
	return collect(rows, err, "codes received since", func(s scanner) (string, error) {
		var c string
		err := s.Scan(&c)
		return c, err
	})
}
