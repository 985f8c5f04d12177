package citizen

import (
	"context"
	"time"

	"xabot/internal/domain"
)

// Repo is the storage of chat identities; *store.DB satisfies it.
type Repo interface {
	// Citizen returns the identity with key; an unknown key wraps
	// domain.ErrNotFound.
	Citizen(ctx context.Context, key string) (domain.Citizen, error)
	// SetConsent records (at non-zero) or withdraws (zero at) consent,
	// creating the identity if needed.
	SetConsent(ctx context.Context, key string, at time.Time) error
	// SetLang stores the chosen language, creating the identity if needed.
	SetLang(ctx context.Context, key, lang string) error
	// SetVerifiedPhone links a phone verified by contact sharing; "" unlinks.
	SetVerifiedPhone(ctx context.Context, key, phone string, at time.Time) error
	// ForgetChat unlinks the chat from the person: consent, verified phone,
	// followed dossiers, lookup history.
	ForgetChat(ctx context.Context, key string) error
	// SetRole changes the identity's role, creating it if needed.
	SetRole(ctx context.Context, key string, role domain.Role) error
}
