// Package dossier is the citizen's side of a dossier: finding it by a
// loosely typed code, checking the second factor (the phone number on the
// dossier or the last 4 digits of the ID number) within the guessing
// limits per chat and per code (limits.go), and listing the dossiers of a
// verified phone.
package dossier

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"xabot/internal/domain"
)

// Service looks dossiers up for citizens.
type Service struct {
	count  Counter // nil: lockouts are not counted
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
// *domain.InvalidError explaining it; so does an unknown code. Officials'
// actions use it; a citizen's lookup goes through Lookup, which counts
// unknown codes.
func (s *Service) Find(ctx context.Context, text string) (domain.Dossier, error) {
	code, err := parseCode(text)
	if err != nil {
		return domain.Dossier{}, err
	}
	return s.byCode(ctx, code)
}

// parseCode reads a loosely typed code into its canonical form.
func parseCode(text string) (string, error) {
	code, err := domain.ParseCode(text)
	if found, ok := domain.FindCode(text); err != nil && ok {
		code, err = found, nil // "mã hồ sơ là H55.20-250501-0001 nhé"
	}
	if err != nil {
		var ce *domain.CodeError
		if errors.As(err, &ce) && ce.Procedure {
			return "", domain.Invalid("lookup.procedure_code", "text", domain.Echo(text))
		}
		return "", domain.Invalid("lookup.bad_code", "text", domain.Echo(text))
	}
	return code, nil
}

// byCode finds the dossier with canonical code; an unknown one is
// lookup.not_found.
func (s *Service) byCode(ctx context.Context, code string) (domain.Dossier, error) {
	d, err := s.repo.DossierByCode(ctx, code)
	if errors.Is(err, domain.ErrNotFound) {
		return domain.Dossier{}, errUnknown(code)
	}
	if err != nil {
		return domain.Dossier{}, fmt.Errorf("dossier: find %q: %w", code, err)
	}
	return d, nil
}

func errUnknown(code string) error { return domain.Invalid("lookup.not_found", "code", code) }

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
