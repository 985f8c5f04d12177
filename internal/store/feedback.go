package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"xabot/internal/domain"
)

// Feedback (phản ánh, kiến nghị), complaints and denunciations:
// migrations/0005_feedback.sql.

const feedbackColumns = `id, ticket, kind, category, body, anonymous, citizen, photos, lat, lon, status, owner,
	answer, refuse_reason, more_request, supplement, created_at, taken_at, answered_at, closed_at,
	due_refuse, due_more, due_answer, dossier_code, dossier_handler, sender_name, sender_phone`

func scanFeedback(s scanner) (domain.Feedback, error) {
	var f domain.Feedback
	var kind, cat, status, photos string
	var lat, lon sql.NullFloat64
	err := s.Scan(&f.ID, &f.Ticket, &kind, &cat, &f.Text, &f.Anonymous, &f.Citizen, &photos, &lat, &lon, &status,
		&f.Owner, &f.AnswerText, &f.RefuseReason, &f.MoreRequest, &f.SupplementText,
		timeScan{&f.CreatedAt}, timeScan{&f.TakenAt}, timeScan{&f.AnsweredAt}, timeScan{&f.ClosedAt},
		timeScan{&f.DueRefuse}, timeScan{&f.DueMore}, timeScan{&f.DueAnswer}, &f.DossierCode, &f.DossierHandler,
		&f.Sender.Name, &f.Sender.Phone)
	if err != nil {
		return domain.Feedback{}, err
	}
	f.Kind, f.Category, f.Status = domain.FeedbackKind(kind), domain.Category(cat), domain.FeedbackStatus(status)
	if err := json.Unmarshal([]byte(photos), &f.Photos); err != nil {
		return domain.Feedback{}, fmt.Errorf("photos of feedback %d: %w", f.ID, err)
	}
	if len(f.Photos) == 0 {
		f.Photos = nil
	}
	if lat.Valid && lon.Valid {
		f.Location = domain.Location{Lat: lat.Float64, Lon: lon.Float64, Has: true}
	}
	return f, nil
}

func photosJSON(p []string) (string, error) {
	if p == nil {
		p = []string{}
	}
	b, err := json.Marshal(p)
	return string(b), err
}

func latLon(l domain.Location) (any, any) {
	if !l.Has {
		return nil, nil
	}
	return l.Lat, l.Lon
}

// CreateFeedback stores a new message and gives it its ticket: the next of
// its kind in the local month of f.CreatedAt (loc), numbered inside the
// write transaction so that concurrent messages get distinct tickets. It
// records a "created" event and returns f with its ID and Ticket. The
// status is f.Status, new if empty; CreatedAt defaults to the store's clock.
func (db *DB) CreateFeedback(ctx context.Context, f domain.Feedback, loc *time.Location) (domain.Feedback, error) {
	if f.CreatedAt.IsZero() {
		f.CreatedAt = db.now()
	}
	if f.Status == "" {
		f.Status = domain.FeedbackNew
	}
	if !f.Kind.Valid() {
		return domain.Feedback{}, fmt.Errorf("store: create feedback: kind %q", f.Kind)
	}
	photos, err := photosJSON(f.Photos)
	if err != nil {
		return domain.Feedback{}, fmt.Errorf("store: create feedback: %w", err)
	}
	lat, lon := latLon(f.Location)
	period := domain.TicketPeriod(f.CreatedAt, loc)
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		var last int
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM feedback WHERE kind = ? AND period = ?`,
			string(f.Kind), period).Scan(&last); err != nil {
			return fmt.Errorf("store: create feedback: %w", err)
		}
		f.Ticket = domain.NextTicket(f.Kind, f.CreatedAt, loc, last)
		res, err := tx.ExecContext(ctx, `INSERT INTO feedback (ticket, kind, period, seq, category, body, anonymous,
			citizen, photos, lat, lon, status, owner, answer, refuse_reason, more_request, supplement,
			created_at, taken_at, answered_at, closed_at, due_refuse, due_more, due_answer, updated_at,
			dossier_code, dossier_handler, sender_name, sender_phone)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			f.Ticket, string(f.Kind), period, last+1, string(f.Category), f.Text, f.Anonymous,
			f.Citizen, photos, lat, lon, string(f.Status), f.Owner, f.AnswerText, f.RefuseReason, f.MoreRequest,
			f.SupplementText, f.CreatedAt.Unix(), unix(f.TakenAt), unix(f.AnsweredAt), unix(f.ClosedAt),
			unix(f.DueRefuse), unix(f.DueMore), unix(f.DueAnswer), f.CreatedAt.Unix(), f.DossierCode, f.DossierHandler,
			f.Sender.Name, f.Sender.Phone)
		if err != nil {
			return fmt.Errorf("store: create feedback %s: %w", f.Ticket, err)
		}
		if f.ID, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("store: create feedback %s: %w", f.Ticket, err)
		}
		_, err = addFeedbackEvent(ctx, tx, domain.FeedbackEvent{FeedbackID: f.ID, At: f.CreatedAt,
			Actor: domain.ActorCitizen, Action: domain.ActCreated, To: f.Status})
		return err
	})
	if err != nil {
		return domain.Feedback{}, err
	}
	f.CreatedAt, f.TakenAt, f.AnsweredAt, f.ClosedAt = utcSecond(f.CreatedAt), utcSecond(f.TakenAt),
		utcSecond(f.AnsweredAt), utcSecond(f.ClosedAt)
	f.DueRefuse, f.DueMore, f.DueAnswer = utcSecond(f.DueRefuse), utcSecond(f.DueMore), utcSecond(f.DueAnswer)
	return f, nil
}

// addFeedbackEvent records ev and returns its id.
func addFeedbackEvent(ctx context.Context, tx *sql.Tx, ev domain.FeedbackEvent) (int64, error) {
	actor := ev.Actor
	if actor == "" {
		actor = domain.ActorSystem
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO feedback_events (feedback_id, at, actor, action, from_status, to_status, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, ev.FeedbackID, ev.At.Unix(), actor, ev.Action, string(ev.From), string(ev.To), ev.Detail)
	if err != nil {
		return 0, fmt.Errorf("store: feedback %d: event %s: %w", ev.FeedbackID, ev.Action, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("store: feedback %d: event %s: %w", ev.FeedbackID, ev.Action, err)
	}
	return id, nil
}

// oneFeedback scans a single-row query; no row wraps domain.ErrNotFound.
func oneFeedback(row *sql.Row, what string) (domain.Feedback, error) {
	f, err := scanFeedback(row)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Feedback{}, fmt.Errorf("store: %s: %w", what, domain.ErrNotFound)
	}
	if err != nil {
		return domain.Feedback{}, fmt.Errorf("store: %s: %w", what, err)
	}
	return f, nil
}

// FeedbackByTicket finds a message by its canonical ticket
// (domain.ParseTicket); unknown wraps domain.ErrNotFound.
func (db *DB) FeedbackByTicket(ctx context.Context, ticket string) (domain.Feedback, error) {
	return oneFeedback(db.r.QueryRowContext(ctx, `SELECT `+feedbackColumns+` FROM feedback WHERE ticket = ?`, ticket),
		"feedback "+ticket)
}

// FeedbackByID finds a message by id; unknown wraps domain.ErrNotFound.
func (db *DB) FeedbackByID(ctx context.Context, id int64) (domain.Feedback, error) {
	return oneFeedback(db.r.QueryRowContext(ctx, `SELECT `+feedbackColumns+` FROM feedback WHERE id = ?`, id),
		fmt.Sprintf("feedback %d", id))
}

// FeedbackOf lists the messages sent from chat key citizen, newest first.
func (db *DB) FeedbackOf(ctx context.Context, citizen string) ([]domain.Feedback, error) {
	if citizen == "" {
		return nil, nil // anonymised rows belong to no one
	}
	rows, err := db.r.QueryContext(ctx, `SELECT `+feedbackColumns+` FROM feedback
		WHERE citizen = ? ORDER BY created_at DESC, id DESC`, citizen)
	return collect(rows, err, "feedback of a citizen", scanFeedback)
}

// OpenFeedback lists the messages neither refused nor closed, oldest first.
func (db *DB) OpenFeedback(ctx context.Context) ([]domain.Feedback, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+feedbackColumns+` FROM feedback
		WHERE status NOT IN ('refused', 'closed') ORDER BY created_at, id`)
	return collect(rows, err, "open feedback", scanFeedback)
}

// FeedbackForOwner lists the open messages (neither refused nor closed)
// the official with chat key owner handles, oldest first.
func (db *DB) FeedbackForOwner(ctx context.Context, owner string) ([]domain.Feedback, error) {
	if owner == "" {
		return nil, nil
	}
	rows, err := db.r.QueryContext(ctx, `SELECT `+feedbackColumns+` FROM feedback
		WHERE owner = ? AND status NOT IN ('refused', 'closed') ORDER BY created_at, id`, owner)
	return collect(rows, err, "feedback of an owner", scanFeedback)
}

// UpdateFeedback writes after, the result of a transition of before, and
// records ev, in one transaction, and returns the event's id. The write is
// optimistic: if the stored row no longer has before's status and owner
// (someone else acted first: two answers at once, say), nothing is written
// and the error wraps domain.ErrConflict; an unknown id wraps
// domain.ErrNotFound. The ticket, kind, text, sender, creation time and the
// dossier cited are not changed here.
func (db *DB) UpdateFeedback(ctx context.Context, before, after domain.Feedback, ev domain.FeedbackEvent) (int64, error) {
	what := "update feedback " + before.Ticket
	photos, err := photosJSON(after.Photos)
	if err != nil {
		return 0, fmt.Errorf("store: %s: %w", what, err)
	}
	if ev.At.IsZero() {
		ev.At = db.now()
	}
	ev.FeedbackID, ev.From, ev.To = before.ID, before.Status, after.Status
	lat, lon := latLon(after.Location)
	var id int64
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE feedback SET category = ?, anonymous = ?, photos = ?, lat = ?, lon = ?,
			status = ?, owner = ?, answer = ?, refuse_reason = ?, more_request = ?, supplement = ?,
			taken_at = ?, answered_at = ?, closed_at = ?, due_refuse = ?, due_more = ?, due_answer = ?, updated_at = ?
			WHERE id = ? AND status = ? AND owner = ?`,
			string(after.Category), after.Anonymous, photos, lat, lon,
			string(after.Status), after.Owner, after.AnswerText, after.RefuseReason, after.MoreRequest, after.SupplementText,
			unix(after.TakenAt), unix(after.AnsweredAt), unix(after.ClosedAt),
			unix(after.DueRefuse), unix(after.DueMore), unix(after.DueAnswer), ev.At.Unix(),
			before.ID, string(before.Status), before.Owner)
		if err != nil {
			return fmt.Errorf("store: %s: %w", what, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("store: %s: %w", what, err)
		} else if n == 0 {
			var one int
			err := tx.QueryRowContext(ctx, `SELECT 1 FROM feedback WHERE id = ?`, before.ID).Scan(&one)
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("store: %s: %w", what, domain.ErrNotFound)
			}
			if err != nil {
				return fmt.Errorf("store: %s: %w", what, err)
			}
			return fmt.Errorf("store: %s: changed meanwhile: %w", what, domain.ErrConflict)
		}
		id, err = addFeedbackEvent(ctx, tx, ev)
		return err
	})
	return id, err
}

// FeedbackEvents returns a message's history, oldest first.
func (db *DB) FeedbackEvents(ctx context.Context, feedbackID int64) ([]domain.FeedbackEvent, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT id, feedback_id, at, actor, action, from_status, to_status, detail
		FROM feedback_events WHERE feedback_id = ? ORDER BY id`, feedbackID)
	return collect(rows, err, "feedback events", func(s scanner) (domain.FeedbackEvent, error) {
		var e domain.FeedbackEvent
		var from, to string
		err := s.Scan(&e.ID, &e.FeedbackID, timeScan{&e.At}, &e.Actor, &e.Action, &from, &to, &e.Detail)
		e.From, e.To = domain.FeedbackStatus(from), domain.FeedbackStatus(to)
		return e, err
	})
}

// CountFeedbackSince counts the messages sent from chat key citizen at or
// after since (the throttle).
func (db *DB) CountFeedbackSince(ctx context.Context, citizen string, since time.Time) (int, error) {
	var n int
	err := db.r.QueryRowContext(ctx, `SELECT count(*) FROM feedback WHERE citizen = ? AND citizen <> '' AND created_at >= ?`,
		citizen, since.Unix()).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: count feedback: %w", err)
	}
	return n, nil
}

// AnonymizeFeedback erases chat key citizen, and the name and phone given
// with it, from every message it sent (/xoadulieu) and says how many: the texts, photos, places and answers
// stay, as the commune must keep them, but no longer lead to the person.
func (db *DB) AnonymizeFeedback(ctx context.Context, citizen string) (int, error) {
	if citizen == "" {
		return 0, nil
	}
	res, err := db.w.ExecContext(ctx, `UPDATE feedback SET citizen = '', sender_name = '', sender_phone = '', updated_at = ? WHERE citizen = ?`,
		db.now().Unix(), citizen)
	if err != nil {
		return 0, fmt.Errorf("store: anonymize feedback: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: anonymize feedback: %w", err)
	}
	return int(n), nil
}
