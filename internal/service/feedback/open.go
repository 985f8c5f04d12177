package feedback

import (
	"context"
	"errors"
	"fmt"

	"xabot/internal/domain"
)

// Opened is a message as an official opens it from /phananh: its card and
// the actions they may take on it now.
type Opened struct {
	Feedback domain.Feedback
	Lines    []domain.Line // the card officials receive, with the answer clock
	// Actions are the buttons of the domain.FeedbackActions allowed now,
	// in their order: labels and domain.IntentAct, as under the notices.
	Actions []domain.NoticeButton
}

// Open shows ticket to actor: a message out of their scope is
// feedback.not_in_scope {ticket} (the same rule as the buttons,
// domain.MayFeedback), a non-official wraps domain.ErrForbidden. Actions
// holds only what the status allows and the rule lets actor do: a message
// someone else owns opens without buttons for a field official.
func (s *Service) Open(ctx context.Context, actor, ticket string) (Opened, error) {
	o, staff, err := s.Official(ctx, actor)
	if err != nil {
		return Opened{}, err
	}
	t, ok := domain.ParseTicket(ticket)
	if !ok {
		return Opened{}, domain.Invalid("feedback.bad_ticket")
	}
	f, err := s.repo.FeedbackByTicket(ctx, t)
	if errors.Is(err, domain.ErrNotFound) {
		return Opened{}, domain.Invalid("feedback.no_such", "ticket", t)
	}
	if err != nil {
		return Opened{}, fmt.Errorf("feedback: open %s: %w", t, err)
	}
	if !s.may(o, f, staff, domain.ActSee) {
		return Opened{}, domain.Invalid("feedback.not_in_scope", "ticket", t)
	}
	out := Opened{Feedback: f, Lines: append([]domain.Line{
		domain.L("feedback.open.head", "ticket", f.Ticket),
	}, s.card(f)...)}
	if f.Owner == "" {
		out.Lines = append(out.Lines, domain.L("feedback.open.nobody", "due", day(f.DueAnswer)))
	} else {
		out.Lines = append(out.Lines, domain.L("feedback.open.owner", "owner", ownerName(staff, f.Owner), "due", day(f.DueAnswer)))
	}
	for _, b := range actButtons(f) {
		if s.may(o, f, staff, b.Intent.Arg) {
			out.Actions = append(out.Actions, b)
		}
	}
	return out, nil
}

// Visible is the rule of what actor may list (domain.MayFeedback, as
// /phananh applies it), for figures limited to an official's messages.
// A non-official wraps domain.ErrForbidden.
func (s *Service) Visible(ctx context.Context, actor string) (func(domain.Feedback) bool, error) {
	o, staff, err := s.Official(ctx, actor)
	if err != nil {
		return nil, err
	}
	return func(f domain.Feedback) bool { return s.may(o, f, staff, domain.ActList) }, nil
}
