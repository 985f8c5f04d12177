package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"xabot/internal/domain"
)

// annRange is the range of outbox keys of announcement id's recipients
// ("ann:<id>:<recipient>", announce.AnnounceKey)
// (':' + 1 is ';'); a photo sent after the text has "|photo|" in its key
// and is not counted.
func annRange(id int64) (string, string) {
	p := "ann:" + strconv.FormatInt(id, 10)
	return p + ":", p + ";"
}

const annRows = `key >= ? AND key < ? AND instr(key, '|') = 0`

// SubscribeVillage makes chat receive village's announcements ("*": every
// village's); a subscription held already stays as it was.
func (db *DB) SubscribeVillage(ctx context.Context, chat, village string, at time.Time) error {
	_, err := db.w.ExecContext(ctx, `INSERT INTO announce_subs (chat_key, village, created_at) VALUES (?, ?, ?)
		ON CONFLICT DO NOTHING`, chat, village, at.Unix())
	if err != nil {
		return fmt.Errorf("store: subscribe village: %w", err)
	}
	return nil
}

// UnsubscribeVillage stops one village's announcements to chat.
func (db *DB) UnsubscribeVillage(ctx context.Context, chat, village string) error {
	if _, err := db.w.ExecContext(ctx, `DELETE FROM announce_subs WHERE chat_key = ? AND village = ?`, chat, village); err != nil {
		return fmt.Errorf("store: unsubscribe village: %w", err)
	}
	return nil
}

// StopAnnouncements stops every announcement to chat; it returns how many
// villages it received.
func (db *DB) StopAnnouncements(ctx context.Context, chat string) (int, error) {
	res, err := db.w.ExecContext(ctx, `DELETE FROM announce_subs WHERE chat_key = ?`, chat)
	if err != nil {
		return 0, fmt.Errorf("store: stop announcements: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// AnnounceSubs lists the villages chat receives ("*" for all), by name.
func (db *DB) AnnounceSubs(ctx context.Context, chat string) ([]string, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT village FROM announce_subs WHERE chat_key = ? ORDER BY village`, chat)
	return collect(rows, err, "announce subs", func(s scanner) (string, error) {
		var v string
		return v, s.Scan(&v)
	})
}

// OfferAnnounce records that chat was offered the subscription; false when
// it had been already (it is offered once).
func (db *DB) OfferAnnounce(ctx context.Context, chat string, at time.Time) (bool, error) {
	res, err := db.w.ExecContext(ctx, `INSERT INTO announce_offers (chat_key, at) VALUES (?, ?)
		ON CONFLICT DO NOTHING`, chat, at.Unix())
	if err != nil {
		return false, fmt.Errorf("store: offer announce: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// AnnounceRecipients lists the chats an announcement reaches, in chat key
// order after the key after, at most limit (< 0: all): the subscribers of
// its villages and of the whole commune, each once; every subscriber when
// whole.
func (db *DB) AnnounceRecipients(ctx context.Context, whole bool, villages []string, after string, limit int) ([]string, error) {
	match := `1`
	args := []any{after}
	if !whole {
		js, err := json.Marshal(append([]string{domain.WholeCommune}, villages...))
		if err != nil {
			return nil, err
		}
		match = `village IN (SELECT value FROM json_each(?))`
		args = append(args, string(js))
	}
	rows, err := db.r.QueryContext(ctx, `SELECT DISTINCT chat_key FROM announce_subs WHERE chat_key > ? AND `+match+`
		ORDER BY chat_key LIMIT ?`, append(args, limit)...)
	return collect(rows, err, "announce recipients", func(s scanner) (string, error) {
		var v string
		return v, s.Scan(&v)
	})
}

const annColumns = `id, author, author_name, whole, villages, text, photo, photo_chan, urgent, status,
	send_at, created_at, queued_at, done_at, cancelled_at, cancelled_by, cursor, listed_all,
	recipients, sent, failed, stopped, cancelled`

func scanAnnouncement(s scanner) (domain.Announcement, error) {
	var a domain.Announcement
	var villages string
	f := &a.Figures
	err := s.Scan(&a.ID, &a.Author, &a.AuthorName, &a.Whole, &villages, &a.Text, &a.Photo, &a.PhotoChan, &a.Urgent,
		&a.Status, timeScan{&a.SendAt}, timeScan{&a.CreatedAt}, timeScan{&a.QueuedAt}, timeScan{&a.DoneAt},
		timeScan{&a.CancelAt}, &a.CancelBy, &a.Cursor, &a.ListedAll, &f.Recipients, &f.Sent, &f.Failed, &f.Stopped, &f.Cancelled)
	if err != nil {
		return a, err
	}
	return a, json.Unmarshal([]byte(villages), &a.Villages)
}

// CreateAnnouncement stores a (status scheduled) and returns its id, in one
// transaction with the daily limit's check: a routine announcement is
// refused (*domain.DailyLimitError) when one of the villages it counts for
// — check, every village for a whole-commune one — already has limit
// routine announcements, not cancelled, due in [from, to). A
// whole-commune announcement counts for every village.
func (db *DB) CreateAnnouncement(ctx context.Context, a domain.Announcement, check []string, limit int, from, to time.Time) (int64, error) {
	villages := a.Villages
	if villages == nil || a.Whole {
		villages = []string{}
	}
	js, err := json.Marshal(villages)
	if err != nil {
		return 0, err
	}
	var id int64
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		if !a.Urgent {
			if err := annLimit(ctx, tx, check, limit, from, to); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO announcements (author, author_name, whole, villages, text,
			photo, photo_chan, urgent, status, send_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'scheduled', ?, ?)`,
			a.Author, a.AuthorName, a.Whole, string(js), a.Text, a.Photo, a.PhotoChan, a.Urgent, a.SendAt.Unix(), a.CreatedAt.Unix())
		if err != nil {
			return fmt.Errorf("store: create announcement: %w", err)
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		for _, v := range a.Targets() {
			if _, err := tx.ExecContext(ctx, `INSERT INTO announcement_villages (announcement_id, village) VALUES (?, ?)
				ON CONFLICT DO NOTHING`, id, v); err != nil {
				return fmt.Errorf("store: create announcement: %w", err)
			}
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO audits (at, actor, action, target, detail) VALUES (?, ?, 'announce', ?, ?)`,
			a.CreatedAt.Unix(), a.Author, "ann:"+strconv.FormatInt(id, 10), announceDetail(a))
		return err
	})
	return id, err
}

type rowQuerier interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

// annLimit refuses (*domain.DailyLimitError) when one of the villages of
// check already has limit routine announcements, not cancelled, due in
// [from, to); a whole-commune one counts for every village.
func annLimit(ctx context.Context, q rowQuerier, check []string, limit int, from, to time.Time) error {
	if limit <= 0 {
		return nil
	}
	for _, v := range check {
		var n int
		err := q.QueryRowContext(ctx, `SELECT count(DISTINCT a.id) FROM announcement_villages av
			JOIN announcements a ON a.id = av.announcement_id
			WHERE av.village IN (?, '*') AND a.urgent = 0 AND a.status <> 'cancelled'
			AND a.send_at >= ? AND a.send_at < ?`, v, from.Unix(), to.Unix()).Scan(&n)
		if err != nil {
			return fmt.Errorf("store: announcement limit: %w", err)
		}
		if n >= limit {
			return &domain.DailyLimitError{Village: v, Count: n, Limit: limit, Resets: to}
		}
	}
	return nil
}

// AnnouncementLimit checks the daily limit as CreateAnnouncement does,
// writing nothing (a draft is told before its preview).
func (db *DB) AnnouncementLimit(ctx context.Context, check []string, limit int, from, to time.Time) error {
	return annLimit(ctx, db.r, check, limit, from, to)
}

// announceDetail is the audit's line: where, when, how urgent (the text
// stays in the announcement).
func announceDetail(a domain.Announcement) string {
	where := "*"
	if !a.Whole {
		b, _ := json.Marshal(a.Villages)
		where = string(b)
	}
	return fmt.Sprintf("villages=%s urgent=%t send_at=%d", where, a.Urgent, a.SendAt.Unix())
}

// Announcement returns announcement id; none wraps domain.ErrNotFound.
func (db *DB) Announcement(ctx context.Context, id int64) (domain.Announcement, error) {
	a, err := scanAnnouncement(db.r.QueryRowContext(ctx, `SELECT `+annColumns+` FROM announcements WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, fmt.Errorf("store: announcement %d: %w", id, domain.ErrNotFound)
	}
	if err != nil {
		return a, fmt.Errorf("store: announcement %d: %w", id, err)
	}
	return a, nil
}

// RecentAnnouncements returns the last limit announcements, newest first.
func (db *DB) RecentAnnouncements(ctx context.Context, limit int) ([]domain.Announcement, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+annColumns+` FROM announcements ORDER BY id DESC LIMIT ?`, limit)
	return collect(rows, err, "recent announcements", scanAnnouncement)
}

// OpenAnnouncements returns those still to queue (scheduled, due at or
// before now) or to finish (sending), oldest first.
func (db *DB) OpenAnnouncements(ctx context.Context, now time.Time) ([]domain.Announcement, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+annColumns+` FROM announcements
		WHERE (status = 'scheduled' AND send_at <= ?) OR status = 'sending' ORDER BY id`, now.Unix())
	return collect(rows, err, "open announcements", scanAnnouncement)
}

// AnnouncementProgress records that the recipients of announcement id
// after the key from up to the key to (added of them) are queued, and
// whether that was the last of them (all); the announcement is sending
// from then. False when another process recorded it first (its cursor is
// no longer from) or the announcement was cancelled meanwhile.
func (db *DB) AnnouncementProgress(ctx context.Context, id int64, from, to string, added int, all bool, at time.Time) (bool, error) {
	res, err := db.w.ExecContext(ctx, `UPDATE announcements SET status = 'sending', cursor = ?, recipients = recipients + ?,
		listed_all = ?, queued_at = CASE WHEN ? THEN ? ELSE queued_at END
		WHERE id = ? AND status IN ('scheduled', 'sending') AND cursor = ? AND listed_all = 0`,
		to, added, all, all, at.Unix(), id, from)
	if err != nil {
		return false, fmt.Errorf("store: announcement %d progress: %w", id, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// AnnouncementFigures counts announcement id's outbox rows by state.
func (db *DB) AnnouncementFigures(ctx context.Context, id int64) (domain.AnnouncementFigures, error) {
	return annFigures(ctx, db.r, id)
}

type querier interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

func annFigures(ctx context.Context, q querier, id int64) (domain.AnnouncementFigures, error) {
	var f domain.AnnouncementFigures
	lo, hi := annRange(id)
	rows, err := q.QueryContext(ctx, `SELECT status, count(*) FROM outbox WHERE `+annRows+` GROUP BY status`, lo, hi)
	if err != nil {
		return f, fmt.Errorf("store: announcement %d figures: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var status string
		var n int
		if err := rows.Scan(&status, &n); err != nil {
			return f, fmt.Errorf("store: announcement %d figures: %w", id, err)
		}
		switch status {
		case domain.OutQueued:
			f.Queued = n
		case domain.OutSent:
			f.Sent = n
		case domain.OutFailed:
			f.Failed = n
		case domain.OutStopped:
			f.Stopped = n
		case domain.OutCancelled:
			f.Cancelled = n
		}
	}
	return f, rows.Err()
}

// fixFigures completes counted outbox rows with the recipients that got
// none (stopped chats, never queued).
func fixFigures(f domain.AnnouncementFigures, recipients int) domain.AnnouncementFigures {
	f.Recipients = recipients
	if missing := recipients - (f.Queued + f.Sent + f.Failed + f.Stopped + f.Cancelled); missing > 0 {
		f.Stopped += missing
	}
	return f
}

// FinishAnnouncement marks a sending announcement done when all its
// recipients were queued and none of its rows waits, fixing its figures; false (and nothing written) while rows
// wait, or when another process finished it first.
func (db *DB) FinishAnnouncement(ctx context.Context, id int64, at time.Time) (domain.Announcement, bool, error) {
	var done bool
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var recipients int
		err := tx.QueryRowContext(ctx, `SELECT recipients FROM announcements WHERE id = ? AND status = 'sending'
			AND listed_all = 1`, id).Scan(&recipients)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		f, err := annFigures(ctx, tx, id)
		if err != nil || f.Queued > 0 {
			return err
		}
		f = fixFigures(f, recipients)
		_, err = tx.ExecContext(ctx, `UPDATE announcements SET status = 'done', done_at = ?,
			sent = ?, failed = ?, stopped = ?, cancelled = ? WHERE id = ?`,
			at.Unix(), f.Sent, f.Failed, f.Stopped, f.Cancelled, id)
		done = err == nil
		return err
	})
	if err != nil || !done {
		return domain.Announcement{}, false, err
	}
	a, err := db.Announcement(ctx, id)
	return a, err == nil, err
}

// CancelAnnouncement cancels announcement id while it is scheduled or
// sending: its rows still queued and held by no sender become cancelled
// (a message in flight goes), the figures are fixed and the act audited.
// A done or cancelled one wraps domain.ErrConflict.
func (db *DB) CancelAnnouncement(ctx context.Context, id int64, by string, at time.Time) (domain.Announcement, error) {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var status string
		var recipients int
		err := tx.QueryRowContext(ctx, `SELECT status, recipients FROM announcements WHERE id = ?`, id).Scan(&status, &recipients)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: cancel announcement %d: %w", id, domain.ErrNotFound)
		}
		if err != nil {
			return err
		}
		if status != domain.AnnScheduled && status != domain.AnnSending {
			return fmt.Errorf("store: cancel announcement %d (%s): %w", id, status, domain.ErrConflict)
		}
		if _, err := cancelRows(ctx, tx, id); err != nil {
			return err
		}
		f, err := annFigures(ctx, tx, id)
		if err != nil {
			return err
		}
		f = fixFigures(f, recipients)
		if _, err := tx.ExecContext(ctx, `UPDATE announcements SET status = 'cancelled', cancelled_at = ?, cancelled_by = ?,
			sent = ?, failed = ?, stopped = ?, cancelled = ? WHERE id = ?`,
			at.Unix(), by, f.Sent, f.Failed, f.Stopped, f.Cancelled, id); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO audits (at, actor, action, target, detail) VALUES (?, ?, 'announce_cancel', ?, ?)`,
			at.Unix(), by, "ann:"+strconv.FormatInt(id, 10), fmt.Sprintf("cancelled=%d sent=%d", f.Cancelled, f.Sent))
		return err
	})
	if err != nil {
		return domain.Announcement{}, err
	}
	return db.Announcement(ctx, id)
}

type execer interface {
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
}

// cancelRows cancels announcement id's rows still queued and held by no
// sender, its photos with them.
func cancelRows(ctx context.Context, x execer, id int64) (int, error) {
	lo, hi := annRange(id)
	res, err := x.ExecContext(ctx, `UPDATE outbox SET status = 'cancelled', last_error = 'cancelled'
		WHERE key >= ? AND key < ? AND status = 'queued' AND lease_owner = ''`, lo, hi)
	if err != nil {
		return 0, fmt.Errorf("store: cancel announcement %d rows: %w", id, err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// CancelAnnouncementRows cancels the rows of a cancelled announcement that
// a process queued after the cancel (it was listing its recipients).
func (db *DB) CancelAnnouncementRows(ctx context.Context, id int64) (int, error) {
	return cancelRows(ctx, db.w, id)
}

// SetOfficialAnnounce gives official id the right to send announcements,
// or takes it away, and audits it; an unknown or revoked official wraps
// domain.ErrNotFound.
func (db *DB) SetOfficialAnnounce(ctx context.Context, actor string, id int64, on bool, at time.Time) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE officials SET announce = ? WHERE id = ? AND revoked_at IS NULL`, on, id)
		if err != nil {
			return fmt.Errorf("store: official announce: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("store: official %d: %w", id, domain.ErrNotFound)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO audits (at, actor, action, target, detail) VALUES (?, ?, 'announce_right', ?, ?)`,
			at.Unix(), actor, strconv.FormatInt(id, 10), fmt.Sprintf("on=%t", on))
		return err
	})
}

// OfficialMayAnnounce says whether the official bound to chat has the
// right to send announcements (the flag; roles are the service's).
func (db *DB) OfficialMayAnnounce(ctx context.Context, chat string) (bool, error) {
	var on bool
	err := db.r.QueryRowContext(ctx, `SELECT announce FROM officials WHERE chat_key = ? AND revoked_at IS NULL`, chat).Scan(&on)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: official may announce: %w", err)
	}
	return on, nil
}
