package store

import (
	"fmt"
	"sort"
	"testing"
	"time"

	"xabot/internal/domain"
)

// purgeAll purges what before before, span ids at a time, as the
// retention service does, and returns each batch's count.
func purgeAll(t *testing.T, db *DB, what string, before time.Time, span int64) []int {
	t.Helper()
	lo, hi, err := db.PurgeBounds(t.Context(), what, before)
	if err != nil {
		t.Fatalf("PurgeBounds(%s): %v", what, err)
	}
	var counts []int
	for from := lo; hi > 0 && from <= hi; from += span {
		n, err := db.PurgeIDs(t.Context(), what, before, from, min(from+span-1, hi))
		if err != nil {
			t.Fatalf("PurgeIDs(%s, %d): %v", what, from, err)
		}
		counts = append(counts, n)
	}
	return counts
}

// outboxKeys lists every outbox row's key, sorted.
func outboxKeys(t *testing.T, path string) []string {
	t.Helper()
	return queryStrings(t, path, `SELECT key FROM outbox`)
}

// /xoadulieu leaves no outbox row naming the chat (recipient, key or
// text), queued or done; other chats' rows, and the hashed lookup
// attempts that keep the lockout, stay.
func TestForgetChatScrubsOutbox(t *testing.T) {
	db, clock, path := newTestDB(t)
	ctx := t.Context()
	const chat = "tg:5002"
	rows := []domain.Outgoing{
		{Key: "feedback|TC-2611-0001|ev7|" + chat, To: chat, Payload: []byte(`{"text":"Trả lời tố cáo TC-2611-0001"}`)},
		{Key: "push|42|" + chat, To: chat, Payload: []byte(`{"text":"Hồ sơ đã có kết quả"}`)},
		{Key: "rate-offer|H55.20-250501-0001|" + chat, To: chat, Payload: []byte(`{"text":"Đánh giá"}`)},
		{Key: "feedback|TC-2611-0001|new|tg:9", To: "tg:9", Payload: []byte(`{"text":"Tố cáo mới"}`)},
		{Key: "push|42|tg:50021", To: "tg:50021", Payload: []byte(`{"text":"Hồ sơ đã có kết quả"}`)},
	}
	for _, m := range rows {
		mustEnqueue(t, db, m)
	}
	sent := mustOutgoing(t, db, "push|42|"+chat)
	if err := db.MarkSent(ctx, sent.ID, clock.now()); err != nil {
		t.Fatal(err)
	}
	failed := mustOutgoing(t, db, "rate-offer|H55.20-250501-0001|"+chat)
	if err := db.MarkFailed(ctx, failed.ID, "400"); err != nil {
		t.Fatal(err)
	}
	for range 5 {
		if err := db.RecordLookup(ctx, domain.LookupAttempt{User: chat, Code: "H55.20-250501-0001", Outcome: domain.LookupWrong}); err != nil {
			t.Fatal(err)
		}
	}

	if err := db.ForgetChat(ctx, chat); err != nil {
		t.Fatalf("ForgetChat: %v", err)
	}
	naming := queryStrings(t, path, `SELECT key FROM outbox
		WHERE recipient = ?1 OR instr(key || '|', '|' || ?1 || '|') > 0 OR instr(payload, ?1) > 0`, chat)
	if len(naming) != 0 {
		t.Errorf("outbox rows naming %s after ForgetChat: %v; want none", chat, naming)
	}
	want := []string{"feedback|TC-2611-0001|new|tg:9", "push|42|tg:50021"}
	if got := outboxKeys(t, path); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("outbox after ForgetChat = %v, want the other chats' rows %v", got, want)
	}
	fails, err := db.FailedLookups(ctx, chat, clock.now().Add(-time.Hour))
	if err != nil || len(fails) != 5 {
		t.Errorf("lookup failures after ForgetChat = %d, %v; want the 5 kept for the lockout", len(fails), err)
	}
}

// The purge deletes exactly the rows past retention: done outbox rows
// (sent, failed, stopped) created and last due before the cutoff; never a
// queued row, however old; the rest stays.
func TestPurgeOutbox(t *testing.T) {
	db, clock, path := newTestDB(t)
	ctx := t.Context()
	now := clock.now()
	cutoff := now.Add(-30 * 24 * time.Hour)
	old, recent := cutoff.Add(-time.Hour), cutoff.Add(time.Hour)
	type row struct {
		key             string
		created, nextAt time.Time
		status          string
		sentAt          time.Time
		purged          bool
	}
	rows := []row{
		{"old-sent", old, old, domain.OutSent, old, true},
		{"old-sent-2", old.Add(-time.Hour), old, domain.OutSent, old, true},
		{"old-failed", old, old, domain.OutFailed, time.Time{}, true},
		{"old-stopped", old, old, domain.OutStopped, time.Time{}, true},
		{"old-queued", old, old, domain.OutQueued, time.Time{}, false},
		{"old-sent-late", old, old, domain.OutSent, recent, false}, // delivered after the cutoff
		{"old-due-later", old, recent, domain.OutFailed, time.Time{}, false},
		{"recent-sent", recent, recent, domain.OutSent, recent, false},
		{"recent-queued", recent, recent, domain.OutQueued, time.Time{}, false},
	}
	for _, r := range rows {
		mustEnqueue(t, db, domain.Outgoing{Key: r.key, To: "tg:1", Payload: []byte(`{}`), CreatedAt: r.created, NextAt: r.nextAt})
		m := mustOutgoing(t, db, r.key)
		var err error
		switch r.status {
		case domain.OutSent:
			err = db.MarkSent(ctx, m.ID, r.sentAt)
		case domain.OutFailed:
			err = db.MarkFailed(ctx, m.ID, "x")
		case domain.OutStopped:
			_, err = db.w.ExecContext(ctx, `UPDATE outbox SET status = 'stopped' WHERE id = ?`, m.ID)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	// By 3 ids: 3 (old-sent, old-sent-2, old-failed), 1 (old-stopped), 0,
	// and the last range stops at the last old row.
	if got := purgeAll(t, db, "outbox", cutoff, 3); fmt.Sprint(got) != "[3 1 0]" {
		t.Errorf("purge by 3 ids = %v, want [3 1 0]", got)
	}
	var want []string
	for _, r := range rows {
		if !r.purged {
			want = append(want, r.key)
		}
	}
	sort.Strings(want)
	if got := outboxKeys(t, path); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("outbox after purge = %v, want %v", got, want)
	}
}

// Inbox rows older than retention go unless a worker holds them; an
// unknown name is refused.
func TestPurgeInbox(t *testing.T) {
	db, clock, _ := newTestDB(t)
	ctx := t.Context()
	now := clock.now()
	cutoff := now.Add(-30 * 24 * time.Hour)
	for _, in := range []struct {
		key string
		at  time.Time
	}{{"old-1", cutoff.Add(-time.Hour)}, {"old-leased", cutoff.Add(-time.Minute)}, {"new", cutoff.Add(time.Hour)}} {
		if _, err := db.PutInbound(ctx, domain.Inbound{Channel: "zalo", Key: in.key, Group: in.key, Body: []byte("{}")}, in.at); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.w.ExecContext(ctx, `UPDATE inbox SET lease_until = ? WHERE key = 'old-leased'`, now.Add(time.Minute).UnixMilli()); err != nil {
		t.Fatal(err)
	}
	if got := purgeAll(t, db, "inbox", cutoff, 100); fmt.Sprint(got) != "[1]" {
		t.Fatalf("purge inbox = %v, want [1]", got)
	}
	if n, _ := db.InboundCount(ctx, "zalo"); n != 2 {
		t.Errorf("inbox rows left = %d, want 2 (the leased one and the new one)", n)
	}
	if _, _, err := db.PurgeBounds(ctx, "citizens", now); err == nil {
		t.Error("PurgeBounds(citizens) succeeded: only the known tables may be purged")
	}
	if _, err := db.PurgeIDs(ctx, "citizens", now, 1, 10); err == nil {
		t.Error("PurgeIDs(citizens) succeeded: only the known tables may be purged")
	}
}
