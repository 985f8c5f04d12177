package bot

import (
	"context"
	"strconv"
	"time"

	"xabot/internal/dialog"
	"xabot/internal/domain"
)

// apologyActions bind the apology dialog: pick a new date under the alert,
// then send the letter of form Mẫu 04 to the citizen.
func (r *Router) apologyActions() Actions {
	return Actions{
		"apology.pick":     r.apologyPick,
		"apology.send":     r.apologySend,
		"apology.preview":  r.apologyPreview,
		"dossier.unfollow": r.dossierUnfollow,
		"staff.overdue":    r.staffOverdue,
	}
}

// apologyPick reads "CODE:N" (N working days added to the appointment),
// checks the official may extend this dossier and that it can still be
// extended, and fills the letter's slots.
func (r *Router) apologyPick(ctx context.Context, c Call) (Result, error) {
	pick, ok := intentOf(domain.IntentExtend, c.Slots["choice"])
	if !ok {
		return Result{}, domain.Invalid("errors.button_invalid")
	}
	n, _ := strconv.Atoi(pick.Arg) // Valid: 1 to 30
	d, err := r.cfg.Dossiers.Find(ctx, pick.Ref)
	if err != nil {
		return Result{}, err
	}
	if err := r.mayExtend(ctx, c, d); err != nil {
		return Result{}, err
	}
	if err := d.MayExtend(); err != nil {
		return Result{}, err
	}
	due := r.cfg.Calendar.AddWorkingDays(domain.DateOf(d.Due(), r.cfg.TZ), n)
	local := time.Date(due.Year(), due.Month(), due.Day(), 0, 0, 0, 0, r.cfg.TZ)
	return Result{Say: r.apologyWindow(d), Slots: map[string]string{
		"code": d.Code, "procedure": d.ProcedureName, "received": r.date(d.ReceivedAt), "old": r.date(d.Due()),
		"new": r.date(local), "new_unix": strconv.FormatInt(local.Unix(), 10), "choice": "",
	}}, nil
}

// mayExtend allows the dossier's handler (by the routing rule), the head
// of the one-stop shop, the chairman and the admin.
func (r *Router) mayExtend(ctx context.Context, c Call, d domain.Dossier) error {
	user := c.User
	if c.Citizen.Role == domain.RoleChairman || c.Citizen.Role == domain.RoleAdmin {
		return nil
	}
	all, err := r.cfg.Staff.List(ctx)
	if err != nil {
		return err
	}
	for _, o := range all {
		if o.ChatKey == user && o.Active() && o.Head {
			return nil
		}
	}
	for _, o := range domain.Route(d, all) {
		if o.ChatKey == user {
			return nil
		}
	}
	return domain.Invalid("apology.not_yours", "code", d.Code)
}

// apologySend extends the dossier (once), records who did it, and pushes
// the letter to the citizens who follow the dossier right away.
func (r *Router) apologySend(ctx context.Context, c Call) (Result, error) {
	sec, err := strconv.ParseInt(c.Slots["new_unix"], 10, 64)
	if err != nil {
		return Result{}, domain.Invalid("errors.button_expired")
	}
	d, err := r.cfg.Dossiers.Find(ctx, c.Slots["code"])
	if err != nil {
		return Result{}, err
	}
	if err := r.mayExtend(ctx, c, d); err != nil {
		return Result{}, err
	}
	d, err = r.cfg.Dossiers.Extend(ctx, c.User, d.Code, time.Unix(sec, 0), c.Slots["reason"])
	if err != nil {
		return Result{}, err
	}
	if err := r.cfg.Staff.Record(ctx, c.User, "extend", d.Code, "new due "+r.date(d.ExtendedDueAt)); err != nil {
		c.Log.Error("audit extension", "code", d.Code, "err", err)
	}
	followers, err := r.cfg.Notify.Followers(ctx, d)
	if err != nil {
		return Result{}, err
	}
	if _, err := r.cfg.Notify.PushChanges(ctx); err != nil {
		// The extension is recorded; the push job will retry the letter.
		c.Log.Warn("push after extension", "code", d.Code, "err", err)
	}
	key := "apology.sent"
	if len(followers) == 0 {
		key = "apology.sent_no_chat"
	}
	return Result{Say: []dialog.Prompt{{Key: key, Args: map[string]string{
		"code": d.Code, "new": r.date(d.ExtendedDueAt), "count": strconv.Itoa(len(followers))}}}}, nil
}

func (r *Router) dossierUnfollow(ctx context.Context, c Call) (Result, error) {
	code, err := r.cfg.Dossiers.Unfollow(ctx, c.User, c.Slots["code"])
	if err != nil {
		return Result{}, err
	}
	return Result{Say: []dialog.Prompt{{Key: "push.unsubscribed", Args: map[string]string{"code": code}}}}, nil
}

// apologyWindow says, when the legal window has passed (the letter is due
// at least one working day before the due date), that it has and what
// remains: the letter still tells the citizen the new date, but the
// dossier counts late. Nothing while the window is open.
func (r *Router) apologyWindow(d domain.Dossier) []dialog.Prompt {
	today := domain.DateOf(r.cfg.Now(), r.cfg.TZ)
	left := r.cfg.Calendar.WorkingDaysBetween(today, domain.DateOf(d.Due(), r.cfg.TZ))
	switch {
	case left == 0:
		return []dialog.Prompt{{Key: "apology.window_today", Args: args("code", d.Code, "due", r.date(d.Due()))}}
	case left < 0:
		return []dialog.Prompt{{Key: "apology.window_passed", Args: args("code", d.Code, "due", r.date(d.Due()),
			"days", strconv.Itoa(-left))}}
	}
	return nil
}

// apologyPreview shows the official the letter as the citizen will read
// it (Mẫu 04), numbered when it is sent.
func (r *Router) apologyPreview(ctx context.Context, c Call) (Result, error) {
	d, err := r.cfg.Dossiers.Find(ctx, c.Slots["code"])
	if err != nil {
		return Result{}, err
	}
	sec, err := strconv.ParseInt(c.Slots["new_unix"], 10, 64)
	if err != nil {
		return Result{}, domain.Invalid("errors.button_expired")
	}
	p := dialog.Prompt{Key: "apology.preview_head", Args: args("code", d.Code)}
	for _, l := range domain.ApologyLetter(d, "…", r.cfg.Now(), time.Unix(sec, 0), c.Slots["reason"], r.cfg.TZ) {
		p.Parts = append(p.Parts, dialog.Prompt{Key: l.Key, Args: l.Args})
	}
	return Result{Say: []dialog.Prompt{p}}, nil
}
