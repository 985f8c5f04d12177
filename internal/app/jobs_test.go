package app

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"xabot/internal/domain"
)

// The purge is a scheduled job like the others: listed, and run by name.
func TestPurgeJob(t *testing.T) {
	ctx := t.Context()
	now := time.Date(2026, 11, 25, 1, 0, 0, 0, time.UTC)
	a, err := Open(ctx, testConfig(t), quiet(), func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	var list bytes.Buffer
	if err := a.JobsList(&list); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(list.String(), "purge          15 2 * * *") {
		t.Errorf("jobs list lacks the purge job:\n%s", list.String())
	}
	for _, m := range []struct {
		key string
		age time.Duration
	}{{"old", 31 * 24 * time.Hour}, {"fresh", 29 * 24 * time.Hour}} {
		at := now.Add(-m.age)
		if _, err := a.db.Enqueue(ctx, domain.Outgoing{Key: m.key, To: "tg:1", Payload: []byte(`{}`), CreatedAt: at, NextAt: at}); err != nil {
			t.Fatal(err)
		}
		o, err := a.db.Outgoing(ctx, m.key)
		if err != nil {
			t.Fatal(err)
		}
		if err := a.db.MarkSent(ctx, o.ID, at); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	if err := a.JobsRun(ctx, "purge", now, false, &out); err != nil {
		t.Fatalf("jobs run purge: %v", err)
	}
	if !strings.Contains(out.String(), "đã xóa 1 tin nhắn") {
		t.Errorf("jobs run purge said %q, want 1 message deleted", out.String())
	}
	if _, err := a.db.Outgoing(ctx, "old"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("the 31-day-old sent row is still there (%v)", err)
	}
	if _, err := a.db.Outgoing(ctx, "fresh"); err != nil {
		t.Errorf("the 29-day-old sent row is gone: %v", err)
	}
	// The slot ran: a second run by hand is refused, naming when; --again
	// runs it.
	out.Reset()
	err = a.JobsRun(ctx, "purge", now.Add(30*time.Second), false, &out)
	if err == nil || !strings.Contains(err.Error(), "purge đã chạy cho lượt 25/11/2026 08:00") || !strings.Contains(err.Error(), "--again") {
		t.Errorf("a second run of the slot: %v, want refused, naming the slot", err)
	}
	if err := a.JobsRun(ctx, "purge", now, true, &out); err != nil || !strings.Contains(out.String(), "đã xóa 0 tin nhắn") {
		t.Errorf("a rerun with --again: %v, said %q", err, out.String())
	}
}
