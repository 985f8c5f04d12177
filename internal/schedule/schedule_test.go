package schedule

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"xabot/internal/store"
)

var hcm, _ = time.LoadLocation("Asia/Ho_Chi_Minh")

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func runs(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "x.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestBadSpecsAreReportedTogether(t *testing.T) {
	_, err := New(Config{Loc: hcm, Log: quiet(), Slots: runs(t), Now: time.Now},
		Job{Name: "a", Spec: "61 7 * * *", Run: func(context.Context, time.Time) error { return nil }},
		Job{Name: "b", Spec: "every morning", Run: func(context.Context, time.Time) error { return nil }})
	if err == nil || !contains(err.Error(), "job a") || !contains(err.Error(), "job b") {
		t.Fatalf("New = %v, want both bad specs named", err)
	}
}

func TestMissedRunIsTheLatestScheduledTime(t *testing.T) {
	s, err := New(Config{Loc: hcm, Log: quiet(), Slots: runs(t), Now: time.Now},
		Job{Name: "due-soon", Spec: "30 7 * * *", Run: func(context.Context, time.Time) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, hcm)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		last, now, want string // want "" = nothing missed
	}{
		{"2026-11-25 07:30", "2026-11-25 12:00", ""},
		{"2026-11-25 07:30", "2026-11-26 07:29", ""},
		{"2026-11-25 07:30", "2026-11-26 07:30", "2026-11-26 07:30"},
		{"2026-11-20 07:30", "2026-11-25 09:00", "2026-11-25 07:30"}, // days down: one catch-up, as of the latest
	}
	for _, tt := range tests {
		got := s.Missed("due-soon", at(tt.last), at(tt.now))
		if tt.want == "" && !got.IsZero() || tt.want != "" && !got.Equal(at(tt.want)) {
			t.Errorf("Missed(last %s, now %s) = %v, want %q", tt.last, tt.now, got, tt.want)
		}
	}
	if !s.Missed("due-soon", time.Time{}, at("2026-11-25 09:00")).IsZero() {
		t.Error("a job that never ran has no missed run to catch up")
	}
}

// Run catches up after downtime with the missed time, records it, and a
// second start the same day runs nothing more.
func TestRunCatchesUpOnce(t *testing.T) {
	db := runs(t)
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, hcm)
	if err := db.SetLastRun(t.Context(), "overdue", now.AddDate(0, 0, -3)); err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int32
	var asOf atomic.Value
	job := Job{Name: "overdue", Spec: "30 7 * * *", Run: func(_ context.Context, at time.Time) error {
		calls.Add(1)
		asOf.Store(at)
		return nil
	}}
	for range 2 {
		s, err := New(Config{Loc: hcm, Log: quiet(), Slots: db, Now: func() time.Time { return now }}, job)
		if err != nil {
			t.Fatal(err)
		}
		startAndStop(t, s)
	}
	if calls.Load() != 1 {
		t.Fatalf("job ran %d times over two starts, want 1 catch-up", calls.Load())
	}
	if want := time.Date(2026, 11, 25, 7, 30, 0, 0, hcm); !asOf.Load().(time.Time).Equal(want) {
		t.Errorf("caught up as of %v, want %v", asOf.Load(), want)
	}
	last, _ := db.LastRun(t.Context(), "overdue")
	if !last.Equal(time.Date(2026, 11, 25, 7, 30, 0, 0, hcm)) {
		t.Errorf("last run = %v", last)
	}
}

// A failed or panicking run is not recorded, and gives its slot back: the
// next run of the slot (a catch-up) runs it.
func TestFailedAndPanickingJobsAreNotRecorded(t *testing.T) {
	db := runs(t)
	s, err := New(Config{Loc: hcm, Log: quiet(), Slots: db, Now: time.Now},
		Job{Name: "fails", Spec: "* * * * *", Run: func(context.Context, time.Time) error { return errors.New("boom") }},
		Job{Name: "panics", Spec: "* * * * *", Run: func(context.Context, time.Time) error { panic("bug") }})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"fails", "panics"} {
		if err := s.RunNow(t.Context(), name, time.Now()); err == nil {
			t.Errorf("RunNow(%s) = nil", name)
		}
		if last, _ := db.LastRun(t.Context(), name); !last.IsZero() {
			t.Errorf("%s recorded as run", name)
		}
		if err := s.RunNow(t.Context(), name, time.Now()); errors.Is(err, ErrBusy) || errors.Is(err, ErrRan) {
			t.Errorf("%s: the slot was not given back (%v)", name, err)
		}
	}
	if err := s.RunNow(t.Context(), "nope", time.Now()); err == nil {
		t.Error("an unknown job ran")
	}
}

// startAndStop runs s for 100 ms: its catch-up at start-up, then its cron
// until stopped.
func startAndStop(t *testing.T, s *Scheduler) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() { done <- s.Run(ctx) }()
	time.Sleep(100 * time.Millisecond)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
