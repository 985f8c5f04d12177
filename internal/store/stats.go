package store

import (
	"context"
	"fmt"
	"time"

	"xabot/internal/domain"
)

// The report categories (DESIGN.md §4) as SQL sums over the dossiers received
// in [?1, ?2] (unix seconds, both inclusive), ?3 being the local zone's
// offset from UTC in seconds. Dates are compared as local day numbers,
// (t + offset) / 86400, so "finished on the due date" means the same
// calendar day in the commune whatever the hours. (Integer division
// truncates towards zero: right for every instant after 1970.)
//
//   - ended: statuses 3, 7, 8, 9, 10 with finished_at ≤ end of TO; a dossier
//     that ended after TO is in progress for this report.
//   - withdrawn: status 7, ended; resolved: 3, 8, 9, 10, ended.
//   - early / late: the local finish date before / after the local ORIGINAL
//     due date (due_at): an extension does not erase lateness. On time is
//     the rest of resolved: the same day, or no due date at all.
//   - overdue (in progress): the due date in force — extended_due_at if the
//     dossier was extended, else due_at — before TO's local date, as
//     domain.Dossier.Overdue judges it at the end of TO (a dossier due on TO
//     is not overdue yet). The extension is the citizen's new appointment
//     and the dossier is not late until it passes; if it ends after the
//     original date it is counted late then. In progress without a due date
//     is within the deadline.
const (
	sqlDay      = `(%s + ?3) / 86400`
	sqlEnded    = `(status IN (3, 7, 8, 9, 10) AND finished_at <= ?2)`
	sqlResolved = `(status IN (3, 8, 9, 10) AND finished_at <= ?2)`
)

var statsSums = `count(*),
	coalesce(sum(intake = 1), 0),
	coalesce(sum(intake = 2), 0),
	coalesce(sum(intake = 3), 0),
	coalesce(sum(status = 7 AND finished_at <= ?2), 0),
	coalesce(sum(` + sqlResolved + `), 0),
	coalesce(sum(` + sqlResolved + ` AND due_at IS NOT NULL AND ` + day("finished_at") + ` < ` + day("due_at") + `), 0),
	coalesce(sum(` + sqlResolved + ` AND due_at IS NOT NULL AND ` + day("finished_at") + ` > ` + day("due_at") + `), 0),
	coalesce(sum(NOT ` + sqlEnded + ` AND coalesce(extended_due_at, due_at) IS NOT NULL
		AND ` + day("coalesce(extended_due_at, due_at)") + ` < ` + day("?2") + `), 0)
	FROM dossiers WHERE received_at BETWEEN ?1 AND ?2`

func day(col string) string { return fmt.Sprintf(sqlDay, col) }

// scanCounts reads the sums of statsSums (after any leading columns in
// dest) and derives the rest of the categories.
func scanCounts(s scanner, lead ...any) (domain.Counts, error) {
	var c domain.Counts
	dest := append(lead, &c.Received, &c.Direct, &c.Online, &c.Postal, &c.Withdrawn,
		&c.Resolved, &c.Early, &c.Late, &c.Overdue)
	if err := s.Scan(dest...); err != nil {
		return domain.Counts{}, err
	}
	c.OnTime = c.Resolved - c.Early - c.Late
	c.InProgress = c.Received - c.Withdrawn - c.Resolved
	c.Within = c.InProgress - c.Overdue
	return c, nil
}

// DossierCounts returns the report categories of the dossiers received
// from from to to, both inclusive (the UTC instants of the local period's
// first and last moments), as of to; offset is the commune's zone offset
// from UTC (Asia/Ho_Chi_Minh: 7h, no daylight saving), by which dates are
// compared. It is one aggregate query on the dossiers_stats index.
func (db *DB) DossierCounts(ctx context.Context, from, to time.Time, offset time.Duration) (domain.Counts, error) {
	row := db.r.QueryRowContext(ctx, `SELECT `+statsSums, from.Unix(), to.Unix(), int64(offset/time.Second))
	c, err := scanCounts(row)
	if err != nil {
		return domain.Counts{}, fmt.Errorf("store: dossier counts: %w", err)
	}
	return c, nil
}

// StatsDimensions are the breakdowns DossierCountsBy accepts.
var StatsDimensions = []string{"field", "village", "intake"}

// DossierCountsBy is DossierCounts broken down by dim: "field" (lĩnh vực),
// "village" (thôn) or "intake" (keys "direct", "online", "postal"). Only
// keys with dossiers appear; an empty field or village is the key "".
func (db *DB) DossierCountsBy(ctx context.Context, from, to time.Time, offset time.Duration, dim string) (map[string]domain.Counts, error) {
	var col string
	switch dim {
	case "field", "village", "intake":
		col = dim
	default:
		return nil, fmt.Errorf("store: dossier counts by %q: want field, village or intake", dim)
	}
	rows, err := db.r.QueryContext(ctx, `SELECT `+col+`, `+statsSums+` GROUP BY `+col,
		from.Unix(), to.Unix(), int64(offset/time.Second))
	type keyed struct {
		key string
		c   domain.Counts
	}
	list, err := collect(rows, err, "dossier counts by "+dim, func(s scanner) (keyed, error) {
		var k any
		c, err := scanCounts(s, &k)
		switch v := k.(type) {
		case int64:
			return keyed{domain.Intake(v).String(), c}, err
		case string:
			return keyed{v, c}, err
		}
		return keyed{fmt.Sprint(k), c}, err
	})
	if err != nil {
		return nil, err
	}
	out := make(map[string]domain.Counts, len(list))
	for _, k := range list {
		out[k.key] = k.c
	}
	return out, nil
}
