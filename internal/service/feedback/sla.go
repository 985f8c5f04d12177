package feedback

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"xabot/internal/domain"
)

// Inbox boxes, as /phananh shows them.
const (
	BoxOpen    = "open"    // every message waiting for the commune or for its sender's supplement
	BoxMine    = "mine"    // those of BoxOpen the official owns
	BoxOverdue = "overdue" // those of BoxOpen whose refuse or answer clock ran out
)

// Inbox lists an official's box, oldest first: BoxOpen, BoxMine or
// BoxOverdue (feedback.bad_box otherwise), keeping only the messages the
// official may list (domain.MayFeedback): those routed to their fields or
// given to them, and for heads and chairmen the commune's, but never a
// sensitive message they are excluded from. Answered messages waiting for a
// rating are not listed. A non-official wraps domain.ErrForbidden.
func (s *Service) Inbox(ctx context.Context, actor, which string) ([]domain.Feedback, error) {
	o, staff, err := s.Official(ctx, actor)
	if err != nil {
		return nil, err
	}
	var fs []domain.Feedback
	switch which {
	case BoxOpen, BoxOverdue:
		fs, err = s.repo.OpenFeedback(ctx)
	case BoxMine:
		fs, err = s.repo.FeedbackForOwner(ctx, o.ChatKey)
	default:
		return nil, domain.Invalid("feedback.bad_box")
	}
	if err != nil {
		return nil, fmt.Errorf("feedback: inbox %s: %w", which, err)
	}
	now := s.now()
	var out []domain.Feedback
	for _, f := range fs {
		if !f.Status.Pending() && f.Status != domain.FeedbackMoreRequested {
			continue
		}
		if which == BoxOverdue && !f.Overdue(now, s.loc) {
			continue
		}
		if !s.may(o, f, staff, domain.ActList) {
			continue
		}
		out = append(out, f)
	}
	return out, nil
}

// SLA is the feedback-sla job, as of at. On a working day, for each open
// message and each clock still running (domain.Feedback.Running), it warns
// the owner — or the officials it is routed to when nobody took it — on the
// working day before the clock runs out (or on the day itself, catching
// up), and tells the heads of the one-stop shop (else the chairman) once it
// has run out; never anyone the access rule keeps away from the message. The "more" clock only warns: not asking for more is no
// fault. Idempotent per (ticket, clock, due date, warn|late, recipient):
// a reopened message's fresh answer clock is warned about again. On a day
// off it does nothing; the next working morning catches up.
func (s *Service) SLA(ctx context.Context, at time.Time) (int, error) {
	today := domain.DateOf(at, s.loc)
	if !s.cal.IsWorkingDay(today) {
		return 0, nil
	}
	fs, err := s.repo.OpenFeedback(ctx)
	if err != nil {
		return 0, fmt.Errorf("feedback: sla: %w", err)
	}
	all, err := s.staff.List(ctx) // revoked owners too, to name them
	if err != nil {
		return 0, fmt.Errorf("feedback: sla: officials: %w", err)
	}
	staff := activeOf(all)
	sent := 0
	for _, f := range fs {
		for _, c := range f.Running() {
			left := s.cal.WorkingDaysBetween(today, c.Due)
			var to []domain.Official
			var line domain.Line
			var what string
			switch {
			case left < 0 && c.Escalates:
				what, to = "late", s.supervisors(f, staff)
				line = domain.L("feedback.sla.late_"+c.Name, "ticket", f.Ticket, "due", day(c.Due),
					"days", strconv.Itoa(-left), "owner", ownerName(all, f.Owner))
				if f.Owner == "" {
					// «chưa giao ai», not «Cán bộ được giao: —».
					line = domain.L("feedback.sla.late_"+c.Name+"_nobody", "ticket", f.Ticket, "due", day(c.Due), "days", strconv.Itoa(-left))
				}
			case left == 0 || left == 1:
				what, to = "warn", s.handlers(f, staff)
				line = domain.L("feedback.sla.warn_"+c.Name, "ticket", f.Ticket, "due", day(c.Due), "days", strconv.Itoa(left))
			default:
				continue
			}
			lines := append([]domain.Line{line}, s.card(f)...)
			for _, o := range to {
				n := domain.Notice{
					Key:      strings.Join([]string{JobSLA, f.Ticket, c.Name, c.Due.Format("2006-01-02"), what, o.ChatKey}, "|"),
					To:       o.ChatKey,
					Priority: domain.PriorityAlert,
					Lines:    lines,
					Buttons:  actButtons(f),
				}
				fresh, err := s.notify.Notify(ctx, n)
				if err != nil {
					return sent, fmt.Errorf("feedback: sla: %s: %w", n.Key, err)
				}
				if fresh {
					sent++
				}
			}
		}
	}
	return sent, nil
}

// ownerName names the official with chat key k, "—" for nobody.
func ownerName(all []domain.Official, k string) string {
	if k == "" {
		return "—"
	}
	for _, o := range all {
		if o.ChatKey == k {
			return o.Name
		}
	}
	return "—"
}
