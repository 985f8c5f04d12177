// Package store keeps xabot's records in SQLite (modernc.org/sqlite, pure
// Go): dossiers and their events, procedures, chat identities and lookup
// attempts. It applies the embedded numbered migrations and implements the
// Repo interfaces the services declare. Of this module it may import only
// internal/domain and internal/fold, never a service.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"xabot/internal/domain"
)

//go:embed migrations/*.sql
var migrations embed.FS

// readers is the size of the query pool. WAL lets readers run beside the one
// writer; a commune's traffic needs few.
const readers = 4

// DB is the SQLite database. Writes go through one connection (SQLite allows
// one writer at a time; queueing them in Go avoids SQLITE_BUSY), queries
// through a small pool of read-only connections.
type DB struct {
	w      *sql.DB
	r      *sql.DB
	dsn    string // without the writer's and the readers' own settings, for Backup
	now    func() time.Time
	upsert upsertStmts
	read   readStmts
	inbox  inboxStmts
	group  *groupQueue // the inbox's writes waiting for their group commit
	hasher chatHasher  // keyed hashes of chat keys in lookup_attempts
}

// readStmts are the queries of every inbound update, prepared once: parsing
// the SQL again on each call cost more than running it.
type readStmts struct {
	citizen, dossierByKey, failedLookups, stopped, following *sql.Stmt
}

const (
	qCitizen = `SELECT lang, consent_at, phone, phone_verified_at, role FROM citizens WHERE key = ?`
	qFailed  = `SELECT code, outcome, at FROM lookup_attempts WHERE chat_hash = ? AND at >= ? AND outcome <> 'ok' ORDER BY at, id`
	// Asked by every command (ResumeChat) and every lookup (Subscribe),
	// so that only a change takes the writer.
	qStopped   = `SELECT EXISTS (SELECT 1 FROM stopped_chats WHERE recipient = ?)`
	qFollowing = `SELECT EXISTS (SELECT 1 FROM subscriptions WHERE dossier_id = ? AND chat_key = ? AND unsubscribed_at IS NULL)`
)

func (db *DB) prepareReads(ctx context.Context) error {
	for _, p := range []struct {
		dst **sql.Stmt
		q   string
	}{{&db.read.citizen, qCitizen}, {&db.read.dossierByKey, qDossierByKey}, {&db.read.failedLookups, qFailed},
		{&db.read.stopped, qStopped}, {&db.read.following, qFollowing}} {
		st, err := db.r.PrepareContext(ctx, p.q)
		if err != nil {
			return fmt.Errorf("store: prepare %q: %w", p.q, err)
		}
		*p.dst = st
	}
	return nil
}

// Open opens (creating if needed) the database file at path and applies
// pending migrations.
func Open(ctx context.Context, path string) (*DB, error) {
	// A file URI, so the path's own '?', '#' and '%' must be escaped.
	base := "file:" + strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path) +
		"?_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"
	// BEGIN IMMEDIATE takes the write lock at the start, so a transaction
	// that reads then writes never fails half-way on a lock upgrade.
	// A larger page cache for the writer keeps the indexes of a big import
	// in memory (20 MB; the default is 2 MB).
	w, err := sql.Open("sqlite", base+"&_pragma=journal_mode(WAL)&_pragma=cache_size(-20000)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("store: open %q: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	// The writer connects first so the file exists and is in WAL mode before
	// any reader opens it.
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open %q: %w", path, err)
	}
	// query_only turns an accidental write through the pool into an error
	// instead of a second writer.
	r, err := sql.Open("sqlite", base+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open %q: %w", path, err)
	}
	r.SetMaxOpenConns(readers)
	r.SetMaxIdleConns(readers)
	db := &DB{w: w, r: r, dsn: base, now: time.Now, group: newGroupQueue()}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := db.prepareReads(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := db.prepareUpsert(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := db.prepareInbox(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// SetClock replaces the clock that stamps updated_at, events and created_at;
// tests use it for fixed times.
func (db *DB) SetClock(now func() time.Time) { db.now = now }

// Close stops the inbox's committer (a write still waiting fails) and
// closes both connection pools.
func (db *DB) Close() error {
	db.group.close()
	return errors.Join(db.r.Close(), db.w.Close())
}

// Ping checks that the database answers on both pools.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.w.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping writer: %w", err)
	}
	if err := db.r.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping reader: %w", err)
	}
	return nil
}

// Backup writes a consistent copy of the database to file with VACUUM INTO,
// while the bot keeps running. It fails if file already exists.
func (db *DB) Backup(ctx context.Context, file string) error {
	// VACUUM INTO needs only a read transaction, so writes are not held up,
	// but query_only forbids it: a connection of its own does it.
	c, err := sql.Open("sqlite", db.dsn)
	if err != nil {
		return fmt.Errorf("store: backup %q: %w", file, err)
	}
	defer c.Close()
	if _, err := c.ExecContext(ctx, `VACUUM INTO ?`, file); err != nil {
		return fmt.Errorf("store: backup %q: %w", file, err)
	}
	if err := c.Close(); err != nil {
		return fmt.Errorf("store: backup %q: %w", file, err)
	}
	return nil
}

// Migrate applies the embedded migrations not yet recorded in
// schema_migrations, in file-name order, each in its own transaction with
// its record. Running it again does nothing.
func (db *DB) Migrate(ctx context.Context) error {
	const create = `CREATE TABLE IF NOT EXISTS schema_migrations (
		name       TEXT PRIMARY KEY,
		applied_at INTEGER NOT NULL -- unix seconds, UTC
	) STRICT`
	if _, err := db.w.ExecContext(ctx, create); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := db.apply(ctx, name); err != nil {
			return err
		}
	}
	return nil
}

// apply runs one migration unless it is recorded. The check is inside the
// transaction, so two processes starting together apply it once.
func (db *DB) apply(ctx context.Context, path string) error {
	name := strings.TrimPrefix(path, "migrations/")
	body, err := migrations.ReadFile(path)
	if err != nil {
		return fmt.Errorf("store: migration %q: %w", name, err)
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE name = ?`, name).Scan(&n)
		if err != nil {
			return fmt.Errorf("store: migration %q: %w", name, err)
		}
		if n > 0 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			return fmt.Errorf("store: migration %q: %w", name, err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)`,
			name, db.now().Unix())
		if err != nil {
			return fmt.Errorf("store: migration %q: %w", name, err)
		}
		return nil
	})
}

// inTx runs fn in a write transaction, committing if it returns nil.
func (db *DB) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// unix is t as stored: unix seconds, or NULL for the zero time.
func unix(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.Unix()
}

// utcSecond is t as it reads back from the database: UTC, whole seconds.
func utcSecond(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return time.Unix(t.Unix(), 0).UTC()
}

// timeScan scans a unix-seconds column into *t; NULL and 0 give the zero time.
type timeScan struct{ t *time.Time }

// Scan implements sql.Scanner.
func (s timeScan) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*s.t = time.Time{}
	case int64:
		if x == 0 {
			*s.t = time.Time{}
		} else {
			*s.t = time.Unix(x, 0).UTC()
		}
	default:
		return fmt.Errorf("store: time column holds %T", v)
	}
	return nil
}

// collect scans every row of a query (rows, err as QueryContext returns
// them) with scan; what names the query in errors.
func collect[T any](rows *sql.Rows, err error, what string, scan func(scanner) (T, error)) ([]T, error) {
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("store: %s: %w", what, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	return out, nil
}

// oneDossier scans a single-dossier query; no row wraps domain.ErrNotFound.
func oneDossier(row *sql.Row, what string) (domain.Dossier, error) {
	d, err := scanDossier(row)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Dossier{}, fmt.Errorf("store: %s: %w", what, domain.ErrNotFound)
	}
	if err != nil {
		return domain.Dossier{}, fmt.Errorf("store: %s: %w", what, err)
	}
	return d, nil
}
