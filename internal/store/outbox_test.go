package store

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"xabot/internal/domain"
)

func outgoing(key, to string, priority int) domain.Outgoing {
	return domain.Outgoing{Key: key, To: to, Priority: priority, Payload: []byte(`{"text":"xin chào"}`)}
}

func mustEnqueue(t *testing.T, db *DB, m domain.Outgoing) {
	t.Helper()
	ok, err := db.Enqueue(t.Context(), m)
	if err != nil || !ok {
		t.Fatalf("Enqueue(%q) = %v, %v; want true, nil", m.Key, ok, err)
	}
}

func mustOutgoing(t *testing.T, db *DB, key string) domain.Outgoing {
	t.Helper()
	m, err := db.Outgoing(t.Context(), key)
	if err != nil {
		t.Fatalf("Outgoing(%q): %v", key, err)
	}
	return m
}

func keys(ms []domain.Outgoing) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Key
	}
	return out
}

func TestEnqueueIsIdempotent(t *testing.T) {
	db, clock, _ := newTestDB(t)
	ctx := t.Context()
	mustEnqueue(t, db, outgoing("push:1", "tg:1", domain.PriorityAlert))
	again := outgoing("push:1", "tg:2", domain.PriorityAnswer)
	again.Payload = []byte(`{"text":"khác"}`)
	if ok, err := db.Enqueue(ctx, again); err != nil || ok {
		t.Fatalf("second Enqueue = %v, %v; want false, nil", ok, err)
	}
	m := mustOutgoing(t, db, "push:1")
	now := clock.now()
	if m.To != "tg:1" || m.Priority != domain.PriorityAlert || string(m.Payload) != `{"text":"xin chào"}` ||
		m.Status != domain.OutQueued || m.Attempts != 0 || !m.NextAt.Equal(now) || !m.CreatedAt.Equal(now) ||
		!m.SentAt.IsZero() || m.LastError != "" || m.ID == 0 {
		t.Errorf("row = %+v; want the first one, queued, due now", m)
	}
	// A row that is no longer queued still holds its key.
	if err := db.MarkSent(ctx, m.ID, now); err != nil {
		t.Fatal(err)
	}
	if ok, err := db.Enqueue(ctx, outgoing("push:1", "tg:1", 0)); err != nil || ok {
		t.Errorf("Enqueue of a sent key = %v, %v; want false, nil", ok, err)
	}
}

func TestEnqueueRefusesBadRows(t *testing.T) {
	db, _, _ := newTestDB(t)
	for _, m := range []domain.Outgoing{
		outgoing("", "tg:1", 0),
		outgoing("k", "", 0),
		outgoing("k", "tg:1", 10),                                   // priority out of range
		{Key: "k", To: "tg:1", Payload: []byte(`not json`)},         // payload must be JSON
		{Key: "k", To: "tg:1", Priority: -1, Payload: []byte(`{}`)}, // priority out of range
	} {
		if ok, err := db.Enqueue(t.Context(), m); err == nil || ok {
			t.Errorf("Enqueue(%+v) = %v, %v; want an error", m, ok, err)
		}
	}
}

func TestEnqueueNextAt(t *testing.T) {
	db, clock, _ := newTestDB(t)
	later := outgoing("later", "tg:1", 0)
	later.NextAt = clock.now().Add(1500 * time.Millisecond) // rounded up: not before
	later.CreatedAt = clock.now().Add(-time.Hour)
	mustEnqueue(t, db, later)
	m := mustOutgoing(t, db, "later")
	if want := clock.now().Add(2 * time.Second); !m.NextAt.Equal(want) {
		t.Errorf("NextAt = %v, want %v", m.NextAt, want)
	}
	if want := clock.now().Add(-time.Hour); !m.CreatedAt.Equal(want) {
		t.Errorf("CreatedAt = %v, want %v", m.CreatedAt, want)
	}
}

func TestDueOutgoingOrder(t *testing.T) {
	db, clock, _ := newTestDB(t)
	ctx := t.Context()
	now := clock.now()
	for i := range 3 {
		mustEnqueue(t, db, outgoing(fmt.Sprintf("bulk:%d", i), fmt.Sprintf("tg:%d", i), domain.PriorityBulk))
	}
	mustEnqueue(t, db, outgoing("alert", "tg:10", domain.PriorityAlert))
	mustEnqueue(t, db, outgoing("answer", "tg:11", domain.PriorityAnswer))
	future := outgoing("future", "tg:12", domain.PriorityAnswer)
	future.NextAt = now.Add(time.Minute)
	mustEnqueue(t, db, future)

	got, err := db.DueOutgoing(ctx, now, 10)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"answer", "alert", "bulk:0", "bulk:1", "bulk:2"}
	if fmt.Sprint(keys(got)) != fmt.Sprint(want) {
		t.Errorf("due = %v, want %v", keys(got), want)
	}
	if got, _ := db.DueOutgoing(ctx, now, 2); fmt.Sprint(keys(got)) != "[answer alert]" {
		t.Errorf("due with limit 2 = %v", keys(got))
	}
	if got, _ := db.DueOutgoing(ctx, now.Add(time.Minute), 1); fmt.Sprint(keys(got)) != "[answer]" {
		t.Errorf("due a minute later, limit 1 = %v; want the older answer first", keys(got))
	}
	if got, _ := db.DueOutgoing(ctx, now.Add(time.Minute), 2); fmt.Sprint(keys(got)) != "[answer future]" {
		t.Errorf("due a minute later, limit 2 = %v", keys(got))
	}
	// Sent, failed and stopped rows are not due.
	a := mustOutgoing(t, db, "answer")
	b := mustOutgoing(t, db, "alert")
	if err := db.MarkSent(ctx, a.ID, now); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkFailed(ctx, b.ID, "transient: boom"); err != nil {
		t.Fatal(err)
	}
	if err := db.StopChat(ctx, "tg:0", now); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.DueOutgoing(ctx, now, 10); fmt.Sprint(keys(got)) != "[bulk:1 bulk:2]" {
		t.Errorf("due after marks = %v", keys(got))
	}
}

// A chat with many rows gives one per batch: its backlog cannot fill a
// batch and hold up the other chats.
func TestDueOutgoingOnePerRecipient(t *testing.T) {
	db, clock, _ := newTestDB(t)
	ctx := t.Context()
	for i := range 5 {
		mustEnqueue(t, db, outgoing(fmt.Sprintf("busy:%d", i), "tg:1", domain.PriorityBulk))
	}
	mustEnqueue(t, db, outgoing("busy:urgent", "tg:1", domain.PriorityAnswer))
	mustEnqueue(t, db, outgoing("other", "tg:2", domain.PriorityBulk))
	got, err := db.DueOutgoing(ctx, clock.now(), 3)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(keys(got)) != "[busy:urgent other]" {
		t.Errorf("due = %v, want [busy:urgent other]", keys(got))
	}
	if err := db.MarkSent(ctx, got[0].ID, clock.now()); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.DueOutgoing(ctx, clock.now(), 3); fmt.Sprint(keys(got)) != "[busy:0 other]" {
		t.Errorf("due after the first = %v, want [busy:0 other]", keys(got))
	}
}

// MarkSent and MarkFailed record the outcome of a row no sender holds.
func TestMarks(t *testing.T) {
	db, clock, _ := newTestDB(t)
	ctx := t.Context()
	now := clock.now()
	mustEnqueue(t, db, outgoing("a", "tg:1", 0))
	a := mustOutgoing(t, db, "a")
	if err := db.MarkSent(ctx, a.ID, now.Add(7*time.Second)); err != nil {
		t.Fatal(err)
	}
	a = mustOutgoing(t, db, "a")
	if a.Status != domain.OutSent || a.Attempts != 1 || !a.SentAt.Equal(now.Add(7*time.Second)) {
		t.Errorf("after MarkSent: %+v", a)
	}

	mustEnqueue(t, db, outgoing("b", "tg:2", 0))
	b := mustOutgoing(t, db, "b")
	if err := db.MarkFailed(ctx, b.ID, "invalid: no sender"); err != nil {
		t.Fatal(err)
	}
	b = mustOutgoing(t, db, "b")
	if b.Status != domain.OutFailed || b.Attempts != 1 || b.LastError != "invalid: no sender" {
		t.Errorf("after MarkFailed: %+v", b)
	}

	// A row a sender claimed is its claim's to record.
	mustEnqueue(t, db, outgoing("c", "tg:3", 0))
	if got := claim(t, db, "p", now, 10); len(got) != 1 {
		t.Fatalf("claimed %v", keys(got))
	}
	c := mustOutgoing(t, db, "c")
	for name, err := range map[string]error{
		"MarkSent of an unknown row":   db.MarkSent(ctx, 999, now),
		"MarkFailed of an unknown row": db.MarkFailed(ctx, 999, "x"),
		"MarkSent of a claimed row":    db.MarkSent(ctx, c.ID, now),
		"MarkFailed of a claimed row":  db.MarkFailed(ctx, c.ID, "x"),
	} {
		if !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("%s = %v, want ErrNotFound", name, err)
		}
	}
	if m := mustOutgoing(t, db, "c"); m.Status != domain.OutQueued || m.Attempts != 0 {
		t.Errorf("claimed row after refused marks: %+v", m)
	}
	if _, err := db.Outgoing(ctx, "nope"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("Outgoing(unknown) = %v, want ErrNotFound", err)
	}
}

func TestStopAndResumeChat(t *testing.T) {
	db, clock, _ := newTestDB(t)
	ctx := t.Context()
	now := clock.now()
	mustEnqueue(t, db, outgoing("x:sent", "tg:1", 0))
	mustEnqueue(t, db, outgoing("x:1", "tg:1", 0))
	mustEnqueue(t, db, outgoing("x:2", "tg:1", 9))
	mustEnqueue(t, db, outgoing("y:1", "tg:2", 0))
	if err := db.MarkSent(ctx, mustOutgoing(t, db, "x:sent").ID, now); err != nil {
		t.Fatal(err)
	}

	if err := db.StopChat(ctx, "tg:1", now); err != nil {
		t.Fatal(err)
	}
	if err := db.StopChat(ctx, "tg:1", now.Add(time.Hour)); err != nil {
		t.Fatalf("StopChat again: %v", err)
	}
	for key, want := range map[string]string{
		"x:sent": domain.OutSent, "x:1": domain.OutStopped, "x:2": domain.OutStopped, "y:1": domain.OutQueued,
	} {
		if m := mustOutgoing(t, db, key); m.Status != want {
			t.Errorf("%s is %s, want %s", key, m.Status, want)
		}
	}
	if m := mustOutgoing(t, db, "x:1"); m.LastError == "" {
		t.Error("stopped row has no last_error")
	}
	var at int64
	if err := db.r.QueryRowContext(ctx, `SELECT at FROM stopped_chats WHERE recipient = 'tg:1'`).Scan(&at); err != nil || at != now.Unix() {
		t.Errorf("stopped_chats at = %d, %v; want the first stop %d", at, err, now.Unix())
	}

	// Nothing is queued to a stopped chat, and its key stays free.
	if ok, err := db.Enqueue(ctx, outgoing("x:3", "tg:1", 0)); err != nil || ok {
		t.Errorf("Enqueue to a stopped chat = %v, %v; want false, nil", ok, err)
	}
	if _, err := db.Outgoing(ctx, "x:3"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("a row was written for a stopped chat: %v", err)
	}

	if err := db.ResumeChat(ctx, "tg:1"); err != nil {
		t.Fatal(err)
	}
	mustEnqueue(t, db, outgoing("x:3", "tg:1", 0))
	if m := mustOutgoing(t, db, "x:2"); m.Status != domain.OutStopped {
		t.Errorf("ResumeChat revived a stopped row: %s", m.Status)
	}
	if err := db.ResumeChat(ctx, "tg:unknown"); err != nil {
		t.Errorf("ResumeChat of a chat never stopped: %v", err)
	}
}

func TestOutboxCounts(t *testing.T) {
	db, clock, _ := newTestDB(t)
	ctx := t.Context()
	got, err := db.OutboxCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != "map[failed:0 queued:0 sent:0 stopped:0]" {
		t.Errorf("empty counts = %v", got)
	}
	for i := range 4 {
		mustEnqueue(t, db, outgoing(fmt.Sprint(i), fmt.Sprintf("tg:%d", i), 0))
	}
	if err := db.MarkSent(ctx, mustOutgoing(t, db, "0").ID, clock.now()); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkFailed(ctx, mustOutgoing(t, db, "1").ID, "x"); err != nil {
		t.Fatal(err)
	}
	if err := db.StopChat(ctx, "tg:2", clock.now()); err != nil {
		t.Fatal(err)
	}
	got, err = db.OutboxCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != "map[failed:1 queued:1 sent:1 stopped:1]" {
		t.Errorf("counts = %v", got)
	}
}

func TestOutboxSchemaChecks(t *testing.T) {
	db, clock, _ := newTestDB(t)
	ctx := t.Context()
	mustEnqueue(t, db, outgoing("a", "tg:1", 0))
	for _, q := range []string{
		`UPDATE outbox SET status = 'lost'`,
		`UPDATE outbox SET status = 'sent'`, // without sent_at
		`UPDATE outbox SET attempts = -1`,
		`UPDATE outbox SET next_at = 'soon'`, // STRICT
	} {
		if _, err := db.w.ExecContext(ctx, q); err == nil {
			t.Errorf("%s: accepted", q)
		}
	}
	if _, err := db.w.ExecContext(ctx, `INSERT INTO stopped_chats (recipient, at) VALUES ('', ?)`, clock.now().Unix()); err == nil {
		t.Error("empty stopped recipient accepted")
	}
}
