// Package citizen keeps what a chat identity agreed to: the privacy consent,
// the chosen language, the phone number verified by sharing the platform
// contact, and the role.
package citizen

import (
	"context"
	"errors"
	"fmt"
	"time"

	"xabot/internal/domain"
)

// Service manages chat identities.
type Service struct {
	repo Repo
	now  func() time.Time
}

// New returns a Service; now is the clock.
func New(repo Repo, now func() time.Time) *Service { return &Service{repo: repo, now: now} }

// Get returns the identity for key; an unknown one is a fresh citizen.
func (s *Service) Get(ctx context.Context, key string) (domain.Citizen, error) {
	c, err := s.repo.Citizen(ctx, key)
	if errors.Is(err, domain.ErrNotFound) {
		return domain.Citizen{Key: key, Role: domain.RoleCitizen}, nil
	}
	if err != nil {
		return domain.Citizen{}, fmt.Errorf("citizen: get %s: %w", key, err)
	}
	return c, nil
}

// Consent records that key agreed to the privacy notice now.
func (s *Service) Consent(ctx context.Context, key string) error {
	if err := s.repo.SetConsent(ctx, key, s.now()); err != nil {
		return fmt.Errorf("citizen: consent %s: %w", key, err)
	}
	return nil
}

// SetLang stores the chosen language ("vi" or "en").
func (s *Service) SetLang(ctx context.Context, key, lang string) error {
	if lang != "vi" && lang != "en" {
		return domain.Invalid("input.pick_one")
	}
	if err := s.repo.SetLang(ctx, key, lang); err != nil {
		return fmt.Errorf("citizen: lang %s: %w", key, err)
	}
	return nil
}

// SetRole changes the role of key (the CLI uses it for `xabot chat --as`).
func (s *Service) SetRole(ctx context.Context, key string, r domain.Role) error {
	if err := s.repo.SetRole(ctx, key, r); err != nil {
		return fmt.Errorf("citizen: role %s: %w", key, err)
	}
	return nil
}

// VerifyContact links a shared contact's phone to key. Only the person's own
// contact counts (the platform says whose it is); consent must come first.
func (s *Service) VerifyContact(ctx context.Context, key, phone string, own bool) (string, error) {
	if !own {
		return "", domain.Invalid("contact.not_own")
	}
	return s.link(ctx, key, phone)
}

// VerifyProved links phone to key where the platform cannot share a
// contact (Zalo): the caller has proved it first, by the code of a dossier
// that carries it, checked under the lookup's guessing limits. Consent must
// come first.
func (s *Service) VerifyProved(ctx context.Context, key, phone string) (string, error) {
	return s.link(ctx, key, phone)
}

// link stores phone as key's verified phone, once the person consented.
func (s *Service) link(ctx context.Context, key, phone string) (string, error) {
	p, ok := domain.NormalizePhone(phone)
	if !ok {
		return "", domain.Invalid("contact.bad_phone")
	}
	c, err := s.Get(ctx, key)
	if err != nil {
		return "", err
	}
	if !c.Consented() {
		return "", fmt.Errorf("citizen: verify %s without consent: %w", key, domain.ErrForbidden)
	}
	if err := s.repo.SetVerifiedPhone(ctx, key, p, s.now()); err != nil {
		return "", fmt.Errorf("citizen: verify %s: %w", key, err)
	}
	return p, nil
}

// Forget withdraws consent and unlinks everything that ties the chat to a
// person (PDP Law 91/2025/QH15 Art. 4: withdrawal and deletion).
func (s *Service) Forget(ctx context.Context, key string) error {
	if err := s.repo.ForgetChat(ctx, key); err != nil {
		return fmt.Errorf("citizen: forget %s: %w", key, err)
	}
	return nil
}
