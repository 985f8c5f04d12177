package store

import (
	"context"
	"fmt"
	"time"
)

// DailyFlow counts, for each local day of [from, to], the dossiers received
// that day and those whose processing ended as resolved (statuses 3, 8, 9,
// 10) that day, whatever their received date: the week's chart. Days are
// numbered from from's local day (0 = the first day).
func (db *DB) DailyFlow(ctx context.Context, from, to time.Time, offset time.Duration) (received, resolved map[int]int, err error) {
	off := int64(offset / time.Second)
	first := (from.Unix() + off) / 86400
	count := func(q string) (map[int]int, error) {
		rows, err := db.r.QueryContext(ctx, q, off, first, from.Unix(), to.Unix())
		if err != nil {
			return nil, fmt.Errorf("store: daily flow: %w", err)
		}
		defer rows.Close()
		out := map[int]int{}
		for rows.Next() {
			var d, n int
			if err := rows.Scan(&d, &n); err != nil {
				return nil, fmt.Errorf("store: daily flow: %w", err)
			}
			out[d] = n
		}
		return out, rows.Err()
	}
	if received, err = count(`SELECT (received_at + ?1) / 86400 - ?2, count(*) FROM dossiers
		WHERE received_at BETWEEN ?3 AND ?4 GROUP BY 1`); err != nil {
		return nil, nil, err
	}
	resolved, err = count(`SELECT (finished_at + ?1) / 86400 - ?2, count(*) FROM dossiers
		WHERE status IN (3, 8, 9, 10) AND finished_at BETWEEN ?3 AND ?4 GROUP BY 1`)
	return received, resolved, err
}
