package officials

import (
	"context"
	"time"

	"xabot/internal/domain"
)

// Repo is the storage of officials, invites and audits; *store.DB
// satisfies it.
type Repo interface {
	// CreateOfficial stores a new, unbound official and returns its id.
	CreateOfficial(ctx context.Context, o domain.Official) (int64, error)
	// Official returns the official with id; unknown wraps domain.ErrNotFound.
	Official(ctx context.Context, id int64) (domain.Official, error)
	// OfficialByChat returns the official bound to chatKey and not revoked;
	// none wraps domain.ErrNotFound.
	OfficialByChat(ctx context.Context, chatKey string) (domain.Official, error)
	// OfficialChats returns the chats bound to the official, oldest first.
	OfficialChats(ctx context.Context, id int64) ([]string, error)
	// DeliverTo makes chatKey, one of the official's bound chats, the one
	// notices go to; another chat changes nothing.
	DeliverTo(ctx context.Context, id int64, chatKey string) error
	// Officials lists every official, revoked ones included, by id.
	Officials(ctx context.Context) ([]domain.Official, error)
	// CreateInvite stores an invite code's hash.
	CreateInvite(ctx context.Context, inv domain.Invite) error
	// RedeemInvite binds chatKey to the invited official and gives the chat
	// the official's role, in one transaction. Refusals wrap
	// domain.ErrNotFound (unknown code), domain.ErrInviteUsed,
	// domain.ErrInviteExpired, domain.ErrRevoked (official revoked) or
	// domain.ErrConflict (the chat is bound to another active official).
	RedeemInvite(ctx context.Context, codeHash, chatKey string, now time.Time) (domain.Official, error)
	// RevokeOfficial marks the official revoked and sets its chat back to
	// the citizen role; unknown wraps domain.ErrNotFound, revoked before
	// domain.ErrRevoked.
	RevokeOfficial(ctx context.Context, id int64, now time.Time) (domain.Official, error)
	// AddAudit records one action.
	AddAudit(ctx context.Context, a domain.Audit) error
	// Audits returns the latest actions, newest first, at most limit.
	Audits(ctx context.Context, limit int) ([]domain.Audit, error)
	// AddInviteFailure records a wrong invite code sent from chatKey.
	AddInviteFailure(ctx context.Context, chatKey string, at time.Time) error
	// InviteFailures returns the times of chatKey's wrong codes since since,
	// oldest first.
	InviteFailures(ctx context.Context, chatKey string, since time.Time) ([]time.Time, error)
}
