// Package ratelimit counts failures per key in a sliding window and says
// until when a key is locked: Limit failures within Span lock it until the
// oldest of those is Span old (the rule of the dossier lookups' limits).
// The status page of the receipt slip uses it per client address, so a
// stranger cannot try links one after another. Redis keeps the counts for
// every replica; without Redis they live in the process.
package ratelimit

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Window is the rule: Limit failures within Span lock a key.
type Window struct {
	Limit int
	Span  time.Duration
}

// Limiter counts failures per key.
type Limiter interface {
	// Until returns until when key is locked; a time not after now (or
	// zero) means it is not. With fail, a failure is counted first.
	Until(ctx context.Context, key string, fail bool) (time.Time, error)
}

// script drops the failures older than the window, adds one when asked,
// and returns the count and the time of the failure that locks (the
// Limit-th newest), 0 when fewer.
var script = redis.NewScript(`
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. (tonumber(ARGV[1]) - tonumber(ARGV[2])))
if ARGV[4] == '1' then
  redis.call('ZADD', KEYS[1], ARGV[1], ARGV[5])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
local n = redis.call('ZCARD', KEYS[1])
local limit = tonumber(ARGV[3])
if n < limit then return 0 end
local at = redis.call('ZRANGE', KEYS[1], n - limit, n - limit, 'WITHSCORES')
return tonumber(at[2])
`)

// Redis keeps the failures in sorted sets under prefix + a keyed hash of
// the key: a client's address is not written in Redis.
type Redis struct {
	rdb    *redis.Client
	prefix string
	secret []byte
	w      Window
	now    func() time.Time
}

// NewRedis returns a Limiter on rdb; keys are prefix (the caller
// namespaces them, xabot:<namespace>:<kind>:) + HMAC-SHA256 of the key
// under secret, in hex, cut to 128 bits.
func NewRedis(rdb *redis.Client, prefix string, secret []byte, w Window, now func() time.Time) *Redis {
	return &Redis{rdb: rdb, prefix: prefix, secret: secret, w: w, now: now}
}

// Until implements Limiter.
func (r *Redis) Until(ctx context.Context, key string, fail bool) (time.Time, error) {
	now := r.now().UnixMilli()
	add := "0"
	if fail {
		add = "1"
	}
	// Each failure a member of its own: the time and a random tail.
	var tail [6]byte
	_, _ = rand.Read(tail[:])
	member := strconv.FormatInt(now, 10) + "-" + hex.EncodeToString(tail[:])
	m := hmac.New(sha256.New, r.secret)
	m.Write([]byte(key))
	at, err := script.Run(ctx, r.rdb, []string{r.prefix + hex.EncodeToString(m.Sum(nil)[:16])},
		now, r.w.Span.Milliseconds(), r.w.Limit, add, member).Int64()
	if err != nil {
		return time.Time{}, fmt.Errorf("ratelimit: %w", err)
	}
	if at == 0 {
		return time.Time{}, nil
	}
	return time.UnixMilli(at).Add(r.w.Span), nil
}

// Memory keeps the failures in this process.
type Memory struct {
	mu   sync.Mutex
	w    Window
	now  func() time.Time
	hits map[string][]time.Time
}

// NewMemory returns a Limiter in process memory.
func NewMemory(w Window, now func() time.Time) *Memory {
	return &Memory{w: w, now: now, hits: map[string][]time.Time{}}
}

// Until implements Limiter.
func (m *Memory) Until(_ context.Context, key string, fail bool) (time.Time, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	kept := m.hits[key][:0]
	for _, t := range m.hits[key] {
		if t.After(now.Add(-m.w.Span)) {
			kept = append(kept, t)
		}
	}
	if fail {
		kept = append(kept, now)
	}
	if len(kept) == 0 {
		delete(m.hits, key)
		return time.Time{}, nil
	}
	m.hits[key] = kept
	if len(kept) < m.w.Limit {
		return time.Time{}, nil
	}
	return kept[len(kept)-m.w.Limit].Add(m.w.Span), nil
}
