package feedback

import (
	"context"
	"fmt"

	"xabot/internal/domain"
)

// The access rule and the routing are the domain's (domain.MayFeedback,
// domain.FeedbackRecipients); the service feeds them the routing table of
// the commune profile and the active staff.

// view is f as the access rule reads it: a message whose owner is no longer
// active (revoked) is nobody's, so that its route can take it up again.
func view(f domain.Feedback, staff []domain.Official) domain.Feedback {
	if _, ok := find(staff, f.Owner); !ok {
		f.Owner = ""
	}
	return f
}

// may reports whether o may do action on f.
func (s *Service) may(o domain.Official, f domain.Feedback, staff []domain.Official, action string) bool {
	return domain.MayFeedback(o, view(f, staff), action, s.routing)
}

// recipients are who is told about a new message f.
func (s *Service) recipients(f domain.Feedback, staff []domain.Official) []domain.Official {
	return domain.FeedbackRecipients(view(f, staff), staff, s.routing)
}

// supervisors are who oversees f: where reopened messages and overdue
// clocks go.
func (s *Service) supervisors(f domain.Feedback, staff []domain.Official) []domain.Official {
	return domain.FeedbackSupervisors(view(f, staff), staff, s.routing)
}

// handlers are who handles f now: its owner if active (and still allowed to
// see it), else its recipients.
func (s *Service) handlers(f domain.Feedback, staff []domain.Official) []domain.Official {
	if o, ok := find(staff, f.Owner); ok && s.may(o, f, staff, domain.ActSee) {
		return []domain.Official{o}
	}
	return s.recipients(f, staff)
}

// find returns the active official with chat key k.
func find(staff []domain.Official, k string) (domain.Official, bool) {
	if k == "" {
		return domain.Official{}, false
	}
	for _, o := range staff {
		if o.ChatKey == k && o.Active() {
			return o, true
		}
	}
	return domain.Official{}, false
}

// active returns the bound, not revoked officials.
func (s *Service) active(ctx context.Context) ([]domain.Official, error) {
	all, err := s.staff.List(ctx)
	if err != nil {
		return nil, fmt.Errorf("feedback: officials: %w", err)
	}
	return activeOf(all), nil
}

func activeOf(all []domain.Official) []domain.Official {
	out := all[:0:0]
	for _, o := range all {
		if o.Active() {
			out = append(out, o)
		}
	}
	return out
}

// actButtons are the officials' buttons f's status allows.
func actButtons(f domain.Feedback) []domain.NoticeButton {
	var out []domain.NoticeButton
	for _, a := range domain.FeedbackActions() {
		if f.Can(a) {
			out = append(out, domain.NoticeButton{Key: "feedback.btn." + a, Intent: domain.Intent{Kind: domain.IntentAct, Ref: f.Ticket, Arg: a}})
		}
	}
	return out
}
