package bot

import (
	"context"
	"strconv"

	"xabot/internal/dialog"
	"xabot/internal/domain"
	"xabot/internal/i18n"
	"xabot/internal/service/reception"
)

// The reception book (/sotiep, dialogs/reception_book.yaml): after a
// session the chairman or the official who keeps the book records, for
// each registration, whether the citizen was received and the outcome in
// one line; a walk-in is added at a session (periodic) or outside the
// schedule (ad hoc). Anyone else is refused, by the service.

// Button values of the book's choices that are not sessions or tickets.
const (
	bookAdHoc  = "adhoc"
	bookWalkIn = "walkin"
)

// bookEntry offers today's and the recent sessions, and an ad hoc visit.
func (r *Router) bookEntry(ctx context.Context, c Call) (Result, error) {
	svc := r.cfg.Receptions
	if svc == nil {
		return Result{}, domain.ErrForbidden
	}
	if ok, err := svc.MayKeep(ctx, c.User); err != nil {
		return Result{}, err
	} else if !ok {
		return Result{}, domain.Invalid("reception.book.not_keeper")
	}
	lang := c.Lang
	var choices []dialog.Button
	for i, ses := range svc.BookSessions() {
		if i == 6 {
			break
		}
		choices = append(choices, dialog.Button{Text: r.sessionText(lang, ses), Data: reception.SessionKey(ses)})
	}
	choices = append(choices, dialog.Button{Key: "reception.book.adhoc", Data: bookAdHoc})
	return Result{Say: []dialog.Prompt{{Key: "reception.book.pick_session"}}, Choices: choices,
		Slots: map[string]string{"kind": "", "visit": "", "walkin_name": "", "outcome": "", "received": ""}}, nil
}

// bookDay lists a session's registrations, each marked recorded or not,
// and offers those not recorded and a walk-in.
func (r *Router) bookDay(ctx context.Context, c Call) (Result, error) {
	if c.Slots["day"] == bookAdHoc {
		return Result{Branch: "adhoc", Slots: map[string]string{"kind": domain.VisitAdHoc}}, nil
	}
	svc := r.cfg.Receptions
	ses, err := svc.BookSession(c.Slots["day"])
	if err != nil {
		return Result{}, err
	}
	regs, err := svc.Registrations(ctx, c.User, ses)
	if err != nil {
		return Result{}, err
	}
	lang := c.Lang
	head := dialog.Prompt{Key: "reception.book.head", Args: map[string]string{
		"session": r.sessionText(lang, ses), "count": i18n.Number(lang, int64(len(regs)))}}
	var choices []dialog.Button
	for i, reg := range regs {
		for _, l := range reception.ItemLines(i+1, reg) {
			head.Parts = append(head.Parts, dialog.Prompt{Key: l.Key, Args: l.Args})
		}
		switch v := reg.Visit; {
		case v == nil:
			choices = append(choices, dialog.Button{Key: "reception.book.record_button",
				Args: map[string]string{"ticket": reg.Ticket, "name": reg.Sender.Name}, Data: reg.Ticket})
		case v.Received:
			head.Parts = append(head.Parts, dialog.Prompt{Key: "reception.book.was_received", Args: map[string]string{"outcome": v.Outcome}})
		default:
			head.Parts = append(head.Parts, dialog.Prompt{Key: "reception.book.was_absent"})
		}
	}
	choices = append(choices, dialog.Button{Key: "reception.book.walkin", Data: bookWalkIn})
	return Result{Say: []dialog.Prompt{head}, Choices: choices,
		Slots: map[string]string{"kind": domain.VisitPeriodic}}, nil
}

// bookVisit takes the registration to record, or a walk-in.
func (r *Router) bookVisit(ctx context.Context, c Call) (Result, error) {
	if c.Slots["visit"] == bookWalkIn {
		return Result{Branch: "walkin"}, nil
	}
	return Result{}, nil
}

func (r *Router) bookName(ctx context.Context, c Call) (Result, error) {
	name, err := domain.SenderName(c.Slots["walkin_name"])
	if err != nil {
		return Result{}, err
	}
	return Result{Slots: map[string]string{"walkin_name": name}}, nil
}

// bookCheck checks the outcome line as it is typed, so a bad one is asked
// again at once.
func (r *Router) bookCheck(ctx context.Context, c Call) (Result, error) {
	outcome, err := domain.VisitOutcome(c.Slots["outcome"])
	if err != nil {
		return Result{}, err
	}
	return Result{Slots: map[string]string{"outcome": outcome}}, nil
}

// bookRecord writes the entry, then shows the session's list again (an ad
// hoc visit ends the flow).
func (r *Router) bookRecord(ctx context.Context, c Call) (Result, error) {
	svc := r.cfg.Receptions
	var v domain.Visit
	var err error
	switch {
	case c.Slots["kind"] == domain.VisitAdHoc:
		v, err = svc.WalkIn(ctx, c.User, nil, c.Slots["walkin_name"], c.Slots["outcome"])
	case c.Slots["visit"] == bookWalkIn:
		var ses domain.ReceptionSession
		if ses, err = svc.BookSession(c.Slots["day"]); err == nil {
			v, err = svc.WalkIn(ctx, c.User, &ses, c.Slots["walkin_name"], c.Slots["outcome"])
		}
	default:
		received, _ := strconv.ParseBool(c.Slots["received"])
		v, err = svc.Record(ctx, c.User, c.Slots["visit"], received, c.Slots["outcome"])
	}
	if err != nil {
		return Result{}, err
	}
	key := "reception.book.recorded_ok"
	switch {
	case v.Registration == 0:
		key = "reception.book.recorded_walkin"
	case !v.Received:
		key = "reception.book.recorded_absent"
	}
	say := []dialog.Prompt{{Key: key, Args: map[string]string{"ticket": v.Ticket, "name": v.Name,
		"kind": r.t(c.Lang, "reception.book.kind."+v.Kind, nil)}}}
	clear := map[string]string{"visit": "", "walkin_name": "", "outcome": "", "received": ""}
	if v.Kind == domain.VisitAdHoc {
		return Result{Branch: "adhoc", Say: say, Slots: clear}, nil
	}
	return Result{Say: say, Slots: clear}, nil
}
