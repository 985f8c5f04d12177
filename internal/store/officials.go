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

const officialColumns = `id, name, role, fields, head, announce,
	EXISTS (SELECT 1 FROM reception_keepers k WHERE k.official_id = officials.id AND k.revoked_at IS NULL),
	chat_key, created_at, bound_at, revoked_at`

func scanOfficial(s scanner) (domain.Official, error) {
	var o domain.Official
	var role, fields string
	var chatKey sql.NullString
	err := s.Scan(&o.ID, &o.Name, &role, &fields, &o.Head, &o.Announce, &o.Keeper, &chatKey,
		timeScan{&o.CreatedAt}, timeScan{&o.BoundAt}, timeScan{&o.RevokedAt})
	if err != nil {
		return domain.Official{}, err
	}
	o.Role, o.ChatKey = domain.Role(role), chatKey.String
	if err := json.Unmarshal([]byte(fields), &o.Fields); err != nil {
		return domain.Official{}, fmt.Errorf("fields of official %d: %w", o.ID, err)
	}
	if len(o.Fields) == 0 {
		o.Fields = nil
	}
	return o, nil
}

// CreateOfficial stores a new official, not bound to any chat, and returns
// its id. CreatedAt defaults to now; ChatKey, BoundAt and RevokedAt are
// ignored: binding and revoking have their own methods.
func (db *DB) CreateOfficial(ctx context.Context, o domain.Official) (int64, error) {
	fields := o.Fields
	if fields == nil {
		fields = []string{}
	}
	js, err := json.Marshal(fields)
	if err != nil {
		return 0, fmt.Errorf("store: create official: %w", err)
	}
	created := o.CreatedAt
	if created.IsZero() {
		created = db.now()
	}
	res, err := db.w.ExecContext(ctx, `INSERT INTO officials (name, role, fields, head, created_at)
		VALUES (?, ?, ?, ?, ?)`, o.Name, string(o.Role), string(js), o.Head, created.Unix())
	if err != nil {
		return 0, fmt.Errorf("store: create official: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("store: create official: %w", err)
	}
	return id, nil
}

// Official returns the official with id, revoked or not; an unknown id
// wraps domain.ErrNotFound.
func (db *DB) Official(ctx context.Context, id int64) (domain.Official, error) {
	o, err := scanOfficial(db.r.QueryRowContext(ctx, `SELECT `+officialColumns+` FROM officials WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Official{}, fmt.Errorf("store: official %d: %w", id, domain.ErrNotFound)
	}
	if err != nil {
		return domain.Official{}, fmt.Errorf("store: official %d: %w", id, err)
	}
	return o, nil
}

// OfficialByChat returns the official bound to chatKey and not revoked; if
// there is none it wraps domain.ErrNotFound.
func (db *DB) OfficialByChat(ctx context.Context, chatKey string) (domain.Official, error) {
	o, err := scanOfficial(db.r.QueryRowContext(ctx, `SELECT `+officialColumns+` FROM officials
		WHERE id = (SELECT official_id FROM official_chats WHERE chat_key = ?) AND revoked_at IS NULL`, chatKey))
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Official{}, fmt.Errorf("store: official of chat %q: %w", chatKey, domain.ErrNotFound)
	}
	if err != nil {
		return domain.Official{}, fmt.Errorf("store: official of chat %q: %w", chatKey, err)
	}
	return o, nil
}

// Officials lists every official, revoked ones included, by id.
func (db *DB) Officials(ctx context.Context) ([]domain.Official, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+officialColumns+` FROM officials ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: officials: %w", err)
	}
	defer rows.Close()
	var out []domain.Official
	for rows.Next() {
		o, err := scanOfficial(rows)
		if err != nil {
			return nil, fmt.Errorf("store: officials: %w", err)
		}
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: officials: %w", err)
	}
	return out, nil
}

// CreateInvite stores an invite code's hash for an official.
func (db *DB) CreateInvite(ctx context.Context, inv domain.Invite) error {
	_, err := db.w.ExecContext(ctx, `INSERT INTO invites (code_hash, official_id, expires_at, used_at)
		VALUES (?, ?, ?, ?)`, inv.CodeHash, inv.OfficialID, inv.ExpiresAt.Unix(), unix(inv.UsedAt))
	if err != nil {
		return fmt.Errorf("store: invite for official %d: %w", inv.OfficialID, err)
	}
	return nil
}

// RedeemInvite binds chatKey to the official invited by the code whose
// hash is codeHash, in one transaction: the invite is marked used, the chat
// joins the official's chats and becomes the one notices go to (chat_key,
// bound_at), and the chat identity (created if needed) gets the official's
// role. An official already bound elsewhere keeps the other chats. It
// returns the bound official.
// Refusals, checked in this order, write nothing: an unknown code wraps
// domain.ErrNotFound; a used one domain.ErrInviteUsed; one expired at now
// domain.ErrInviteExpired; one whose official was revoked domain.ErrRevoked;
// a chat already bound to another official that is not revoked
// domain.ErrConflict.
func (db *DB) RedeemInvite(ctx context.Context, codeHash, chatKey string, now time.Time) (domain.Official, error) {
	var o domain.Official
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var officialID int64
		var expires, used time.Time
		err := tx.QueryRowContext(ctx, `SELECT official_id, expires_at, used_at FROM invites WHERE code_hash = ?`,
			codeHash).Scan(&officialID, timeScan{&expires}, timeScan{&used})
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("store: redeem invite: %w", domain.ErrNotFound)
		case err != nil:
			return fmt.Errorf("store: redeem invite: %w", err)
		case !used.IsZero():
			return fmt.Errorf("store: redeem invite of official %d: %w", officialID, domain.ErrInviteUsed)
		case !now.Before(expires):
			return fmt.Errorf("store: redeem invite of official %d: %w", officialID, domain.ErrInviteExpired)
		}
		o, err = scanOfficial(tx.QueryRowContext(ctx, `SELECT `+officialColumns+` FROM officials WHERE id = ?`, officialID))
		switch {
		case err != nil:
			return fmt.Errorf("store: redeem invite of official %d: %w", officialID, err)
		case !o.RevokedAt.IsZero():
			return fmt.Errorf("store: redeem invite of official %d: %w", officialID, domain.ErrRevoked)
		}
		var other int64
		err = tx.QueryRowContext(ctx, `SELECT official_id FROM official_chats WHERE chat_key = ?`,
			chatKey).Scan(&other)
		switch {
		case err == nil && other != officialID:
			return fmt.Errorf("store: redeem invite: chat already bound to official %d: %w", other, domain.ErrConflict)
		case err != nil && !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("store: redeem invite: %w", err)
		}
		at := now.Unix()
		if _, err := tx.ExecContext(ctx, `UPDATE invites SET used_at = ? WHERE code_hash = ?`, at, codeHash); err != nil {
			return fmt.Errorf("store: redeem invite: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE officials SET chat_key = ?, bound_at = ? WHERE id = ?`,
			chatKey, at, officialID); err != nil {
			return fmt.Errorf("store: bind official %d: %w", officialID, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO official_chats (chat_key, official_id, bound_at) VALUES (?, ?, ?)
			ON CONFLICT (chat_key) DO UPDATE SET bound_at = excluded.bound_at`, chatKey, officialID, at); err != nil {
			return fmt.Errorf("store: bind official %d: chat: %w", officialID, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO citizens (key, role, created_at) VALUES (?, ?, ?)
			ON CONFLICT (key) DO UPDATE SET role = excluded.role`, chatKey, string(o.Role), at); err != nil {
			return fmt.Errorf("store: bind official %d: role: %w", officialID, err)
		}
		o.ChatKey, o.BoundAt = chatKey, utcSecond(now)
		return nil
	})
	if err != nil {
		return domain.Official{}, err
	}
	return o, nil
}

// RevokeOfficial marks the official revoked at now and sets every chat it
// was bound to back to the citizen role, in one transaction. The
// chat_key stays on the row for the record. It returns the official as
// revoked. An unknown id wraps domain.ErrNotFound; an official revoked
// before wraps domain.ErrRevoked.
func (db *DB) RevokeOfficial(ctx context.Context, id int64, now time.Time) (domain.Official, error) {
	var o domain.Official
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		o, err = scanOfficial(tx.QueryRowContext(ctx, `SELECT `+officialColumns+` FROM officials WHERE id = ?`, id))
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("store: revoke official %d: %w", id, domain.ErrNotFound)
		case err != nil:
			return fmt.Errorf("store: revoke official %d: %w", id, err)
		case !o.RevokedAt.IsZero():
			return fmt.Errorf("store: revoke official %d: %w", id, domain.ErrRevoked)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE officials SET revoked_at = ? WHERE id = ?`, now.Unix(), id); err != nil {
			return fmt.Errorf("store: revoke official %d: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE citizens SET role = 'citizen'
			WHERE key IN (SELECT chat_key FROM official_chats WHERE official_id = ?) OR key = ?`, id, o.ChatKey); err != nil {
			return fmt.Errorf("store: revoke official %d: role: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM official_chats WHERE official_id = ?`, id); err != nil {
			return fmt.Errorf("store: revoke official %d: chats: %w", id, err)
		}
		o.RevokedAt = utcSecond(now)
		return nil
	})
	if err != nil {
		return domain.Official{}, err
	}
	return o, nil
}

// OfficialChats returns the chats bound to the official, oldest first.
func (db *DB) OfficialChats(ctx context.Context, id int64) ([]string, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT chat_key FROM official_chats WHERE official_id = ? ORDER BY bound_at, chat_key`, id)
	if err != nil {
		return nil, fmt.Errorf("store: chats of official %d: %w", id, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, fmt.Errorf("store: chats of official %d: %w", id, err)
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// DeliverTo makes chatKey, one of the official's bound chats, the one
// notices go to. A chat not bound to the official changes nothing.
func (db *DB) DeliverTo(ctx context.Context, id int64, chatKey string) error {
	_, err := db.w.ExecContext(ctx, `UPDATE officials SET chat_key = ?
		WHERE id = ? AND chat_key IS NOT ? AND revoked_at IS NULL
		  AND EXISTS (SELECT 1 FROM official_chats WHERE chat_key = ? AND official_id = ?)`, chatKey, id, chatKey, chatKey, id)
	if err != nil {
		return fmt.Errorf("store: deliver official %d: %w", id, err)
	}
	return nil
}

// AddAudit records one action; a zero At is now.
func (db *DB) AddAudit(ctx context.Context, a domain.Audit) error {
	at := a.At
	if at.IsZero() {
		at = db.now()
	}
	_, err := db.w.ExecContext(ctx, `INSERT INTO audits (at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)`,
		at.Unix(), a.Actor, a.Action, a.Target, a.Detail)
	if err != nil {
		return fmt.Errorf("store: audit %s: %w", a.Action, err)
	}
	return nil
}

// Audits returns the latest recorded actions, newest first, at most limit
// (all when limit ≤ 0).
func (db *DB) Audits(ctx context.Context, limit int) ([]domain.Audit, error) {
	if limit <= 0 {
		limit = -1
	}
	rows, err := db.r.QueryContext(ctx, `SELECT at, actor, action, target, detail FROM audits
		ORDER BY at DESC, id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: audits: %w", err)
	}
	defer rows.Close()
	var out []domain.Audit
	for rows.Next() {
		var a domain.Audit
		if err := rows.Scan(timeScan{&a.At}, &a.Actor, &a.Action, &a.Target, &a.Detail); err != nil {
			return nil, fmt.Errorf("store: audits: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: audits: %w", err)
	}
	return out, nil
}

// AddInviteFailure records a wrong invite code sent from chatKey at at.
func (db *DB) AddInviteFailure(ctx context.Context, chatKey string, at time.Time) error {
	if _, err := db.w.ExecContext(ctx, `INSERT INTO invite_failures (chat_key, at) VALUES (?, ?)`,
		chatKey, at.Unix()); err != nil {
		return fmt.Errorf("store: invite failure of %q: %w", chatKey, err)
	}
	return nil
}

// InviteFailures returns the times of wrong invite codes sent from chatKey
// at or after since, oldest first.
func (db *DB) InviteFailures(ctx context.Context, chatKey string, since time.Time) ([]time.Time, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT at FROM invite_failures WHERE chat_key = ? AND at >= ?
		ORDER BY at, id`, chatKey, since.Unix())
	if err != nil {
		return nil, fmt.Errorf("store: invite failures of %q: %w", chatKey, err)
	}
	defer rows.Close()
	var out []time.Time
	for rows.Next() {
		var t time.Time
		if err := rows.Scan(timeScan{&t}); err != nil {
			return nil, fmt.Errorf("store: invite failures of %q: %w", chatKey, err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: invite failures of %q: %w", chatKey, err)
	}
	return out, nil
}
