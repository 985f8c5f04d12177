package store

import (
	"context"
	"fmt"
	"time"
)

// FeedbackCounts counts the feedback and petitions (not complaints or
// denunciations) created in [from, to]: all of them, those answered, and
// those answered by their answer clock (the local answer date not after
// the due date; clocks are working-day dates stored as midnight UTC).
func (db *DB) FeedbackCounts(ctx context.Context, from, to time.Time, offset time.Duration) (total, answered, onTime int, err error) {
	err = db.r.QueryRowContext(ctx, `SELECT count(*),
		coalesce(sum(answered_at IS NOT NULL), 0),
		coalesce(sum(answered_at IS NOT NULL AND due_answer IS NOT NULL
		             AND (answered_at + ?3) / 86400 <= due_answer / 86400), 0)
		FROM feedback WHERE kind = 'feedback' AND created_at BETWEEN ?1 AND ?2`,
		from.Unix(), to.Unix(), int64(offset/time.Second)).Scan(&total, &answered, &onTime)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("store: feedback counts: %w", err)
	}
	return total, answered, onTime, nil
}
