package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"

	"xabot/internal/collate"
	"xabot/internal/dialog"
	"xabot/internal/domain"
	"xabot/internal/service/officials"
)

// officialActions binds the officials' dialogs (registration, the admin's
// invite and revoke) to the officials service.
func (r *Router) officialActions() Actions {
	return Actions{
		"officials.register":     r.officialsRegister,
		"officials.list":         r.adminOnly(r.officialsList),
		"officials.invite_check": r.adminOnly(r.officialsInviteCheck),
		"officials.invite":       r.adminOnly(r.officialsInvite),
		"officials.revoke_check": r.adminOnly(r.officialsRevokeCheck),
		"officials.revoke":       r.adminOnly(r.officialsRevoke),
		"officials.link":         r.officialsLink,
	}
}

// officialsLink gives an official a one-time code to bind another chat.
// The official is looked up by this chat, so a citizen who reached the
// step by a forged button gets nothing.
func (r *Router) officialsLink(ctx context.Context, c Call) (Result, error) {
	o, err := r.cfg.Staff.ByChat(ctx, c.User)
	if errors.Is(err, domain.ErrNotFound) {
		return Result{}, fmt.Errorf("bot: %s/%s: %w", c.Flow, c.Step, domain.ErrForbidden)
	}
	if err != nil {
		return Result{}, err
	}
	code, expires, err := r.cfg.Staff.InviteChat(ctx, c.User, o.ID)
	if err != nil {
		return Result{}, err
	}
	return Result{Say: []dialog.Prompt{{Key: "officials.link.code", Args: args(
		"code", code, "until", r.dateTime(expires))}}}, nil
}

// adminOnly runs a only for an admin. The flows' roles already stop others
// at the door; this checks again on every call, against the role loaded
// for this very update, so a role revoked in the middle of a dialog stops
// it. The refused user is left idle.
func (r *Router) adminOnly(a Action) Action {
	return func(ctx context.Context, c Call) (Result, error) {
		if c.Citizen.Role != domain.RoleAdmin {
			return Result{}, leaveIdle(fmt.Errorf("bot: %s/%s: %w", c.Flow, c.Step, domain.ErrForbidden))
		}
		return a(ctx, c)
	}
}

// officialsRegister redeems the typed invite code. A refusal is said and
// the step asks again ("retry"), except when retrying cannot help
// ("stop": locked out, or the chat is already an official's). Success says
// the role and fields, then the main menu ("menu") to a chat that has
// agreed to the privacy notice; a menu of citizens' services would only
// ask the others for that consent first.
func (r *Router) officialsRegister(ctx context.Context, c Call) (Result, error) {
	clear := map[string]string{"code": ""} // a one-time secret: not kept in the session
	o, err := r.cfg.Staff.Register(ctx, c.User, c.Slots["code"])
	var locked *officials.LockedError
	var inv *domain.InvalidError
	switch {
	case errors.As(err, &locked):
		return Result{Branch: "stop", Slots: clear, Say: []dialog.Prompt{{
			Key: "officials.locked", Args: args("until", r.dateTime(locked.Until))}}}, nil
	case errors.As(err, &inv) && inv.Key == "officials.already_registered":
		return Result{Branch: "stop", Slots: clear, Say: []dialog.Prompt{{Key: inv.Key, Args: inv.Args}}}, nil
	case errors.As(err, &inv):
		return Result{Branch: "retry", Slots: clear, Say: []dialog.Prompt{{Key: inv.Key, Args: inv.Args}}}, nil
	case err != nil:
		return Result{}, err
	}
	// The rest of this turn already sees the new role.
	res := Result{Effects: Effects{Role: o.Role}, Slots: clear, Say: []dialog.Prompt{
		{Key: "officials.registered", Args: args("name", o.Name, "role", r.roleText(c.Lang, o), "fields", r.fieldsText(c.Lang, o.Fields))},
		{Key: "officials.howto." + string(o.Role)},
	}}
	if c.Citizen.Consented() {
		res.Branch, res.Menu = "menu", true // the main menu, keyboard included
	}
	return res, nil
}

func (r *Router) officialsList(ctx context.Context, c Call) (Result, error) {
	all, err := r.cfg.Staff.List(ctx)
	if err != nil {
		return Result{}, err
	}
	if len(all) == 0 {
		return Result{Say: []dialog.Prompt{{Key: "officials.list.empty"}}}, nil
	}
	collate.SortBy(all, func(o domain.Official) string { return o.Name })
	list := dialog.Prompt{Key: "officials.list.head", Args: args("count", strconv.Itoa(len(all)))}
	for _, o := range all {
		list.Parts = append(list.Parts, dialog.Prompt{Key: "officials.list.item", Args: args(
			"id", strconv.FormatInt(o.ID, 10), "name", o.Name, "role", r.roleText(c.Lang, o),
			"fields", r.fieldsText(c.Lang, o.Fields), "status", r.officialStatus(c.Lang, o))})
	}
	return Result{Say: []dialog.Prompt{list, {Key: "officials.list.hint"}}}, nil
}

// officialsInviteCheck reads the answers of /moicanbo and prepares the
// confirmation: the fields as a clean list, the role's name.
func (r *Router) officialsInviteCheck(ctx context.Context, c Call) (Result, error) {
	role, err := inviteRole(c.Slots["role"])
	if err != nil {
		return Result{}, err
	}
	name := domain.CleanName(c.Slots["name"])
	if !domain.ValidOfficialName(name) {
		return Result{}, domain.Invalid("officials.name_too_long", "max", strconv.Itoa(domain.MaxOfficialName))
	}
	fields, err := domain.CanonicalFields(domain.SplitFields(c.Slots["fields"]), r.cfg.Fields)
	if err != nil {
		return Result{}, err
	}
	return Result{Slots: map[string]string{
		"name":        name,
		"fields":      strings.Join(fields, ", "),
		"role_name":   r.t(c.Lang, "officials.role."+string(role), nil),
		"fields_text": r.fieldsText(c.Lang, fields),
	}}, nil
}

func (r *Router) officialsInvite(ctx context.Context, c Call) (Result, error) {
	role, err := inviteRole(c.Slots["role"])
	if err != nil {
		return Result{}, err
	}
	name := c.Slots["name"]
	fields, err := domain.CanonicalFields(domain.SplitFields(c.Slots["fields"]), r.cfg.Fields)
	if err != nil {
		return Result{}, err
	}
	code, expires, err := r.cfg.Staff.Invite(ctx, c.User, name, role, fields, false)
	if err != nil {
		return Result{}, err
	}
	return Result{
		Slots: map[string]string{"name": "", "fields": "", "role": "", "role_name": "", "fields_text": ""},
		Say: []dialog.Prompt{{Key: "officials.invite.done", Args: args(
			"name", domain.CleanName(name), "code", code, "until", r.dateTime(expires))}},
	}, nil
}

func inviteRole(s string) (domain.Role, error) {
	role, err := domain.ParseRole(s)
	if err != nil || role == domain.RoleCitizen {
		return "", domain.Invalid("officials.bad_role", "role", domain.Echo(s))
	}
	return role, nil
}

// officialsRevokeCheck finds the official of /thuhoi ID and asks for a
// confirmation whose button carries the official's number.
func (r *Router) officialsRevokeCheck(ctx context.Context, c Call) (Result, error) {
	typed := strings.TrimSpace(c.Slots["id"])
	id, err := strconv.ParseInt(strings.TrimSpace(strings.TrimPrefix(typed, "#")), 10, 64)
	if err != nil || id <= 0 {
		return Result{}, domain.Invalid("officials.revoke.bad_id", "text", domain.Echo(typed))
	}
	o, err := r.cfg.Staff.Get(ctx, id)
	if err != nil {
		return Result{}, err
	}
	if err := officials.CheckRevoke(c.User, o); err != nil {
		return Result{}, err
	}
	ids := strconv.FormatInt(o.ID, 10)
	return Result{
		Slots: map[string]string{"id": ids},
		Say: []dialog.Prompt{{Key: "officials.revoke.confirm", Args: args(
			"id", ids, "name", o.Name, "role_name", r.roleText(c.Lang, o))}},
		Choices: []dialog.Button{
			{Key: "officials.revoke.yes", Data: ids},
			{Key: "officials.revoke.no", Data: "no"},
		},
	}, nil
}

// officialsRevoke acts on the confirmation: only the button of the
// official being confirmed revokes.
func (r *Router) officialsRevoke(ctx context.Context, c Call) (Result, error) {
	switch choice := c.Slots["choice"]; {
	case choice == "no":
		return Result{Say: []dialog.Prompt{{Key: "officials.revoke.cancelled"}}}, nil
	case choice == "" || choice != c.Slots["id"]:
		return Result{}, domain.Invalid("input.pick_one")
	}
	id, err := strconv.ParseInt(c.Slots["id"], 10, 64)
	if err != nil {
		return Result{}, domain.Invalid("input.pick_one")
	}
	o, err := RevokeOfficial(ctx, r.log, r.cfg.Staff, r.cfg.EndSession, c.User, id)
	var inv *domain.InvalidError
	if errors.As(err, &inv) {
		// Revoked by someone else meanwhile: say so and end the dialog.
		return Result{Say: []dialog.Prompt{{Key: inv.Key, Args: inv.Args}}}, nil
	}
	if err != nil {
		return Result{}, err
	}
	return Result{Say: []dialog.Prompt{{Key: "officials.revoke.done", Args: args(
		"id", strconv.FormatInt(o.ID, 10), "name", o.Name)}}}, nil
}

// RevokeOfficial takes official id's role away (officials.Service.Revoke)
// and ends the sessions of every chat they had bound — Telegram and Zalo
// alike — so that nothing of the staff screens is left waiting for them.
// The chats are read before the revocation unbinds them. Failing to end a
// session is logged, not undone: each turn checks the role again.
func RevokeOfficial(ctx context.Context, log *slog.Logger, staff Revoker,
	end func(ctx context.Context, chats []string) error, actor string, id int64) (domain.Official, error) {
	chats, err := staff.Chats(ctx, id)
	if err != nil {
		return domain.Official{}, err
	}
	o, err := staff.Revoke(ctx, actor, id)
	if err != nil {
		return domain.Official{}, err
	}
	if o.ChatKey != "" && !slices.Contains(chats, o.ChatKey) {
		chats = append(chats, o.ChatKey)
	}
	if err := end(ctx, chats); err != nil {
		log.Warn("sessions of a revoked official not ended", "official", id, "err", err)
	}
	return o, nil
}

// roleText names the official's role, and says if they head the one-stop shop.
func (r *Router) roleText(lang string, o domain.Official) string {
	s := r.t(lang, "officials.role."+string(o.Role), nil)
	if o.Head {
		s += ", " + r.t(lang, "officials.head", nil)
	}
	// Rights given one by one; chairmen and admins hold them by role.
	if o.Announce && o.Role == domain.RoleOfficial {
		s += ", " + r.t(lang, "officials.right.announce", nil)
	}
	if o.Keeper && o.Role != domain.RoleChairman {
		s += ", " + r.t(lang, "officials.right.keeper", nil)
	}
	return s
}

func (r *Router) fieldsText(lang string, fields []string) string {
	if len(fields) == 0 {
		return r.t(lang, "officials.fields_none", nil)
	}
	return strings.Join(fields, ", ")
}

func (r *Router) officialStatus(lang string, o domain.Official) string {
	switch o.Status() {
	case domain.OfficialRevoked:
		return r.t(lang, "officials.status.revoked", args("date", r.date(o.RevokedAt)))
	case domain.OfficialBound:
		return r.t(lang, "officials.status.bound", args("date", r.date(o.BoundAt)))
	}
	return r.t(lang, "officials.status.pending", nil)
}
