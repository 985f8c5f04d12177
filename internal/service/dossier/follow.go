package dossier

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"xabot/internal/domain"
)

// Follow makes user's chat hear about the dossier's changes; the lookup
// calls it after a successful second factor (the citizen has consented).
func (s *Service) Follow(ctx context.Context, user string, d domain.Dossier) error {
	if err := s.repo.Subscribe(ctx, d.ID, user, "lookup", s.now()); err != nil {
		return fmt.Errorf("dossier: follow %q: %w", d.Code, err)
	}
	return nil
}

// Unfollow stops user's chat hearing about the dossier with the typed code
// and returns the code, canonical. The answer is the same whether the code
// exists or the chat followed it: the button's data can be forged, and must
// not tell anyone which codes exist. Only a chat that follows the dossier
// writes anything.
func (s *Service) Unfollow(ctx context.Context, user, code string) (string, error) {
	c, err := domain.ParseCode(code)
	if err != nil {
		return "", domain.Invalid("lookup.bad_code", "text", domain.Echo(code))
	}
	d, err := s.repo.DossierByCode(ctx, c)
	if errors.Is(err, domain.ErrNotFound) {
		return c, nil
	}
	if err != nil {
		return "", fmt.Errorf("dossier: unfollow %q: %w", c, err)
	}
	chats, err := s.repo.Subscribers(ctx, d)
	if err != nil {
		return "", fmt.Errorf("dossier: unfollow %q: %w", c, err)
	}
	if !slices.Contains(chats, user) {
		return c, nil
	}
	if err := s.repo.Unsubscribe(ctx, d.ID, user, s.now()); err != nil {
		return "", fmt.Errorf("dossier: unfollow %q: %w", c, err)
	}
	return c, nil
}

// Extend moves the dossier's appointment to due, once (Decree 118/2025
// Art. 19(6)); the store applies domain.Dossier.Extend, which refuses a
// second extension with apology.already_extended and an ended dossier with
// apology.ended. actor is recorded as the source.
func (s *Service) Extend(ctx context.Context, actor, code string, due time.Time, reason string) (domain.Dossier, error) {
	d, err := s.repo.ExtendDossier(ctx, code, due, reason, "bot:"+actor, s.now())
	var inv *domain.InvalidError
	if errors.As(err, &inv) {
		return domain.Dossier{}, inv
	}
	if errors.Is(err, domain.ErrNotFound) {
		return domain.Dossier{}, domain.Invalid("lookup.not_found", "code", code)
	}
	if err != nil {
		return domain.Dossier{}, fmt.Errorf("dossier: extend %q: %w", code, err)
	}
	s.log.Info("dossier extended", "code", d.Code, "actor", actor)
	return d, nil
}
