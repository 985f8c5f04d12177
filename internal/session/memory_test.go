package session

import (
	"fmt"
	"testing"
	"time"
)

func newTestMemory(t *testing.T) (*Memory, *fakeClock) {
	t.Helper()
	clock := &fakeClock{now: time.Date(2025, 5, 1, 8, 0, 0, 0, time.UTC)}
	return NewMemory(testTTL, testDedupeTTL, clock.Now), clock
}

func TestMemory(t *testing.T) {
	testStore(t, func(t *testing.T) (Store, func(time.Duration)) {
		m, clock := newTestMemory(t)
		return m, clock.Advance
	})
}

func TestMemoryCap(t *testing.T) {
	m, clock := newTestMemory(t)
	m.sessions.max = 3
	ctx := t.Context()
	save := func(user string) {
		t.Helper()
		clock.Advance(time.Millisecond)
		if err := m.Save(ctx, user, New()); err != nil {
			t.Fatalf("Save(%s): %v", user, err)
		}
	}
	save("a")
	save("b")
	save("c")
	save("a") // a is now the most recently saved
	save("d") // evicts b, the oldest
	if n := m.sessions.len(); n != 3 {
		t.Errorf("%d sessions kept, want the cap 3", n)
	}
	for _, tc := range []struct {
		user string
		kept bool
	}{{"a", true}, {"b", false}, {"c", true}, {"d", true}} {
		m.mu.Lock()
		_, ok := m.sessions.get(tc.user, clock.Now())
		m.mu.Unlock()
		if ok != tc.kept {
			t.Errorf("session %s kept = %v, want %v", tc.user, ok, tc.kept)
		}
	}
}

func TestMemorySweepsExpired(t *testing.T) {
	m, clock := newTestMemory(t)
	ctx := t.Context()
	for i := range 100 {
		if err := m.Save(ctx, fmt.Sprintf("tg:%d", i), New()); err != nil {
			t.Fatalf("Save: %v", err)
		}
		if err := m.Done(ctx, fmt.Sprintf("tg:%d", i)); err != nil {
			t.Fatalf("Done: %v", err)
		}
	}
	clock.Advance(testTTL + testDedupeTTL)
	// Expired entries go on the next write, without anyone loading them, so
	// users who never come back do not hold memory.
	if err := m.Save(ctx, "tg:new", New()); err != nil {
		t.Fatalf("Save: %v", err)
	}
	if err := m.Done(ctx, "tg:new"); err != nil {
		t.Fatalf("Done: %v", err)
	}
	if n := m.sessions.len(); n != 1 {
		t.Errorf("%d sessions after expiry and one Save, want 1", n)
	}
	if n := m.handled.len(); n != 1 {
		t.Errorf("%d handled marks after expiry and one Done, want 1", n)
	}
}

func TestMemoryNoExpiry(t *testing.T) {
	clock := &fakeClock{now: time.Date(2025, 5, 1, 8, 0, 0, 0, time.UTC)}
	m := NewMemory(0, -time.Second, clock.Now)
	ctx := t.Context()
	if err := m.Save(ctx, "tg:1", Session{V: Version, Flow: "lookup"}); err != nil {
		t.Fatalf("Save: %v", err)
	}
	if err := m.Done(ctx, "tg:1"); err != nil {
		t.Fatalf("Done: %v", err)
	}
	clock.Advance(24 * 365 * time.Hour)
	if got, _ := m.Load(ctx, "tg:1"); got.Flow != "lookup" {
		t.Errorf("Load a year later with ttl 0 = %+v, want the saved session", got)
	}
	if got, _ := m.Begin(ctx, "tg:1", "tg:1"); !got.Handled {
		t.Errorf("Begin a year later with dedupe ttl ≤ 0: not handled")
	}
}

func TestMemoryDefaultClock(t *testing.T) {
	m := NewMemory(time.Hour, time.Hour, nil)
	if err := m.Save(t.Context(), "tg:1", Session{V: Version, Step: "x"}); err != nil {
		t.Fatalf("Save: %v", err)
	}
	if got, _ := m.Load(t.Context(), "tg:1"); got.Step != "x" {
		t.Errorf("Load = %+v, want the saved session", got)
	}
}

func BenchmarkMemoryLoadSave(b *testing.B) {
	m := NewMemory(time.Hour, time.Hour, nil)
	benchLoadSave(b, m)
}
