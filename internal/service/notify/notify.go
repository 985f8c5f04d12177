// Package notify decides who must be told what, on the bot's own
// initiative: officials' due-soon and overdue alerts, the apology-and-
// extension duty (Decree 118/2025 Art. 19(6), form Mẫu 04), the chairman's
// overdue summary, and citizens' pushes when their dossier moves. It
// speaks in domain.Notice values with idempotency keys; the bot renders
// them in each recipient's language and queues them in the outbox.
package notify

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"xabot/internal/domain"
)

// Repo is the storage the notices are computed from; *store.DB satisfies it.
type Repo interface {
	OpenDossiers(ctx context.Context) ([]domain.Dossier, error)
	DossierByID(ctx context.Context, id int64) (domain.Dossier, error)
	Subscribers(ctx context.Context, d domain.Dossier) ([]string, error)
	EventsAfter(ctx context.Context, after int64, limit int) ([]domain.Event, error)
	Cursor(ctx context.Context, name string) (int64, error)
	SetCursor(ctx context.Context, name string, v int64) error
}

// Staff finds officials; the officials service satisfies it.
type Staff interface {
	List(ctx context.Context) ([]domain.Official, error)
}

// Sender delivers a notice (renders and queues it); false means its key
// was delivered before.
type Sender interface {
	Notify(ctx context.Context, n domain.Notice) (bool, error)
}

// Service computes and sends notices.
type Service struct {
	repo   Repo
	staff  Staff
	send   Sender
	cal    *domain.Calendar
	loc    *time.Location
	office string // where results are collected, said in pushes
	log    *slog.Logger
	offer  func(ctx context.Context, d domain.Dossier, to string) (bool, error)
}

// OfferRatings makes the push of a result (status 9 or 10) also offer the
// rating buttons, through offer (the rating service's Offer).
func (s *Service) OfferRatings(offer func(ctx context.Context, d domain.Dossier, to string) (bool, error)) {
	s.offer = offer
}

// New returns a Service.
func New(repo Repo, staff Staff, send Sender, cal *domain.Calendar, loc *time.Location, office string, log *slog.Logger) *Service {
	return &Service{repo: repo, staff: staff, send: send, cal: cal, loc: loc, office: office, log: log.With("comp", "notify")}
}

// Jobs' names, as `xabot jobs run NAME` takes them.
const (
	JobDueSoon     = "due-soon"
	JobApologyDuty = "apology-duty"
	JobOverdue     = "overdue"
)

// DueSoonDays and ApologyDays are how many working days ahead the alerts
// look: T-2 for the handler's reminder, T-1 for the apology duty (the law
// wants the apology at least one working day before the due date).
const (
	DueSoonDays = 2
	ApologyDays = 1
)

// day is at's working day in the commune, or false on a day off: alerts
// wait for the next working morning.
func (s *Service) day(at time.Time) (time.Time, bool) {
	d := domain.DateOf(at, s.loc)
	return d, s.cal.IsWorkingDay(d)
}

// active returns the bound, not revoked officials.
func (s *Service) active(ctx context.Context) ([]domain.Official, error) {
	all, err := s.staff.List(ctx)
	if err != nil {
		return nil, fmt.Errorf("notify: officials: %w", err)
	}
	out := all[:0:0]
	for _, o := range all {
		if o.Active() {
			out = append(out, o)
		}
	}
	return out, nil
}

// deliver sends n and counts it when it was new.
func (s *Service) deliver(ctx context.Context, n domain.Notice, sent *int) error {
	fresh, err := s.send.Notify(ctx, n)
	if err != nil {
		return fmt.Errorf("notify: %s: %w", n.Key, err)
	}
	if fresh {
		*sent++
	}
	return nil
}

func (s *Service) date(t time.Time) string { return t.In(s.loc).Format("02/01/2006") }

// workingDaysLeft counts working days from day to the dossier's due date:
// 0 = due today, negative = overdue. A dossier without a due date is never
// due (imports require one; this keeps a stray row from counting for ever).
func (s *Service) workingDaysLeft(day time.Time, d domain.Dossier) int {
	if d.Due().IsZero() {
		return 1 << 30
	}
	return s.cal.WorkingDaysBetween(day, domain.DateOf(d.Due(), s.loc))
}
