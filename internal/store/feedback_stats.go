package store

import (
	"context"
	"time"

	"xabot/internal/domain"
)

// FeedbackForStats lists the feedback (kind feedback) a period's figures
// may count (domain.TallyFeedback decides): sent or answered in [from, to],
// or due to be answered within a day of it (due dates are dates; the
// tally compares them in the commune's zone).
func (db *DB) FeedbackForStats(ctx context.Context, from, to time.Time) ([]domain.Feedback, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+feedbackColumns+` FROM feedback WHERE kind = 'feedback'
		AND (created_at BETWEEN ?1 AND ?2 OR answered_at BETWEEN ?1 AND ?2 OR due_answer BETWEEN ?3 AND ?4)
		ORDER BY id`, from.Unix(), to.Unix(), from.Add(-24*time.Hour).Unix(), to.Add(24*time.Hour).Unix())
	return collect(rows, err, "feedback for statistics", scanFeedback)
}
