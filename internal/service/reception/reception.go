// Package reception is the chairman's citizen reception (tiếp công dân):
// the next sessions of the commune's schedule (holidays skipped), a
// citizen's registration for one with a topic (ticket TD-yyMM-seq), the
// reminder the day before and the list of registrations to the chairman and
// the book-keeper the evening before (jobs), the reception book the
// chairman or the book-keeper fills after a session (registered visits,
// walk-ins, periodic or ad hoc, the outcome in one line), the report's
// figures, and forgetting a citizen. Notices go out as domain.Notice values
// with idempotency keys, so a job run twice sends nothing twice.
package reception

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"xabot/internal/domain"
)

// Repo is the storage of registrations and visits; *store.DB satisfies it.
type Repo interface {
	CreateRegistration(ctx context.Context, r domain.Registration, loc *time.Location) (domain.Registration, error)
	RegistrationByTicket(ctx context.Context, ticket string) (domain.Registration, error)
	RegistrationsOn(ctx context.Context, day time.Time) ([]domain.Registration, error)
	RegistrationsOf(ctx context.Context, citizen string) ([]domain.Registration, error)
	CancelRegistration(ctx context.Context, id int64, at time.Time) error
	AddVisit(ctx context.Context, v domain.Visit) (domain.Visit, error)
	ReceptionTally(ctx context.Context, from, to time.Time) (domain.ReceptionTally, error)
	ForgetRegistrations(ctx context.Context, citizen string) (int, error)
	ReceptionKeepers(ctx context.Context) ([]int64, error)
	SetReceptionKeeper(ctx context.Context, official int64, on bool, at time.Time) error
	AddAudit(ctx context.Context, a domain.Audit) error
}

// Staff finds officials; the officials service satisfies it.
type Staff interface {
	List(ctx context.Context) ([]domain.Official, error)
	// ByChat finds the active official of any of their chats; none wraps
	// domain.ErrNotFound.
	ByChat(ctx context.Context, chatKey string) (domain.Official, error)
}

// Notifier renders and queues a notice; false means its key was queued before.
type Notifier interface {
	Notify(ctx context.Context, n domain.Notice) (bool, error)
}

// Offered is how many next sessions a citizen is offered.
const Offered = 4

// MaxOpen is how many sessions to come a citizen may be registered for at
// once: enough for a real need, not a flood.
const MaxOpen = 3

// bookDays is how far back the book offers past sessions to record.
const bookDays = 14

// Service is citizen reception.
type Service struct {
	repo   Repo
	staff  Staff
	notify Notifier
	sched  domain.ReceptionSchedule
	cal    *domain.Calendar
	loc    *time.Location
	now    func() time.Time
	log    *slog.Logger
}

// New returns the service over the commune's schedule; now is its clock.
func New(repo Repo, staff Staff, notifier Notifier, sched domain.ReceptionSchedule, cal *domain.Calendar,
	loc *time.Location, now func() time.Time, log *slog.Logger) *Service {
	return &Service{repo: repo, staff: staff, notify: notifier, sched: sched, cal: cal, loc: loc, now: now,
		log: log.With("comp", "reception")}
}

// Schedule is the commune's reception days.
func (s *Service) Schedule() domain.ReceptionSchedule { return s.sched }

// Open reports whether citizens can register: the profile has sessions.
func (s *Service) Open() bool { return !s.sched.Empty() }

// Next returns the next sessions a citizen may register for.
func (s *Service) Next() []domain.ReceptionSession {
	return s.sched.Next(s.now(), s.loc, s.cal, Offered)
}

// SessionKey names a session in a button: its date and start, "20261203-0730".
func SessionKey(ses domain.ReceptionSession) string {
	return ses.Day.Format("20060102") + "-" + strings.ReplaceAll(ses.From, ":", "")
}

// Session finds the session a key names, if it is still open for
// registration (it has not started); else reception.session_closed.
func (s *Service) Session(key string) (domain.ReceptionSession, error) {
	for _, ses := range s.sched.Next(s.now(), s.loc, s.cal, 64) {
		if SessionKey(ses) == key {
			return ses, nil
		}
	}
	return domain.ReceptionSession{}, domain.Invalid("reception.session_closed")
}

// Register records a citizen's registration for the session key names.
// Refusals (*domain.InvalidError): reception.session_closed,
// reception.bad_topic, reception.text_too_long {count, max},
// reception.text_too_short, feedback.bad_name, feedback.bad_phone,
// reception.already {ticket} (this session), reception.too_many {max}.
func (s *Service) Register(ctx context.Context, citizen, key string, topic domain.ReceptionTopic, text string,
	sender domain.Sender) (domain.Registration, error) {
	if citizen == "" {
		return domain.Registration{}, errors.New("reception: register without a citizen")
	}
	ses, err := s.Session(key)
	if err != nil {
		return domain.Registration{}, err
	}
	if !topic.Valid() {
		return domain.Registration{}, domain.Invalid("reception.bad_topic")
	}
	if text, err = domain.ReceptionText(text); err != nil {
		return domain.Registration{}, err
	}
	if sender.Empty() {
		return domain.Registration{}, domain.Invalid("feedback.bad_name", "min", "2", "max", "100")
	}
	if sender, err = domain.CheckSender(sender, false); err != nil {
		return domain.Registration{}, err
	}
	mine, err := s.repo.RegistrationsOf(ctx, citizen)
	if err != nil {
		return domain.Registration{}, fmt.Errorf("reception: register: %w", err)
	}
	today, open := domain.DateOf(s.now(), s.loc), 0
	for _, r := range mine {
		if r.Status != domain.RegRegistered || r.Day.Before(today) {
			continue
		}
		if r.Day.Equal(ses.Day) && r.From == ses.From {
			return domain.Registration{}, domain.Invalid("reception.already", "ticket", r.Ticket)
		}
		open++
	}
	if open >= MaxOpen {
		return domain.Registration{}, domain.Invalid("reception.too_many", "max", fmt.Sprint(MaxOpen))
	}
	r, err := s.repo.CreateRegistration(ctx, domain.Registration{Day: ses.Day, From: ses.From, To: ses.To,
		Place: ses.Place, Citizen: citizen, Sender: sender, Topic: topic, Text: text, CreatedAt: s.now()}, s.loc)
	if err != nil {
		return domain.Registration{}, fmt.Errorf("reception: register: %w", err)
	}
	s.log.Info("reception registered", "ticket", r.Ticket, "day", r.Day.Format(time.DateOnly), "topic", topic)
	return r, nil
}

// Cancel marks the citizen's own registration cancelled (it stays in the
// records). Refusals: reception.bad_ticket, reception.not_yours (also for
// an unknown ticket: tickets cannot be probed), reception.cannot_cancel.
func (s *Service) Cancel(ctx context.Context, citizen, ticket string) (domain.Registration, error) {
	t, ok := domain.ParseReceptionTicket(ticket)
	if !ok {
		return domain.Registration{}, domain.Invalid("reception.bad_ticket")
	}
	r, err := s.repo.RegistrationByTicket(ctx, t)
	if errors.Is(err, domain.ErrNotFound) || (err == nil && (citizen == "" || r.Citizen != citizen)) {
		return domain.Registration{}, domain.Invalid("reception.not_yours", "ticket", t)
	}
	if err != nil {
		return domain.Registration{}, fmt.Errorf("reception: cancel: %w", err)
	}
	err = s.repo.CancelRegistration(ctx, r.ID, s.now())
	if errors.Is(err, domain.ErrConflict) {
		return domain.Registration{}, domain.Invalid("reception.cannot_cancel", "ticket", t)
	}
	if err != nil {
		return domain.Registration{}, fmt.Errorf("reception: cancel: %w", err)
	}
	r.Status, r.CancelledAt = domain.RegCancelled, s.now()
	s.log.Info("reception cancelled", "ticket", r.Ticket)
	return r, nil
}

// Mine lists the citizen's registrations for sessions to come.
func (s *Service) Mine(ctx context.Context, citizen string) ([]domain.Registration, error) {
	all, err := s.repo.RegistrationsOf(ctx, citizen)
	if err != nil {
		return nil, fmt.Errorf("reception: mine: %w", err)
	}
	today := domain.DateOf(s.now(), s.loc)
	return slices.DeleteFunc(all, func(r domain.Registration) bool {
		return r.Status != domain.RegRegistered || r.Day.Before(today)
	}), nil
}

// Forget erases the citizen's chat key, name and phone from their
// registrations (/xoadulieu); the records stay for the legal report.
func (s *Service) Forget(ctx context.Context, citizen string) (int, error) {
	n, err := s.repo.ForgetRegistrations(ctx, citizen)
	if err != nil {
		return 0, fmt.Errorf("reception: forget: %w", err)
	}
	return n, nil
}

// Tally counts the reception book for the local days of from..to.
func (s *Service) Tally(ctx context.Context, from, to time.Time) (domain.ReceptionTally, error) {
	return s.repo.ReceptionTally(ctx, domain.DateOf(from, s.loc), domain.DateOf(to, s.loc))
}

// Sentence is the report's sentence on citizen reception for from..to, in
// the words of the commune's periodic report («Chủ tịch UBND xã tiếp công
// dân định kỳ … lượt, tiếp công dân đột xuất … lượt»); num writes a count
// in the reader's language.
func (s *Service) Sentence(t domain.ReceptionTally, from, to time.Time, num func(int64) string) domain.Line {
	n := func(v int) string { return num(int64(v)) }
	return domain.L("reception.report", "from", from.In(s.loc).Format("02/01/2006"), "to", to.In(s.loc).Format("02/01/2006"),
		"periodic", n(t.Periodic), "adhoc", n(t.AdHoc), "registered", n(t.Registered), "handled", n(t.Handled))
}
