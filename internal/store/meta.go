package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
)

// Keys of the meta table.
const (
	// MetaKind says what made the database: KindDemo for `xabot demo`'s;
	// absent for a commune's own.
	MetaKind = "kind"
	// metaInstance is a random id of this database, made on first use.
	metaInstance = "instance"
)

// KindDemo marks the database `xabot demo` created, the only one it may reset.
const KindDemo = "demo"

// Meta returns the value stored under key, "" when there is none.
func (db *DB) Meta(ctx context.Context, key string) (string, error) {
	var v string
	err := db.r.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: meta %q: %w", key, err)
	}
	return v, nil
}

// MetaOnce stores value under key unless a value is there already, and
// returns the value stored: the first writer wins, also between processes.
func (db *DB) MetaOnce(ctx context.Context, key, value string) (string, error) {
	var v string
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO meta (key, value, created_at) VALUES (?, ?, ?)`,
			key, value, db.now().Unix()); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&v)
	})
	if err != nil {
		return "", fmt.Errorf("store: meta %q: %w", key, err)
	}
	return v, nil
}

// Secret returns 32 random bytes named name, made on first use and kept in
// the database, so every process on it uses the same key (for keyed hashes
// of chat identities, signed links). It never appears in logs.
func (db *DB) Secret(ctx context.Context, name string) ([]byte, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("store: secret %q: %w", name, err)
	}
	v, err := db.MetaOnce(ctx, "secret:"+name, hex.EncodeToString(b))
	if err != nil {
		return nil, err
	}
	out, err := hex.DecodeString(v)
	if err != nil || len(out) != 32 {
		return nil, fmt.Errorf("store: secret %q: stored value is not 32 hex bytes", name)
	}
	return out, nil
}

// Instance returns this database's random id (16 hex digits), made on first
// use: it tells apart the records of two communes that share a Redis.
func (db *DB) Instance(ctx context.Context) (string, error) {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("store: instance: %w", err)
	}
	return db.MetaOnce(ctx, metaInstance, hex.EncodeToString(b))
}

// Inspect tells, without changing the file (read-only, no migrations),
// whether a database exists at path and what its meta table says it is.
// legacyDemo is true for a database made by an older `xabot demo`, before
// databases were marked: it holds dossiers, and every dossier event came
// from the demo seed or the bot, none from an import or the sync API.
func Inspect(ctx context.Context, path string) (exists bool, kind string, legacyDemo bool, err error) {
	if _, statErr := os.Stat(path); errors.Is(statErr, os.ErrNotExist) {
		return false, "", false, nil
	} else if statErr != nil {
		return false, "", false, fmt.Errorf("store: inspect %q: %w", path, statErr)
	}
	dsn := "file:" + strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path) +
		"?mode=ro&_pragma=busy_timeout(5000)&_pragma=query_only(1)"
	c, err := sql.Open("sqlite", dsn)
	if err != nil {
		return true, "", false, fmt.Errorf("store: inspect %q: %w", path, err)
	}
	defer c.Close()
	has := func(table string) (bool, error) {
		var n int
		err := c.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?`, table).Scan(&n)
		return n > 0, err
	}
	if ok, err := has("meta"); err != nil {
		return true, "", false, fmt.Errorf("store: inspect %q: %w", path, err)
	} else if ok {
		err := c.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, MetaKind).Scan(&kind)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return true, "", false, fmt.Errorf("store: inspect %q: %w", path, err)
		}
		if kind != "" {
			return true, kind, false, nil
		}
	}
	if ok, err := has("dossier_events"); err != nil || !ok {
		return true, "", false, err
	}
	var demoEvents, otherEvents int
	err = c.QueryRowContext(ctx, `SELECT coalesce(sum(source = 'demo'), 0),
		coalesce(sum(source <> 'demo' AND source NOT LIKE 'bot%'), 0) FROM dossier_events`).Scan(&demoEvents, &otherEvents)
	if err != nil {
		return true, "", false, fmt.Errorf("store: inspect %q: %w", path, err)
	}
	return true, "", demoEvents > 0 && otherEvents == 0, nil
}
