package store

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"xabot/internal/domain"
)

// BenchmarkTakeInbound10k takes and finishes one update of a citizen behind
// a backlog of 10,000 rows of one noisy sender whose head is in hand
// (leased), as under a flood; µs/take is the take alone, ns/op the put,
// take and delete of the row.
func BenchmarkTakeInbound10k(b *testing.B) {
	ctx := b.Context()
	db, err := Open(ctx, filepath.Join(b.TempDir(), "x.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	t0 := time.Date(2026, 12, 3, 2, 0, 0, 0, time.UTC)
	put := func(key, grp string, at time.Time) {
		if _, err := db.PutInbound(ctx, domain.Inbound{Channel: "tg", Key: key, Group: grp, Body: []byte(`{}`)}, at); err != nil {
			b.Fatal(err)
		}
	}
	for i := range 10000 {
		put(fmt.Sprint("noisy", i), "noisy", t0)
	}
	if got := takeOne(ctx, b, db, t0); len(got) != 4 || got[0].Group != "noisy" {
		b.Fatalf("first take = %+v", got)
	}
	b.ResetTimer()
	now := t0.Add(time.Second)
	var taking time.Duration
	for i := range b.N {
		put(fmt.Sprint("citizen", i), "citizen", now)
		start := time.Now()
		took := takeOne(ctx, b, db, now)
		taking += time.Since(start)
		if len(took) != 1 || took[0].Group != "citizen" {
			b.Fatalf("took %d rows (%+v), want the citizen's", len(took), took)
		}
		if err := db.SettleInbound(ctx, []domain.Settled{{ID: took[0].ID, Done: true}}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(taking.Microseconds())/float64(b.N), "µs/take")
}

func takeOne(ctx context.Context, b *testing.B, db *DB, now time.Time) []domain.Inbound {
	got, err := db.TakeInbound(ctx, domain.InboxTake{Channel: "tg", Now: now, Lease: time.Hour, Senders: 10, PerSender: 4})
	if err != nil {
		b.Fatal(err)
	}
	return got
}
