package bot

import (
	"context"
	"errors"
	"strings"

	"xabot/internal/dialog"
	"xabot/internal/domain"
	"xabot/internal/service/dossier"
	"xabot/internal/service/slip"
)

// slipActions open a receipt slip's link (dialogs/slip.yaml, entered from
// /start TOKEN in dialogs/start.yaml).
func (r *Router) slipActions() Actions {
	return Actions{"slip.route": r.slipRoute, "slip.open": r.slipOpen}
}

// slipRoute sends /start with a parameter to the slip flow: at once when
// the person has consented, else after the consent notice (the flow waits
// as a lookup does). Plain /start, or no XABOT_LINK_KEY, greets as usual.
func (r *Router) slipRoute(ctx context.Context, c Call) (Result, error) {
	tok := strings.TrimSpace(c.Slots["args"])
	if tok == "" || r.cfg.Slips == nil {
		return Result{}, nil
	}
	if !c.Citizen.Consented() {
		return Result{Branch: "consent", Slots: map[string]string{"args": ""},
			Effects: Effects{Then: "slip", ThenSlots: map[string]string{"args": tok}}}, nil
	}
	return Result{Branch: "open"}, nil
}

// slipOpen checks the link and, when it holds, follows its dossier and
// hands the code to dossier.show; no phone is asked: the slip in hand is
// the second factor. A refused link counts toward the chat's lookup limit.
func (r *Router) slipOpen(ctx context.Context, c Call) (Result, error) {
	refused := func(say ...dialog.Prompt) (Result, error) {
		return Result{Branch: "refused", Say: say, Slots: map[string]string{"args": ""}}, nil
	}
	if until, locked, err := r.cfg.Dossiers.Locked(ctx, c.User); err != nil {
		return Result{}, err
	} else if locked {
		return refused(r.lockedPrompt(&dossier.LockedError{Until: until}))
	}
	d, err := r.cfg.Slips.Open(ctx, c.Slots["args"])
	if errors.Is(err, slip.ErrBad) || errors.Is(err, slip.ErrExpired) {
		key := "slip.refused"
		if errors.Is(err, slip.ErrExpired) {
			key = "slip.expired"
		}
		say := []dialog.Prompt{{Key: key}}
		var locked *dossier.LockedError
		if lerr := r.cfg.Dossiers.LinkRefused(ctx, c.User); errors.As(lerr, &locked) {
			say = append(say, r.lockedPrompt(locked))
		} else if lerr != nil {
			return Result{}, lerr
		}
		return refused(say...)
	}
	if err != nil {
		return Result{}, err
	}
	if err := r.cfg.Dossiers.Follow(ctx, c.User, d); err != nil {
		return Result{}, err
	}
	return Result{Slots: map[string]string{"args": "", "code": domain.CanonicalCode(d.Code)}}, nil
}
