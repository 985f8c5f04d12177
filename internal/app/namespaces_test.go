package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"xabot/internal/config"
)

// redisConfig is a configuration on the real Redis under test and the
// database file db.
func redisConfig(t *testing.T, db string) config.Config {
	t.Helper()
	url := os.Getenv("XABOT_TEST_REDIS_URL")
	if url == "" {
		url = "redis://127.0.0.1:6379/15"
	}
	env := map[string]string{"XABOT_DB": db, "XABOT_REDIS_URL": url, "XABOT_HTTP_ADDR": "127.0.0.1:0"}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func openRedisApp(t *testing.T, db string) *App {
	t.Helper()
	a, err := Open(t.Context(), redisConfig(t, db), quiet(), time.Now)
	if err != nil {
		t.Fatalf("open with Redis: %v (is redis-server running?)", err)
	}
	t.Cleanup(func() { a.Close() })
	dropKeysOf(t, a, a.instanceNS)
	return a
}

// dropKeysOf deletes, when t ends, the keys under namespace ns.
func dropKeysOf(t *testing.T, a *App, ns string) {
	t.Cleanup(func() {
		ctx := context.Background()
		keys, err := a.rdb.Keys(ctx, redisPrefix+ns+":*").Result()
		if err == nil && len(keys) > 0 {
			err = a.rdb.Del(ctx, keys...).Err()
		}
		if err != nil {
			t.Errorf("cleanup of %s: %v", ns, err)
		}
	})
}

// The jobs' locks belong to the database: one commune's job running does
// not make another's busy on the same Redis, while a replica of the same
// commune waits.
func TestJobLocksArePerDatabase(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	a := openRedisApp(t, filepath.Join(dir, "a.db"))
	b := openRedisApp(t, filepath.Join(dir, "b.db"))
	replica := openRedisApp(t, filepath.Join(dir, "a.db"))
	name := fmt.Sprintf("job:test-%d", time.Now().UnixNano())
	unlock, ok, err := a.locker().TryLock(ctx, name, time.Minute)
	if err != nil || !ok {
		t.Fatalf("first lock: %v, %v", ok, err)
	}
	defer unlock()
	if unlockB, ok, err := b.locker().TryLock(ctx, name, time.Minute); err != nil || !ok {
		t.Errorf("another commune's lock while the first is held: %v, %v; want it taken", ok, err)
	} else {
		unlockB()
	}
	if _, ok, err := replica.locker().TryLock(ctx, name, time.Minute); err != nil || ok {
		t.Errorf("a replica's lock while the first is held: %v, %v; want busy", ok, err)
	}
	if !strings.HasPrefix(a.instanceNS, "db-") || a.instanceNS == b.instanceNS || a.instanceNS != replica.instanceNS {
		t.Errorf("instance namespaces: %q, %q, replica %q", a.instanceNS, b.instanceNS, replica.instanceNS)
	}
}
