package domain

import "time"

// Official is a person of the commune who works with the bot: an official
// (cán bộ, công chức) of the one-stop shop, the chairman, or the admin. An
// official is created by an invite and bound to a chat when they send the
// invite code.
type Official struct {
	ID        int64
	Name      string   // as on dossiers' handler column, so alerts find their handler
	Role      Role     // official, chairman or admin
	Fields    []string // lĩnh vực the official handles
	Head      bool     // head of the one-stop shop: gets what no one else matches
	Announce  bool     // given the right to send village announcements (chairmen and admins have it by role)
	Keeper    bool     // keeps the citizen reception book (chairmen do by role)
	ChatKey   string   // the bound chat (chat.UserKey.String()); "" until registered
	CreatedAt time.Time
	BoundAt   time.Time
	RevokedAt time.Time
}

// Active reports whether the official is bound to a chat and not revoked.
func (o Official) Active() bool { return o.ChatKey != "" && o.RevokedAt.IsZero() }

// Handles reports whether field is one of the official's fields (folded).
func (o Official) Handles(field string) bool {
	for _, f := range o.Fields {
		if sameWords(f, field) {
			return true
		}
	}
	return false
}

// Invite is a one-time registration code for an official.
type Invite struct {
	CodeHash   string // sha256 of the code; the code itself is shown once
	OfficialID int64
	ExpiresAt  time.Time
	UsedAt     time.Time
}

// Audit is one recorded action: a role change or an action an official took
// on a dossier.
type Audit struct {
	At     time.Time
	Actor  string // chat key or "cli"
	Action string // "invite", "bind", "revoke", "extend", …
	Target string // official id, dossier code, …
	Detail string // free text without personal data
}
