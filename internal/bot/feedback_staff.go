package bot

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"xabot/internal/collate"
	"xabot/internal/dialog"
	"xabot/internal/domain"
)

// fbAct reads "TICKET:op" from a button under a feedback notice. Taking
// happens at once; answering, asking for more and refusing ask for the
// text; forwarding lists the colleagues the message may go to. The
// feedback service checks who may do what (domain.MayFeedback).
func (r *Router) fbAct(ctx context.Context, c Call) (Result, error) {
	act, ok := intentOf(domain.IntentAct, c.Slots["op"])
	if !ok {
		return Result{}, domain.Invalid("errors.button_invalid")
	}
	ticket, op := act.Ref, act.Arg
	// Out of scope, refused, closed or someone else's by now: say so
	// before any typing.
	if err := r.cfg.Feedback.CanAct(ctx, c.User, ticket, op); err != nil {
		return Result{}, err
	}
	slots := map[string]string{"ticket": ticket}
	switch op {
	case domain.ActTake:
		f, err := r.cfg.Feedback.Take(ctx, c.User, ticket)
		if err != nil {
			return Result{}, err
		}
		return r.afterTake(ctx, c, f.Ticket)
	case domain.ActAnswer, domain.ActMore, domain.ActRefuse:
		// The service checks the ticket and the owner when the text comes.
		return Result{Branch: op, Slots: slots}, nil
	case domain.ActForward:
		targets, err := r.cfg.Feedback.ForwardTargets(ctx, c.User, ticket)
		if err != nil {
			return Result{}, err
		}
		if len(targets) == 0 {
			return Result{Branch: "done", Say: []dialog.Prompt{{Key: "fb.no_colleague", Args: map[string]string{"ticket": ticket}}}}, nil
		}
		var choices []dialog.Button
		collate.SortBy(targets, func(o domain.Official) string { return o.Name })
		for _, o := range targets {
			label := o.Name
			if len(o.Fields) > 0 {
				label += " (" + strings.Join(o.Fields, ", ") + ")"
			}
			choices = append(choices, dialog.Button{Text: label, Data: strconv.FormatInt(o.ID, 10)})
		}
		return Result{Branch: "forward", Slots: slots, Choices: choices,
			Say: []dialog.Prompt{{Key: "fb.pick_colleague", Args: map[string]string{"ticket": ticket}}}}, nil
	}
	return Result{}, domain.Invalid("errors.button_invalid")
}

// fbReply sends the typed answer, request or refusal reason.
func (r *Router) fbReply(pick func(Feedback) replyFunc, done string) Action {
	return func(ctx context.Context, c Call) (Result, error) {
		f, err := pick(r.cfg.Feedback)(ctx, c.User, c.Slots["ticket"], c.Slots["reply"])
		var inv *domain.InvalidError
		if errors.As(err, &inv) && !strings.HasPrefix(inv.Key, "feedback.reply_") {
			// The message moved on while the text was typed: end here
			// rather than ask again for a text that cannot be used.
			return Result{Say: []dialog.Prompt{{Key: inv.Key, Args: inv.Args}}}, nil
		}
		if err != nil {
			return Result{}, err
		}
		return Result{Say: []dialog.Prompt{{Key: done, Args: map[string]string{"ticket": f.Ticket}}}}, nil
	}
}

func (r *Router) fbForward(ctx context.Context, c Call) (Result, error) {
	id, err := strconv.ParseInt(c.Slots["colleague"], 10, 64)
	if err != nil {
		return Result{}, domain.Invalid("errors.button_invalid")
	}
	f, err := r.cfg.Feedback.Forward(ctx, c.User, c.Slots["ticket"], id)
	if err != nil {
		return Result{}, err
	}
	return Result{Say: []dialog.Prompt{{Key: "fb.forwarded_ok", Args: map[string]string{"ticket": f.Ticket}}}}, nil
}

// fbRate is the citizen's "helpful / not helpful" under an answer.
func (r *Router) fbRate(ctx context.Context, c Call) (Result, error) {
	judge, ok := intentOf(domain.IntentJudge, c.Slots["op"])
	if !ok {
		return Result{}, domain.Invalid("errors.button_invalid")
	}
	f, err := r.cfg.Feedback.Rate(ctx, c.User, judge.Ref, judge.Arg == domain.Helpful)
	if err != nil {
		return Result{}, err
	}
	key := "fb.thanks_helpful"
	if judge.Arg == domain.NotHelpful {
		key = "fb.thanks_reopened"
	}
	return Result{Say: []dialog.Prompt{{Key: key, Args: map[string]string{"ticket": f.Ticket}}}}, nil
}

func (r *Router) fbSuppStart(ctx context.Context, c Call) (Result, error) {
	supp, ok := intentOf(domain.IntentSupplement, c.Slots["op"])
	if !ok {
		return Result{}, domain.Invalid("errors.button_invalid")
	}
	if _, err := r.cfg.Feedback.Status(ctx, c.User, supp.Ref); err != nil {
		return Result{}, err
	}
	return Result{Slots: map[string]string{"ticket": supp.Ref}}, nil
}

func (r *Router) fbSupplement(ctx context.Context, c Call) (Result, error) {
	f, err := r.cfg.Feedback.Supplement(ctx, c.User, c.Slots["ticket"], c.Slots["reply"])
	if err != nil {
		return Result{}, err
	}
	return Result{Say: []dialog.Prompt{{Key: "fb.supplement_sent", Args: map[string]string{"ticket": f.Ticket}}}}, nil
}
