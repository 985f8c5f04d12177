package retention

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sort"
	"sync"
	"syscall"
	"testing"
	"time"

	"xabot/internal/domain"
	"xabot/internal/store"
)

var now = time.Date(2026, 11, 25, 20, 15, 0, 0, time.UTC)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func openStore(t testing.TB) (*store.DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "x.db")
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetClock(func() time.Time { return now })
	return db, path
}

// The purge deletes exactly what is past retention, in batches, and keeps
// the rest: queued outbox rows are never purged, lookup attempts go after
// the guessing window, not after the retention period.
func TestPurge(t *testing.T) {
	db, path := openStore(t)
	ctx := t.Context()
	keep := 30 * 24 * time.Hour
	old, fresh := now.Add(-keep-time.Hour), now.Add(-keep+time.Hour)
	for i := range 5 {
		for _, r := range []struct {
			key    string
			at     time.Time
			status string
		}{
			{"sent-old", old, domain.OutSent}, {"failed-old", old, domain.OutFailed}, {"queued-old", old, domain.OutQueued},
			{"sent-fresh", fresh, domain.OutSent},
		} {
			key := fmt.Sprintf("%s|%d", r.key, i)
			if _, err := db.Enqueue(ctx, domain.Outgoing{Key: key, To: "tg:1", Payload: []byte(`{}`), CreatedAt: r.at, NextAt: r.at}); err != nil {
				t.Fatal(err)
			}
			m, err := db.Outgoing(ctx, key)
			if err != nil {
				t.Fatal(err)
			}
			switch r.status {
			case domain.OutSent:
				err = db.MarkSent(ctx, m.ID, r.at)
			case domain.OutFailed:
				err = db.MarkFailed(ctx, m.ID, "x")
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		for _, at := range []time.Time{now.Add(-25 * time.Hour), now.Add(-23 * time.Hour)} {
			if err := db.RecordLookup(ctx, domain.LookupAttempt{User: "tg:1", Code: "C", Outcome: domain.LookupWrong, At: at}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.PutInbound(ctx, domain.Inbound{Channel: "zalo", Key: fmt.Sprint("old", i), Body: []byte("{}")}, old); err != nil {
			t.Fatal(err)
		}
		if _, err := db.PutInbound(ctx, domain.Inbound{Channel: "zalo", Key: fmt.Sprint("fresh", i), Body: []byte("{}")}, fresh); err != nil {
			t.Fatal(err)
		}
	}
	// Jobs' slots: 5 weeks old done or given back go; a week old stays, and
	// so would an old one still held (a claim's lease live).
	slots := 5 * 24 * time.Hour
	oldSlot, freshSlot := now.Add(-slots-time.Hour).Truncate(time.Minute), now.Add(-slots+time.Hour).Truncate(time.Minute)
	for i, c := range []struct {
		job  string
		slot time.Time
		end  string
	}{{"push", oldSlot, "done"}, {"push", oldSlot.Add(time.Minute), "released"}, {"due-soon", oldSlot, "held"},
		{"push", freshSlot, "done"}, {"overdue", oldSlot, "done"}} {
		owner := fmt.Sprint("r", i)
		if ok, _, _, err := db.ClaimSlot(ctx, c.job, c.slot, owner, now, now.Add(time.Minute), false, false); err != nil || !ok {
			t.Fatalf("claim %v: %v %v", c, ok, err)
		}
		var err error
		switch c.end {
		case "done":
			err = db.DoneSlot(ctx, c.job, c.slot, now)
		case "released":
			err = db.ReleaseSlot(ctx, c.job, c.slot, owner)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	s := New(db, Policy{Keep: keep, Lookups: 24 * time.Hour, Slots: slots, Batch: 3, Pause: time.Millisecond}, quiet())
	r, err := s.Purge(ctx, now)
	if err != nil {
		t.Fatalf("Purge: %v", err)
	}
	if want := (Report{Outbox: 10, Inbox: 5, Lookups: 5, Slots: 3}); r != want {
		t.Errorf("Purge = %+v, want %+v", r, want)
	}
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	counts := map[string]int{}
	rows, err := raw.QueryContext(ctx, `SELECT substr(key, 1, instr(key, '|') - 1), count(*) FROM outbox GROUP BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			t.Fatal(err)
		}
		counts[k] = n
	}
	if want := map[string]int{"queued-old": 5, "sent-fresh": 5}; fmt.Sprint(counts) != fmt.Sprint(want) {
		t.Errorf("outbox kept %v, want %v", counts, want)
	}
	if fails, _ := db.FailedLookupsOnCode(ctx, "C", time.Time{}); len(fails) != 5 {
		t.Errorf("lookup attempts kept = %d, want the 5 within the day", len(fails))
	}
	if n, _ := db.InboundCount(ctx, "zalo"); n != 5 {
		t.Errorf("inbox rows kept = %d, want 5", n)
	}
	if r, err := s.Purge(ctx, now); err != nil || r.Total() != 0 {
		t.Errorf("second Purge = %+v, %v; want nothing", r, err)
	}
	for _, c := range []struct {
		job     string
		slot    time.Time
		ran     bool
		claimed bool // whether a new claim is refused: the row stayed
	}{{"push", freshSlot, true, true}, {"push", oldSlot, false, false}, {"overdue", oldSlot, false, false}} {
		ok, ran, _, err := db.ClaimSlot(ctx, c.job, c.slot, "after", now.Add(2*time.Minute), now.Add(3*time.Minute), false, false)
		if err != nil || ok == c.claimed || !ran.IsZero() != c.ran {
			t.Errorf("after the purge, claim %s %v = %v, ran %v, %v; want the row kept %v", c.job, c.slot, ok, ran, err, c.claimed)
		}
	}
}

func TestPurgeStopsWithContext(t *testing.T) {
	db, _ := openStore(t)
	ctx, cancel := context.WithCancel(t.Context())
	for i := range 10 {
		at := now.Add(-48 * time.Hour)
		if err := db.RecordLookup(ctx, domain.LookupAttempt{User: "tg:1", Code: "C", Outcome: domain.LookupWrong, At: at.Add(time.Duration(i) * time.Second)}); err != nil {
			t.Fatal(err)
		}
	}
	cancel()
	s := New(db, Policy{Keep: time.Hour, Lookups: time.Hour, Batch: 2, Pause: time.Hour}, quiet())
	if _, err := s.Purge(ctx, now); !errors.Is(err, context.Canceled) {
		t.Errorf("Purge with a cancelled context = %v, want context.Canceled", err)
	}
}

// seedSent writes n sent outbox rows, 40 days old, with a push's payload.
func seedSent(b testing.TB, path string, n int) {
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	at := now.Add(-40 * 24 * time.Hour).Unix()
	_, err = raw.Exec(`WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < ?)
		INSERT INTO outbox (key, recipient, priority, payload, status, attempts, next_at, created_at, sent_at)
		SELECT 'push|' || n || '|tg:' || (100000 + n % 5000), 'tg:' || (100000 + n % 5000), 5,
		       json_object('text', '🔔 Hồ sơ H55.20-261118-' || n || ' (Đăng ký khai sinh) đã có kết quả. Anh/Chị mang Giấy tiếp nhận và CCCD đến Bộ phận Một cửa xã để nhận kết quả.',
		                   'buttons', json_array(json_object('text', 'Ngừng nhận thông báo', 'data', 'unsub/confirm/H55.20-261118-' || n))),
		       'sent', 1, ?, ?, ? FROM c`, n, at, at, at)
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkPurgeMillion purges 1,000,000 delivered outbox rows the way
// `xabot serve`'s purge job does, while a sender queues and marks rows
// sent, and reports how long the purge took and the longest (and 99th
// percentile) wait of the sender's writes.
//
//	go test ./internal/service/retention -run '^$' -bench PurgeMillion -benchtime 1x
func BenchmarkPurgeMillion(b *testing.B) {
	const rows = 1_000_000
	for range b.N {
		b.StopTimer()
		db, path := openStore(b)
		seedSent(b, path, rows)
		s := New(db, Policy{Keep: 30 * 24 * time.Hour, Lookups: 24 * time.Hour, Batch: DefaultBatch, Pause: DefaultPause}, quiet())
		ctx := context.Background()
		stop := make(chan struct{})
		var waits []time.Duration
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { // the outbox worker and the router, writing as fast as they can
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				start := time.Now()
				key := fmt.Sprintf("live|%d", i)
				if _, err := db.Enqueue(ctx, domain.Outgoing{Key: key, To: "tg:1", Payload: []byte(`{"text":"x"}`)}); err != nil {
					b.Error(err)
					return
				}
				waits = append(waits, time.Since(start))
				m, err := db.Outgoing(ctx, key)
				if err != nil {
					b.Error(err)
					return
				}
				start = time.Now()
				if err := db.MarkSent(ctx, m.ID, now); err != nil {
					b.Error(err)
					return
				}
				waits = append(waits, time.Since(start))
				time.Sleep(2 * time.Millisecond)
			}
		}()
		b.StartTimer()
		start, cpu0 := time.Now(), cpuTime()
		r, err := s.Purge(ctx, now)
		took, cpu := time.Since(start), cpuTime()-cpu0
		b.StopTimer()
		close(stop)
		wg.Wait()
		if err != nil || r.Outbox != rows {
			b.Fatalf("Purge = %+v, %v; want %d outbox rows", r, err, rows)
		}
		sort.Slice(waits, func(i, j int) bool { return waits[i] < waits[j] })
		b.ReportMetric(took.Seconds(), "s/purge")
		b.ReportMetric(cpu.Seconds(), "cpu-s/purge") // the whole process's, the sender's included
		b.ReportMetric(float64(waits[len(waits)-1].Microseconds())/1000, "ms-max-write-wait")
		b.ReportMetric(float64(waits[len(waits)*99/100].Microseconds())/1000, "ms-p99-write-wait")
		b.ReportMetric(float64(len(waits)), "concurrent-writes")
	}
}

// cpuTime is the CPU time the process used so far: on a shared machine it
// says more than the wall clock.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkForgetChatMillion is /xoadulieu's cost on an outbox of
// 1,000,000 rows (5,000 chats): with the recipient index only over queued
// rows, deleting one chat's done rows reads the whole table while it holds
// the writer. A commune keeps XABOT_RETENTION_DAYS of rows, far fewer.
//
//	go test ./internal/service/retention -run '^$' -bench ForgetChatMillion -benchtime 1x
func BenchmarkForgetChatMillion(b *testing.B) {
	db, path := openStore(b)
	seedSent(b, path, 1_000_000)
	ctx := context.Background()
	b.ResetTimer()
	for i := range b.N {
		if err := db.ForgetChat(ctx, fmt.Sprint("tg:", 100000+i%5000)); err != nil {
			b.Fatal(err)
		}
	}
}
