package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"xabot/internal/domain"
)

// The ratings table has one nullable 0/1 column per criterion, named as the
// criterion (migrations/0006_ratings.sql), in this order.
const ratingColumns = `level, on_time, trips, staff_attitude, extra_fees, info_accuracy, comment, rater, created_at, updated_at`

var ratingCriteria = [...]domain.Criterion{domain.CriterionOnTime, domain.CriterionTrips,
	domain.CriterionStaffAttitude, domain.CriterionExtraFees, domain.CriterionInfoAccuracy}

// UpsertRating stores r as the rating of dossier r.DossierID: it inserts one
// (created true) or replaces the level, criteria, comment and rater of the
// one there, keeping its created_at. The write's time is r.UpdatedAt (the
// store's clock if zero); a new row's created_at is r.CreatedAt, else the
// same time. A level out of 1–5, an unknown criterion or a comment over
// domain.MaxComment characters is an error; an unknown dossier too (the
// foreign key).
func (db *DB) UpsertRating(ctx context.Context, r domain.Rating) (bool, error) {
	what := fmt.Sprintf("rating of dossier %d", r.DossierID)
	if !r.Level.Valid() {
		return false, fmt.Errorf("store: %s: %v", what, r.Level)
	}
	crit := make([]any, len(ratingCriteria))
	for c, yes := range r.Criteria {
		i := ratingCriterionIndex(c)
		if i < 0 {
			return false, fmt.Errorf("store: %s: unknown criterion %q", what, c)
		}
		crit[i] = ratingBit(yes)
	}
	at := r.UpdatedAt
	if at.IsZero() {
		at = db.now()
	}
	created := r.CreatedAt
	if created.IsZero() {
		created = at
	}
	fresh := false
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM ratings WHERE dossier_id = ?`, r.DossierID).Scan(&n); err != nil {
			return fmt.Errorf("store: %s: %w", what, err)
		}
		var err error
		if fresh = n == 0; fresh {
			_, err = tx.ExecContext(ctx, `INSERT INTO ratings (dossier_id, `+ratingColumns+`)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				r.DossierID, int(r.Level), crit[0], crit[1], crit[2], crit[3], crit[4], r.Comment, r.Rater,
				created.Unix(), at.Unix())
		} else {
			_, err = tx.ExecContext(ctx, `UPDATE ratings SET level = ?, on_time = ?, trips = ?,
				staff_attitude = ?, extra_fees = ?, info_accuracy = ?, comment = ?, rater = ?, updated_at = ?
				WHERE dossier_id = ?`,
				int(r.Level), crit[0], crit[1], crit[2], crit[3], crit[4], r.Comment, r.Rater, at.Unix(), r.DossierID)
		}
		if err != nil {
			return fmt.Errorf("store: %s: %w", what, err)
		}
		return nil
	})
	return fresh, err
}

// RatingOf returns the rating of a dossier; none wraps domain.ErrNotFound.
func (db *DB) RatingOf(ctx context.Context, dossierID int64) (domain.Rating, error) {
	r := domain.Rating{DossierID: dossierID}
	var crit [len(ratingCriteria)]sql.NullInt64
	err := db.r.QueryRowContext(ctx, `SELECT `+ratingColumns+` FROM ratings WHERE dossier_id = ?`, dossierID).
		Scan(&r.Level, &crit[0], &crit[1], &crit[2], &crit[3], &crit[4], &r.Comment, &r.Rater,
			timeScan{&r.CreatedAt}, timeScan{&r.UpdatedAt})
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Rating{}, fmt.Errorf("store: rating of dossier %d: %w", dossierID, domain.ErrNotFound)
	}
	if err != nil {
		return domain.Rating{}, fmt.Errorf("store: rating of dossier %d: %w", dossierID, err)
	}
	setCriteria(&r, crit)
	return r, nil
}

// LowRatingsWithDetails returns the ratings at the two lowest levels last
// changed in [from, to) that carry an answer to a criterion or a comment:
// the ones whose details the heads should read even when the rater left
// before finishing.
func (db *DB) LowRatingsWithDetails(ctx context.Context, from, to time.Time) ([]domain.Rating, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT dossier_id, `+ratingColumns+` FROM ratings
		WHERE level IN (?, ?) AND updated_at >= ? AND updated_at < ?
		  AND (comment != '' OR coalesce(on_time, trips, staff_attitude, extra_fees, info_accuracy) IS NOT NULL)
		ORDER BY updated_at, dossier_id`,
		int(domain.LevelDissatisfied), int(domain.LevelVeryDissatisfied), from.Unix(), to.Unix())
	return collect(rows, err, "low ratings", func(s scanner) (domain.Rating, error) {
		var r domain.Rating
		var crit [len(ratingCriteria)]sql.NullInt64
		err := s.Scan(&r.DossierID, &r.Level, &crit[0], &crit[1], &crit[2], &crit[3], &crit[4], &r.Comment, &r.Rater,
			timeScan{&r.CreatedAt}, timeScan{&r.UpdatedAt})
		setCriteria(&r, crit)
		return r, err
	})
}

// setCriteria fills r's criteria from their nullable columns.
func setCriteria(r *domain.Rating, crit [len(ratingCriteria)]sql.NullInt64) {
	for i, v := range crit {
		if v.Valid {
			if r.Criteria == nil {
				r.Criteria = make(map[domain.Criterion]bool, len(crit))
			}
			r.Criteria[ratingCriteria[i]] = v.Int64 == 1
		}
	}
}

// AnonymizeRater erases chatKey from every rating it gave (/xoadulieu): the
// rater becomes empty and the level, criteria, comment and times stay, as the
// commune must keep them. It returns how many ratings it changed; an empty
// key changes none.
func (db *DB) AnonymizeRater(ctx context.Context, chatKey string) (int, error) {
	if chatKey == "" {
		return 0, nil
	}
	res, err := db.w.ExecContext(ctx, `UPDATE ratings SET rater = '' WHERE rater = ?`, chatKey)
	if err != nil {
		return 0, fmt.Errorf("store: anonymise ratings: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: anonymise ratings: %w", err)
	}
	return int(n), nil
}

// RatingStats counts the ratings per level of the dossiers received in
// [from, to), by the dossier's received date (as the period reports and
// Decision 766's indicators count dossiers), whenever the rating was given.
// Callers turn local report dates into these instants.
func (db *DB) RatingStats(ctx context.Context, from, to time.Time) (domain.RatingStats, error) {
	type count struct {
		level domain.Level
		n     int
	}
	rows, err := db.r.QueryContext(ctx, `SELECT r.level, count(*) FROM ratings r
		JOIN dossiers d ON d.id = r.dossier_id
		WHERE d.received_at >= ? AND d.received_at < ? GROUP BY r.level`, from.Unix(), to.Unix())
	counts, err := collect(rows, err, "rating stats", func(s scanner) (count, error) {
		var c count
		return c, s.Scan(&c.level, &c.n)
	})
	if err != nil {
		return domain.RatingStats{}, err
	}
	st := domain.RatingStats{ByLevel: make(map[domain.Level]int, len(domain.Levels))}
	for _, l := range domain.Levels {
		st.ByLevel[l] = 0
	}
	for _, c := range counts {
		st.ByLevel[c.level] += c.n
		st.Total += c.n
	}
	return st, nil
}

// RatingStatsBy is RatingStats by the dossier's field (lĩnh vực), for
// figures limited to an official's fields.
func (db *DB) RatingStatsBy(ctx context.Context, from, to time.Time) (map[string]domain.RatingStats, error) {
	type count struct {
		field string
		level domain.Level
		n     int
	}
	rows, err := db.r.QueryContext(ctx, `SELECT d.field, r.level, count(*) FROM ratings r
		JOIN dossiers d ON d.id = r.dossier_id
		WHERE d.received_at >= ? AND d.received_at < ? GROUP BY d.field, r.level`, from.Unix(), to.Unix())
	counts, err := collect(rows, err, "rating stats by field", func(s scanner) (count, error) {
		var c count
		return c, s.Scan(&c.field, &c.level, &c.n)
	})
	if err != nil {
		return nil, err
	}
	out := map[string]domain.RatingStats{}
	for _, c := range counts {
		st, ok := out[c.field]
		if !ok {
			st = domain.RatingStats{ByLevel: make(map[domain.Level]int, len(domain.Levels))}
			for _, l := range domain.Levels {
				st.ByLevel[l] = 0
			}
		}
		st.ByLevel[c.level] += c.n
		st.Total += c.n
		out[c.field] = st
	}
	return out, nil
}

func ratingCriterionIndex(c domain.Criterion) int {
	for i, k := range ratingCriteria {
		if k == c {
			return i
		}
	}
	return -1
}

func ratingBit(b bool) int {
	if b {
		return 1
	}
	return 0
}
