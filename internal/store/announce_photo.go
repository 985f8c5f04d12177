package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"xabot/internal/domain"
)

// SaveAnnouncementPhoto keeps p (its data nil when the fetch failed) unless
// the announcement has one already (another process fetched it first), and
// returns the one kept, without its data.
func (db *DB) SaveAnnouncementPhoto(ctx context.Context, p domain.AnnouncementPhoto) (domain.AnnouncementPhoto, error) {
	_, err := db.w.ExecContext(ctx, `INSERT INTO announcement_photos (id, token, data, mime, fetched_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`, p.ID, p.Token, p.Data, p.MIME, p.At.Unix())
	if err != nil {
		return p, fmt.Errorf("store: save announcement %d photo: %w", p.ID, err)
	}
	kept, ok, err := db.announcementPhoto(ctx, db.w, `id = ?`, p.ID)
	if err == nil && !ok {
		err = fmt.Errorf("store: save announcement %d photo: %w", p.ID, domain.ErrNotFound)
	}
	return kept, err
}

// AnnouncementPhoto returns announcement id's photo as kept, without its
// data (Data is a one-byte marker when there is some); false when none was
// fetched yet.
func (db *DB) AnnouncementPhoto(ctx context.Context, id int64) (domain.AnnouncementPhoto, bool, error) {
	return db.announcementPhoto(ctx, db.r, `id = ?`, id)
}

func (db *DB) announcementPhoto(ctx context.Context, q rowQuerier, where string, arg any) (domain.AnnouncementPhoto, bool, error) {
	var p domain.AnnouncementPhoto
	var has bool
	err := q.QueryRowContext(ctx, `SELECT id, token, data IS NOT NULL, mime, tg_file_id, fetched_at
		FROM announcement_photos WHERE `+where, arg).Scan(&p.ID, &p.Token, &has, &p.MIME, &p.FileID, timeScan{&p.At})
	if errors.Is(err, sql.ErrNoRows) {
		return p, false, nil
	}
	if err != nil {
		return p, false, fmt.Errorf("store: announcement photo: %w", err)
	}
	if has {
		p.Data = []byte{1}
	}
	return p, true, nil
}

// KeptPhoto returns the photo whose token is token, with its data, while it
// is kept: fetched, and its announcement not done or cancelled for longer
// than domain.AnnouncementPhotoKeep (the purge may not have run yet).
// Anything else wraps domain.ErrNotFound.
func (db *DB) KeptPhoto(ctx context.Context, token string) (domain.AnnouncementPhoto, error) {
	var p domain.AnnouncementPhoto
	cutoff := db.now().Add(-domain.AnnouncementPhotoKeep).Unix()
	err := db.r.QueryRowContext(ctx, `SELECT p.id, p.token, p.data, p.mime, p.tg_file_id, p.fetched_at
		FROM announcement_photos p JOIN announcements a ON a.id = p.id
		WHERE p.token = ? AND p.data IS NOT NULL
		AND NOT (a.status IN ('done', 'cancelled') AND coalesce(a.done_at, a.cancelled_at, 0) < ?)`,
		token, cutoff).Scan(&p.ID, &p.Token, &p.Data, &p.MIME, &p.FileID, timeScan{&p.At})
	if errors.Is(err, sql.ErrNoRows) {
		return p, fmt.Errorf("store: kept photo: %w", domain.ErrNotFound)
	}
	if err != nil {
		return p, fmt.Errorf("store: kept photo: %w", err)
	}
	return p, nil
}

// RememberPhotoFileID records the file id Telegram gave the first upload
// of the photo token, so the others send it instead of the bytes.
func (db *DB) RememberPhotoFileID(ctx context.Context, token, fileID string) error {
	if _, err := db.w.ExecContext(ctx, `UPDATE announcement_photos SET tg_file_id = ? WHERE token = ?`, fileID, token); err != nil {
		return fmt.Errorf("store: remember photo file id: %w", err)
	}
	return nil
}

// annPhotoGone is the retention purge's rule for kept photos (see
// purgeable): gone domain.AnnouncementPhotoKeep (the cutoff) after their
// announcement is done or cancelled.
const annPhotoGone = `EXISTS (SELECT 1 FROM announcements a WHERE a.id = announcement_photos.id
	AND a.status IN ('done', 'cancelled') AND coalesce(a.done_at, a.cancelled_at, 0) < :before)`
