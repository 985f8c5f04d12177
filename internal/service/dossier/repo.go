package dossier

import (
	"context"
	"time"

	"xabot/internal/domain"
)

// Repo is the storage the lookup needs; *store.DB satisfies it.
type Repo interface {
	// DossierByCode finds a dossier by its canonical code (domain.ParseCode);
	// an unknown code wraps domain.ErrNotFound.
	DossierByCode(ctx context.Context, code string) (domain.Dossier, error)
	// DossiersByPhone lists the dossiers whose applicant phone is phone
	// (normalised), newest received first, at most limit.
	DossiersByPhone(ctx context.Context, phone string, limit int) ([]domain.Dossier, error)
	// RecordLookup stores one lookup; the chat is kept only as a keyed hash.
	RecordLookup(ctx context.Context, a domain.LookupAttempt) error
	// FailedLookups returns user's failed lookups (wrong factors, unknown
	// codes) since since, oldest first.
	FailedLookups(ctx context.Context, user string, since time.Time) ([]domain.LookupAttempt, error)
	// FailedLookupsOnCode returns the times of the wrong factors given for
	// one code since since, by anyone, oldest first.
	FailedLookupsOnCode(ctx context.Context, code string, since time.Time) ([]time.Time, error)
	// Subscribe and Unsubscribe make a chat follow a dossier's changes, or stop.
	Subscribe(ctx context.Context, dossierID int64, chatKey, source string, at time.Time) error
	Unsubscribe(ctx context.Context, dossierID int64, chatKey string, at time.Time) error
	// Subscribers lists the chats that follow the dossier.
	Subscribers(ctx context.Context, d domain.Dossier) ([]string, error)
	// ExtendDossier moves the appointment once, by domain.Dossier.Extend; a
	// refusal (a second extension, an ended dossier) wraps its
	// *domain.InvalidError.
	ExtendDossier(ctx context.Context, code string, due time.Time, reason, source string, at time.Time) (domain.Dossier, error)
}
