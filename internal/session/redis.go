package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis is the production Store. Sessions are JSON under
// "<prefix><namespace>:sess:<user>", handled updates are
// "<prefix><namespace>:seen:<update>" and staged turns are hashes
// "<prefix><namespace>:turn:<update>" (redis_turn.go), the namespace being
// the bot's own identity on the key's channel (Namespaces); all expire by
// Redis TTL, so nothing needs sweeping, and the replicas of one bot share
// them.
type Redis struct {
	rdb       *redis.Client
	batch     *batcher // the turn's calls (redis_turn.go), pipelined with others'
	prefix    string
	ns        Namespaces
	ttl       time.Duration
	dedupeTTL time.Duration
}

var _ Store = (*Redis)(nil)

// NewRedis returns a store on rdb. prefix (e.g. "xabot:") sets xabot's keys
// apart from anything else in the database; ns says whose keys these are,
// channel by channel, and must have a Default. Sessions live ttl after
// their last save, handled marks and staged turns dedupeTTL; a TTL ≤ 0
// means no expiry.
func NewRedis(rdb *redis.Client, prefix string, ns Namespaces, ttl, dedupeTTL time.Duration) (*Redis, error) {
	if err := ns.check(); err != nil {
		return nil, err
	}
	return &Redis{rdb: rdb, batch: &batcher{rdb: rdb}, prefix: prefix, ns: ns, ttl: ttl, dedupeTTL: dedupeTTL}, nil
}

func (r *Redis) key(kind, k string) string    { return r.prefix + r.ns.of(k) + ":" + kind + ":" + k }
func (r *Redis) sessKey(user string) string   { return r.key("sess", user) }
func (r *Redis) seenKey(update string) string { return r.key("seen", update) }
func (r *Redis) turnKey(update string) string { return r.key("turn", update) }

// Load returns user's session, or New() when there is none, it expired, it
// cannot be decoded, or it has another Version.
func (r *Redis) Load(ctx context.Context, user string) (Session, error) {
	b, err := r.rdb.Get(ctx, r.sessKey(user)).Bytes()
	if errors.Is(err, redis.Nil) {
		return New(), nil
	}
	if err != nil {
		return Session{}, fmt.Errorf("session: load %s: %w", user, err)
	}
	return decode(b), nil
}

// Save stores s for user with the store's TTL (SET EX), so the TTL restarts
// at every Save and an abandoned conversation disappears by itself.
func (r *Redis) Save(ctx context.Context, user string, s Session) error {
	b, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("session: save %s: %w", user, err)
	}
	if err := r.rdb.Set(ctx, r.sessKey(user), b, ttlArg(r.ttl)).Err(); err != nil {
		return fmt.Errorf("session: save %s: %w", user, err)
	}
	return nil
}

// Delete forgets user's session.
func (r *Redis) Delete(ctx context.Context, user string) error {
	if err := r.rdb.Del(ctx, r.sessKey(user)).Err(); err != nil {
		return fmt.Errorf("session: delete %s: %w", user, err)
	}
	return nil
}

// Ping checks that Redis answers.
func (r *Redis) Ping(ctx context.Context) error {
	if err := r.rdb.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("session: ping: %w", err)
	}
	return nil
}

// ttlArg maps "no expiry" (≤ 0) to go-redis's 0; a negative duration would
// otherwise be read as KeepTTL (-1) or sent as an invalid expiry.
func ttlArg(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return d
}
