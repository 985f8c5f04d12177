package session

import (
	"container/list"
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"xabot/internal/chat"
)

// Caps of the in-process store. Sessions are disposable, so when a burst of
// users exceeds the cap the least recently saved ones are dropped rather than
// letting the process grow without bound. A handled mark is cheaper and
// losing one risks a double reply, so their cap is larger. Staged turns
// live only while their replies go out.
const (
	maxMemorySessions = 100_000
	maxMemoryHandled  = 1 << 20
	maxMemoryStaged   = 10_000
)

// Memory is the in-process Store for the demo and single-process runs. It
// keeps sessions JSON-encoded, as Redis does, so both stores behave alike:
// no map shared with the caller, the same decoding rules, the same resets.
type Memory struct {
	now func() time.Time

	mu       sync.Mutex
	sessions *expiring
	handled  *expiring
	staged   *expiring
	presses  *expiring
}

var _ Store = (*Memory)(nil)

// NewMemory returns an empty in-process store. Sessions live ttl after their
// last save, handled marks and staged turns dedupeTTL; a TTL ≤ 0 means no
// expiry. now is the clock (nil means time.Now); tests pass a fake one.
func NewMemory(ttl, dedupeTTL time.Duration, now func() time.Time) *Memory {
	if now == nil {
		now = time.Now
	}
	return &Memory{
		now:      now,
		sessions: newExpiring(ttl, maxMemorySessions),
		handled:  newExpiring(dedupeTTL, maxMemoryHandled),
		staged:   newExpiring(dedupeTTL, maxMemoryStaged),
		presses:  newExpiring(ttl, maxMemorySessions),
	}
}

// Load returns user's session, or New() when there is none, it expired, or
// it has another Version.
func (m *Memory) Load(ctx context.Context, user string) (Session, error) {
	// Honour cancellation like the Redis store does, so callers see the same
	// behaviour whichever store is configured.
	if err := ctx.Err(); err != nil {
		return Session{}, fmt.Errorf("session: load %s: %w", user, err)
	}
	m.mu.Lock()
	b, ok := m.sessions.get(user, m.now())
	m.mu.Unlock()
	if !ok {
		return New(), nil
	}
	return decode(b), nil
}

// Save stores s for user for the store's TTL.
func (m *Memory) Save(ctx context.Context, user string, s Session) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("session: save %s: %w", user, err)
	}
	b, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("session: save %s: %w", user, err)
	}
	m.mu.Lock()
	m.sessions.put(user, b, m.now())
	m.mu.Unlock()
	return nil
}

// Delete forgets user's session.
func (m *Memory) Delete(ctx context.Context, user string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("session: delete %s: %w", user, err)
	}
	m.mu.Lock()
	m.sessions.del(user)
	m.mu.Unlock()
	return nil
}

// Begin loads user's session and what is known of update.
func (m *Memory) Begin(ctx context.Context, update, user string) (Turn, error) {
	if err := ctx.Err(); err != nil {
		return Turn{}, fmt.Errorf("session: begin %s: %w", update, err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	t := Turn{Session: New()}
	if b, ok := m.sessions.get(user, now); ok {
		t.Session = decode(b)
	}
	if b, ok := m.presses.get(user, now); ok {
		t.Presses = decodePresses(b)
	}
	if update == "" {
		return t, nil
	}
	if _, ok := m.handled.get(update, now); ok {
		t.Handled = true
		return t, nil
	}
	if b, ok := m.staged.get(update, now); ok {
		st := decodeStaged(b)
		t.Staged = &st
	}
	return t, nil
}

// Stage keeps update's replies and user's next session, unless update is
// handled or staged already. Without replies the update is handled at once.
func (m *Memory) Stage(ctx context.Context, update, user string, replies []chat.Reply, next *Session) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, fmt.Errorf("session: stage %s: %w", update, err)
	}
	sess, err := encodeNext(next)
	if err != nil {
		return false, fmt.Errorf("session: stage %s: %w", update, err)
	}
	out, err := encodeStaged(Staged{Replies: replies})
	if err != nil {
		return false, fmt.Errorf("session: stage %s: %w", update, err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	if update != "" {
		_, handled := m.handled.get(update, now)
		_, staged := m.staged.get(update, now)
		if handled || staged {
			return false, nil
		}
		if len(replies) == 0 {
			m.handled.put(update, nil, now)
		} else {
			m.staged.put(update, out, now)
		}
	}
	m.presses.del(user)
	if sess == nil {
		m.sessions.del(user)
	} else {
		m.sessions.put(user, sess, now)
	}
	return true, nil
}

// Sent records how far sending update's staged replies got.
func (m *Memory) Sent(ctx context.Context, update string, reply, part int) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("session: sent %s: %w", update, err)
	}
	if update == "" {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.staged.get(update, m.now())
	if !ok {
		return nil
	}
	st := decodeStaged(b)
	st.Reply, st.Part = reply, part
	out, err := encodeStaged(st)
	if err != nil {
		return fmt.Errorf("session: sent %s: %w", update, err)
	}
	m.staged.replace(update, out)
	return nil
}

// Done marks update handled and drops what was staged for it.
func (m *Memory) Done(ctx context.Context, update string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("session: done %s: %w", update, err)
	}
	if update == "" {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.handled.put(update, nil, m.now())
	m.staged.del(update)
	return nil
}

// Ping reports only a cancelled context: memory always answers.
func (m *Memory) Ping(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("session: ping: %w", err)
	}
	return nil
}

// expiring is a map whose entries all live the same ttl after their last
// write. Because the ttl is shared, write order is expiry order: a list kept
// in write order (oldest at the front) lets expired entries be swept and the
// oldest evicted in O(1) each, without scanning the map. Not safe for
// concurrent use; Memory holds the lock.
type expiring struct {
	ttl   time.Duration
	max   int
	items map[string]*list.Element
	order *list.List // of *entry, oldest write first
}

type entry struct {
	key     string
	val     []byte
	expires time.Time // zero when ttl ≤ 0
}

func newExpiring(ttl time.Duration, max int) *expiring {
	return &expiring{ttl: ttl, max: max, items: map[string]*list.Element{}, order: list.New()}
}

func (e *expiring) get(key string, now time.Time) ([]byte, bool) {
	el, ok := e.items[key]
	if !ok {
		return nil, false
	}
	if x := el.Value.(*entry); !e.expired(x, now) {
		return x.val, true
	}
	e.remove(el)
	return nil, false
}

func (e *expiring) put(key string, val []byte, now time.Time) {
	e.sweep(now)
	var exp time.Time
	if e.ttl > 0 {
		exp = now.Add(e.ttl)
	}
	if el, ok := e.items[key]; ok {
		x := el.Value.(*entry)
		x.val, x.expires = val, exp
		e.order.MoveToBack(el)
		return
	}
	for e.order.Len() >= e.max {
		e.remove(e.order.Front())
	}
	e.items[key] = e.order.PushBack(&entry{key: key, val: val, expires: exp})
}

// replace changes the value of a live key, keeping its expiry.
func (e *expiring) replace(key string, val []byte) {
	if el, ok := e.items[key]; ok {
		el.Value.(*entry).val = val
	}
}

func (e *expiring) del(key string) {
	if el, ok := e.items[key]; ok {
		e.remove(el)
	}
}

// sweep drops expired entries from the front; it stops at the first live
// one, since everything behind it was written later.
func (e *expiring) sweep(now time.Time) {
	for el := e.order.Front(); el != nil && e.expired(el.Value.(*entry), now); el = e.order.Front() {
		e.remove(el)
	}
}

func (e *expiring) expired(x *entry, now time.Time) bool {
	return !x.expires.IsZero() && !now.Before(x.expires)
}

func (e *expiring) remove(el *list.Element) {
	delete(e.items, el.Value.(*entry).key)
	e.order.Remove(el)
}

func (e *expiring) len() int { return e.order.Len() }

// decode reads a stored session; anything unreadable or of another Version
// becomes New(), because a stale conversation is better restarted politely
// than half-decoded.
func decode(b []byte) Session {
	var s Session
	if err := json.Unmarshal(b, &s); err != nil || s.V != Version {
		return New()
	}
	return s
}
