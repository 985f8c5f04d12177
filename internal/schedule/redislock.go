package schedule

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisLocker shares job locks between replicas through Redis (SET NX PX,
// released only by its holder), as mailroom's crons do.
type RedisLocker struct {
	rdb    *redis.Client
	prefix string
}

// NewRedisLocker returns a locker whose keys are
// "<prefix><namespace>:lock:<name>". The jobs work on one database, so
// namespace is that database's identity: the replicas of one commune
// exclude each other, and two communes on one Redis never wait for each
// other's jobs.
func NewRedisLocker(rdb *redis.Client, prefix, namespace string) *RedisLocker {
	return &RedisLocker{rdb: rdb, prefix: prefix + namespace + ":"}
}

// release deletes the lock only if it still holds our token.
var release = redis.NewScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end return 0`)

// TryLock implements Locker.
func (l *RedisLocker) TryLock(ctx context.Context, name string, ttl time.Duration) (func(), bool, error) {
	b := make([]byte, 16)
	rand.Read(b)
	token, key := hex.EncodeToString(b), l.prefix+"lock:"+name
	ok, err := l.rdb.SetNX(ctx, key, token, ttl).Result()
	if err != nil || !ok {
		return nil, false, err
	}
	return func() { release.Run(context.WithoutCancel(ctx), l.rdb, []string{key}, token) }, true, nil
}
