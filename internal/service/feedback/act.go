package feedback

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"xabot/internal/domain"
)

// Officials' actions. Each one checks that actor (a chat key) is an active
// official — role official, chairman or admin — else it wraps
// domain.ErrForbidden (a citizen pressing a forged button). Then the access
// rule (domain.MayFeedback): a message the official may not see — routed
// elsewhere, sensitive, or citing a dossier they handle — is
// feedback.not_in_scope {ticket}; on one someone else owns, only its owner,
// a head of the one-stop shop or a chairman may act (feedback.not_owner);
// forwarding is for the owner or a supervisor (feedback.forward_take_first
// for an official the message is routed to while nobody owns it).
// Other refusals are *domain.InvalidError: feedback.bad_ticket,
// feedback.no_such {ticket}, feedback.not_now.<status> {ticket}, and the
// text checks (feedback.reply_empty, feedback.reply_too_long). Two officials
// acting at once: the second gets domain.ErrConflict.

// Take makes actor the owner of a new or reopened message and tells the
// citizen it is being handled.
func (s *Service) Take(ctx context.Context, actor, ticket string) (domain.Feedback, error) {
	f, ev, err := s.act(ctx, actor, ticket, domain.ActTake, func(f *domain.Feedback, o domain.Official, _ []domain.Official) (string, error) {
		return "", f.Take(o.ChatKey, s.now())
	})
	if err != nil {
		return domain.Feedback{}, err
	}
	s.toCitizen(ctx, f, ev, domain.PriorityAlert, []domain.Line{domain.L("feedback.taken", "ticket", f.Ticket, "due", day(f.DueAnswer))}, nil)
	return f, nil
}

// Answer records actor's answer and sends it to the citizen, with the
// helpful / not helpful buttons (feedback only: complaints and
// denunciations are not rated).
func (s *Service) Answer(ctx context.Context, actor, ticket, text string) (domain.Feedback, error) {
	f, ev, err := s.act(ctx, actor, ticket, domain.ActAnswer, func(f *domain.Feedback, o domain.Official, _ []domain.Official) (string, error) {
		return "", f.Answer(o.ChatKey, text, s.now())
	})
	if err != nil {
		return domain.Feedback{}, err
	}
	lines := []domain.Line{domain.L("feedback.answered", "ticket", f.Ticket), domain.L("feedback.card.answer", "text", f.AnswerText)}
	var buttons []domain.NoticeButton
	if !f.Kind.Legal() {
		lines = append(lines, domain.Line{Key: "feedback.rate_ask"})
		buttons = []domain.NoticeButton{
			{Key: "feedback.btn.helpful", Intent: domain.Intent{Kind: domain.IntentJudge, Ref: f.Ticket, Arg: domain.Helpful}},
			{Key: "feedback.btn.not_helpful", Intent: domain.Intent{Kind: domain.IntentJudge, Ref: f.Ticket, Arg: domain.NotHelpful}},
		}
	}
	s.toCitizen(ctx, f, ev, domain.PriorityAnswer, lines, buttons)
	return f, nil
}

// RequestMore asks the citizen for more information (text says what), with
// a button to add it.
func (s *Service) RequestMore(ctx context.Context, actor, ticket, text string) (domain.Feedback, error) {
	f, ev, err := s.act(ctx, actor, ticket, domain.ActMore, func(f *domain.Feedback, o domain.Official, _ []domain.Official) (string, error) {
		return "", f.RequestMore(o.ChatKey, text, s.now())
	})
	if err != nil {
		return domain.Feedback{}, err
	}
	s.toCitizen(ctx, f, ev, domain.PriorityAnswer,
		[]domain.Line{domain.L("feedback.more", "ticket", f.Ticket, "request", f.MoreRequest)},
		[]domain.NoticeButton{{Key: "feedback.btn.supplement", Intent: domain.Intent{Kind: domain.IntentSupplement, Ref: f.Ticket}}})
	return f, nil
}

// Refuse refuses a new or taken message with a reason, which the citizen
// is told.
func (s *Service) Refuse(ctx context.Context, actor, ticket, reason string) (domain.Feedback, error) {
	f, ev, err := s.act(ctx, actor, ticket, domain.ActRefuse, func(f *domain.Feedback, o domain.Official, _ []domain.Official) (string, error) {
		return "", f.Refuse(o.ChatKey, reason, s.now())
	})
	if err != nil {
		return domain.Feedback{}, err
	}
	s.toCitizen(ctx, f, ev, domain.PriorityAnswer,
		[]domain.Line{domain.L("feedback.refused", "ticket", f.Ticket, "reason", f.RefuseReason)}, nil)
	return f, nil
}

// Forward gives the message to the active official with id to, who is
// told; the status stays. An unknown, inactive or revoked official is
// feedback.no_such_official {id}; oneself feedback.forward_self; the owner
// feedback.forward_same; someone the message may not go to (a field
// official for a sensitive one, the official it excludes, an admin)
// feedback.forward_not_eligible (domain.CheckForward).
func (s *Service) Forward(ctx context.Context, actor, ticket string, to int64) (domain.Feedback, error) {
	var target, from domain.Official
	f, ev, err := s.act(ctx, actor, ticket, domain.ActForward, func(f *domain.Feedback, o domain.Official, staff []domain.Official) (string, error) {
		from = o
		for _, x := range staff {
			if x.ID == to {
				target = x
			}
		}
		if target.ID == 0 {
			return "", domain.Invalid("feedback.no_such_official", "id", strconv.FormatInt(to, 10))
		}
		if err := domain.CheckForward(o, target, *f); err != nil {
			return "", err
		}
		return "to=" + strconv.FormatInt(to, 10), f.Forward(target.ChatKey)
	})
	if err != nil {
		return domain.Feedback{}, err
	}
	lines := append([]domain.Line{domain.L("feedback.forwarded", "ticket", f.Ticket, "from", from.Name,
		"answer", day(f.DueAnswer))}, s.card(f)...)
	s.tell(ctx, f, ev, []domain.Official{target}, domain.PriorityAlert, lines, actButtons(f))
	return f, nil
}

// Official returns the active official bound to chat key actor, or wraps
// domain.ErrForbidden: what the bot asks before showing officials' screens.
func (s *Service) Official(ctx context.Context, actor string) (domain.Official, []domain.Official, error) {
	staff, err := s.active(ctx)
	if err != nil {
		return domain.Official{}, nil, err
	}
	if o, ok := find(staff, actor); ok {
		switch o.Role {
		case domain.RoleOfficial, domain.RoleChairman, domain.RoleAdmin:
			return o, staff, nil
		}
	}
	return domain.Official{}, nil, fmt.Errorf("feedback: %s is not an official: %w", domain.MaskChatKey(actor), domain.ErrForbidden)
}

// ForwardTargets lists the colleagues actor may now give ticket to, in
// staff order: the bot's buttons. The refusals are Forward's.
func (s *Service) ForwardTargets(ctx context.Context, actor, ticket string) ([]domain.Official, error) {
	f, o, staff, err := s.allowed(ctx, actor, ticket, domain.ActForward)
	if err != nil {
		return nil, err
	}
	var out []domain.Official
	for _, x := range staff {
		if domain.CheckForward(o, x, f) == nil {
			out = append(out, x)
		}
	}
	return out, nil
}

// act loads the message, checks the actor, applies change, saves it with
// an event and returns it with the event's id.
func (s *Service) act(ctx context.Context, actor, ticket, action string,
	change func(*domain.Feedback, domain.Official, []domain.Official) (string, error)) (domain.Feedback, int64, error) {
	before, o, staff, err := s.allowed(ctx, actor, ticket, action)
	if err != nil {
		return domain.Feedback{}, 0, err
	}
	f := before
	detail, err := change(&f, o, staff)
	if err != nil {
		return domain.Feedback{}, 0, transition(err, before)
	}
	ev, err := s.save(ctx, before, f, o.ChatKey, action, detail)
	if err != nil {
		return domain.Feedback{}, 0, err
	}
	return f, ev, nil
}

// toCitizen sends the lines to the message's sender, unless they were
// forgotten.
func (s *Service) toCitizen(ctx context.Context, f domain.Feedback, ev int64, prio int, lines []domain.Line, buttons []domain.NoticeButton) {
	if f.Citizen == "" {
		return
	}
	s.send(ctx, f, domain.Notice{Key: key(f.Ticket, "ev"+strconv.FormatInt(ev, 10), f.Citizen), To: f.Citizen,
		Priority: prio, Lines: lines, Buttons: buttons})
}

// CanAct checks, without changing anything, that actor may now do action
// on ticket: the bot asks before an official types a long answer for a
// message that was refused or taken by someone else meanwhile.
func (s *Service) CanAct(ctx context.Context, actor, ticket, action string) error {
	_, _, _, err := s.allowed(ctx, actor, ticket, action)
	return err
}

// allowed runs the checks every official action shares.
func (s *Service) allowed(ctx context.Context, actor, ticket, action string) (domain.Feedback, domain.Official, []domain.Official, error) {
	o, staff, err := s.Official(ctx, actor)
	if err != nil {
		return domain.Feedback{}, o, nil, err
	}
	t, ok := domain.ParseTicket(ticket)
	if !ok {
		return domain.Feedback{}, o, nil, domain.Invalid("feedback.bad_ticket")
	}
	before, err := s.repo.FeedbackByTicket(ctx, t)
	if errors.Is(err, domain.ErrNotFound) {
		return domain.Feedback{}, o, nil, domain.Invalid("feedback.no_such", "ticket", t)
	}
	if err != nil {
		return domain.Feedback{}, o, nil, fmt.Errorf("feedback: %s %s: %w", action, t, err)
	}
	// Out of scope first: the status of a message one may not see is none
	// of one's business.
	if !s.may(o, before, staff, domain.ActSee) {
		return domain.Feedback{}, o, nil, domain.Invalid("feedback.not_in_scope", "ticket", t)
	}
	if !before.Can(action) {
		return domain.Feedback{}, o, nil, transition(&domain.TransitionError{Action: action, From: before.Status}, before)
	}
	if !s.may(o, before, staff, action) {
		if action == domain.ActForward && s.may(o, before, staff, domain.ActTake) {
			// Routed to them but nobody's yet: handing it on is the owner's
			// (or a head's) decision, so they take it first.
			return domain.Feedback{}, o, nil, domain.Invalid("feedback.forward_take_first", "ticket", t)
		}
		return domain.Feedback{}, o, nil, domain.Invalid("feedback.not_owner", "ticket", t)
	}
	return before, o, staff, nil
}
