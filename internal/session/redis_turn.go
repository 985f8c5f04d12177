package session

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"xabot/internal/chat"
)

// stageScript stores a turn in one step, so that a kill leaves either
// nothing or the replies with the session they lead to, never one without
// the other; and only when the update is neither handled nor staged, so two
// replicas handed the same update cannot both send it. Each Stage call
// signs what it stores with a token of its own: go-redis sends a command
// again after a read timeout or a dropped connection, and the script, run
// twice, must then answer as it did the first time, not «staged already».
//
//	KEYS: seen, turn, sess, press (forgotten: the turn's reply is now the
//	      latest message)
//	ARGV: replies ("" = none: the update is handled at once), dedupe TTL
//	      in ms (0 = none), session ("" = delete it), session TTL in ms,
//	      the call's token
var stageScript = redis.NewScript(`
local seen = redis.call('GET', KEYS[1])
if seen then
  if seen == ARGV[5] then return 1 end
  return 0
end
if redis.call('EXISTS', KEYS[2]) == 1 then
  if redis.call('HGET', KEYS[2], 'by') == ARGV[5] then return 1 end
  return 0
end
redis.call('DEL', KEYS[4])
local key = KEYS[2]
if ARGV[1] == '' then
  key = KEYS[1]
  redis.call('SET', key, ARGV[5])
else
  redis.call('HSET', key, 'out', ARGV[1], 'r', 0, 'p', 0, 'by', ARGV[5])
end
if tonumber(ARGV[2]) > 0 then redis.call('PEXPIRE', key, ARGV[2]) end
if ARGV[3] == '' then
  redis.call('DEL', KEYS[3])
else
  redis.call('SET', KEYS[3], ARGV[3])
  if tonumber(ARGV[4]) > 0 then redis.call('PEXPIRE', KEYS[3], ARGV[4]) end
end
return 1
`)

// sentScript moves a staged turn's progress; a turn already done (or
// expired) is not brought back as a hash without replies or expiry.
var sentScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('HSET', KEYS[1], 'r', ARGV[1], 'p', ARGV[2])
end
return 0
`)

// Begin reads the session, the buttons pressed by number, the handled mark
// and the staged turn in one round trip.
func (r *Redis) Begin(ctx context.Context, update, user string) (Turn, error) {
	var seen *redis.IntCmd
	var staged *redis.MapStringStringCmd
	var sess, press *redis.StringCmd
	err := r.batch.do(ctx, func(ctx context.Context, pipe redis.Pipeliner) {
		if update != "" {
			seen = pipe.Exists(ctx, r.seenKey(update))
			staged = pipe.HGetAll(ctx, r.turnKey(update))
		}
		sess = pipe.Get(ctx, r.sessKey(user))
		press = pipe.Get(ctx, r.pressKey(user))
	})
	if err == nil {
		err = firstErr(sess, press)
	}
	if err == nil && update != "" {
		err = firstErr(seen, staged)
	}
	if err != nil {
		return Turn{}, fmt.Errorf("session: begin %s: %w", update, err)
	}
	t := Turn{Session: New(), Presses: pressesOf(press)}
	switch b, err := sess.Bytes(); {
	case err == nil:
		t.Session = decode(b)
	case !errors.Is(err, redis.Nil):
		return Turn{}, fmt.Errorf("session: begin %s: %w", update, err)
	}
	if update == "" {
		return t, nil
	}
	if seen.Val() > 0 {
		t.Handled = true
		return t, nil
	}
	if h := staged.Val(); len(h) > 0 {
		st := decodeStaged([]byte(h["out"]))
		st.Reply, _ = strconv.Atoi(h["r"])
		st.Part, _ = strconv.Atoi(h["p"])
		t.Staged = &st
	}
	return t, nil
}

// Stage stores the turn with stageScript.
func (r *Redis) Stage(ctx context.Context, update, user string, replies []chat.Reply, next *Session) (bool, error) {
	sess, err := encodeNext(next)
	if err != nil {
		return false, fmt.Errorf("session: stage %s: %w", update, err)
	}
	if update == "" {
		if err := r.rdb.Del(ctx, r.pressKey(user)).Err(); err != nil {
			return false, fmt.Errorf("session: stage: %w", err)
		}
		if next == nil {
			return true, r.Delete(ctx, user)
		}
		return true, r.Save(ctx, user, *next)
	}
	var out []byte
	if len(replies) > 0 {
		if out, err = encodeStaged(Staged{Replies: replies}); err != nil {
			return false, fmt.Errorf("session: stage %s: %w", update, err)
		}
	}
	n, err := r.script(ctx, stageScript, []string{r.seenKey(update), r.turnKey(update), r.sessKey(user), r.pressKey(user)},
		out, millis(r.dedupeTTL), sess, millis(r.ttl), rand.Text()).Int()
	if err != nil {
		return false, fmt.Errorf("session: stage %s: %w", update, err)
	}
	return n == 1, nil
}

// Sent records the progress of update's staged turn.
func (r *Redis) Sent(ctx context.Context, update string, reply, part int) error {
	if update == "" {
		return nil
	}
	if err := r.script(ctx, sentScript, []string{r.turnKey(update)}, reply, part).Err(); err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("session: sent %s: %w", update, err)
	}
	return nil
}

// Done marks update handled and drops its staged turn in one round trip.
// No MULTI is needed: the mark goes first and Begin reads it first, so a
// connection lost between the two leaves a handled update with a stale
// turn, which expires unread.
func (r *Redis) Done(ctx context.Context, update string) error {
	if update == "" {
		return nil
	}
	var set *redis.StatusCmd
	var del *redis.IntCmd
	err := r.batch.do(ctx, func(ctx context.Context, p redis.Pipeliner) {
		set = p.Set(ctx, r.seenKey(update), "1", ttlArg(r.dedupeTTL))
		del = p.Del(ctx, r.turnKey(update))
	})
	if err == nil {
		err = firstErr(set, del)
	}
	if err != nil {
		return fmt.Errorf("session: done %s: %w", update, err)
	}
	return nil
}

// script runs s in the next batch. A Redis that has not seen the script
// yet (new, restarted or flushed) answers NOSCRIPT, and the call is made
// again alone, as Script.Run does: EVALSHA first, then EVAL, which loads it.
func (r *Redis) script(ctx context.Context, s *redis.Script, keys []string, args ...any) *redis.Cmd {
	var cmd *redis.Cmd
	if err := r.batch.do(ctx, func(ctx context.Context, p redis.Pipeliner) {
		cmd = s.EvalSha(ctx, p, keys, args...)
	}); err != nil {
		cmd = redis.NewCmd(ctx)
		cmd.SetErr(err)
		return cmd
	}
	if redis.HasErrorPrefix(cmd.Err(), "NOSCRIPT") {
		return s.Run(ctx, r.rdb, keys, args...)
	}
	return cmd
}

// firstErr is the first error of cmds other than redis.Nil (a key that is
// not there).
func firstErr(cmds ...redis.Cmder) error {
	for _, c := range cmds {
		if err := c.Err(); err != nil && !errors.Is(err, redis.Nil) {
			return err
		}
	}
	return nil
}

// millis is a TTL as the scripts take it: milliseconds, 0 for none.
func millis(d time.Duration) int64 {
	if d <= 0 {
		return 0
	}
	return max(d.Milliseconds(), 1)
}
