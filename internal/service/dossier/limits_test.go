package dossier

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"xabot/internal/service/citizen"
)

// lockedUntil returns the *LockedError in err, or fails the test.
func lockedUntil(t *testing.T, what string, err error) *LockedError {
	t.Helper()
	var le *LockedError
	if !errors.As(err, &le) {
		t.Fatalf("%s = %v, want *LockedError", what, err)
	}
	return le
}

// Five wrong factors, then /xoadulieu (the citizen service, down to the
// store), then the right factor: still locked until the hour is over.
func TestLockoutOutlivesForget(t *testing.T) {
	s, clk, db, _ := newService(t)
	ctx := t.Context()
	citizens := citizen.New(db, clk.now)
	const user = "tg:5002"
	if err := citizens.Consent(ctx, user); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		clk.t = t0.Add(time.Duration(i) * time.Minute)
		s.Verify(ctx, user, codeA, fmt.Sprintf("%04d", i))
	}
	if err := citizens.Forget(ctx, user); err != nil {
		t.Fatalf("Forget: %v", err)
	}
	clk.t = t0.Add(10 * time.Minute)
	_, err := s.Verify(ctx, user, codeA, phoneA)
	if le := lockedUntil(t, "Verify(right factor) after Forget", err); le.Code != "" || !le.Until.Equal(t0.Add(time.Hour)) {
		t.Errorf("after Forget: locked %+v, want the chat locked until %v", le, t0.Add(time.Hour))
	}
	_, err = s.Lookup(ctx, user, codeA)
	lockedUntil(t, "Lookup after Forget", err)

	clk.t = t0.Add(time.Hour)
	if d, err := s.Verify(ctx, user, codeA, phoneA); err != nil || d.Code != codeA {
		t.Errorf("Verify(right factor) when the hour is over = %q, %v; want the dossier", d.Code, err)
	}
}

// Unknown codes count: a chat trying codes one after another is locked;
// malformed text does not count (it probes nothing).
func TestUnknownCodesLockTheChat(t *testing.T) {
	tests := []struct {
		name       string
		wrong      int // wrong factors on codeA first
		unknown    int // then unknown codes, each answered lookup.not_found
		wantLocked bool
	}{
		{"nine unknown codes", 0, 9, false},
		{"ten unknown codes", 0, 10, true},
		{"four wrong factors and five unknown codes", 4, 5, false},
		{"four wrong factors and six unknown codes", 4, 6, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, clk, _, _ := newService(t)
			ctx := t.Context()
			const user = "tg:prober"
			for i := range 20 {
				if _, err := s.Lookup(ctx, user, "không biết mã"); !isKey(err, "lookup.bad_code") {
					t.Fatalf("Lookup(malformed) #%d = %v, want lookup.bad_code", i, err)
				}
			}
			for i := range tt.wrong {
				clk.t = t0.Add(time.Duration(i) * time.Second)
				if _, err := s.Verify(ctx, user, codeA, "0000"); !isKey(err, "lookup.wrong_factor") {
					t.Fatalf("Verify(wrong) #%d = %v", i+1, err)
				}
			}
			var err error
			for i := range tt.unknown {
				clk.t = t0.Add(time.Duration(tt.wrong+i) * time.Second)
				code := fmt.Sprintf("H55.20-250601-%04d", i+1)
				if i%2 == 1 { // a code the router read: counted the same
					_, err = s.LookupCode(ctx, user, code)
				} else {
					_, err = s.Lookup(ctx, user, code)
				}
				if i < tt.unknown-1 && !isKey(err, "lookup.not_found") {
					t.Fatalf("Lookup(unknown) #%d = %v, want lookup.not_found", i+1, err)
				}
			}
			_, locked, lerr := s.Locked(ctx, user)
			if lerr != nil || locked != tt.wantLocked {
				t.Fatalf("Locked = %v, %v; want %v", locked, lerr, tt.wantLocked)
			}
			if !tt.wantLocked {
				if !isKey(err, "lookup.not_found") {
					t.Errorf("last Lookup(unknown) = %v, want lookup.not_found", err)
				}
				return
			}
			// The probe that runs out is answered with the lock, and so is
			// every lookup after it, of a real code too.
			if le := lockedUntil(t, "last Lookup(unknown)", err); !le.Until.Equal(t0.Add(time.Hour)) {
				t.Errorf("locked until %v, want %v", le.Until, t0.Add(time.Hour))
			}
			_, err = s.Lookup(ctx, user, codeA)
			lockedUntil(t, "Lookup(existing code) while locked", err)
			_, err = s.LookupCode(ctx, user, codeA)
			lockedUntil(t, "LookupCode(existing code) while locked", err)
		})
	}
}

// Many wrong factors on one code from many chats stop second-factor
// checks on it; other codes, other ways in ("my dossiers") and the code
// itself once the window is over are unaffected.
func TestPerCodeLimit(t *testing.T) {
	s, clk, _, _ := newService(t)
	ctx := t.Context()
	p := DefaultPolicy
	for i := range p.CodeMaxFailures {
		clk.t = t0.Add(time.Duration(i) * time.Minute)
		user := fmt.Sprintf("tg:%d", 100+i) // a fresh chat each time: no chat is locked
		_, err := s.Verify(ctx, user, codeA, fmt.Sprintf("%04d", i))
		if i < p.CodeMaxFailures-1 {
			if !isKey(err, "lookup.wrong_factor") {
				t.Fatalf("Verify(wrong) #%d = %v, want lookup.wrong_factor", i+1, err)
			}
			continue
		}
		if le := lockedUntil(t, "the wrong factor that runs the code out", err); le.Code != codeA || !le.Until.Equal(t0.Add(p.CodeWindow)) {
			t.Fatalf("locked %+v, want code %s until %v", le, codeA, t0.Add(p.CodeWindow))
		}
	}
	clk.t = t0.Add(time.Hour)
	_, err := s.Verify(ctx, "tg:owner", codeA, phoneA)
	if le := lockedUntil(t, "Verify(right factor) on a locked code", err); le.Code != codeA {
		t.Errorf("locked %+v, want the code %s", le, codeA)
	}
	if _, locked, err := s.Locked(ctx, "tg:owner"); err != nil || locked {
		t.Errorf("the owner's chat is locked (%v, %v): a code lock must not lock chats", locked, err)
	}
	if d, err := s.Verify(ctx, "tg:owner", codeB, phoneB); err != nil || d.Code != codeB {
		t.Errorf("Verify on another code = %q, %v; want the dossier", d.Code, err)
	}
	if d, err := s.Mine(ctx, phoneA, codeA); err != nil || d.Code != codeA {
		t.Errorf("Mine(shared phone) on a locked code = %q, %v; want the dossier", d.Code, err)
	}
	if d, err := s.Lookup(ctx, "tg:owner", codeA); err != nil || d.Code != codeA {
		t.Errorf("Lookup of a locked code = %q, %v; want the dossier: the router asks CodeLocked unless a verified phone skips the factor", d.Code, err)
	}
	clk.t = t0.Add(p.CodeWindow)
	if d, err := s.Verify(ctx, "tg:owner", codeA, phoneA); err != nil || d.Code != codeA {
		t.Errorf("Verify(right factor) once the window is over = %q, %v; want the dossier", d.Code, err)
	}
}

// TestGuessingBudget measures what the policy leaves an attacker guessing
// a 4-digit ID tail (10,000 values): one chat that withdraws consent after
// every refusal, and a crowd of fresh chats. The guesses actually checked
// are the wrong factors the store recorded. Run with -v for the figures.
func TestGuessingBudget(t *testing.T) {
	p := DefaultPolicy
	ctx := t.Context()
	checked := func(db interface {
		FailedLookupsOnCode(context.Context, string, time.Time) ([]time.Time, error)
	}) int {
		fails, err := db.FailedLookupsOnCode(ctx, codeA, t0)
		if err != nil {
			t.Fatal(err)
		}
		return len(fails)
	}
	// codeA's ID tail is 1234; counting down from 9999 finds it last.
	guess := func(n int) string { return fmt.Sprintf("%04d", 9999-n) }

	// One chat, a try every 10 s for the whole window, /xoadulieu after
	// every refusal.
	s, clk, db, _ := newService(t)
	citizens := citizen.New(db, clk.now)
	for clk.t = t0; clk.t.Before(t0.Add(p.Window)); clk.t = clk.t.Add(10 * time.Second) {
		_, err := s.Verify(ctx, "tg:attacker", codeA, guess(checked(db)))
		if err == nil {
			t.Fatal("the attacker found the ID tail")
		}
		var le *LockedError
		if errors.As(err, &le) {
			if err := citizens.Forget(ctx, "tg:attacker"); err != nil {
				t.Fatal(err)
			}
		}
	}
	oneChat := checked(db)
	if oneChat != p.MaxFailures {
		t.Fatalf("one chat with /xoadulieu had %d guesses checked in %v, want %d", oneChat, p.Window, p.MaxFailures)
	}

	// A thousand fresh chats, one a minute (16.7 hours), one guess each.
	s, clk, db, _ = newService(t)
	for chat := range 1000 {
		clk.t = t0.Add(time.Duration(chat) * time.Minute)
		if _, err := s.Verify(ctx, fmt.Sprintf("tg:%d", chat), codeA, guess(checked(db))); err == nil {
			t.Fatal("the crowd found the ID tail")
		}
	}
	crowd := checked(db)
	if crowd != p.CodeMaxFailures {
		t.Fatalf("1,000 chats had %d guesses checked on one code, want %d", crowd, p.CodeMaxFailures)
	}
	perDay := float64(p.CodeMaxFailures) * float64(24*time.Hour) / float64(p.CodeWindow)
	t.Logf("one chat through /xoadulieu: %d guesses checked per %v (%.2f%% of 10,000 values); "+
		"any number of chats: %d per %v on one code", oneChat, p.Window, 100*float64(oneChat)/10000, crowd, p.CodeWindow)
	t.Logf("all 10,000 values take at least %.0f days (%.0f on average)", 10000/perDay, 5000/perDay)
}

// countLockouts records Lockout calls by scope.
type countLockouts map[string]int

func (c countLockouts) Lockout(scope string) { c[scope]++ }

// Every refusal by a limit is counted, by scope, for /metrics.
func TestLockoutsAreCounted(t *testing.T) {
	s, clk, _, _ := newService(t)
	ctx := t.Context()
	counts := countLockouts{}
	s.CountLockouts(counts)
	for i := range 5 {
		clk.t = t0.Add(time.Duration(i) * time.Second)
		s.Verify(ctx, "tg:guess", codeA, fmt.Sprintf("%04d", i))
	}
	if _, err := s.Lookup(ctx, "tg:guess", codeA); err == nil {
		t.Fatal("the sixth lookup was not refused")
	}
	if counts["chat"] != 2 || counts["code"] != 0 {
		t.Errorf("counted %v; want the fifth failure and the refused lookup, scope chat", counts)
	}
}
