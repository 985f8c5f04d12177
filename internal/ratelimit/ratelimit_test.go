package ratelimit

import (
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Both limiters, on a moving clock: Limit failures lock until the oldest
// counted is Span old; looking does not count; keys are apart.
func TestLimiters(t *testing.T) {
	w := Window{Limit: 3, Span: time.Hour}
	base := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	now := base
	clock := func() time.Time { return now }
	limiters := map[string]Limiter{"memory": NewMemory(w, clock)}
	url := os.Getenv("XABOT_TEST_REDIS_URL") // a real Redis; CI starts one on the default
	if url == "" {
		url = "redis://127.0.0.1:6379/15"
	}
	opts, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opts)
	t.Cleanup(func() { rdb.Close() })
	prefix := "xabot:test-ratelimit-" + t.Name() + ":" + time.Now().Format("150405.000000") + ":"
	limiters["redis"] = NewRedis(rdb, prefix, []byte("test-secret"), w, clock)
	for name, l := range limiters {
		now = base
		until := func(key string, fail bool) time.Time {
			u, err := l.Until(t.Context(), key, fail)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			return u
		}
		for i := range 2 {
			now = base.Add(time.Duration(i) * 10 * time.Minute)
			if u := until("a", true); now.Before(u) {
				t.Errorf("%s: locked after %d failures", name, i+1)
			}
		}
		for range 5 {
			if u := until("a", false); !u.IsZero() {
				t.Errorf("%s: looking counted", name)
			}
		}
		now = base.Add(20 * time.Minute)
		if u := until("a", true); !u.Equal(base.Add(time.Hour)) {
			t.Errorf("%s: third failure: until %v, want %v", name, u, base.Add(time.Hour))
		}
		if u := until("b", false); !u.IsZero() {
			t.Errorf("%s: key b locked by a's failures", name)
		}
		if name == "redis" {
			keys, _ := rdb.Keys(t.Context(), prefix+"*").Result()
			if len(keys) != 1 || len(keys[0]) != len(prefix)+32 {
				t.Errorf("redis keys %v, want one hashed key", keys)
			}
		}
		now = base.Add(time.Hour) // the first failure leaves the window
		if u := until("a", false); now.Before(u) {
			t.Errorf("%s: still locked at %v (until %v)", name, now, u)
		}
	}
}
