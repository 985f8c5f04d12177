package bot

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"xabot/internal/chat"
	"xabot/internal/domain"
	"xabot/internal/session"
	"xabot/internal/store"
)

// queue is the send queue of the benchmarks: replies are handed over, not
// sent, as the outbox will take them.
type queue struct{ ch chan chat.Reply }

func (q queue) Send(_ context.Context, r chat.Reply) error { q.ch <- r; return nil }
func (q queue) Features() chat.Features                    { return telegramFeatures }

// pipelineUpdate is one citizen pasting their dossier code: the update's
// turn and session read, citizen read, lockout check, dossier read (once:
// the card shows what the find read), card rendering, the turn staged with
// the session, the reply queued, the update marked handled.
func pipelineUpdate(seq int, user, code string) chat.Update {
	return chat.Update{ID: fmt.Sprint(seq), From: chat.UserKey{Channel: chat.Telegram, ID: user}, ChatID: user,
		Kind: chat.Text, Text: code}
}

type benchEnv struct {
	router *Router
	db     *store.DB
	rdb    *redis.Client
	prefix string
	users  []string
	codes  []string
	q      queue
}

func newBenchEnv(b *testing.B) *benchEnv {
	b.Helper()
	rdb := redisClient(b)
	prefix := redisTestPrefix(b, rdb)
	ctx := b.Context()
	db, err := store.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	env := &benchEnv{db: db, rdb: rdb, prefix: prefix, q: queue{ch: make(chan chat.Reply, 1<<16)}}
	go func() {
		for range env.q.ch {
		}
	}()
	t0 := clockNow
	for i := range 1000 {
		phone := fmt.Sprintf("09%08d", i)
		d := domain.Dossier{Code: fmt.Sprintf("H55.20-261118-%04d", i+1), ProcedureName: "Đăng ký khai sinh",
			Field: "Hộ tịch", ApplicantName: "Nguyễn Văn An", Phone: phone, Intake: domain.IntakeDirect,
			Status: domain.StatusInProgress, ReceivedAt: day(2026, 11, 18), DueAt: day(2026, 11, 27)}
		if _, err := db.UpsertDossier(ctx, d, "bench"); err != nil {
			b.Fatal(err)
		}
		user := fmt.Sprint(10000 + i)
		key := chat.UserKey{Channel: chat.Telegram, ID: user}.String()
		if err := db.SetConsent(ctx, key, t0); err != nil {
			b.Fatal(err)
		}
		if err := db.SetVerifiedPhone(ctx, key, phone, t0); err != nil {
			b.Fatal(err)
		}
		env.users = append(env.users, user)
		env.codes = append(env.codes, d.Code)
	}
	f := newFixtureOn(b, db, redisSessions(b, rdb, prefix), env.q)
	env.router = f.router
	return env
}

// redisSessions is a Redis session store on rdb with Telegram under one
// bot's namespace.
func redisSessions(tb testing.TB, rdb *redis.Client, prefix string) *session.Redis {
	tb.Helper()
	s, err := session.NewRedis(rdb, prefix, session.Namespaces{Default: "db-test",
		Channels: map[chat.Channel]string{chat.Telegram: "tg-1"}}, time.Hour, time.Hour)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// benchParallelism × GOMAXPROCS updates are in flight at once: enough to
// keep both cores busy while others wait on Redis.
const benchParallelism = 4

// BenchmarkPipeline measures updates/s through the whole inbound pipeline.
func BenchmarkPipeline(b *testing.B) {
	env := newBenchEnv(b)
	var seq atomic.Int64
	b.SetParallelism(benchParallelism)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			n := int(seq.Add(1))
			i := n % len(env.users)
			if err := env.router.Handle(context.Background(), pipelineUpdate(n, env.users[i], env.codes[i])); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "updates/s")
}

// BenchmarkFloor does only what the pipeline cannot avoid: the same Redis
// round trips (begin: handled mark, staged turn and session in one; stage:
// the reply and the session; done, which records the one message out) and
// the same SQLite reads (citizen, lockout window, dossier once), with
// nothing in between.
func BenchmarkFloor(b *testing.B) {
	env := newBenchEnv(b)
	sess := redisSessions(b, env.rdb, env.prefix+"floor:")
	var seq atomic.Int64
	b.SetParallelism(benchParallelism)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		for pb.Next() {
			n := int(seq.Add(1))
			i := n % len(env.users)
			key := chat.UserKey{Channel: chat.Telegram, ID: env.users[i]}.String()
			code := domain.CanonicalCode(env.codes[i])
			update := fmt.Sprint("tg:", n)
			t, err := sess.Begin(ctx, update, key)
			if err != nil {
				b.Error(err)
				return
			}
			if _, err := env.db.Citizen(ctx, key); err != nil {
				b.Error(err)
				return
			}
			if _, err := env.db.FailedLookups(ctx, key, clockNow.Add(-time.Hour)); err != nil {
				b.Error(err)
				return
			}
			if _, err := env.db.DossierByCode(ctx, code); err != nil {
				b.Error(err)
				return
			}
			if _, err := sess.Stage(ctx, update, key, []chat.Reply{{Text: code}}, &t.Session); err != nil {
				b.Error(err)
				return
			}
			if err := sess.Done(ctx, update); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "updates/s")
}

// BenchmarkPaced1000 offers 1,000 updates/s (spread over the users) for
// b.N updates and reports the latency percentiles of Handle.
func BenchmarkPaced1000(b *testing.B) {
	env := newBenchEnv(b)
	const rate = 1000
	lat := make([]time.Duration, b.N)
	var wg sync.WaitGroup
	// Warm up: Redis and SQLite pools dial their connections on first use.
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			env.router.Handle(context.Background(), pipelineUpdate(-i-1, env.users[i], env.codes[i]))
		}()
	}
	wg.Wait()
	start := time.Now()
	b.ResetTimer()
	for n := range b.N {
		if d := time.Until(start.Add(time.Duration(n) * time.Second / rate)); d > 0 {
			time.Sleep(d)
		}
		wg.Add(1)
		go func(n int) {
			defer wg.Done()
			i := n % len(env.users)
			t0 := time.Now()
			if err := env.router.Handle(context.Background(), pipelineUpdate(n+1, env.users[i], env.codes[i])); err != nil {
				b.Error(err)
			}
			lat[n] = time.Since(t0)
		}(n)
	}
	wg.Wait()
	b.StopTimer()
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "updates/s")
}
