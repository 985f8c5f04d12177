package bot

import (
	"context"
	"errors"

	"xabot/internal/dialog"
	"xabot/internal/domain"
)

// "My dossiers" where the app cannot share the person's own contact (Zalo):
// the phone is typed, then proved by the code of one dossier that carries
// it. The proof is a lookup's second factor, under the same guessing limits
// (a wrong phone counts against the chat and the code), so typing it here
// is no way round them. Only then is the phone linked to the chat, as a
// shared contact is.
func (r *Router) mineTypedActions() Actions {
	return Actions{
		"mine.typed_phone": r.mineTypedPhone,
		"mine.prove":       r.mineProve,
	}
}

// mineTypedPhone reads the typed phone; the masked form is what is said
// back.
func (r *Router) mineTypedPhone(ctx context.Context, c Call) (Result, error) {
	p, ok := domain.NormalizePhone(c.Slots["typed_phone"])
	if !ok {
		return Result{}, domain.Invalid("mine.bad_phone", "text", domain.Echo(c.Slots["typed_phone"]))
	}
	return Result{Slots: map[string]string{"typed_phone": p, "masked": domain.MaskPhone(p)}}, nil
}

// mineProve checks the typed phone against the dossier whose code was
// typed, and links it to the chat when it matches. A wrong phone asks for
// the phone again; a lockout ends the flow.
func (r *Router) mineProve(ctx context.Context, c Call) (Result, error) {
	forget := map[string]string{"typed_phone": "", "masked": "", "proof": ""}
	d, err := r.cfg.Dossiers.Lookup(ctx, c.User, c.Slots["proof"])
	if res, ok := r.lockedResult(err); ok {
		res.Slots = forget
		return res, nil
	}
	if err != nil {
		return Result{}, err
	}
	code := domain.CanonicalCode(d.Code)
	d, err = r.cfg.Dossiers.Verify(ctx, c.User, code, c.Slots["typed_phone"])
	if res, ok := r.lockedResult(err); ok {
		res.Slots = forget
		return res, nil
	}
	var wrong *domain.InvalidError
	if errors.As(err, &wrong) && wrong.Key == "lookup.wrong_factor" {
		return Result{Branch: "wrong", Slots: forget, Say: []dialog.Prompt{{Key: "mine.not_proved",
			Args: map[string]string{"masked": c.Slots["masked"], "code": code, "left": wrong.Args["left"]}}}}, nil
	}
	if err != nil {
		return Result{}, err
	}
	p, err := r.cfg.Citizens.VerifyProved(ctx, c.User, d.Phone)
	if err != nil {
		return Result{}, err
	}
	return Result{Effects: Effects{Phone: p}, Slots: forget, Say: []dialog.Prompt{{Key: "contact.verified",
		Args: map[string]string{"phone": domain.MaskPhone(p)}}}}, nil
}
