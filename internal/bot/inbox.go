package bot

import (
	"context"
	"slices"
	"strconv"

	"xabot/internal/dialog"
	"xabot/internal/domain"
)

// inboxList is /phananh: open, mine or overdue, oldest first; each ticket
// is also a choice that opens it (inboxOpen).
func (r *Router) inboxList(ctx context.Context, c Call) (Result, error) {
	fs, err := r.cfg.Feedback.Inbox(ctx, c.User, c.Slots["which"])
	if err != nil {
		return Result{}, err
	}
	if len(fs) == 0 {
		return Result{Branch: "empty", Say: []dialog.Prompt{{Key: "inbox.empty"}}}, nil
	}
	lang := c.Lang
	p := dialog.Prompt{Key: "inbox.head", Args: map[string]string{"count": strconv.Itoa(len(fs))}}
	var choices []dialog.Button
	for _, f := range fs {
		category := r.cfg.Texts.T(lang, "feedback.choose."+string(f.Category), nil)
		p.Parts = append(p.Parts, dialog.Prompt{Key: "inbox.item", Args: map[string]string{
			"ticket": f.Ticket, "category": category,
			"status": r.cfg.Texts.T(lang, "feedback.status."+string(f.Status), nil), "due": r.date(f.DueAnswer)}})
		choices = append(choices, dialog.Button{Text: r.t(lang, "inbox.button", args("ticket", f.Ticket, "category", category)), Data: f.Ticket})
	}
	return Result{Say: []dialog.Prompt{p, {Key: "inbox.pick"}}, Choices: choices}, nil
}

// inboxOpen shows the picked ticket's card with the actions the official
// may take on it now, answered in the fb flow («fb/act/TICKET:op»). The
// feedback service decides the scope (domain.MayFeedback): a ticket out of
// it is refused, one another official owns opens read-only ("none").
func (r *Router) inboxOpen(ctx context.Context, c Call) (Result, error) {
	op, err := r.cfg.Feedback.Open(ctx, c.User, c.Slots["ticket"])
	if err != nil {
		return Result{}, err
	}
	card := r.bounded(c, op.Lines)
	if len(op.Actions) == 0 {
		why := dialog.Prompt{Key: "feedback.open.read_only"}
		if !slices.ContainsFunc(domain.FeedbackActions(), op.Feedback.Can) {
			why = dialog.Prompt{Key: "feedback.open.nothing", Args: args(
				"status", r.cfg.Texts.T(c.Lang, "feedback.status."+string(op.Feedback.Status), nil))}
		}
		return Result{Branch: "none", Say: []dialog.Prompt{card, why}}, nil
	}
	return Result{Say: []dialog.Prompt{card}, Choices: r.actChoices(c.Lang, op.Actions)}, nil
}

// afterTake offers, under «✋ Nhận xử lý»'s confirmation, what the official
// may now do with the ticket, «💬 Trả lời» first: no need to find the
// notice again.
func (r *Router) afterTake(ctx context.Context, c Call, ticket string) (Result, error) {
	took := dialog.Prompt{Key: "fb.took", Args: args("ticket", ticket)}
	op, err := r.cfg.Feedback.Open(ctx, c.User, ticket)
	if err != nil || len(op.Actions) == 0 {
		// Taken all the same; the buttons of the notice still work.
		if err != nil {
			c.Log.Warn("feedback taken but not reopened", "err", err)
		}
		return Result{Branch: "done", Say: []dialog.Prompt{took}}, nil
	}
	return Result{Branch: "again", Say: []dialog.Prompt{took, {Key: "fb.next", Args: args("ticket", ticket)}},
		Choices: r.actChoices(c.Lang, op.Actions)}, nil
}

// actChoices are the choices of the step that does domain.IntentAct
// ("TICKET:op"), labelled as the notices' buttons are, so a typed label or
// number picks one too.
func (r *Router) actChoices(lang string, actions []domain.NoticeButton) []dialog.Button {
	out := make([]dialog.Button, 0, len(actions))
	for _, b := range actions {
		out = append(out, dialog.Button{Text: r.t(lang, b.Key, b.Args), Data: intentValue(b.Intent)})
	}
	return out
}
