package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"xabot/internal/domain"
)

// Citizen returns the chat identity with key; an unknown key wraps
// domain.ErrNotFound.
func (db *DB) Citizen(ctx context.Context, key string) (domain.Citizen, error) {
	c := domain.Citizen{Key: key}
	var phone sql.NullString
	var role string
	err := db.read.citizen.QueryRowContext(ctx, key).
		Scan(&c.Lang, timeScan{&c.ConsentAt}, &phone, timeScan{&c.PhoneVerifiedAt}, &role)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Citizen{}, fmt.Errorf("store: citizen %q: %w", key, domain.ErrNotFound)
	}
	if err != nil {
		return domain.Citizen{}, fmt.Errorf("store: citizen %q: %w", key, err)
	}
	c.Phone, c.Role = phone.String, domain.Role(role)
	return c, nil
}

// SetConsent records (at non-zero) or withdraws (zero at) consent to the
// privacy notice, creating the identity if needed. Withdrawing does not
// unlink the phone: the service does that explicitly.
func (db *DB) SetConsent(ctx context.Context, key string, at time.Time) error {
	return db.execCitizen(ctx, key, "consent", `INSERT INTO citizens (key, consent_at, created_at)
		VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET consent_at = excluded.consent_at`,
		key, unix(at), db.now().Unix())
}

// SetLang stores the chosen language, creating the identity if needed.
func (db *DB) SetLang(ctx context.Context, key, lang string) error {
	return db.execCitizen(ctx, key, "lang", `INSERT INTO citizens (key, lang, created_at)
		VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET lang = excluded.lang`,
		key, lang, db.now().Unix())
}

// SetVerifiedPhone links a phone verified by contact sharing, at time at;
// an empty phone unlinks it and clears the time.
func (db *DB) SetVerifiedPhone(ctx context.Context, key, phone string, at time.Time) error {
	var p, t any // NULL, NULL: unlinked
	if phone != "" {
		p, t = phone, unix(at)
	}
	return db.execCitizen(ctx, key, "phone", `INSERT INTO citizens (key, phone, phone_verified_at, created_at)
		VALUES (?, ?, ?, ?) ON CONFLICT (key) DO UPDATE
		SET phone = excluded.phone, phone_verified_at = excluded.phone_verified_at`,
		key, p, t, db.now().Unix())
}

// SetRole changes the identity's role, creating it if needed.
func (db *DB) SetRole(ctx context.Context, key string, role domain.Role) error {
	if _, err := domain.ParseRole(string(role)); err != nil {
		return fmt.Errorf("store: citizen %q role: %w", key, err)
	}
	return db.execCitizen(ctx, key, "role", `INSERT INTO citizens (key, role, created_at)
		VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET role = excluded.role`,
		key, string(role), db.now().Unix())
}

// execCitizen runs one write on the identity key. The error names what was
// set but never the value: phones are personal data.
func (db *DB) execCitizen(ctx context.Context, key, what, query string, args ...any) error {
	if _, err := db.execGrouped(ctx, query, args...); err != nil {
		return fmt.Errorf("store: citizen %q %s: %w", key, what, err)
	}
	return nil
}

// ForgetChat removes what links a chat to a person, in one transaction:
// the consent, the verified phone, the dossiers it follows, the villages
// whose announcements it receives (and that it was offered them), and every
// outbox row addressed to it, queued or done (their recipient, text and
// idempotency key name the chat; every key ends with its recipient), and
// the outbox's pacing of the chat.
// Lookup attempts stay: they are kept under a keyed hash of the chat, only
// for the guessing limits, and purged when those no longer need them.
// Feedback and ratings are anonymised by their own stores.
func (db *DB) ForgetChat(ctx context.Context, key string) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		for _, q := range []string{
			`DELETE FROM subscriptions WHERE chat_key = ?`,
			`DELETE FROM announce_subs WHERE chat_key = ?`,
			`DELETE FROM announce_offers WHERE chat_key = ?`,
			`DELETE FROM outbox WHERE recipient = ?`,
			`DELETE FROM outbox_chats WHERE recipient = ?`,
			`UPDATE citizens SET consent_at = NULL, phone = NULL, phone_verified_at = NULL WHERE key = ?`,
		} {
			if _, err := tx.ExecContext(ctx, q, key); err != nil {
				return fmt.Errorf("store: forget chat: %w", err)
			}
		}
		return nil
	})
}
