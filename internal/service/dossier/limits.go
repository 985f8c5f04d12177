package dossier

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"xabot/internal/domain"
)

// Policy bounds guessing, per chat and per code. The attempts are kept
// under a keyed hash of the chat, so withdrawing consent (/xoadulieu) does
// not reset them.
//
// Per chat, within Window: MaxFailures wrong second factors, or MaxProbes
// failed lookups of any kind (unknown codes count too), lock that chat's
// lookups until the oldest of them is Window old.
//
// Per code, within CodeWindow: CodeMaxFailures wrong second factors from
// any chats stop second-factor checks on that code the same way. A citizen
// whose shared contact proves the dossier's phone still sees it ("my
// dossiers", or a lookup from that chat): no guess is involved.
type Policy struct {
	MaxFailures     int
	MaxProbes       int
	Window          time.Duration
	CodeMaxFailures int
	CodeWindow      time.Duration
}

// DefaultPolicy: 5 wrong factors or 10 failed lookups a chat an hour;
// 10 wrong factors a code a day. A 4-digit ID tail (10,000 values) then
// takes at least 1,000 days to exhaust on one code, whatever the number
// of chats; one chat checks at most 5 guesses an hour.
var DefaultPolicy = Policy{MaxFailures: 5, MaxProbes: 10, Window: time.Hour,
	CodeMaxFailures: 10, CodeWindow: 24 * time.Hour}

// Keep is how long a lookup attempt serves the limits; older ones may be
// purged.
func (p Policy) Keep() time.Duration { return max(p.Window, p.CodeWindow) }

// LockedError means lookups are refused until Until: the chat's own when
// Code is "", or second-factor checks on the dossier Code.
type LockedError struct {
	Until time.Time
	Code  string
}

func (e *LockedError) Error() string {
	what := "lookups"
	if e.Code != "" {
		what = "second factors on " + e.Code
	}
	return "dossier: " + what + " locked until " + e.Until.Format(time.RFC3339)
}

// Locked reports whether user may not look dossiers up now, and until when.
func (s *Service) Locked(ctx context.Context, user string) (time.Time, bool, error) {
	until, _, err := s.chatBudget(ctx, user)
	if err != nil {
		return time.Time{}, false, err
	}
	return until, s.now().Before(until), nil
}

// chatBudget returns until when user is locked (zero or past: not locked)
// and how many more failures the chat may make before it is.
func (s *Service) chatBudget(ctx context.Context, user string) (time.Time, int, error) {
	fails, err := s.repo.FailedLookups(ctx, user, s.now().Add(-s.policy.Window))
	if err != nil {
		return time.Time{}, 0, fmt.Errorf("dossier: failures of a chat: %w", err)
	}
	var wrong []time.Time
	var all []time.Time
	for _, a := range fails {
		all = append(all, a.At)
		if a.Outcome == domain.LookupWrong {
			wrong = append(wrong, a.At)
		}
	}
	u1, left1 := lockAfter(wrong, s.policy.MaxFailures, s.policy.Window)
	u2, left2 := lockAfter(all, s.policy.MaxProbes, s.policy.Window)
	return later(u1, u2), min(left1, left2), nil
}

// CodeLocked reports whether second factors on code are refused now, and
// until when.
func (s *Service) CodeLocked(ctx context.Context, code string) (time.Time, bool, error) {
	_, until, err := s.codeFailures(ctx, code)
	if err != nil {
		return time.Time{}, false, err
	}
	return until, s.now().Before(until), nil
}

// codeFailures returns the wrong factors on code within CodeWindow and
// until when they lock it.
func (s *Service) codeFailures(ctx context.Context, code string) ([]time.Time, time.Time, error) {
	fails, err := s.repo.FailedLookupsOnCode(ctx, code, s.now().Add(-s.policy.CodeWindow))
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("dossier: failures on %q: %w", code, err)
	}
	until, _ := lockAfter(fails, s.policy.CodeMaxFailures, s.policy.CodeWindow)
	return fails, until, nil
}

// lockAfter applies "limit failures within window": times are the failures
// in the window, oldest first. It returns until when they lock (zero when
// they do not) and how many more are allowed.
func lockAfter(times []time.Time, limit int, window time.Duration) (time.Time, int) {
	if len(times) < limit {
		return time.Time{}, limit - len(times)
	}
	return times[len(times)-limit].Add(window), 0
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// Lookup is a citizen typing a code: Find, refused while user is locked,
// and an unknown code counts as a failed lookup, so trying codes one after
// another soon locks the chat.
func (s *Service) Lookup(ctx context.Context, user, text string) (domain.Dossier, error) {
	return s.lookup(ctx, user, func() (string, error) { return parseCode(text) })
}

// LookupCode is Lookup of a code the caller has already read into its
// canonical form (domain.FindCode, domain.ParseCode): it is not read
// again.
func (s *Service) LookupCode(ctx context.Context, user, code string) (domain.Dossier, error) {
	return s.lookup(ctx, user, func() (string, error) { return code, nil })
}

// lookup reads the code only once the chat is known not to be locked, so
// a locked chat is told so whatever it typed.
func (s *Service) lookup(ctx context.Context, user string, read func() (string, error)) (domain.Dossier, error) {
	if until, locked, err := s.Locked(ctx, user); err != nil {
		return domain.Dossier{}, err
	} else if locked {
		return domain.Dossier{}, s.lockout(until, "")
	}
	code, err := read()
	if err != nil {
		return domain.Dossier{}, err // malformed: it probes nothing
	}
	d, err := s.byCode(ctx, code)
	if isUnknown(err) {
		if _, lerr := s.failed(ctx, user, "", domain.LookupUnknown); lerr != nil {
			return domain.Dossier{}, lerr
		}
	}
	return d, err
}

// Verify checks factor (a phone number in any common format, or the last 4
// digits of the ID number) against the dossier with canonical code. A wrong
// factor is recorded and answered with a *domain.InvalidError that says how
// many attempts are left, or a *LockedError once the chat or the code has
// none left.
func (s *Service) Verify(ctx context.Context, user, code, factor string) (domain.Dossier, error) {
	if until, locked, err := s.Locked(ctx, user); err != nil {
		return domain.Dossier{}, err
	} else if locked {
		return domain.Dossier{}, s.lockout(until, "")
	}
	if until, locked, err := s.CodeLocked(ctx, code); err != nil {
		return domain.Dossier{}, err
	} else if locked {
		return domain.Dossier{}, s.lockout(until, code)
	}
	d, err := s.byCode(ctx, code)
	if isUnknown(err) {
		if _, lerr := s.failed(ctx, user, "", domain.LookupUnknown); lerr != nil {
			return domain.Dossier{}, lerr
		}
	}
	if err != nil {
		return domain.Dossier{}, err
	}
	ok, wellFormed := matches(d, factor)
	if !wellFormed {
		return domain.Dossier{}, domain.Invalid("lookup.bad_factor")
	}
	if ok {
		a := domain.LookupAttempt{User: user, Code: code, Outcome: domain.LookupOK, At: s.now()}
		if err := s.repo.RecordLookup(ctx, a); err != nil {
			return domain.Dossier{}, fmt.Errorf("dossier: record lookup %q: %w", code, err)
		}
		return d, nil
	}
	left, err := s.failed(ctx, user, code, domain.LookupWrong)
	if err != nil {
		return domain.Dossier{}, err
	}
	return domain.Dossier{}, domain.Invalid("lookup.wrong_factor", "code", code, "left", strconv.Itoa(left))
}

// failed records a failed lookup of user and says how many more the chat
// may make; the error is a *LockedError when the chat (or, for a wrong
// factor, the code) has just run out.
func (s *Service) failed(ctx context.Context, user, code string, outcome domain.LookupOutcome) (int, error) {
	now := s.now()
	if err := s.repo.RecordLookup(ctx, domain.LookupAttempt{User: user, Code: code, Outcome: outcome, At: now}); err != nil {
		return 0, fmt.Errorf("dossier: record lookup: %w", err)
	}
	until, left, err := s.chatBudget(ctx, user)
	if err != nil {
		return 0, err
	}
	if now.Before(until) {
		// Which chat stays out of the log.
		s.log.Info("lookups locked for a chat", "until", until, "outcome", string(outcome))
		return 0, s.lockout(until, "")
	}
	if outcome == domain.LookupWrong {
		if until, locked := s.watchCode(ctx, code); locked {
			return 0, s.lockout(until, code)
		}
	}
	return left, nil
}

// watchCode logs when one code collects many wrong factors from anyone:
// someone may be guessing phone numbers or ID digits for it. Officials
// read it in the log. Codes are not personal data; the chats stay out of
// this line. It reports whether the code is now locked, and until when.
func (s *Service) watchCode(ctx context.Context, code string) (time.Time, bool) {
	fails, until, err := s.codeFailures(ctx, code)
	if err != nil {
		s.log.Error("failures on a code", "code", code, "err", err)
		return time.Time{}, false
	}
	locked := s.now().Before(until)
	if locked {
		s.log.Warn("many failed lookups on one dossier: second factors refused",
			"code", code, "failures", len(fails), "window", s.policy.CodeWindow, "until", until)
	} else if len(fails)%s.policy.MaxFailures == 0 {
		s.log.Warn("many failed lookups on one dossier", "code", code, "failures", len(fails), "window", s.policy.CodeWindow)
	}
	return until, locked
}

func isUnknown(err error) bool {
	var inv *domain.InvalidError
	return errors.As(err, &inv) && inv.Key == "lookup.not_found"
}

// Counter counts lookups refused by a limit; *metrics.Metrics is one.
type Counter interface{ Lockout(scope string) }

// CountLockouts makes every refusal by a limit counted in c, by scope
// ("chat" or "code"), for the operator's /metrics.
func (s *Service) CountLockouts(c Counter) { s.count = c }

// lockout is the refusal of a lookup until until, for the chat or (code
// set) for the code, counted.
func (s *Service) lockout(until time.Time, code string) *LockedError {
	if s.count != nil {
		scope := "chat"
		if code != "" {
			scope = "code"
		}
		s.count.Lockout(scope)
	}
	return &LockedError{Until: until, Code: code}
}
