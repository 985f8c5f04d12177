// Package dossier is the citizen's side of a dossier: finding it by a
// loosely typed code, checking the second factor (the phone number on the
// dossier or the last 4 digits of the ID number) with a lockout after
// repeated failures, and listing the dossiers of a verified phone.
package dossier

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"xabot/internal/domain"
)

// Policy limits guessing: at most MaxFailures wrong second factors per user
// within Window, then lookups wait until the oldest of them is Window old.
type Policy struct {
	MaxFailures int
	Window      time.Duration
}

// DefaultPolicy is five failures an hour (DESIGN.md §4).
var DefaultPolicy = Policy{MaxFailures: 5, Window: time.Hour}

// LockedError means the user guessed too often; Until is when they may try again.
type LockedError struct{ Until time.Time }

func (e *LockedError) Error() string {
	return "dossier: lookups locked until " + e.Until.Format(time.RFC3339)
}

// Service looks dossiers up for citizens.
type Service struct {
	repo   Repo
	now    func() time.Time
	policy Policy
	log    *slog.Logger
}

// New returns a Service; now is the clock (tests move it).
func New(repo Repo, now func() time.Time, policy Policy, log *slog.Logger) *Service {
	return &Service{repo: repo, now: now, policy: policy, log: log.With("comp", "dossier")}
}

// Find reads a typed code and finds its dossier. Bad input comes back as a
// *domain.InvalidError explaining it; so does an unknown code.
func (s *Service) Find(ctx context.Context, text string) (domain.Dossier, error) {
	code, err := domain.ParseCode(text)
	if found, ok := domain.FindCode(text); err != nil && ok {
		code, err = found, nil // "mã hồ sơ là H55.20-250501-0001 nhé"
	}
	if err != nil {
		var ce *domain.CodeError
		if errors.As(err, &ce) && ce.Procedure {
			return domain.Dossier{}, domain.Invalid("lookup.procedure_code", "text", domain.Echo(text))
		}
		return domain.Dossier{}, domain.Invalid("lookup.bad_code", "text", domain.Echo(text))
	}
	d, err := s.repo.DossierByCode(ctx, code)
	if errors.Is(err, domain.ErrNotFound) {
		return domain.Dossier{}, domain.Invalid("lookup.not_found", "code", code)
	}
	if err != nil {
		return domain.Dossier{}, fmt.Errorf("dossier: find %q: %w", code, err)
	}
	return d, nil
}

// Locked reports whether user may not try a second factor now, and until when.
func (s *Service) Locked(ctx context.Context, user string) (time.Time, bool, error) {
	now := s.now()
	fails, err := s.repo.FailedLookups(ctx, user, now.Add(-s.policy.Window))
	if err != nil {
		return time.Time{}, false, fmt.Errorf("dossier: failures of %s: %w", user, err)
	}
	if len(fails) < s.policy.MaxFailures {
		return time.Time{}, false, nil
	}
	until := fails[len(fails)-s.policy.MaxFailures].Add(s.policy.Window)
	return until, now.Before(until), nil
}

// Verify checks factor (a phone number in any common format, or the last 4
// digits of the ID number) against the dossier with canonical code. A wrong
// factor is recorded and answered with a *domain.InvalidError that says how
// many attempts are left, or a *LockedError once none are.
func (s *Service) Verify(ctx context.Context, user, code, factor string) (domain.Dossier, error) {
	if until, locked, err := s.Locked(ctx, user); err != nil {
		return domain.Dossier{}, err
	} else if locked {
		return domain.Dossier{}, &LockedError{Until: until}
	}
	d, err := s.repo.DossierByCode(ctx, code)
	if errors.Is(err, domain.ErrNotFound) {
		return domain.Dossier{}, domain.Invalid("lookup.not_found", "code", code)
	}
	if err != nil {
		return domain.Dossier{}, fmt.Errorf("dossier: verify %q: %w", code, err)
	}
	ok, wellFormed := matches(d, factor)
	if !wellFormed {
		return domain.Dossier{}, domain.Invalid("lookup.bad_factor")
	}
	now := s.now()
	if err := s.repo.RecordLookup(ctx, domain.LookupAttempt{User: user, Code: code, OK: ok, At: now}); err != nil {
		return domain.Dossier{}, fmt.Errorf("dossier: record lookup %q: %w", code, err)
	}
	if ok {
		return d, nil
	}
	s.watchCode(ctx, code, now)
	until, locked, err := s.Locked(ctx, user)
	if err != nil {
		return domain.Dossier{}, err
	}
	if locked {
		s.log.Warn("lookups locked", "user", user, "until", until)
		return domain.Dossier{}, &LockedError{Until: until}
	}
	fails, err := s.repo.FailedLookups(ctx, user, now.Add(-s.policy.Window))
	if err != nil {
		return domain.Dossier{}, fmt.Errorf("dossier: failures of %s: %w", user, err)
	}
	left := max(s.policy.MaxFailures-len(fails), 0)
	return domain.Dossier{}, domain.Invalid("lookup.wrong_factor", "code", code, "left", strconv.Itoa(left))
}

// watchCode logs when one code collects many failures from anyone: someone
// may be guessing phone numbers for it (DESIGN.md §4). Codes are not
// personal data; the user keys stay out of this line.
func (s *Service) watchCode(ctx context.Context, code string, now time.Time) {
	n, err := s.repo.FailedLookupsOnCode(ctx, code, now.Add(-24*time.Hour))
	if err != nil || n < s.policy.MaxFailures || n%s.policy.MaxFailures != 0 {
		return
	}
	s.log.Warn("many failed lookups on one dossier", "code", code, "failures_24h", n)
}

// ByPhone lists the dossiers carrying a verified phone number.
func (s *Service) ByPhone(ctx context.Context, phone string) ([]domain.Dossier, error) {
	ds, err := s.repo.DossiersByPhone(ctx, phone, maxMine)
	if err != nil {
		return nil, fmt.Errorf("dossier: by phone: %w", err)
	}
	return ds, nil
}

// Mine returns the dossier with the typed code if it carries phone; anything
// else (unknown, someone else's, malformed) is the same *domain.InvalidError,
// so a forged button cannot probe other people's dossiers.
func (s *Service) Mine(ctx context.Context, phone, text string) (domain.Dossier, error) {
	code, err := domain.ParseCode(text)
	if err != nil || phone == "" {
		return domain.Dossier{}, domain.Invalid("mine.not_yours")
	}
	d, err := s.repo.DossierByCode(ctx, code)
	if errors.Is(err, domain.ErrNotFound) || (err == nil && d.Phone != phone) {
		return domain.Dossier{}, domain.Invalid("mine.not_yours")
	}
	if err != nil {
		return domain.Dossier{}, fmt.Errorf("dossier: mine %q: %w", code, err)
	}
	return d, nil
}

// maxMine bounds "my dossiers": a family's phone, not a registry.
const maxMine = 20

// matches compares a second factor with the dossier. wellFormed is false
// when factor is neither a phone number nor four digits.
func matches(d domain.Dossier, factor string) (ok, wellFormed bool) {
	if p, isPhone := domain.NormalizePhone(factor); isPhone {
		return d.Phone != "" && p == d.Phone, true
	}
	digits := onlyDigits(factor)
	if len(digits) == 4 && len(digits) == len([]rune(trimSpace(factor))) {
		return d.IDLast4 != "" && digits == d.IDLast4, true
	}
	return false, false
}

func onlyDigits(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			b = append(b, s[i])
		}
	}
	return string(b)
}

func trimSpace(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		if r != ' ' && r != '\t' {
			out = append(out, r)
		}
	}
	return string(out)
}
