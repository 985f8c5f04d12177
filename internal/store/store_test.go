package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"xabot/internal/domain"
	"xabot/internal/service/citizen"
	"xabot/internal/service/dossier"
	"xabot/internal/service/intake"
)

// The store satisfies every Repo the services declare.
var (
	_ dossier.Repo = (*DB)(nil)
	_ citizen.Repo = (*DB)(nil)
	_ intake.Repo  = (*DB)(nil)
)

// testClock is a settable clock for SetClock.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// newTestDB opens a database file in a temporary directory, with a clock
// fixed at 2025-05-01 09:00 UTC.
func newTestDB(t *testing.T) (*DB, *testClock, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "xabot.db")
	db, err := Open(t.Context(), path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	clock := &testClock{t: time.Date(2025, 5, 1, 9, 0, 0, 0, time.UTC)}
	db.SetClock(clock.now)
	return db, clock, path
}

func TestMigrateIsIdempotent(t *testing.T) {
	db, _, path := newTestDB(t)
	ctx := t.Context()
	if _, err := db.UpsertDossier(ctx, testDossier("H55.20-250501-0001"), "test"); err != nil {
		t.Fatalf("UpsertDossier: %v", err)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("Migrate again: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	db2, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer db2.Close()
	var n int
	if err := db2.r.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	entries, err := migrations.ReadDir("migrations")
	if err != nil {
		t.Fatal(err)
	}
	if n != len(entries) {
		t.Errorf("schema_migrations has %d rows, want %d", n, len(entries))
	}
	if got, err := db2.CountDossiers(ctx); err != nil || got != 1 {
		t.Errorf("CountDossiers after reopen = %d, %v; want 1", got, err)
	}
}

func TestPragmas(t *testing.T) {
	db, _, _ := newTestDB(t)
	ctx := t.Context()
	tests := []struct {
		pragma string
		want   string
	}{
		{"journal_mode", "wal"},
		{"foreign_keys", "1"},
		{"busy_timeout", "5000"},
		{"synchronous", "1"}, // NORMAL
	}
	for _, tt := range tests {
		var got string
		if err := db.w.QueryRowContext(ctx, "PRAGMA "+tt.pragma).Scan(&got); err != nil {
			t.Fatalf("PRAGMA %s: %v", tt.pragma, err)
		}
		if got != tt.want {
			t.Errorf("PRAGMA %s = %q, want %q", tt.pragma, got, tt.want)
		}
	}
	// The reader pool refuses writes.
	if _, err := db.r.ExecContext(ctx, `DELETE FROM dossiers`); err == nil {
		t.Error("write through the reader pool succeeded, want query_only error")
	}
}

func TestPing(t *testing.T) {
	db, _, _ := newTestDB(t)
	if err := db.Ping(t.Context()); err != nil {
		t.Errorf("Ping: %v", err)
	}
}

func TestBackup(t *testing.T) {
	db, _, _ := newTestDB(t)
	ctx := t.Context()
	if _, err := db.UpsertDossier(ctx, testDossier("H55.20-250501-0001"), "test"); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "backup.db")
	if err := db.Backup(ctx, file); err != nil {
		t.Fatalf("Backup: %v", err)
	}
	if err := db.Backup(ctx, file); err == nil {
		t.Error("second Backup to the same file succeeded, want an error")
	}
	copyDB, err := Open(ctx, file)
	if err != nil {
		t.Fatalf("Open backup: %v", err)
	}
	defer copyDB.Close()
	d, err := copyDB.DossierByCode(ctx, "H55.20-250501-0001")
	if err != nil {
		t.Fatalf("DossierByCode in backup: %v", err)
	}
	if d.Phone != "0905123456" {
		t.Errorf("backup dossier phone = %q", d.Phone)
	}
}

func TestOpenBadPath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing-dir", "x.db")
	if _, err := Open(t.Context(), path); err == nil {
		t.Error("Open in a missing directory succeeded")
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stat %s: %v", path, err)
	}
}

// TestConcurrentReadersWhileWriting runs queries on several goroutines while
// one writes: WAL plus one writer must not produce SQLITE_BUSY.
func TestConcurrentReadersWhileWriting(t *testing.T) {
	db, _, _ := newTestDB(t)
	ctx := t.Context()
	const writes = 100
	if _, err := db.UpsertDossier(ctx, testDossier("H55.20-250501-0001"), "test"); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	done := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(done)
		for i := range writes {
			d := testDossier(fmt.Sprintf("H55.20-250501-%04d", i+2))
			if _, err := db.UpsertDossier(ctx, d, "test"); err != nil {
				errs <- err
				return
			}
		}
	}()
	// A second writer path (lookups) competes for the one write connection.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range writes {
			a := domain.LookupAttempt{User: "tg:1", Code: "H55.20-250501-0001", Outcome: []domain.LookupOutcome{domain.LookupOK, domain.LookupWrong}[i%2]}
			if err := db.RecordLookup(ctx, a); err != nil {
				errs <- err
				return
			}
		}
	}()
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				if _, err := db.DossierByCode(ctx, "H55.20-250501-0001"); err != nil {
					errs <- err
					return
				}
				if _, err := db.DossiersByPhone(ctx, "0905123456", 5); err != nil {
					errs <- err
					return
				}
				if _, err := db.CountDossiers(ctx); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent access: %v", err)
	}
	if n, err := db.CountDossiers(ctx); err != nil || n != writes+1 {
		t.Errorf("CountDossiers = %d, %v; want %d", n, err, writes+1)
	}
}
