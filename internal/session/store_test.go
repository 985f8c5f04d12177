package session

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"
)

// TTLs every store under test is built with. Short, because the Redis half
// waits real time; the suite runs its waiting subtests in parallel so the
// whole Redis run costs about two seconds.
const (
	testTTL       = time.Second
	testDedupeTTL = time.Second
)

// testStore is the contract both stores must meet. newStore returns a fresh,
// empty store built with testTTL and testDedupeTTL, and a function that
// moves the store's time forward.
func testStore(t *testing.T, newStore func(t *testing.T) (Store, func(time.Duration))) {
	full := Session{
		V:         Version,
		Lang:      "en",
		Flow:      "lookup",
		Step:      "ask_phone",
		Slots:     map[string]string{"code": "H55.20-250501-0001", "note": "Đèn đường thôn 3"},
		Then:      "lookup",
		ThenSlots: map[string]string{"code": "H55.20-250501-0002"},
		KB:        "main",
		UpdatedAt: time.Date(2025, 5, 1, 9, 30, 15, 123456789, time.UTC),
	}

	t.Run("round trip", func(t *testing.T) {
		// Every field set, so a field added to Session without a JSON
		// tag that round-trips is caught here.
		v := reflect.ValueOf(full)
		for i := range v.NumField() {
			if v.Field(i).IsZero() {
				t.Fatalf("test session leaves Session.%s unset; give it a value", v.Type().Field(i).Name)
			}
		}
		s, _ := newStore(t)
		ctx := t.Context()
		if err := s.Save(ctx, "tg:1", full); err != nil {
			t.Fatalf("Save: %v", err)
		}
		got, err := s.Load(ctx, "tg:1")
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		if !sameSession(got, full) {
			t.Errorf("Load = %+v, want %+v", got, full)
		}
		// Another user of the same id on another channel is someone else.
		if got := mustLoad(t, s, "zalo:1"); !sameSession(got, New()) {
			t.Errorf("Load(zalo:1) = %+v, want New()", got)
		}
	})

	t.Run("save overwrites and copies", func(t *testing.T) {
		s, _ := newStore(t)
		ctx := t.Context()
		first := New()
		first.Flow = "feedback"
		first.Slots = map[string]string{"text": "a"}
		if err := s.Save(ctx, "tg:1", first); err != nil {
			t.Fatalf("Save: %v", err)
		}
		// The caller keeps using its map; the stored session must not change.
		first.Slots["text"] = "changed after save"
		if got := mustLoad(t, s, "tg:1"); got.Slots["text"] != "a" {
			t.Errorf("Load after mutating the saved map: slot = %q, want %q", got.Slots["text"], "a")
		}
		if err := s.Save(ctx, "tg:1", full); err != nil {
			t.Fatalf("Save: %v", err)
		}
		if got := mustLoad(t, s, "tg:1"); !sameSession(got, full) {
			t.Errorf("Load after second Save = %+v, want %+v", got, full)
		}
	})

	t.Run("missing", func(t *testing.T) {
		s, _ := newStore(t)
		if got := mustLoad(t, s, "tg:404"); !sameSession(got, New()) {
			t.Errorf("Load(missing) = %+v, want New()", got)
		}
	})

	t.Run("other version", func(t *testing.T) {
		for _, v := range []int{0, Version + 1, -1} {
			s, _ := newStore(t)
			old := full
			old.V = v
			if err := s.Save(t.Context(), "tg:1", old); err != nil {
				t.Fatalf("Save: %v", err)
			}
			if got := mustLoad(t, s, "tg:1"); !sameSession(got, New()) {
				t.Errorf("Load(V=%d) = %+v, want New()", v, got)
			}
		}
	})

	t.Run("delete", func(t *testing.T) {
		s, _ := newStore(t)
		ctx := t.Context()
		if err := s.Save(ctx, "tg:1", full); err != nil {
			t.Fatalf("Save: %v", err)
		}
		if err := s.Save(ctx, "tg:2", full); err != nil {
			t.Fatalf("Save: %v", err)
		}
		if err := s.Delete(ctx, "tg:1"); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		if got := mustLoad(t, s, "tg:1"); !sameSession(got, New()) {
			t.Errorf("Load after Delete = %+v, want New()", got)
		}
		if got := mustLoad(t, s, "tg:2"); !sameSession(got, full) {
			t.Errorf("Delete(tg:1) touched tg:2: %+v", got)
		}
		if err := s.Delete(ctx, "tg:404"); err != nil {
			t.Errorf("Delete(missing) = %v, want nil", err)
		}
	})

	testTurns(t, newStore, full)

	t.Run("ping", func(t *testing.T) {
		s, _ := newStore(t)
		if err := s.Ping(t.Context()); err != nil {
			t.Errorf("Ping = %v", err)
		}
	})

	t.Run("cancelled context", func(t *testing.T) {
		s, _ := newStore(t)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if _, err := s.Load(ctx, "tg:1"); !errors.Is(err, context.Canceled) {
			t.Errorf("Load(cancelled) error = %v, want context.Canceled", err)
		}
		if err := s.Save(ctx, "tg:1", full); !errors.Is(err, context.Canceled) {
			t.Errorf("Save(cancelled) error = %v, want context.Canceled", err)
		}
		if _, err := s.Begin(ctx, "tg:1", "tg:1"); !errors.Is(err, context.Canceled) {
			t.Errorf("Begin(cancelled) error = %v, want context.Canceled", err)
		}
		if _, err := s.Stage(ctx, "tg:1", "tg:1", testReplies, &full); !errors.Is(err, context.Canceled) {
			t.Errorf("Stage(cancelled) error = %v, want context.Canceled", err)
		}
		if err := s.Done(ctx, "tg:1"); !errors.Is(err, context.Canceled) {
			t.Errorf("Done(cancelled) error = %v, want context.Canceled", err)
		}
	})

	// The waiting subtests run in parallel so real-time stores wait once.
	t.Run("presses", func(t *testing.T) {
		s, _ := newStore(t)
		ctx := t.Context()
		data := []string{"unsub/confirm/H55.20-261118-0003", "rate/ask/H55.20-261118-0003"}
		if err := s.Offer(ctx, "zalo:1", data); err != nil {
			t.Fatalf("Offer: %v", err)
		}
		// Begin hands them to every turn of that chat, with an update id
		// or without, and to no other chat; reading does not forget.
		for _, update := range []string{"zalo:u1", ""} {
			if got := mustBegin(t, s, update, "zalo:1"); !reflect.DeepEqual(got.Presses, data) {
				t.Errorf("Begin(%q).Presses = %v, want %v", update, got.Presses, data)
			}
		}
		if got := mustBegin(t, s, "zalo:u1", "zalo:2"); got.Presses != nil {
			t.Errorf("another chat's Presses = %v", got.Presses)
		}
		// A turn staged for the chat is its latest message: forgotten.
		if ok, err := s.Stage(ctx, "zalo:u1", "zalo:1", testReplies, &full); !ok || err != nil {
			t.Fatalf("Stage = %v, %v", ok, err)
		}
		if got := mustBegin(t, s, "zalo:u2", "zalo:1"); got.Presses != nil {
			t.Errorf("Presses after Stage = %v, want none", got.Presses)
		}
		// Without an update id too; and Offer(nil) forgets.
		if err := s.Offer(ctx, "zalo:1", data); err != nil {
			t.Fatalf("Offer: %v", err)
		}
		if ok, err := s.Stage(ctx, "", "zalo:1", testReplies, &full); !ok || err != nil {
			t.Fatalf("Stage without id = %v, %v", ok, err)
		}
		if got := mustBegin(t, s, "", "zalo:1"); got.Presses != nil {
			t.Errorf("Presses after Stage without id = %v, want none", got.Presses)
		}
		if err := s.Offer(ctx, "zalo:1", data); err != nil {
			t.Fatalf("Offer: %v", err)
		}
		if err := s.Offer(ctx, "zalo:1", nil); err != nil {
			t.Fatalf("Offer(nil): %v", err)
		}
		if got := mustBegin(t, s, "", "zalo:1"); got.Presses != nil {
			t.Errorf("Presses after Offer(nil) = %v, want none", got.Presses)
		}
	})

	t.Run("ttl", func(t *testing.T) {
		t.Parallel()
		s, advance := newStore(t)
		ctx := t.Context()
		if err := s.Save(ctx, "tg:1", full); err != nil {
			t.Fatalf("Save: %v", err)
		}
		advance(testTTL / 2)
		if got := mustLoad(t, s, "tg:1"); !sameSession(got, full) {
			t.Fatalf("Load at ttl/2 = %+v, want the saved session", got)
		}
		// Saving again restarts the TTL: an active conversation never
		// expires mid-way.
		if err := s.Save(ctx, "tg:1", full); err != nil {
			t.Fatalf("Save: %v", err)
		}
		advance(testTTL * 3 / 4)
		if got := mustLoad(t, s, "tg:1"); !sameSession(got, full) {
			t.Fatalf("Load at 1.25×ttl after a refreshing Save = %+v, want the saved session", got)
		}
		advance(testTTL / 2)
		if got := mustLoad(t, s, "tg:1"); !sameSession(got, New()) {
			t.Errorf("Load after ttl = %+v, want New()", got)
		}
	})

	t.Run("handled ttl", func(t *testing.T) {
		t.Parallel()
		s, advance := newStore(t)
		if err := s.Done(t.Context(), "tg:1"); err != nil {
			t.Fatalf("Done: %v", err)
		}
		advance(testDedupeTTL / 2)
		if got := mustBegin(t, s, "tg:1", "tg:1"); !got.Handled {
			t.Fatalf("Begin at dedupe ttl/2: not handled")
		}
		// The redelivery seen above must not have extended the mark.
		advance(testDedupeTTL * 3 / 4)
		if got := mustBegin(t, s, "tg:1", "tg:1"); got.Handled || got.Staged != nil {
			t.Errorf("Begin after dedupe ttl = %+v, want nothing known", got)
		}
	})

	t.Run("staged ttl", func(t *testing.T) {
		t.Parallel()
		s, advance := newStore(t)
		if ok, err := s.Stage(t.Context(), "tg:1", "tg:1", testReplies, &full); !ok || err != nil {
			t.Fatalf("Stage = %v, %v", ok, err)
		}
		advance(testDedupeTTL * 5 / 4)
		if got := mustBegin(t, s, "tg:1", "tg:2"); got.Handled || got.Staged != nil {
			t.Errorf("Begin after dedupe ttl = %+v, want nothing known", got)
		}
	})
}

func mustBegin(t *testing.T, s Store, update, user string) Turn {
	t.Helper()
	got, err := s.Begin(t.Context(), update, user)
	if err != nil {
		t.Fatalf("Begin(%s, %s): %v", update, user, err)
	}
	return got
}

func mustLoad(t *testing.T, s Store, user string) Session {
	t.Helper()
	got, err := s.Load(t.Context(), user)
	if err != nil {
		t.Fatalf("Load(%s): %v", user, err)
	}
	return got
}

// sameSession compares sessions field by field; times with Equal, since a
// decoded time has lost its monotonic reading and maybe its *Location.
func sameSession(a, b Session) bool {
	if !a.UpdatedAt.Equal(b.UpdatedAt) {
		return false
	}
	a.UpdatedAt, b.UpdatedAt = time.Time{}, time.Time{}
	return reflect.DeepEqual(a, b)
}

// fakeClock is a clock tests move by hand; safe for concurrent readers.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
