package store

import (
	"context"
	"fmt"
	"time"
)

// DailyFlow counts, for each field and each local day of [from, to], the
// dossiers received that day, and of the same dossiers (received in [from,
// to]) those resolved (statuses 3, 8, 9, 10, ended by to) on that day: the
// week's chart, on the definition of DossierCounts, so its bars add up to
// the period's Received and Resolved. Days are numbered from from's local
// day (0 = the first day); an end dated before it counts on day 0.
func (db *DB) DailyFlow(ctx context.Context, from, to time.Time, offset time.Duration) (received, resolved map[string]map[int]int, err error) {
	off := int64(offset / time.Second)
	first := (from.Unix() + off) / 86400
	count := func(q string) (map[string]map[int]int, error) {
		rows, err := db.r.QueryContext(ctx, q, off, first, from.Unix(), to.Unix())
		if err != nil {
			return nil, fmt.Errorf("store: daily flow: %w", err)
		}
		defer rows.Close()
		out := map[string]map[int]int{}
		for rows.Next() {
			var field string
			var d, n int
			if err := rows.Scan(&field, &d, &n); err != nil {
				return nil, fmt.Errorf("store: daily flow: %w", err)
			}
			if out[field] == nil {
				out[field] = map[int]int{}
			}
			out[field][d] += n
		}
		return out, rows.Err()
	}
	if received, err = count(`SELECT field, (received_at + ?1) / 86400 - ?2, count(*) FROM dossiers
		WHERE received_at BETWEEN ?3 AND ?4 GROUP BY 1, 2`); err != nil {
		return nil, nil, err
	}
	resolved, err = count(`SELECT field, max((finished_at + ?1) / 86400 - ?2, 0), count(*) FROM dossiers
		WHERE received_at BETWEEN ?3 AND ?4 AND (status >= 8 OR status = 3) AND finished_at <= ?4 GROUP BY 1, 2`)
	return received, resolved, err
}
