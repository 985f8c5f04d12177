package bot

import (
	"context"
	"errors"
	"strconv"

	"xabot/internal/dialog"
	"xabot/internal/domain"
	"xabot/internal/service/dossier"
)

// lookupActions bind the lookup (/tracuu, a code typed anywhere: the code,
// a second factor, the card) and "my dossiers" (a verified phone's list).
func (r *Router) lookupActions() Actions {
	return Actions{
		"dossier.find":   r.dossierFind,
		"dossier.verify": r.dossierVerify,
		"dossier.show":   r.dossierShow,
		"dossier.mine":   r.dossierMine,
		"dossier.mine_show": func(ctx context.Context, c Call) (Result, error) {
			d, err := r.cfg.Dossiers.Mine(ctx, c.Citizen.Phone, c.Slots["code"])
			if err != nil {
				return Result{}, err
			}
			return Result{Say: r.announceOffer(ctx, c, d, r.rateOffer(c, d, r.card(c, d)))}, nil
		},
	}
}

// dossierFind reads the code. A citizen whose verified phone is on the
// dossier skips the second factor; a locked chat, or a code whose second
// factors are refused, is told until when.
func (r *Router) dossierFind(ctx context.Context, c Call) (Result, error) {
	var d domain.Dossier
	var err error
	code := c.Slots["code"]
	if code != "" && code == c.Code { // read by the router: not again
		d, err = r.cfg.Dossiers.LookupCode(ctx, c.User, code)
	} else {
		d, err = r.cfg.Dossiers.Lookup(ctx, c.User, code)
		code = domain.CanonicalCode(d.Code)
	}
	if res, ok := r.lockedResult(err); ok {
		return res, nil
	}
	if err != nil {
		return Result{}, err
	}
	slots := map[string]string{"code": code}
	// A verified phone on the dossier already follows it (notify's
	// subscribers include it): no second factor, and no write; the card
	// that follows shows the dossier read here.
	if c.Citizen.Phone != "" && c.Citizen.Phone == d.Phone {
		return Result{Branch: "verified", Slots: slots, Effects: Effects{Read: &d}}, nil
	}
	if until, locked, err := r.cfg.Dossiers.CodeLocked(ctx, slots["code"]); err != nil {
		return Result{}, err
	} else if locked {
		res, _ := r.lockedResult(&dossier.LockedError{Until: until, Code: d.Code})
		return res, nil
	}
	return Result{Slots: slots}, nil
}

// lockedResult ends the lookup with the lockout message when err is a
// *dossier.LockedError.
func (r *Router) lockedResult(err error) (Result, bool) {
	var locked *dossier.LockedError
	if !errors.As(err, &locked) {
		return Result{}, false
	}
	return Result{Branch: "locked", Say: []dialog.Prompt{r.lockedPrompt(locked)}}, true
}

// lockedPrompt says until when lookups wait: the chat's, or the code's.
func (r *Router) lockedPrompt(e *dossier.LockedError) dialog.Prompt {
	if e.Code != "" {
		return dialog.Prompt{Key: "lookup.code_locked", Args: map[string]string{"code": e.Code, "until": r.dateTime(e.Until)}}
	}
	return dialog.Prompt{Key: "lookup.locked", Args: map[string]string{"until": r.dateTime(e.Until)}}
}

func (r *Router) dossierVerify(ctx context.Context, c Call) (Result, error) {
	d, err := r.cfg.Dossiers.Verify(ctx, c.User, c.Slots["code"], c.Slots["factor"])
	if res, ok := r.lockedResult(err); ok {
		return res, nil
	}
	if err != nil {
		return Result{}, err
	}
	if err := r.cfg.Dossiers.Follow(ctx, c.User, d); err != nil {
		return Result{}, err
	}
	// The typed phone has done its job; it does not stay in the session.
	// The card that follows shows the dossier read here.
	return Result{Slots: map[string]string{"factor": ""}, Effects: Effects{Read: &d}}, nil
}

func (r *Router) dossierShow(ctx context.Context, c Call) (Result, error) {
	d, ok := c.Dossier(c.Slots["code"])
	if !ok {
		var err error
		if d, err = r.cfg.Dossiers.Find(ctx, c.Slots["code"]); err != nil {
			return Result{}, err
		}
	}
	card := r.card(c, d)
	if !d.Status.Ended() {
		card.Parts = append(card.Parts, dialog.Prompt{Key: "lookup.card.follow"})
	}
	return Result{Say: r.announceOffer(ctx, c, d, r.rateOffer(c, d, card))}, nil
}

// dossierMine verifies a shared contact if one came with the call, then
// lists the dossiers of the verified phone as buttons.
func (r *Router) dossierMine(ctx context.Context, c Call) (Result, error) {
	var say []dialog.Prompt
	var done Effects
	phone := c.Citizen.Phone
	if typed := c.Slots["phone"]; typed != "" {
		own, _ := strconv.ParseBool(c.Slots["phone_own"])
		p, err := r.cfg.Citizens.VerifyContact(ctx, c.User, typed, own)
		if err != nil {
			return Result{}, err
		}
		phone, done.Phone = p, p
		say = append(say, dialog.Prompt{Key: "contact.verified", Args: map[string]string{"phone": domain.MaskPhone(p)}})
	}
	clear := map[string]string{"phone": "", "phone_own": ""}
	if phone == "" {
		if !c.Feat.ShareContact {
			return Result{Branch: "need_typed", Say: say, Slots: clear}, nil
		}
		return Result{Branch: "need_phone", Slots: clear}, nil
	}
	ds, err := r.cfg.Dossiers.ByPhone(ctx, phone)
	if err != nil {
		return Result{}, err
	}
	masked := domain.MaskPhone(phone)
	if len(ds) == 0 {
		say = append(say, dialog.Prompt{Key: "mine.none", Args: map[string]string{"phone": masked}})
		return Result{Branch: "none", Say: say, Slots: clear, Effects: done}, nil
	}
	list := dialog.Prompt{Key: "mine.head", Args: map[string]string{
		"count": strconv.Itoa(len(ds)), "phone": masked}}
	var choices []dialog.Button
	for _, d := range ds {
		code := domain.CanonicalCode(d.Code)
		list.Parts = append(list.Parts, dialog.Prompt{Key: "mine.item", Args: map[string]string{
			"code": d.Code, "procedure": d.ProcedureName, "status": r.statusName(c.Lang, d)}})
		choices = append(choices, dialog.Button{Key: "mine.button", Args: map[string]string{"code": d.Code}, Data: code})
	}
	say = append(say, list, dialog.Prompt{Key: "mine.pick"})
	return Result{Say: say, Choices: choices, Slots: clear, Effects: done}, nil
}
