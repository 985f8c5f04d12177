package reception

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"xabot/internal/domain"
)

// Keepers returns who keeps the reception book: the active chairmen and
// the active officials given the book.
func (s *Service) Keepers(ctx context.Context) ([]domain.Official, error) {
	all, err := s.staff.List(ctx)
	if err != nil {
		return nil, fmt.Errorf("reception: keepers: %w", err)
	}
	ids, err := s.repo.ReceptionKeepers(ctx)
	if err != nil {
		return nil, fmt.Errorf("reception: keepers: %w", err)
	}
	var out []domain.Official
	for _, o := range all {
		if o.Active() && (o.Role == domain.RoleChairman || slices.Contains(ids, o.ID)) {
			out = append(out, o)
		}
	}
	return out, nil
}

// mayKeep refuses (domain.ErrForbidden) a chat that is not a keeper's:
// any chat of an active chairman or of an official given the book (one
// linked Zalo besides Telegram counts).
func (s *Service) mayKeep(ctx context.Context, chat string) error {
	o, err := s.staff.ByChat(ctx, chat)
	if errors.Is(err, domain.ErrNotFound) {
		return fmt.Errorf("reception: %w", domain.ErrForbidden)
	}
	if err != nil {
		return fmt.Errorf("reception: keeper: %w", err)
	}
	if o.Role == domain.RoleChairman {
		return nil
	}
	ids, err := s.repo.ReceptionKeepers(ctx)
	if err != nil {
		return fmt.Errorf("reception: keeper: %w", err)
	}
	if slices.Contains(ids, o.ID) {
		return nil
	}
	return fmt.Errorf("reception: %w", domain.ErrForbidden)
}

// MayKeep reports whether chat keeps the book.
func (s *Service) MayKeep(ctx context.Context, chat string) (bool, error) {
	err := s.mayKeep(ctx, chat)
	if errors.Is(err, domain.ErrForbidden) {
		return false, nil
	}
	return err == nil, err
}

// BookSessions are the sessions whose visits a keeper may record: those of
// today (started or not) and of the last two weeks, newest first.
func (s *Service) BookSessions() []domain.ReceptionSession {
	today := domain.DateOf(s.now(), s.loc)
	var out []domain.ReceptionSession
	for i := 0; i <= bookDays; i++ {
		day := s.sched.On(today.AddDate(0, 0, -i), s.cal)
		slices.Reverse(day)
		out = append(out, day...)
	}
	return out
}

// BookSession finds a session of BookSessions by its key; else
// reception.book.no_session.
func (s *Service) BookSession(key string) (domain.ReceptionSession, error) {
	for _, ses := range s.BookSessions() {
		if SessionKey(ses) == key {
			return ses, nil
		}
	}
	return domain.ReceptionSession{}, domain.Invalid("reception.book.no_session")
}

// Registrations lists the registrations for a session (cancelled left
// out), with their visits, for a keeper.
func (s *Service) Registrations(ctx context.Context, actor string, ses domain.ReceptionSession) ([]domain.Registration, error) {
	if err := s.mayKeep(ctx, actor); err != nil {
		return nil, err
	}
	return s.registrationsFor(ctx, ses)
}

func (s *Service) registrationsFor(ctx context.Context, ses domain.ReceptionSession) ([]domain.Registration, error) {
	all, err := s.repo.RegistrationsOn(ctx, ses.Day)
	if err != nil {
		return nil, fmt.Errorf("reception: registrations: %w", err)
	}
	return slices.DeleteFunc(all, func(r domain.Registration) bool {
		return r.Status != domain.RegRegistered || r.From != ses.From
	}), nil
}

// Record writes in the book whether a registered citizen was received and,
// if so, the outcome in one line. Only a keeper may (domain.ErrForbidden).
// Refusals: reception.bad_ticket, reception.book.unknown {ticket},
// reception.book.recorded {ticket} (recorded already, or cancelled),
// reception.book.bad_outcome {max}.
func (s *Service) Record(ctx context.Context, actor, ticket string, received bool, outcome string) (domain.Visit, error) {
	if err := s.mayKeep(ctx, actor); err != nil {
		return domain.Visit{}, err
	}
	t, ok := domain.ParseReceptionTicket(ticket)
	if !ok {
		return domain.Visit{}, domain.Invalid("reception.bad_ticket")
	}
	r, err := s.repo.RegistrationByTicket(ctx, t)
	if errors.Is(err, domain.ErrNotFound) {
		return domain.Visit{}, domain.Invalid("reception.book.unknown", "ticket", t)
	}
	if err != nil {
		return domain.Visit{}, fmt.Errorf("reception: record: %w", err)
	}
	if received {
		if outcome, err = domain.VisitOutcome(outcome); err != nil {
			return domain.Visit{}, err
		}
	} else {
		outcome = ""
	}
	v := domain.Visit{Registration: r.ID, Ticket: r.Ticket, Day: r.Day, Kind: domain.VisitPeriodic, Received: received,
		Outcome: outcome, RecordedBy: actor, RecordedAt: s.now()}
	return s.add(ctx, v)
}

// WalkIn writes in the book a citizen received without registration: at a
// session of the schedule (periodic, on its day) or outside it (ad hoc,
// today). Only a keeper may. Refusals: feedback.bad_name {min, max},
// reception.book.bad_outcome {max}.
func (s *Service) WalkIn(ctx context.Context, actor string, ses *domain.ReceptionSession, name, outcome string) (domain.Visit, error) {
	if err := s.mayKeep(ctx, actor); err != nil {
		return domain.Visit{}, err
	}
	name, err := domain.SenderName(name)
	if err != nil {
		return domain.Visit{}, err
	}
	if outcome, err = domain.VisitOutcome(outcome); err != nil {
		return domain.Visit{}, err
	}
	v := domain.Visit{Day: domain.DateOf(s.now(), s.loc), Kind: domain.VisitAdHoc, Received: true, Name: name,
		Outcome: outcome, RecordedBy: actor, RecordedAt: s.now()}
	if ses != nil {
		v.Day, v.Kind = ses.Day, domain.VisitPeriodic
	}
	return s.add(ctx, v)
}

func (s *Service) add(ctx context.Context, in domain.Visit) (domain.Visit, error) {
	v, err := s.repo.AddVisit(ctx, in)
	if errors.Is(err, domain.ErrConflict) {
		return domain.Visit{}, domain.Invalid("reception.book.recorded", "ticket", in.Ticket)
	}
	if err != nil {
		return domain.Visit{}, fmt.Errorf("reception: record: %w", err)
	}
	s.log.Info("reception visit recorded", "ticket", v.Ticket, "kind", v.Kind, "received", v.Received,
		"day", v.Day.Format(time.DateOnly))
	return v, nil
}

// SetKeeper gives (on) or takes away the reception book from official id,
// recorded in the audit with actor ("cli" or a chat key).
func (s *Service) SetKeeper(ctx context.Context, actor string, id int64, on bool) error {
	if err := s.repo.SetReceptionKeeper(ctx, id, on, s.now()); err != nil {
		return fmt.Errorf("reception: keeper: %w", err)
	}
	action := "reception_book_revoke"
	if on {
		action = "reception_book_grant"
	}
	if err := s.repo.AddAudit(ctx, domain.Audit{At: s.now(), Actor: actor, Action: action, Target: strconv.FormatInt(id, 10)}); err != nil {
		s.log.Error("audit not recorded", "action", action, "official", id, "err", err)
	}
	return nil
}
