// Package announce is the commune's announcements by village (thôn):
// citizens choose, with consent, which villages' announcements they
// receive; the chairman, an admin or an official given the right sends
// one (to villages or the whole commune, now or at a time, urgent or not);
// every recipient gets one outbox row under the key announcement ×
// recipient, at the outbox's rate; the author gets the figures when none
// waits. A routine announcement is limited per village and day; every
// announcement is kept with its author, and a cancel marks it.
//
// Several replicas share the database: Tick may run in each. Queueing is
// idempotent (the outbox keys), the move to "sending" and to "done" are
// conditional updates that one process wins, and the author's report has
// its own key, so each happens once.
package announce

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"xabot/internal/domain"
	"xabot/internal/fold"
)

// Repo is the storage of subscriptions and announcements; *store.DB
// satisfies it.
type Repo interface {
	SubscribeVillage(ctx context.Context, chat, village string, at time.Time) error
	UnsubscribeVillage(ctx context.Context, chat, village string) error
	StopAnnouncements(ctx context.Context, chat string) (int, error)
	AnnounceSubs(ctx context.Context, chat string) ([]string, error)
	OfferAnnounce(ctx context.Context, chat string, at time.Time) (bool, error)
	AnnounceRecipients(ctx context.Context, whole bool, villages []string, after string, limit int) ([]string, error)
	AnnouncementLimit(ctx context.Context, check []string, limit int, from, to time.Time) error
	CreateAnnouncement(ctx context.Context, a domain.Announcement, check []string, limit int, from, to time.Time) (int64, error)
	Announcement(ctx context.Context, id int64) (domain.Announcement, error)
	RecentAnnouncements(ctx context.Context, limit int) ([]domain.Announcement, error)
	OpenAnnouncements(ctx context.Context, now time.Time) ([]domain.Announcement, error)
	AnnouncementProgress(ctx context.Context, id int64, from, to string, added int, all bool, at time.Time) (bool, error)
	AnnouncementFigures(ctx context.Context, id int64) (domain.AnnouncementFigures, error)
	FinishAnnouncement(ctx context.Context, id int64, at time.Time) (domain.Announcement, bool, error)
	CancelAnnouncement(ctx context.Context, id int64, by string, at time.Time) (domain.Announcement, error)
	CancelAnnouncementRows(ctx context.Context, id int64) (int, error)
	OfficialMayAnnounce(ctx context.Context, chat string) (bool, error)
	PhotoRepo
}

// Sender renders and queues a notice (the bot's notifier); false when its
// key was queued before, or its recipient blocked the bot.
type Sender interface {
	Notify(ctx context.Context, n domain.Notice) (bool, error)
}

// DefaultDaily is how many routine announcements a village may get a day
// (XABOT_ANNOUNCE_DAILY).
const DefaultDaily = 3

// DefaultWindow is how many rows of one announcement may wait in the
// outbox at once (Config.Window).
const DefaultWindow = 256

// MaxAhead is how far ahead an announcement may be scheduled.
const MaxAhead = 30 * 24 * time.Hour

// Config holds the service's settings.
type Config struct {
	Villages []string // the commune profile's villages, in its order
	Daily    int      // routine announcements a village may get a day; 0 = DefaultDaily
	// Window is how many rows of one announcement may wait in the outbox
	// at once; each tick tops it up (0 = DefaultWindow). A few ticks' worth
	// of sending: the outbox's claim reads every waiting chat, so 10,000
	// rows queued at once slow every send.
	Window int
	Loc    *time.Location
	Now    func() time.Time
	Log    *slog.Logger
	Photo  Photo // how a photo reaches the other channels
}

// Service subscribes citizens and sends announcements.
type Service struct {
	repo Repo
	send Sender
	cfg  Config
	log  *slog.Logger
	wake chan struct{}
}

// New returns a Service.
func New(repo Repo, send Sender, cfg Config) *Service {
	if cfg.Daily <= 0 {
		cfg.Daily = DefaultDaily
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Window <= 0 {
		cfg.Window = DefaultWindow
	}
	return &Service{repo: repo, send: send, cfg: cfg, log: cfg.Log.With("comp", "announce"), wake: make(chan struct{}, 1)}
}

// Villages are the commune's villages, in the profile's order.
func (s *Service) Villages() []string { return s.cfg.Villages }

// Daily is the routine announcements a village may get a day.
func (s *Service) Daily() int { return s.cfg.Daily }

// Village finds the profile's village named like name (folded): a
// dossier's village typed «an hoa» is An Hòa.
func (s *Service) Village(name string) (string, bool) {
	f := fold.String(strings.TrimSpace(name))
	f = strings.TrimSpace(strings.TrimPrefix(f, "thon "))
	for _, v := range s.cfg.Villages {
		if fold.String(v) == f {
			return v, true
		}
	}
	return "", false
}

// Subscriptions are the villages chat receives ("*" for all).
func (s *Service) Subscriptions(ctx context.Context, chat string) ([]string, error) {
	return s.repo.AnnounceSubs(ctx, chat)
}

// Toggle subscribes chat to village ("*" for the whole commune) or, when
// it was, unsubscribes it; on says which.
func (s *Service) Toggle(ctx context.Context, chat, village string) (on bool, err error) {
	if village != domain.WholeCommune {
		if _, ok := s.Village(village); !ok {
			return false, domain.Invalid("announce.bad_village", "village", domain.Echo(village))
		}
	}
	subs, err := s.repo.AnnounceSubs(ctx, chat)
	if err != nil {
		return false, err
	}
	for _, v := range subs {
		if v == village {
			return false, s.repo.UnsubscribeVillage(ctx, chat, village)
		}
	}
	return true, s.repo.SubscribeVillage(ctx, chat, village, s.cfg.Now())
}

// Stop ends every subscription of chat; it returns how many there were.
func (s *Service) Stop(ctx context.Context, chat string) (int, error) {
	return s.repo.StopAnnouncements(ctx, chat)
}

// Offer says whether to offer chat the announcements of village (a
// lookup card showed it): once per chat, never to one that receives them
// already, never for a village not in the profile. Offering records it.
func (s *Service) Offer(ctx context.Context, chat, village string) (string, bool, error) {
	v, ok := s.Village(village)
	if !ok {
		return "", false, nil
	}
	subs, err := s.repo.AnnounceSubs(ctx, chat)
	if err != nil {
		return "", false, err
	}
	for _, sub := range subs {
		if sub == v || sub == domain.WholeCommune {
			return "", false, nil
		}
	}
	fresh, err := s.repo.OfferAnnounce(ctx, chat, s.cfg.Now())
	return v, fresh, err
}

// MayAnnounce says whether the staff member of chat, of role, may send
// announcements: the chairman and the admin, or an official given the
// right.
func (s *Service) MayAnnounce(ctx context.Context, chat string, role domain.Role) (bool, error) {
	switch role {
	case domain.RoleChairman, domain.RoleAdmin:
		return true, nil
	case domain.RoleOfficial:
		return s.repo.OfficialMayAnnounce(ctx, chat)
	}
	return false, nil
}

// CheckText refuses an empty text or one over MaxAnnouncementText
// characters, saying how long it is.
func CheckText(text string) error {
	n := utf8.RuneCountInString(strings.TrimSpace(text))
	switch {
	case n == 0:
		return domain.Invalid("announce.text_empty")
	case n > domain.MaxAnnouncementText:
		return domain.Invalid("announce.text_too_long", "length", strconv.Itoa(n), "max", strconv.Itoa(domain.MaxAnnouncementText))
	}
	return nil
}

// window is the commune's day of at: from its midnight to the next.
func (s *Service) window(at time.Time) (time.Time, time.Time) {
	l := at.In(s.cfg.Loc)
	from := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, s.cfg.Loc)
	return from, from.AddDate(0, 0, 1)
}

// check is what a draft is checked against: its time (not past, at most
// MaxAhead ahead), its villages, its text; and the villages the daily
// limit is counted for.
func (s *Service) check(a domain.Announcement) ([]string, error) {
	now := s.cfg.Now()
	if err := CheckText(a.Text); err != nil {
		return nil, err
	}
	if a.SendAt.Before(now.Add(-time.Minute)) {
		return nil, domain.Invalid("announce.time_past")
	}
	if a.SendAt.After(now.Add(MaxAhead)) {
		return nil, domain.Invalid("announce.time_far", "days", strconv.Itoa(int(MaxAhead/(24*time.Hour))))
	}
	if a.Whole {
		return s.cfg.Villages, nil
	}
	if len(a.Villages) == 0 {
		return nil, domain.Invalid("announce.no_village")
	}
	for _, v := range a.Villages {
		if _, ok := s.Village(v); !ok {
			return nil, domain.Invalid("announce.bad_village", "village", domain.Echo(v))
		}
	}
	return a.Villages, nil
}

// Check says whether draft a could be sent as it is: a bad draft is a
// *domain.InvalidError, a routine one over the limit a
// *domain.DailyLimitError. Create checks again.
func (s *Service) Check(ctx context.Context, a domain.Announcement) error {
	if a.SendAt.IsZero() {
		a.SendAt = s.cfg.Now()
	}
	villages, err := s.check(a)
	if err != nil || a.Urgent {
		return err
	}
	from, to := s.window(a.SendAt)
	return s.repo.AnnouncementLimit(ctx, villages, s.cfg.Daily, from, to)
}

// Create stores announcement a (author, villages or whole, text, photo,
// urgency, SendAt; SendAt zero = now) and wakes the sending loop.
func (s *Service) Create(ctx context.Context, a domain.Announcement) (domain.Announcement, error) {
	now := s.cfg.Now()
	if a.SendAt.IsZero() || a.SendAt.Before(now) {
		a.SendAt = now
	}
	a.Text = strings.TrimSpace(a.Text)
	villages, err := s.check(a)
	if err != nil {
		return a, err
	}
	a.CreatedAt, a.Status = now, domain.AnnScheduled
	from, to := s.window(a.SendAt)
	id, err := s.repo.CreateAnnouncement(ctx, a, villages, s.cfg.Daily, from, to)
	if err != nil {
		return a, err
	}
	a.ID = id
	s.log.Info("announcement created", "id", id, "urgent", a.Urgent, "whole", a.Whole, "villages", len(a.Villages), "send_at", a.SendAt)
	s.Kick()
	return a, nil
}

// Cancel cancels announcement id for by (chat key): allowed to its author,
// the chairman and the admin (role), while it is scheduled or sending.
func (s *Service) Cancel(ctx context.Context, id int64, by string, role domain.Role) (domain.Announcement, error) {
	a, err := s.repo.Announcement(ctx, id)
	if err != nil {
		return a, err
	}
	if a.Author != by && role != domain.RoleChairman && role != domain.RoleAdmin {
		return a, fmt.Errorf("announce: cancel %d: %w", id, domain.ErrForbidden)
	}
	if a.Status != domain.AnnScheduled && a.Status != domain.AnnSending {
		return a, domain.Invalid("announce.cancel_too_late", "id", strconv.FormatInt(id, 10))
	}
	a, err = s.repo.CancelAnnouncement(ctx, id, by, s.cfg.Now())
	if errors.Is(err, domain.ErrConflict) {
		return a, domain.Invalid("announce.cancel_too_late", "id", strconv.FormatInt(id, 10))
	}
	if err == nil {
		s.log.Info("announcement cancelled", "id", id, "cancelled", a.Figures.Cancelled, "sent", a.Figures.Sent)
	}
	return a, err
}

// Reach is how many chats announcement a would reach now.
func (s *Service) Reach(ctx context.Context, a domain.Announcement) (int, error) {
	to, err := s.repo.AnnounceRecipients(ctx, a.Whole, a.Villages, "", -1)
	return len(to), err
}

// Get returns announcement id with its figures (counted now while it is
// sending).
func (s *Service) Get(ctx context.Context, id int64) (domain.Announcement, error) {
	a, err := s.repo.Announcement(ctx, id)
	if err != nil {
		return a, err
	}
	return s.withFigures(ctx, a)
}

// Recent returns the last n announcements with their figures.
func (s *Service) Recent(ctx context.Context, n int) ([]domain.Announcement, error) {
	all, err := s.repo.RecentAnnouncements(ctx, n)
	if err != nil {
		return nil, err
	}
	for i, a := range all {
		if all[i], err = s.withFigures(ctx, a); err != nil {
			return nil, err
		}
	}
	return all, nil
}

// withFigures counts a sending announcement's rows; the others' figures
// were fixed when they ended (scheduled ones have none).
func (s *Service) withFigures(ctx context.Context, a domain.Announcement) (domain.Announcement, error) {
	if a.Status != domain.AnnSending {
		return a, nil
	}
	f, err := s.repo.AnnouncementFigures(ctx, a.ID)
	if err != nil {
		return a, err
	}
	f.Recipients = a.Figures.Recipients
	a.Figures = f
	return a, nil
}

// Kick wakes Run: an announcement to send now does not wait for the tick.
func (s *Service) Kick() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run ticks every interval, and at once when kicked, until ctx is done. A
// failed tick is logged and tried again at the next.
func (s *Service) Run(ctx context.Context, every time.Duration) error {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := s.Tick(ctx, s.cfg.Now()); err != nil && ctx.Err() == nil {
			s.log.Warn("announcements tick", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-s.wake:
		}
	}
}

// Tick queues the next recipients of the announcements due at at (a
// window's worth waiting at a time) and finishes those all of whose
// recipients were queued and none of whose rows waits (the author is
// told); it returns how many rows it queued.
func (s *Service) Tick(ctx context.Context, at time.Time) (int, error) {
	open, err := s.repo.OpenAnnouncements(ctx, at)
	if err != nil {
		return 0, err
	}
	queued := 0
	var errs []error
	for _, a := range open {
		n, err := s.feed(ctx, a)
		queued += n
		errs = append(errs, err, s.finish(ctx, a))
	}
	return queued, errors.Join(errs...)
}

// feed queues the recipients after a's cursor, as many as the window has
// room for, one row each, then records how far it went. Another process
// doing the same at once queues nothing twice (the keys) and one of them
// records it; a cancel meanwhile cancels what this queued after it.
func (s *Service) feed(ctx context.Context, a domain.Announcement) (int, error) {
	if a.ListedAll {
		return 0, nil
	}
	f, err := s.repo.AnnouncementFigures(ctx, a.ID)
	if err != nil {
		return 0, err
	}
	room := s.cfg.Window - f.Queued
	if room <= 0 {
		return 0, nil
	}
	to, err := s.repo.AnnounceRecipients(ctx, a.Whole, a.Villages, a.Cursor, room)
	if err != nil {
		return 0, err
	}
	token, err := s.keptPhoto(ctx, a)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, r := range to {
		fresh, err := s.send.Notify(ctx, s.notice(a, token, r))
		if err != nil {
			return n, fmt.Errorf("announce: queue %d: %w", a.ID, err)
		}
		if fresh {
			n++
		}
	}
	last := a.Cursor
	if len(to) > 0 {
		last = to[len(to)-1]
	}
	all := len(to) < room
	moved, err := s.repo.AnnouncementProgress(ctx, a.ID, a.Cursor, last, len(to), all, s.cfg.Now())
	if err != nil || moved {
		if moved && all {
			s.log.Info("announcement queued", "id", a.ID)
		}
		return n, err
	}
	now, err := s.repo.Announcement(ctx, a.ID)
	if err == nil && now.Status == domain.AnnCancelled {
		_, err = s.repo.CancelAnnouncementRows(ctx, a.ID)
	}
	return n, err
}

// Lines are announcement a as a citizen reads it: urgent or not, where
// from, the text, how to stop.
func Lines(a domain.Announcement) []domain.Line {
	var lines []domain.Line
	if a.Urgent {
		lines = append(lines, domain.L("announce.msg.urgent"))
	}
	if a.Whole {
		lines = append(lines, domain.L("announce.msg.head_whole"))
	} else {
		lines = append(lines, domain.L("announce.msg.head", "villages", strings.Join(a.Villages, ", ")))
	}
	return append(lines, domain.L("announce.msg.text", "text", a.Text), domain.L("announce.msg.footer"))
}

// notice is announcement a to recipient to: its lines, its photo (the
// file id on its own channel, the kept bytes' token, when there are some,
// on another: photoFor), and the stop button.
func (s *Service) notice(a domain.Announcement, token, to string) domain.Notice {
	n := domain.Notice{
		Key: AnnounceKey(a.ID, to), To: to, Priority: a.Priority(), Lines: Lines(a), Bounded: true,
		Buttons: []domain.NoticeButton{{Key: "announce.stop_button", Intent: domain.Intent{Kind: domain.IntentStopAnnouncements, Ref: domain.AllAnnouncements}}},
	}
	s.photoFor(&n, a, token, to)
	return n
}

// AnnounceKey is the outbox key of announcement id's message to recipient
// (the store counts an announcement's rows by it).
func AnnounceKey(id int64, recipient string) string {
	return "ann:" + strconv.FormatInt(id, 10) + ":" + recipient
}

// finish marks a done when none of its rows waits and tells its author
// the figures, once.
func (s *Service) finish(ctx context.Context, a domain.Announcement) error {
	done, ok, err := s.repo.FinishAnnouncement(ctx, a.ID, s.cfg.Now())
	if err != nil || !ok {
		return err
	}
	f := done.Figures
	s.log.Info("announcement done", "id", a.ID, "recipients", f.Recipients, "sent", f.Sent, "failed", f.Failed, "stopped", f.Stopped)
	_, err = s.send.Notify(ctx, domain.Notice{
		Key: "annrep:" + strconv.FormatInt(a.ID, 10), To: a.Author, Priority: domain.PriorityAlert,
		Lines: []domain.Line{domain.L("announce.report", "id", strconv.FormatInt(a.ID, 10),
			"recipients", strconv.Itoa(f.Recipients), "sent", strconv.Itoa(f.Sent),
			"failed", strconv.Itoa(f.Failed), "stopped", strconv.Itoa(f.Stopped))},
	})
	return err
}
