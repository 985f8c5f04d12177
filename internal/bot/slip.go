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
func (r *Router) slipActions() map[string]dialog.Action {
	return map[string]dialog.Action{"slip.route": r.slipRoute, "slip.open": r.slipOpen}
}

// slipRoute sends /start with a parameter to the slip flow: at once when
// the person has consented, else after the consent notice (the flow waits
// as a lookup does). Plain /start, or no XABOT_LINK_KEY, greets as usual.
func (r *Router) slipRoute(ctx context.Context, c dialog.Call) (dialog.Result, error) {
	tok := strings.TrimSpace(c.Slots["args"])
	if tok == "" || r.cfg.Slips == nil {
		return dialog.Result{}, nil
	}
	t := turnOf(ctx)
	if !t.cit.Consented() {
		t.sess.Then, t.sess.ThenSlots = "slip", map[string]string{"args": tok}
		return dialog.Result{Branch: "consent", Slots: map[string]string{"args": ""}}, nil
	}
	return dialog.Result{Branch: "open"}, nil
}

// slipOpen checks the link and, when it holds, follows its dossier and
// hands the code to dossier.show; no phone is asked: the slip in hand is
// the second factor. A refused link counts toward the chat's lookup limit.
func (r *Router) slipOpen(ctx context.Context, c dialog.Call) (dialog.Result, error) {
	refused := func(say ...dialog.Prompt) (dialog.Result, error) {
		return dialog.Result{Branch: "refused", Say: say, Slots: map[string]string{"args": ""}}, nil
	}
	if until, locked, err := r.cfg.Dossiers.Locked(ctx, c.User); err != nil {
		return dialog.Result{}, err
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
			return dialog.Result{}, lerr
		}
		return refused(say...)
	}
	if err != nil {
		return dialog.Result{}, err
	}
	if err := r.cfg.Dossiers.Follow(ctx, c.User, d); err != nil {
		return dialog.Result{}, err
	}
	return dialog.Result{Slots: map[string]string{"args": "", "code": domain.CanonicalCode(d.Code)}}, nil
}
