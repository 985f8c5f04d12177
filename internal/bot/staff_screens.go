package bot

import (
	"context"
	"errors"
	"fmt"

	"xabot/internal/dialog"
	"xabot/internal/domain"
)

// staffScreenActions bind the staff's own start, help and menu
// (dialogs/staff_menu.yaml, start.yaml, help.yaml, menu.yaml).
func (r *Router) staffScreenActions() Actions {
	return Actions{
		"staff.role":       r.staffRole,
		"staff.hello":      r.staffHello,
		"staff.help":       r.staffHelp,
		"staff.menu_check": r.staffMenuCheck,
	}
}

// screenRole is the role a screen is chosen by: "citizen", "official",
// "head" (an official heading the one-stop shop), "chairman" or "admin".
// A chat whose official record cannot be found (revoked a moment ago) is a
// citizen's.
func (r *Router) screenRole(ctx context.Context, c Call) (string, domain.Official, error) {
	if c.Citizen.Role == domain.RoleCitizen || c.Citizen.Role == "" || r.cfg.Staff == nil {
		return "citizen", domain.Official{}, nil
	}
	o, err := r.cfg.Staff.ByChat(ctx, c.User)
	if errors.Is(err, domain.ErrNotFound) {
		return "citizen", domain.Official{}, nil
	}
	if err != nil {
		return "", domain.Official{}, err
	}
	if o.Role == domain.RoleOfficial && o.Head {
		return "head", o, nil
	}
	return string(o.Role), o, nil
}

// staffRole branches a screen by role (see screenRole); a citizen's start
// says "consented" or "new" elsewhere (citizenStatus).
func (r *Router) staffRole(ctx context.Context, c Call) (Result, error) {
	role, _, err := r.screenRole(ctx, c)
	if err != nil {
		return Result{}, err
	}
	return Result{Branch: role}, nil
}

// staffHello greets a registered official by name, role and fields.
func (r *Router) staffHello(ctx context.Context, c Call) (Result, error) {
	_, o, err := r.screenRole(ctx, c)
	if err != nil {
		return Result{}, err
	}
	return Result{Say: []dialog.Prompt{{Key: "staff.greeting", Args: args(
		"name", o.Name, "role", r.roleText(c.Lang, o), "fields", r.fieldsText(c.Lang, o.Fields))}}}, nil
}

// staffHelp lists the commands of the official's role.
func (r *Router) staffHelp(ctx context.Context, c Call) (Result, error) {
	role, _, err := r.screenRole(ctx, c)
	if err != nil {
		return Result{}, err
	}
	if role == "citizen" {
		return Result{Say: []dialog.Prompt{{Key: "help.text"}}}, nil
	}
	return Result{Say: []dialog.Prompt{{Key: "staff.help." + role}}}, nil
}

// staffMenuCheck lets a menu item through only if the person's role may
// use its flow: "@flow" steps enter a flow without the router's check, and
// a forged button may name another role's item.
func (r *Router) staffMenuCheck(ctx context.Context, c Call) (Result, error) {
	f, ok := r.engine.Flow(c.Slots["item"])
	if !ok || !allowed(c.Citizen.Role, f) {
		return Result{}, fmt.Errorf("bot: staff menu item %q: %w", c.Slots["item"], domain.ErrForbidden)
	}
	return Result{}, nil
}

// phraseFlow is the flow typed words start for this person: of the flows
// sharing the words, the first their role allows, a flow kept for staff
// before one open to all («phan anh» opens an official's inbox, a
// citizen's feedback). Words of flows the role does not allow start
// nothing, and are read as any other text.
func (t *turn) phraseFlow(words string) (*dialog.Flow, bool) {
	var open *dialog.Flow
	for _, id := range t.r.phrases[words] {
		f, ok := t.r.engine.Flow(id)
		switch {
		case !ok || !allowed(t.cit.Role, f):
		case len(f.Roles) > 0:
			return f, true
		case open == nil:
			open = f
		}
	}
	return open, open != nil
}
