package bot

import (
	"context"
	"errors"
	"strconv"
	"time"

	"xabot/internal/dialog"
	"xabot/internal/domain"
	"xabot/internal/service/dossier"
)

// actions binds the action names used in dialogs/*.yaml to the services.
// Slots are parsed into typed requests here; services never see the map.
func (r *Router) actions() map[string]dialog.Action {
	all := r.citizenActions()
	for _, more := range []map[string]dialog.Action{r.officialActions(), r.apologyActions(), r.ratingActions(), r.feedbackActions(), r.statsActions(), r.procedureActions(), r.mineTypedActions(), r.feedbackSenderActions(), r.staffScreenActions(), r.announceActions()} {
		for name, a := range more {
			all[name] = a
		}
	}
	return all
}

func (r *Router) citizenActions() map[string]dialog.Action {
	return map[string]dialog.Action{
		"citizen.status":  r.citizenStatus,
		"citizen.consent": r.citizenConsent,
		"citizen.lang":    r.citizenLang,
		"session.cancel":  r.sessionCancel,
		"citizen.forget":  r.citizenForget,
		"commune.reception": func(context.Context, dialog.Call) (dialog.Result, error) {
			return dialog.Result{Say: []dialog.Prompt{{Key: "reception.text",
				Args: map[string]string{"reception": r.cfg.Reception, "office": r.cfg.Office}}}}, nil
		},
		"dossier.find":   r.dossierFind,
		"dossier.verify": r.dossierVerify,
		"dossier.show":   r.dossierShow,
		"dossier.mine":   r.dossierMine,
		"dossier.mine_show": func(ctx context.Context, c dialog.Call) (dialog.Result, error) {
			t := turnOf(ctx)
			d, err := r.cfg.Dossiers.Mine(ctx, t.cit.Phone, c.Slots["code"])
			if err != nil {
				return dialog.Result{}, err
			}
			return dialog.Result{Say: r.announceOffer(ctx, t, d, r.rateOffer(t, d, r.card(t, d)))}, nil
		},
	}
}

// citizenStatus branches /start: a registered official ("staff"), someone
// who agreed to the privacy notice ("consented"), or someone new.
func (r *Router) citizenStatus(ctx context.Context, c dialog.Call) (dialog.Result, error) {
	if role, _, err := r.screenRole(ctx); err != nil {
		return dialog.Result{}, err
	} else if role != "citizen" {
		return dialog.Result{Branch: "staff"}, nil
	}
	if turnOf(ctx).cit.Consented() {
		return dialog.Result{Branch: "consented"}, nil
	}
	return dialog.Result{Branch: "new"}, nil
}

func (r *Router) citizenConsent(ctx context.Context, c dialog.Call) (dialog.Result, error) {
	if err := r.cfg.Citizens.Consent(ctx, c.User); err != nil {
		return dialog.Result{}, err
	}
	t := turnOf(ctx)
	t.cit.ConsentAt = r.cfg.Now()
	t.force = true
	return dialog.Result{}, nil
}

func (r *Router) citizenLang(ctx context.Context, c dialog.Call) (dialog.Result, error) {
	lang := c.Slots["lang"]
	if err := r.cfg.Citizens.SetLang(ctx, c.User, lang); err != nil {
		return dialog.Result{}, err
	}
	turnOf(ctx).force = true // the menu's labels change language
	return dialog.Result{Lang: lang}, nil
}

func (r *Router) sessionCancel(ctx context.Context, c dialog.Call) (dialog.Result, error) {
	t := turnOf(ctx)
	t.sess.Then, t.sess.ThenSlots = "", nil
	if c.Slots["_prev"] == "" {
		return dialog.Result{Branch: "idle"}, nil
	}
	return dialog.Result{Branch: "cancelled"}, nil
}

// dossierFind reads the code. A citizen whose verified phone is on the
// dossier skips the second factor; a locked chat, or a code whose second
// factors are refused, is told until when.
func (r *Router) dossierFind(ctx context.Context, c dialog.Call) (dialog.Result, error) {
	d, err := r.cfg.Dossiers.Lookup(ctx, c.User, c.Slots["code"])
	if res, ok := r.lockedResult(err); ok {
		return res, nil
	}
	if err != nil {
		return dialog.Result{}, err
	}
	slots := map[string]string{"code": domain.CanonicalCode(d.Code)}
	// A verified phone on the dossier already follows it (notify's
	// subscribers include it): no second factor, and no write.
	if t := turnOf(ctx); t.cit.Phone != "" && t.cit.Phone == d.Phone {
		return dialog.Result{Branch: "verified", Slots: slots}, nil
	}
	if until, locked, err := r.cfg.Dossiers.CodeLocked(ctx, slots["code"]); err != nil {
		return dialog.Result{}, err
	} else if locked {
		res, _ := r.lockedResult(&dossier.LockedError{Until: until, Code: d.Code})
		return res, nil
	}
	return dialog.Result{Slots: slots}, nil
}

// lockedResult ends the lookup with the lockout message when err is a
// *dossier.LockedError.
func (r *Router) lockedResult(err error) (dialog.Result, bool) {
	var locked *dossier.LockedError
	if !errors.As(err, &locked) {
		return dialog.Result{}, false
	}
	return dialog.Result{Branch: "locked", Say: []dialog.Prompt{r.lockedPrompt(locked)}}, true
}

// lockedPrompt says until when lookups wait: the chat's, or the code's.
func (r *Router) lockedPrompt(e *dossier.LockedError) dialog.Prompt {
	if e.Code != "" {
		return dialog.Prompt{Key: "lookup.code_locked", Args: map[string]string{"code": e.Code, "until": r.dateTime(e.Until)}}
	}
	return dialog.Prompt{Key: "lookup.locked", Args: map[string]string{"until": r.dateTime(e.Until)}}
}

func (r *Router) dossierVerify(ctx context.Context, c dialog.Call) (dialog.Result, error) {
	d, err := r.cfg.Dossiers.Verify(ctx, c.User, c.Slots["code"], c.Slots["factor"])
	if res, ok := r.lockedResult(err); ok {
		return res, nil
	}
	if err != nil {
		return dialog.Result{}, err
	}
	if err := r.cfg.Dossiers.Follow(ctx, c.User, d); err != nil {
		return dialog.Result{}, err
	}
	// The typed phone has done its job; it does not stay in the session.
	return dialog.Result{Slots: map[string]string{"factor": ""}}, nil
}

func (r *Router) dossierShow(ctx context.Context, c dialog.Call) (dialog.Result, error) {
	d, err := r.cfg.Dossiers.Find(ctx, c.Slots["code"])
	if err != nil {
		return dialog.Result{}, err
	}
	t := turnOf(ctx)
	card := r.card(t, d)
	if !d.Status.Ended() {
		card.Parts = append(card.Parts, dialog.Prompt{Key: "lookup.card.follow"})
	}
	return dialog.Result{Say: r.announceOffer(ctx, t, d, r.rateOffer(t, d, card))}, nil
}

// dossierMine verifies a shared contact if one came with the call, then
// lists the dossiers of the verified phone as buttons.
func (r *Router) dossierMine(ctx context.Context, c dialog.Call) (dialog.Result, error) {
	t := turnOf(ctx)
	var say []dialog.Prompt
	if phone := c.Slots["phone"]; phone != "" {
		own, _ := strconv.ParseBool(c.Slots["phone_own"])
		p, err := r.cfg.Citizens.VerifyContact(ctx, c.User, phone, own)
		if err != nil {
			return dialog.Result{}, err
		}
		t.cit.Phone = p
		say = append(say, dialog.Prompt{Key: "contact.verified", Args: map[string]string{"phone": domain.MaskPhone(p)}})
	}
	clear := map[string]string{"phone": "", "phone_own": ""}
	if t.cit.Phone == "" {
		if !t.feat.ShareContact {
			return dialog.Result{Branch: "need_typed", Say: say, Slots: clear}, nil
		}
		return dialog.Result{Branch: "need_phone", Slots: clear}, nil
	}
	ds, err := r.cfg.Dossiers.ByPhone(ctx, t.cit.Phone)
	if err != nil {
		return dialog.Result{}, err
	}
	masked := domain.MaskPhone(t.cit.Phone)
	if len(ds) == 0 {
		say = append(say, dialog.Prompt{Key: "mine.none", Args: map[string]string{"phone": masked}})
		return dialog.Result{Branch: "none", Say: say, Slots: clear}, nil
	}
	list := dialog.Prompt{Key: "mine.head", Args: map[string]string{
		"count": strconv.Itoa(len(ds)), "phone": masked}}
	var choices []dialog.Button
	for _, d := range ds {
		code := domain.CanonicalCode(d.Code)
		list.Parts = append(list.Parts, dialog.Prompt{Key: "mine.item", Args: map[string]string{
			"code": d.Code, "procedure": d.ProcedureName, "status": r.statusName(t.lang, d)}})
		choices = append(choices, dialog.Button{Key: "mine.button", Args: map[string]string{"code": d.Code}, Data: code})
	}
	say = append(say, list, dialog.Prompt{Key: "mine.pick"})
	return dialog.Result{Say: say, Choices: choices, Slots: clear}, nil
}

// citizenForget is /xoadulieu: feedback and ratings lose the person's
// identity (their content stays, as the commune must keep it), then the
// chat is unlinked and its session dropped.
func (r *Router) citizenForget(ctx context.Context, c dialog.Call) (dialog.Result, error) {
	if _, err := r.cfg.Feedback.Forget(ctx, c.User); err != nil {
		return dialog.Result{}, err
	}
	if _, err := r.cfg.Ratings.Forget(ctx, c.User); err != nil {
		return dialog.Result{}, err
	}
	if err := r.cfg.Citizens.Forget(ctx, c.User); err != nil {
		return dialog.Result{}, err
	}
	t := turnOf(ctx)
	t.cit.ConsentAt, t.cit.Phone = time.Time{}, ""
	t.forget = true
	return dialog.Result{}, nil
}
