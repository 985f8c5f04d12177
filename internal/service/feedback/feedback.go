// Package feedback handles citizens' feedback and petitions (phản ánh,
// kiến nghị — PAKN), complaints (khiếu nại) and denunciations (tố cáo):
// submitting them with a ticket, routing them to the officials of their
// category, the officials' actions (take, answer, ask for more, refuse,
// forward), the citizen's rating of the answer, the working-day clocks and
// the feedback-sla job, and forgetting a citizen. The state machine is in
// domain/feedback.go, the access rule (who sees, lists and acts on what) in
// domain/feedback_access.go. It speaks in domain.Notice values with
// idempotency keys; the bot renders them and queues them in the outbox.
package feedback

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"xabot/internal/domain"
)

// Repo is the storage of messages; *store.DB satisfies it.
type Repo interface {
	// CreateFeedback stores f and numbers its ticket in the local month
	// of f.CreatedAt (loc), concurrency-safe; it returns f with ID and Ticket.
	CreateFeedback(ctx context.Context, f domain.Feedback, loc *time.Location) (domain.Feedback, error)
	// FeedbackByTicket finds a message; unknown wraps domain.ErrNotFound.
	FeedbackByTicket(ctx context.Context, ticket string) (domain.Feedback, error)
	// FeedbackOf lists a citizen's messages, newest first.
	FeedbackOf(ctx context.Context, citizen string) ([]domain.Feedback, error)
	// OpenFeedback lists the messages neither refused nor closed, oldest first.
	OpenFeedback(ctx context.Context) ([]domain.Feedback, error)
	// FeedbackForOwner lists the open messages an official handles.
	FeedbackForOwner(ctx context.Context, owner string) ([]domain.Feedback, error)
	// UpdateFeedback writes after and records ev if the row still has
	// before's status and owner, else wraps domain.ErrConflict; it returns
	// the event's id.
	UpdateFeedback(ctx context.Context, before, after domain.Feedback, ev domain.FeedbackEvent) (int64, error)
	// CountFeedbackSince counts a citizen's messages created at or after since.
	CountFeedbackSince(ctx context.Context, citizen string, since time.Time) (int, error)
	// AnonymizeFeedback erases a citizen's chat key from their messages.
	AnonymizeFeedback(ctx context.Context, citizen string) (int, error)
	// DossierByCode finds the dossier a message cites; unknown wraps
	// domain.ErrNotFound.
	DossierByCode(ctx context.Context, code string) (domain.Dossier, error)
}

// Staff finds officials; the officials service satisfies it.
type Staff interface {
	List(ctx context.Context) ([]domain.Official, error)
}

// Notifier delivers a notice (renders and queues it); false means its key
// was delivered before.
type Notifier interface {
	Notify(ctx context.Context, n domain.Notice) (bool, error)
}

// JobSLA is the name of the clocks job, as `xabot jobs run NAME` takes it.
const JobSLA = "feedback-sla"

// The throttle: a citizen's (MaxPerWindow+1)th message within Window is
// refused, and not stored.
const (
	MaxPerWindow = 10
	Window       = time.Minute
)

// ThrottledError refuses a message sent too soon after MaxPerWindow others.
// Its Key tells the citizen that this message was not saved and to send it
// again after a minute. It is a domain.ErrRateLimited.
type ThrottledError struct {
	Key   string // "feedback.throttled"
	Until time.Time
}

func (e *ThrottledError) Error() string {
	return "feedback: too many messages, not saved; again after " + e.Until.Format(time.RFC3339)
}

// Unwrap makes errors.Is(err, domain.ErrRateLimited) hold.
func (e *ThrottledError) Unwrap() error { return domain.ErrRateLimited }

// Service handles feedback, complaints and denunciations.
type Service struct {
	repo   Repo
	staff  Staff
	notify Notifier
	cal    *domain.Calendar
	loc    *time.Location
	sla    domain.FeedbackSLA
	// routing is the commune profile's table: who first receives each
	// category.
	routing domain.FeedbackRouting
	now     func() time.Time
	log     *slog.Logger
}

// New returns a Service. sla is the commune profile's clocks and routing
// its routing table (commune.Profile.Routing; nil routes every category to
// the heads of the one-stop shop); now is the clock of submissions and
// actions.
func New(repo Repo, staff Staff, notifier Notifier, cal *domain.Calendar, loc *time.Location, sla domain.FeedbackSLA,
	routing domain.FeedbackRouting, now func() time.Time, log *slog.Logger) *Service {
	return &Service{repo: repo, staff: staff, notify: notifier, cal: cal, loc: loc, sla: sla, routing: routing, now: now,
		log: log.With("comp", "feedback")}
}

// Ack is what the citizen is told on submitting: the ticket and the date
// by which the commune answers (feedback) or tells whether the case is
// accepted (complaints, denunciations: the legal clock).
type Ack struct {
	Ticket string
	Kind   domain.FeedbackKind
	Due    time.Time // a date (midnight UTC)
}

// Line is the acknowledgement in locale keys: feedback.ack.<kind> with
// {ticket} and {due}.
func (a Ack) Line() domain.Line {
	return domain.L("feedback.ack."+string(a.Kind), "ticket", a.Ticket, "due", day(a.Due))
}

// Submit records a citizen's message and tells the officials its category
// is routed to (complaints, denunciations and staff attitude: the heads of
// the one-stop shop and the chairmen, but never the handler of a dossier
// the text cites, who is recorded with the message). Bad input
// is a *domain.InvalidError (domain.ValidateFeedback lists the keys); the
// (MaxPerWindow+1)th message within Window is a *ThrottledError and is not
// stored. Photos keep only their file ids.
func (s *Service) Submit(ctx context.Context, citizen string, kind domain.FeedbackKind, cat domain.Category, text string,
	anonymous bool, photos []domain.Photo, location domain.Location) (Ack, error) {
	return s.SubmitFrom(ctx, citizen, kind, cat, text, anonymous, domain.Sender{}, photos, location)
}

// SubmitFrom is Submit with the name and phone the citizen gave to be
// contacted (domain.CheckSender): they go to the officials with the
// message, and nowhere else (not in logs). An anonymous message keeps none.
func (s *Service) SubmitFrom(ctx context.Context, citizen string, kind domain.FeedbackKind, cat domain.Category, text string,
	anonymous bool, sender domain.Sender, photos []domain.Photo, location domain.Location) (Ack, error) {
	if citizen == "" {
		return Ack{}, errors.New("feedback: submit without a citizen")
	}
	if err := domain.ValidateFeedback(kind, cat, text, anonymous, photos, location); err != nil {
		return Ack{}, err
	}
	sender, err := domain.CheckSender(sender, anonymous)
	if err != nil {
		return Ack{}, err
	}
	now := s.now()
	n, err := s.repo.CountFeedbackSince(ctx, citizen, now.Add(-Window))
	if err != nil {
		return Ack{}, fmt.Errorf("feedback: submit: %w", err)
	}
	if n >= MaxPerWindow {
		s.log.Warn("feedback throttled", "user", domain.MaskChatKey(citizen), "count", n)
		return Ack{}, &ThrottledError{Key: "feedback.throttled", Until: now.Add(Window)}
	}
	f := domain.Feedback{Kind: kind, Category: cat, Text: strings.TrimSpace(text), Anonymous: anonymous,
		Citizen: citizen, Location: location, Status: domain.FeedbackNew, CreatedAt: now, Sender: sender}
	for _, p := range photos {
		f.Photos = append(f.Photos, p.FileID)
	}
	if err := s.cite(ctx, &f); err != nil {
		return Ack{}, err
	}
	f.SetClocks(domain.Clocks(kind, now, s.cal, s.loc, s.sla))
	f, err = s.repo.CreateFeedback(ctx, f, s.loc)
	if err != nil {
		return Ack{}, fmt.Errorf("feedback: submit: %w", err)
	}
	s.log.Info("feedback submitted", "ticket", f.Ticket, "kind", kind, "category", cat)
	ack := Ack{Ticket: f.Ticket, Kind: f.Kind, Due: f.DueAnswer}
	staff, err := s.active(ctx)
	if err != nil {
		s.undelivered(f, "new", err)
		return ack, nil
	}
	to := s.recipients(f, staff)
	if len(to) == 0 {
		s.log.Error("feedback without a recipient: no active official may receive it", "ticket", f.Ticket)
	}
	var first domain.Line
	switch f.Kind {
	case domain.KindFeedback:
		first = domain.L("feedback.new", "ticket", f.Ticket, "refuse", day(f.DueRefuse), "answer", day(f.DueAnswer))
	default:
		first = domain.L("feedback.new_"+string(f.Kind), "ticket", f.Ticket, "due", day(f.DueAnswer))
	}
	for _, o := range to {
		n := domain.Notice{Key: key(f.Ticket, "new", o.ChatKey), To: o.ChatKey, Priority: domain.PriorityAlert,
			Lines: append([]domain.Line{first}, s.card(f)...), Buttons: actButtons(f), Photos: f.Photos}
		if _, err := s.notify.Notify(ctx, n); err != nil {
			s.undelivered(f, "new", err)
		}
	}
	return ack, nil
}

// cite records the dossier f's text cites, if any, and its handler's name
// as it is now: a sensitive message never reaches that handler. A code of
// no known dossier is kept without a handler; a failing lookup fails the
// submission (the citizen sends it again) rather than risk sending a
// denunciation to the one it accuses.
func (s *Service) cite(ctx context.Context, f *domain.Feedback) error {
	code, ok := domain.FindCode(f.Text)
	if !ok {
		return nil
	}
	f.DossierCode = code
	d, err := s.repo.DossierByCode(ctx, code)
	switch {
	case errors.Is(err, domain.ErrNotFound):
	case err != nil:
		return fmt.Errorf("feedback: submit: dossier cited: %w", err)
	default:
		f.DossierHandler = d.Handler
	}
	return nil
}

// undelivered logs a notice that could not be queued. The message is
// stored: officials still find it in /phananh and the feedback-sla job
// warns them before its clocks run out; a citizen sees the answer in the
// ticket's status.
func (s *Service) undelivered(f domain.Feedback, what string, err error) {
	s.log.Error("feedback notice not queued", "ticket", f.Ticket, "notice", what, "err", err)
}

// Status returns the citizen's own message with ticket (typed loosely).
// A malformed ticket is feedback.bad_ticket; someone else's, an unknown or
// an anonymised one is feedback.not_yours — the same answer, so tickets
// cannot be probed.
func (s *Service) Status(ctx context.Context, citizen, ticket string) (domain.Feedback, error) {
	return s.own(ctx, citizen, ticket)
}

// Mine lists the citizen's messages, newest first.
func (s *Service) Mine(ctx context.Context, citizen string) ([]domain.Feedback, error) {
	fs, err := s.repo.FeedbackOf(ctx, citizen)
	if err != nil {
		return nil, fmt.Errorf("feedback: mine: %w", err)
	}
	return fs, nil
}

func (s *Service) own(ctx context.Context, citizen, ticket string) (domain.Feedback, error) {
	t, ok := domain.ParseTicket(ticket)
	if !ok {
		return domain.Feedback{}, domain.Invalid("feedback.bad_ticket")
	}
	f, err := s.repo.FeedbackByTicket(ctx, t)
	if errors.Is(err, domain.ErrNotFound) || (err == nil && (citizen == "" || f.Citizen != citizen)) {
		return domain.Feedback{}, domain.Invalid("feedback.not_yours", "ticket", t)
	}
	if err != nil {
		return domain.Feedback{}, fmt.Errorf("feedback: %s: %w", t, err)
	}
	return f, nil
}

// Supplement adds the citizen's reply to a request for more: the message
// returns to its owner (or, untaken, to its category's officials), who is
// told. Refusals: feedback.bad_ticket, feedback.not_yours,
// feedback.not_now.<status>, feedback.reply_empty, feedback.reply_too_long.
func (s *Service) Supplement(ctx context.Context, citizen, ticket, text string) (domain.Feedback, error) {
	before, err := s.own(ctx, citizen, ticket)
	if err != nil {
		return domain.Feedback{}, err
	}
	f := before
	if err := transition(f.Supplement(text), f); err != nil {
		return domain.Feedback{}, err
	}
	ev, err := s.save(ctx, before, f, domain.ActorCitizen, domain.ActSupplement, "")
	if err != nil {
		return domain.Feedback{}, err
	}
	staff, err := s.active(ctx)
	if err != nil {
		s.undelivered(f, "supplement", err)
		return f, nil
	}
	lines := append([]domain.Line{domain.L("feedback.supplemented", "ticket", f.Ticket)}, s.card(f)...)
	s.tell(ctx, f, ev, s.handlers(f, staff), domain.PriorityAlert, lines, actButtons(f))
	return f, nil
}

// Rate records the citizen's rating of the answer. Helpful closes the
// message and tells its owner; not helpful reopens it for the head of the
// one-stop shop (else the chairman) with a fresh answer clock, and tells
// them. Refusals: feedback.bad_ticket, feedback.not_yours,
// feedback.not_now.<status> (rated already, or not answered),
// feedback.no_rating (complaints, denunciations).
func (s *Service) Rate(ctx context.Context, citizen, ticket string, helpful bool) (domain.Feedback, error) {
	before, err := s.own(ctx, citizen, ticket)
	if err != nil {
		return domain.Feedback{}, err
	}
	staff, err := s.active(ctx)
	if err != nil {
		return domain.Feedback{}, err
	}
	head := ""
	if hs := s.supervisors(before, staff); len(hs) > 0 {
		head = hs[0].ChatKey
	}
	now := s.now()
	f := before
	if err := transition(f.MarkHelpful(helpful, head, now), f); err != nil {
		return domain.Feedback{}, err
	}
	detail := "helpful=no"
	if helpful {
		detail = "helpful=yes"
	} else {
		f.DueAnswer = domain.Clocks(f.Kind, now, s.cal, s.loc, s.sla).Answer
	}
	ev, err := s.save(ctx, before, f, domain.ActorCitizen, domain.ActRate, detail)
	if err != nil {
		return domain.Feedback{}, err
	}
	if helpful {
		if o, ok := find(staff, before.Owner); ok && s.may(o, f, staff, domain.ActSee) {
			s.tell(ctx, f, ev, []domain.Official{o}, domain.PriorityBulk,
				[]domain.Line{domain.L("feedback.rated_helpful", "ticket", f.Ticket)}, nil)
		}
		return f, nil
	}
	if head == "" {
		s.log.Error("feedback reopened without a head or chairman", "ticket", f.Ticket)
		return f, nil
	}
	o, _ := find(staff, head)
	lines := []domain.Line{domain.L("feedback.reopened", "ticket", f.Ticket, "due", day(f.DueAnswer))}
	lines = append(lines, s.card(f)...)
	lines = append(lines, domain.L("feedback.card.answer", "text", f.AnswerText))
	s.tell(ctx, f, ev, []domain.Official{o}, domain.PriorityAlert, lines, actButtons(f))
	return f, nil
}

// Forget erases the citizen's identity from their messages (/xoadulieu)
// and says how many: the texts stay, as the commune must keep them.
func (s *Service) Forget(ctx context.Context, citizen string) (int, error) {
	n, err := s.repo.AnonymizeFeedback(ctx, citizen)
	if err != nil {
		return 0, fmt.Errorf("feedback: forget: %w", err)
	}
	return n, nil
}

// transition turns a refused move of f into the message for the person:
// feedback.not_now.<status> with {ticket}; other errors pass.
func transition(err error, f domain.Feedback) error {
	var te *domain.TransitionError
	if errors.As(err, &te) {
		return domain.Invalid("feedback.not_now."+string(te.From), "ticket", f.Ticket)
	}
	return err
}

// save writes a transition; a concurrent change wraps domain.ErrConflict.
func (s *Service) save(ctx context.Context, before, after domain.Feedback, actor, action, detail string) (int64, error) {
	id, err := s.repo.UpdateFeedback(ctx, before, after,
		domain.FeedbackEvent{At: s.now(), Actor: actor, Action: action, Detail: detail})
	if err != nil {
		return 0, fmt.Errorf("feedback: %s %s: %w", action, before.Ticket, err)
	}
	s.log.Info("feedback "+action, "ticket", after.Ticket, "from", before.Status, "to", after.Status)
	return id, nil
}

// tell sends the lines to each official, keyed by the event.
func (s *Service) tell(ctx context.Context, f domain.Feedback, ev int64, to []domain.Official, prio int, lines []domain.Line, buttons []domain.NoticeButton) {
	for _, o := range to {
		s.send(ctx, f, domain.Notice{Key: key(f.Ticket, "ev"+strconv.FormatInt(ev, 10), o.ChatKey), To: o.ChatKey,
			Priority: prio, Lines: lines, Buttons: buttons})
	}
}

// send queues n, logging a failure (see undelivered).
func (s *Service) send(ctx context.Context, f domain.Feedback, n domain.Notice) {
	if n.To == "" {
		return
	}
	if _, err := s.notify.Notify(ctx, n); err != nil {
		s.undelivered(f, n.Key, err)
	}
}

// key is a notice's idempotency key: ticket, what, recipient.
func key(ticket, what, to string) string {
	return strings.Join([]string{"feedback", ticket, what, to}, "|")
}

// day formats a due date (midnight UTC) as the commune writes dates.
func day(d time.Time) string {
	if d.IsZero() {
		return "—"
	}
	return d.UTC().Format("02/01/2006")
}

// card describes a message to an official. The sender is never named: an
// anonymous message says so, the others are answered through the bot.
func (s *Service) card(f domain.Feedback) []domain.Line {
	lines := []domain.Line{
		{Key: "feedback.kind." + string(f.Kind)},
		{Key: "feedback.cat." + string(f.Category)},
		domain.L("feedback.card.sent", "date", f.CreatedAt.In(s.loc).Format("15:04 02/01/2006")),
		domain.L("feedback.card.text", "text", f.Text),
	}
	if f.SupplementText != "" {
		lines = append(lines, domain.L("feedback.card.supplement", "text", f.SupplementText))
	}
	if len(f.Photos) > 0 {
		lines = append(lines, domain.L("feedback.card.photos", "count", strconv.Itoa(len(f.Photos))))
	}
	if f.Location.Has {
		lines = append(lines, domain.L("feedback.card.location",
			"lat", strconv.FormatFloat(f.Location.Lat, 'f', 6, 64), "lon", strconv.FormatFloat(f.Location.Lon, 'f', 6, 64)))
	}
	if f.Anonymous {
		lines = append(lines, domain.Line{Key: "feedback.card.anonymous"})
	} else if !f.Sender.Empty() {
		lines = append(lines, domain.L("feedback.card.sender", "name", f.Sender.Name, "phone", f.Sender.Phone))
	}
	return lines
}
