package bot

import "context"

// citizenActions bind the person's own flows: /start's branches, the
// privacy consent, the language, /huy and /xoadulieu.
func (r *Router) citizenActions() Actions {
	return Actions{
		"citizen.status":  r.citizenStatus,
		"citizen.consent": r.citizenConsent,
		"citizen.lang":    r.citizenLang,
		"session.cancel":  r.sessionCancel,
		"citizen.forget":  r.citizenForget,
	}
}

// citizenStatus branches /start: a registered official ("staff"), someone
// who agreed to the privacy notice ("consented"), or someone new.
func (r *Router) citizenStatus(ctx context.Context, c Call) (Result, error) {
	if role, _, err := r.screenRole(ctx, c); err != nil {
		return Result{}, err
	} else if role != "citizen" {
		return Result{Branch: "staff"}, nil
	}
	if c.Citizen.Consented() {
		return Result{Branch: "consented"}, nil
	}
	return Result{Branch: "new"}, nil
}

func (r *Router) citizenConsent(ctx context.Context, c Call) (Result, error) {
	if err := r.cfg.Citizens.Consent(ctx, c.User); err != nil {
		return Result{}, err
	}
	return Result{Effects: Effects{Consented: true, Menu: true}}, nil
}

func (r *Router) citizenLang(ctx context.Context, c Call) (Result, error) {
	lang := c.Slots["lang"]
	if err := r.cfg.Citizens.SetLang(ctx, c.User, lang); err != nil {
		return Result{}, err
	}
	// The menu's labels change language.
	return Result{Effects: Effects{Lang: lang, Menu: true}}, nil
}

func (r *Router) sessionCancel(ctx context.Context, c Call) (Result, error) {
	if c.Slots["_prev"] == "" {
		return Result{Branch: "idle", Effects: Effects{NoPending: true}}, nil
	}
	return Result{Branch: "cancelled", Effects: Effects{NoPending: true}}, nil
}

// citizenForget is /xoadulieu: feedback and ratings lose the person's
// identity (their content stays, as the commune must keep it), then the
// chat is unlinked and its session dropped.
func (r *Router) citizenForget(ctx context.Context, c Call) (Result, error) {
	if _, err := r.cfg.Feedback.Forget(ctx, c.User); err != nil {
		return Result{}, err
	}
	if _, err := r.cfg.Ratings.Forget(ctx, c.User); err != nil {
		return Result{}, err
	}
	if err := r.forgetRegistrations(ctx, c.User); err != nil {
		return Result{}, err
	}
	if err := r.cfg.Citizens.Forget(ctx, c.User); err != nil {
		return Result{}, err
	}
	return Result{Effects: Effects{Forget: true}}, nil
}
