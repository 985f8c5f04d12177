// Package officials manages the commune's officials: one-time invite codes,
// binding a chat with /dangky, listing and revoking, the audit of role
// changes, and who receives a dossier's alerts.
package officials

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"xabot/internal/domain"
)

// InviteTTL is how long an invite code can be used.
const InviteTTL = 7 * 24 * time.Hour

// Guessing limit: at most MaxFailures wrong codes per chat within Window,
// then /dangky waits until the oldest of them is Window old.
const (
	MaxFailures = 5
	Window      = time.Hour
)

// ActorCLI is the audit actor of the command line.
const ActorCLI = "cli"

// LockedError means a chat sent too many wrong codes; Until is when it may
// try again. It is a domain.ErrRateLimited.
type LockedError struct{ Until time.Time }

func (e *LockedError) Error() string {
	return "officials: registration locked until " + e.Until.Format(time.RFC3339)
}

// Unwrap makes errors.Is(err, domain.ErrRateLimited) hold.
func (e *LockedError) Unwrap() error { return domain.ErrRateLimited }

// Service manages officials.
type Service struct {
	repo Repo
	now  func() time.Time
	log  *slog.Logger
}

// New returns a Service; now is the clock.
func New(repo Repo, now func() time.Time, log *slog.Logger) *Service {
	return &Service{repo: repo, now: now, log: log.With("comp", "officials")}
}

// Invite creates an official who is not yet bound to a chat, and a
// one-time code for them to send with /dangky, valid for InviteTTL. Only
// the code's sha256 is stored: the code returned is shown once. Bad input
// is a *domain.InvalidError: officials.name_required,
// officials.name_too_long, officials.bad_role.
func (s *Service) Invite(ctx context.Context, actor, name string, role domain.Role, fields []string, head bool) (string, time.Time, error) {
	name = domain.CleanName(name)
	switch {
	case name == "":
		return "", time.Time{}, domain.Invalid("officials.name_required")
	case !domain.ValidOfficialName(name):
		return "", time.Time{}, domain.Invalid("officials.name_too_long", "max", strconv.Itoa(domain.MaxOfficialName))
	case role != domain.RoleOfficial && role != domain.RoleChairman && role != domain.RoleAdmin:
		return "", time.Time{}, domain.Invalid("officials.bad_role", "role", string(role))
	}
	code := newCode()
	now := s.now()
	o := domain.Official{Name: name, Role: role, Fields: domain.CleanFields(fields), Head: head, CreatedAt: now}
	id, err := s.repo.CreateOfficial(ctx, o)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("officials: invite: %w", err)
	}
	expires := now.Add(InviteTTL)
	if err := s.repo.CreateInvite(ctx, domain.Invite{CodeHash: hash(code), OfficialID: id, ExpiresAt: expires}); err != nil {
		return "", time.Time{}, fmt.Errorf("officials: invite %d: %w", id, err)
	}
	s.audit(ctx, actor, "invite", id, fmt.Sprintf("role=%s head=%t fields=%s", role, head, strings.Join(o.Fields, ",")))
	s.log.Info("official invited", "official", id, "role", role)
	return domain.FormatInviteCode(code), expires, nil
}

// Register binds chatKey to the official whose invite code is typed in
// text (case, spaces and dashes aside) and gives the chat that role. A
// refusal is a *domain.InvalidError: officials.bad_code (unknown or
// malformed), officials.code_used, officials.code_expired,
// officials.code_revoked, officials.already_registered (the chat is bound
// to another official). After MaxFailures wrong codes within Window the
// chat gets a *LockedError.
func (s *Service) Register(ctx context.Context, chatKey, text string) (domain.Official, error) {
	now := s.now()
	if until, locked, err := s.locked(ctx, chatKey, now); err != nil {
		return domain.Official{}, err
	} else if locked {
		return domain.Official{}, &LockedError{Until: until}
	}
	code, ok := domain.NormalizeInviteCode(text)
	if !ok {
		// Not even the shape of a code: a slip, not a guess.
		return domain.Official{}, domain.Invalid("officials.bad_code")
	}
	o, err := s.repo.RedeemInvite(ctx, hash(code), chatKey, now)
	var key string
	switch {
	case err == nil:
		s.audit(ctx, chatKey, "bind", o.ID, "role="+string(o.Role))
		s.log.Info("official registered", "official", o.ID, "role", o.Role)
		return o, nil
	case errors.Is(err, domain.ErrConflict):
		return domain.Official{}, domain.Invalid("officials.already_registered")
	case errors.Is(err, domain.ErrNotFound):
		key = "officials.bad_code"
	case errors.Is(err, domain.ErrInviteUsed):
		key = "officials.code_used"
	case errors.Is(err, domain.ErrInviteExpired):
		key = "officials.code_expired"
	case errors.Is(err, domain.ErrRevoked):
		key = "officials.code_revoked"
	default:
		return domain.Official{}, fmt.Errorf("officials: register: %w", err)
	}
	if err := s.repo.AddInviteFailure(ctx, chatKey, now); err != nil {
		return domain.Official{}, fmt.Errorf("officials: register: %w", err)
	}
	if until, locked, err := s.locked(ctx, chatKey, now); err != nil {
		return domain.Official{}, err
	} else if locked {
		s.log.Warn("registration locked", "user", chatKey, "until", until)
		return domain.Official{}, &LockedError{Until: until}
	}
	return domain.Official{}, domain.Invalid(key)
}

// locked reports whether chatKey may not try a code at now, and until when.
func (s *Service) locked(ctx context.Context, chatKey string, now time.Time) (time.Time, bool, error) {
	fails, err := s.repo.InviteFailures(ctx, chatKey, now.Add(-Window))
	if err != nil {
		return time.Time{}, false, fmt.Errorf("officials: failures of %s: %w", chatKey, err)
	}
	if len(fails) < MaxFailures {
		return time.Time{}, false, nil
	}
	until := fails[len(fails)-MaxFailures].Add(Window)
	return until, now.Before(until), nil
}

// List returns every official, revoked ones included, by id.
func (s *Service) List(ctx context.Context) ([]domain.Official, error) {
	all, err := s.repo.Officials(ctx)
	if err != nil {
		return nil, fmt.Errorf("officials: list: %w", err)
	}
	return all, nil
}

// Get returns the official with id; an unknown one is the
// *domain.InvalidError officials.no_such.
func (s *Service) Get(ctx context.Context, id int64) (domain.Official, error) {
	o, err := s.repo.Official(ctx, id)
	if errors.Is(err, domain.ErrNotFound) {
		return domain.Official{}, domain.Invalid("officials.no_such", "id", strconv.FormatInt(id, 10))
	}
	if err != nil {
		return domain.Official{}, fmt.Errorf("officials: get %d: %w", id, err)
	}
	return o, nil
}

// CheckRevoke says whether actor may revoke o: not twice
// (officials.already_revoked), and not themselves from the chat they would
// lose (officials.revoke_self).
func CheckRevoke(actor string, o domain.Official) error {
	id := strconv.FormatInt(o.ID, 10)
	switch {
	case !o.RevokedAt.IsZero():
		return domain.Invalid("officials.already_revoked", "id", id, "name", o.Name)
	case o.ChatKey != "" && o.ChatKey == actor:
		return domain.Invalid("officials.revoke_self")
	}
	return nil
}

// Revoke takes the official's role away: the row is marked revoked, its
// chat becomes a citizen's again, and unused invite codes stop working. It
// returns the official as revoked. Refusals are *domain.InvalidError:
// officials.no_such, officials.already_revoked, officials.revoke_self.
func (s *Service) Revoke(ctx context.Context, actor string, id int64) (domain.Official, error) {
	o, err := s.Get(ctx, id)
	if err != nil {
		return domain.Official{}, err
	}
	if err := CheckRevoke(actor, o); err != nil {
		return domain.Official{}, err
	}
	if self, err := s.repo.OfficialByChat(ctx, actor); err == nil && self.ID == id {
		// Acting from another of their own chats is still revoking oneself.
		return domain.Official{}, domain.Invalid("officials.revoke_self")
	}
	revoked, err := s.repo.RevokeOfficial(ctx, id, s.now())
	switch {
	case errors.Is(err, domain.ErrNotFound):
		return domain.Official{}, domain.Invalid("officials.no_such", "id", strconv.FormatInt(id, 10))
	case errors.Is(err, domain.ErrRevoked):
		return domain.Official{}, domain.Invalid("officials.already_revoked", "id", strconv.FormatInt(id, 10), "name", o.Name)
	case err != nil:
		return domain.Official{}, fmt.Errorf("officials: revoke %d: %w", id, err)
	}
	s.audit(ctx, actor, "revoke", id, "role="+string(revoked.Role))
	s.log.Info("official revoked", "official", id, "role", revoked.Role)
	return revoked, nil
}

// ByChat returns the active official bound to chatKey; none wraps
// domain.ErrNotFound. An official acting from one of their other chats
// (Zalo on the road, Telegram at the desk) gets notices there from now on:
// the chat they use is the one they read.
func (s *Service) ByChat(ctx context.Context, chatKey string) (domain.Official, error) {
	o, err := s.repo.OfficialByChat(ctx, chatKey)
	if err != nil {
		return domain.Official{}, fmt.Errorf("officials: by chat: %w", err)
	}
	if o.ChatKey != chatKey {
		if err := s.repo.DeliverTo(ctx, o.ID, chatKey); err != nil {
			return domain.Official{}, fmt.Errorf("officials: by chat: %w", err)
		}
		s.log.Info("official notices moved", "official", o.ID, "channel", channelOf(chatKey))
		o.ChatKey = chatKey
	}
	return o, nil
}

// InviteChat makes a new one-time code for an active official to bind
// another chat (Zalo besides Telegram, say) with /dangky; both chats are
// then recognised. A refusal is a *domain.InvalidError: officials.no_such
// or officials.already_revoked.
func (s *Service) InviteChat(ctx context.Context, actor string, id int64) (string, time.Time, error) {
	o, err := s.Get(ctx, id)
	if err != nil {
		return "", time.Time{}, err
	}
	if !o.RevokedAt.IsZero() {
		return "", time.Time{}, domain.Invalid("officials.already_revoked", "id", strconv.FormatInt(id, 10), "name", o.Name)
	}
	code := newCode()
	expires := s.now().Add(InviteTTL)
	if err := s.repo.CreateInvite(ctx, domain.Invite{CodeHash: hash(code), OfficialID: id, ExpiresAt: expires}); err != nil {
		return "", time.Time{}, fmt.Errorf("officials: invite chat for %d: %w", id, err)
	}
	s.audit(ctx, actor, "invite-chat", id, "")
	return domain.FormatInviteCode(code), expires, nil
}

// Chats returns the chats bound to the official, oldest first.
func (s *Service) Chats(ctx context.Context, id int64) ([]string, error) {
	keys, err := s.repo.OfficialChats(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("officials: chats of %d: %w", id, err)
	}
	return keys, nil
}

// channelOf is the channel part of a chat key ("tg" of "tg:42"): logs
// name the channel, never the chat.
func channelOf(chatKey string) string {
	ch, _, _ := strings.Cut(chatKey, ":")
	return ch
}

// Recipients returns who is alerted about d (domain.Route): its handler,
// else the officials of its field, else the heads of the one-stop shop,
// else the chairman; active officials only.
func (s *Service) Recipients(ctx context.Context, d domain.Dossier) ([]domain.Official, error) {
	all, err := s.List(ctx)
	if err != nil {
		return nil, err
	}
	return domain.Route(d, all), nil
}

// Audits returns the latest recorded actions, newest first.
func (s *Service) Audits(ctx context.Context, limit int) ([]domain.Audit, error) {
	as, err := s.repo.Audits(ctx, limit)
	if err != nil {
		return nil, fmt.Errorf("officials: audits: %w", err)
	}
	return as, nil
}

// audit records an action that already happened; failing to record it is
// logged, not undone.
func (s *Service) audit(ctx context.Context, actor, action string, id int64, detail string) {
	a := domain.Audit{At: s.now(), Actor: actor, Action: action, Target: strconv.FormatInt(id, 10), Detail: detail}
	if err := s.repo.AddAudit(ctx, a); err != nil {
		s.log.Error("audit not recorded", "action", action, "official", id, "err", err)
	}
}

// newCode draws InviteCodeLen characters of domain.InviteAlphabet
// uniformly from crypto/rand.
func newCode() string {
	const n = len(domain.InviteAlphabet)
	limit := byte(256 / n * n) // bytes at or above it would favour the first letters
	out := make([]byte, 0, domain.InviteCodeLen)
	buf := make([]byte, 16)
	for len(out) < domain.InviteCodeLen {
		rand.Read(buf) // never fails (crypto/rand, Go ≥ 1.24)
		for _, b := range buf {
			if b < limit && len(out) < domain.InviteCodeLen {
				out = append(out, domain.InviteAlphabet[int(b)%n])
			}
		}
	}
	return string(out)
}

// hash is how a code is stored: sha256 of its normalised form, in hex.
func hash(code string) string {
	sum := sha256.Sum256([]byte(code))
	return hex.EncodeToString(sum[:])
}

// Record audits an action an official took on a dossier (an extension, an
// answer…): who, what, which dossier. detail carries no personal data.
func (s *Service) Record(ctx context.Context, actor, action, dossierCode, detail string) error {
	a := domain.Audit{At: s.now(), Actor: actor, Action: action, Target: dossierCode, Detail: detail}
	if err := s.repo.AddAudit(ctx, a); err != nil {
		return fmt.Errorf("officials: audit %s %s: %w", action, dossierCode, err)
	}
	return nil
}
