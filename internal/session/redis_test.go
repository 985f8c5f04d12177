package session

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"xabot/internal/chat"
)

// defaultTestRedis is database 15, so a developer's own data in database 0
// is never touched.
const defaultTestRedis = "redis://127.0.0.1:6379/15"

// testRedis connects to the real redis-server named by XABOT_TEST_REDIS_URL.
// It fails, never skips, when Redis does not answer: CI starts Redis, and a
// skipped store test would hide a broken production store.
func testRedis(tb testing.TB) *redis.Client {
	tb.Helper()
	raw := os.Getenv("XABOT_TEST_REDIS_URL")
	if raw == "" {
		raw = defaultTestRedis
	}
	shown := raw
	if u, err := url.Parse(raw); err == nil {
		shown = u.Redacted()
	}
	opts, err := redis.ParseURL(raw)
	if err != nil {
		tb.Fatalf("XABOT_TEST_REDIS_URL %s: %v", shown, err)
	}
	rdb := redis.NewClient(opts)
	tb.Cleanup(func() { _ = rdb.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := rdb.Ping(ctx).Err(); err != nil {
		tb.Fatalf("redis at %s does not answer (%v): start redis-server or set XABOT_TEST_REDIS_URL; these tests need a real Redis and do not skip", shown, err)
	}
	return rdb
}

// testPrefix returns a key prefix no other test run uses and deletes every
// key under it when tb ends.
func testPrefix(tb testing.TB, rdb *redis.Client) string {
	tb.Helper()
	var b [8]byte
	_, _ = rand.Read(b[:])
	prefix := "xabot-test:" + hex.EncodeToString(b[:]) + ":"
	tb.Cleanup(func() {
		ctx := context.Background()
		iter := rdb.Scan(ctx, 0, prefix+"*", 100).Iterator()
		var keys []string
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
		}
		if err := iter.Err(); err != nil {
			tb.Errorf("cleanup: scan %s*: %v", prefix, err)
			return
		}
		if len(keys) > 0 {
			if err := rdb.Del(ctx, keys...).Err(); err != nil {
				tb.Errorf("cleanup: del: %v", err)
			}
		}
	})
	return prefix
}

// testNS is the namespaces of the stores under test: Telegram's keys under
// a bot's identity, every other channel's under the database's.
var testNS = Namespaces{Default: "db-0123456789abcdef", Channels: map[chat.Channel]string{chat.Telegram: "tg-7012345678"}}

func newTestRedis(tb testing.TB, rdb *redis.Client, prefix string, ns Namespaces, ttl, dedupeTTL time.Duration) *Redis {
	tb.Helper()
	s, err := NewRedis(rdb, prefix, ns, ttl, dedupeTTL)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func TestRedis(t *testing.T) {
	rdb := testRedis(t)
	testStore(t, func(t *testing.T) (Store, func(time.Duration)) {
		return newTestRedis(t, rdb, testPrefix(t, rdb), testNS, testTTL, testDedupeTTL), time.Sleep
	})
}

// TestRedisKeys pins the key layout and TTLs: other tools (the privacy
// erasure, operators with redis-cli) rely on them.
func TestRedisKeys(t *testing.T) {
	rdb := testRedis(t)
	prefix := testPrefix(t, rdb)
	s := newTestRedis(t, rdb, prefix, testNS, time.Hour, 10*time.Minute)
	ctx := t.Context()
	for _, user := range []string{"tg:42", "console:1"} {
		if err := s.Save(ctx, user, New()); err != nil {
			t.Fatalf("Save: %v", err)
		}
	}
	if err := s.Done(ctx, "tg:9001"); err != nil {
		t.Fatalf("Done: %v", err)
	}
	if _, err := s.Stage(ctx, "tg:9002", "tg:43", testReplies[:1], nil); err != nil {
		t.Fatalf("Stage: %v", err)
	}
	tests := []struct {
		key  string
		ttl  time.Duration
		want string // the stored value; "" to skip
	}{
		{prefix + "tg-7012345678:sess:tg:42", time.Hour, `{"v":1,"at":"0001-01-01T00:00:00Z"}`},
		{prefix + "db-0123456789abcdef:sess:console:1", time.Hour, `{"v":1,"at":"0001-01-01T00:00:00Z"}`},
		{prefix + "tg-7012345678:seen:tg:9001", 10 * time.Minute, "1"},
		{prefix + "tg-7012345678:turn:tg:9002", 10 * time.Minute, ""},
	}
	for _, tc := range tests {
		ttl, err := rdb.PTTL(ctx, tc.key).Result()
		if err != nil {
			t.Fatalf("PTTL %s: %v", tc.key, err)
		}
		if ttl <= tc.ttl-time.Minute || ttl > tc.ttl {
			t.Errorf("PTTL %s = %v, want about %v", tc.key, ttl, tc.ttl)
		}
		if tc.want == "" {
			continue
		}
		if got, err := rdb.Get(ctx, tc.key).Result(); err != nil || got != tc.want {
			t.Errorf("GET %s = %q, %v; want %q", tc.key, got, err, tc.want)
		}
	}
}

// TestRedisUnreadable covers values this binary did not write: garbage, a
// half-written value, a session of another shape. All reset politely.
func TestRedisUnreadable(t *testing.T) {
	rdb := testRedis(t)
	prefix := testPrefix(t, rdb)
	s := newTestRedis(t, rdb, prefix, testNS, time.Hour, time.Hour)
	for _, raw := range []string{
		"\x00\xffnot json",
		`{"v":1,"flow":`,
		`{"v":1,"slots":["a list"]}`,
		`{"version":1}`,
		`"just a string"`,
		"",
	} {
		if err := rdb.Set(t.Context(), prefix+"tg-7012345678:sess:tg:1", raw, time.Hour).Err(); err != nil {
			t.Fatalf("SET: %v", err)
		}
		got, err := s.Load(t.Context(), "tg:1")
		if err != nil {
			t.Errorf("Load(%q) error = %v, want nil", raw, err)
		}
		if !sameSession(got, New()) {
			t.Errorf("Load(%q) = %+v, want New()", raw, got)
		}
	}
}

// TestRedisDown checks that a dead Redis is an error, not an empty session:
// the router must say "try again" instead of silently restarting a flow.
func TestRedisDown(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{
		Addr:        "127.0.0.1:1", // nothing listens on port 1
		DialTimeout: 200 * time.Millisecond,
		MaxRetries:  -1,
		// go-redis retries a failed dial 5 times by default; one is enough
		// to prove the error surfaces, and keeps the test fast.
		DialerRetries:      1,
		DialerRetryTimeout: 10 * time.Millisecond,
	})
	t.Cleanup(func() { _ = rdb.Close() })
	s := newTestRedis(t, rdb, "xabot-test:down:", testNS, time.Hour, time.Hour)
	ctx := t.Context()
	if _, err := s.Load(ctx, "tg:1"); err == nil {
		t.Error("Load with Redis down: nil error")
	}
	if err := s.Save(ctx, "tg:1", New()); err == nil {
		t.Error("Save with Redis down: nil error")
	}
	if _, err := s.Begin(ctx, "tg:1", "tg:1"); err == nil {
		t.Error("Begin with Redis down: nil error")
	}
	if ok, err := s.Stage(ctx, "tg:1", "tg:1", testReplies, nil); err == nil || ok {
		t.Errorf("Stage with Redis down = %v, %v; want false and an error", ok, err)
	}
	if err := s.Sent(ctx, "tg:1", 0, 1); err == nil {
		t.Error("Sent with Redis down: nil error")
	}
	if err := s.Done(ctx, "tg:1"); err == nil {
		t.Error("Done with Redis down: nil error")
	}
	if err := s.Delete(ctx, "tg:1"); err == nil {
		t.Error("Delete with Redis down: nil error")
	}
	err := s.Ping(ctx)
	if err == nil {
		t.Fatal("Ping with Redis down: nil error")
	}
	if errors.Is(err, redis.Nil) {
		t.Errorf("Ping error %v is redis.Nil", err)
	}
}

func BenchmarkRedisLoadSave(b *testing.B) {
	rdb := testRedis(b)
	benchLoadSave(b, newTestRedis(b, rdb, testPrefix(b, rdb), testNS, time.Hour, time.Hour))
}

// benchLoadSave measures one update's session traffic: Load, then Save of a
// session the size of a lookup in progress.
func benchLoadSave(b *testing.B, s Store) {
	ctx := context.Background()
	sess := Session{
		V:         Version,
		Lang:      "vi",
		Flow:      "lookup",
		Step:      "ask_phone",
		Slots:     map[string]string{"code": "H55.20-250501-0001"},
		UpdatedAt: time.Date(2025, 5, 1, 9, 30, 0, 0, time.UTC),
	}
	if err := s.Save(ctx, "tg:123456789", sess); err != nil {
		b.Fatalf("Save: %v", err)
	}
	b.ReportAllocs()
	for b.Loop() {
		got, err := s.Load(ctx, "tg:123456789")
		if err != nil {
			b.Fatalf("Load: %v", err)
		}
		got.Step = "ask_code"
		if err := s.Save(ctx, "tg:123456789", got); err != nil {
			b.Fatalf("Save: %v", err)
		}
	}
}
