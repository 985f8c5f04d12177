package store

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"
	"time"

	"xabot/internal/domain"
)

// lookupSecret names the key of the chat hashes in lookup_attempts.
const lookupSecret = "lookup"

// chatHasher turns a chat key into the keyed hash lookup_attempts keeps.
// The key is read from the database once and kept.
type chatHasher struct {
	mu  sync.Mutex
	key []byte
}

// chatHash is the hex HMAC-SHA256 of chat under the database's lookup
// secret: the same chat always gives the same hash, but the hash alone
// leads back to no one.
func (db *DB) chatHash(ctx context.Context, chat string) (string, error) {
	h := &db.hasher
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.key == nil {
		key, err := db.Secret(ctx, lookupSecret)
		if err != nil {
			return "", err
		}
		h.key = key
	}
	m := hmac.New(sha256.New, h.key)
	m.Write([]byte(chat))
	return hex.EncodeToString(m.Sum(nil)), nil
}

// RecordLookup stores one lookup, the chat as its keyed hash.
func (db *DB) RecordLookup(ctx context.Context, a domain.LookupAttempt) error {
	switch a.Outcome {
	case domain.LookupOK, domain.LookupWrong, domain.LookupUnknown:
	default:
		return fmt.Errorf("store: lookup attempt on %q: outcome %q", a.Code, a.Outcome)
	}
	hash, err := db.chatHash(ctx, a.User)
	if err != nil {
		return fmt.Errorf("store: lookup attempt on %q: %w", a.Code, err)
	}
	at := a.At
	if at.IsZero() {
		at = db.now()
	}
	_, err = db.execGrouped(ctx, `INSERT INTO lookup_attempts (chat_hash, code, outcome, at) VALUES (?, ?, ?, ?)`,
		hash, a.Code, string(a.Outcome), at.Unix())
	if err != nil {
		return fmt.Errorf("store: lookup attempt on %q: %w", a.Code, err)
	}
	return nil
}

// FailedLookups returns user's failed lookups (wrong factors and unknown
// codes) at or after since, oldest first, with User set to user.
func (db *DB) FailedLookups(ctx context.Context, user string, since time.Time) ([]domain.LookupAttempt, error) {
	hash, err := db.chatHash(ctx, user)
	if err != nil {
		return nil, fmt.Errorf("store: failed lookups: %w", err)
	}
	rows, err := db.read.failedLookups.QueryContext(ctx, hash, since.Unix())
	return collect(rows, err, "failed lookups", func(s scanner) (domain.LookupAttempt, error) {
		a := domain.LookupAttempt{User: user}
		err := s.Scan(&a.Code, &a.Outcome, timeScan{&a.At})
		return a, err
	})
}

// FailedLookupsOnCode returns the times of the wrong second factors given
// for code at or after since, by anyone, oldest first.
func (db *DB) FailedLookupsOnCode(ctx context.Context, code string, since time.Time) ([]time.Time, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT at FROM lookup_attempts
		WHERE code = ? AND at >= ? AND outcome = 'wrong' ORDER BY at, id`, code, since.Unix())
	return collect(rows, err, "failed lookups on a code", func(s scanner) (time.Time, error) {
		var t time.Time
		err := s.Scan(timeScan{&t})
		return t, err
	})
}
