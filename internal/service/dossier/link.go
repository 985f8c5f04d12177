package dossier

import (
	"context"

	"xabot/internal/domain"
)

// LinkRefused records a receipt slip's link refused to user (forged,
// altered or expired) as a failed lookup: guessing links counts as
// guessing codes does, toward the same per-chat limit. It returns a
// *LockedError when the chat has just run out.
func (s *Service) LinkRefused(ctx context.Context, user string) error {
	_, err := s.failed(ctx, user, "", domain.LookupUnknown)
	return err
}
