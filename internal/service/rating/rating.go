// Package rating is the citizen's satisfaction rating of a dossier (đánh giá
// mức độ hài lòng, Decree 118/2025 Art. 29–33): the offer pushed when a
// dossier's result is ready or returned, the check that only the dossier's
// own verified citizen rates it, the level (changeable), the optional
// criteria of Art. 33(1) and a comment, the alert to the head of the
// one-stop shop on the two lowest levels, and erasing the rater. Raters are
// anonymous to officials (Art. 29(3)): no notice carries who rated.
package rating

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"xabot/internal/domain"
)

// Repo is the storage of ratings and what they are checked against;
// *store.DB satisfies it.
type Repo interface {
	// DossierByCode finds a dossier by its code (compared canonically); an
	// unknown code wraps domain.ErrNotFound.
	DossierByCode(ctx context.Context, code string) (domain.Dossier, error)
	// Citizen returns the chat identity with key; unknown wraps
	// domain.ErrNotFound.
	Citizen(ctx context.Context, key string) (domain.Citizen, error)
	// UpsertRating inserts (true) or replaces the dossier's one rating.
	UpsertRating(ctx context.Context, r domain.Rating) (bool, error)
	// RatingOf returns the dossier's rating; none wraps domain.ErrNotFound.
	RatingOf(ctx context.Context, dossierID int64) (domain.Rating, error)
	// DossierByID finds a dossier by its id; unknown wraps domain.ErrNotFound.
	DossierByID(ctx context.Context, id int64) (domain.Dossier, error)
	// LowRatingsWithDetails lists the low ratings with answers or a
	// comment last changed in [from, to).
	LowRatingsWithDetails(ctx context.Context, from, to time.Time) ([]domain.Rating, error)
	// AnonymizeRater erases chatKey from its ratings and says how many.
	AnonymizeRater(ctx context.Context, chatKey string) (int, error)
	// Subscribers lists the chats that follow the dossier: those that
	// proved its phone number in a lookup, and verified phones.
	Subscribers(ctx context.Context, d domain.Dossier) ([]string, error)
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

// maxCode bounds a typed code: longer is no dossier's.
const maxCode = 64

// LevelKey is the locale key of a level's label ("rating.level.5").
func LevelKey(l domain.Level) string { return "rating.level." + strconv.Itoa(int(l)) }

// Question is the line that asks criterion c (answered yes or no).
func Question(c domain.Criterion) domain.Line {
	return domain.Line{Key: "rating.criterion." + string(c)}
}

// Outcome is what Rate did.
type Outcome int

// Rate's outcomes.
const (
	Created   Outcome = iota + 1 // the dossier's first rating
	Updated                      // a rating at another level replaced the one before
	Unchanged                    // the same level again: nothing changed
)

// Result is a rating as Rate left it.
type Result struct {
	Dossier domain.Dossier
	Rating  domain.Rating
	Outcome Outcome
}

// Answer is what to tell the citizen: thanks, "updated" or "unchanged",
// and the level.
func (r Result) Answer() []domain.Line {
	key := "rating.thanks"
	switch r.Outcome {
	case Updated:
		key = "rating.updated"
	case Unchanged:
		key = "rating.unchanged"
	}
	return []domain.Line{domain.L(key, "code", r.Dossier.Code), {Key: LevelKey(r.Rating.Level)}}
}

// Service rates dossiers.
type Service struct {
	repo   Repo
	staff  Staff
	notify Notifier
	now    func() time.Time
	log    *slog.Logger
}

// New returns a Service; now is the clock.
func New(repo Repo, staff Staff, notifier Notifier, now func() time.Time, log *slog.Logger) *Service {
	return &Service{repo: repo, staff: staff, notify: notifier, now: now, log: log.With("comp", "rating")}
}

// Offer sends chat to the buttons to rate d, once per (dossier, chat):
// only when d may be rated (status 9 or 10), to may rate it (see Check),
// and it has no rating yet; otherwise it sends nothing and returns false.
// A code too long for the buttons' data is skipped with a warning: the
// citizen can still rate it with /danhgia.
func (s *Service) Offer(ctx context.Context, d domain.Dossier, to string) (bool, error) {
	if !domain.Eligible(d) {
		return false, nil
	}
	c, err := s.rater(ctx, to)
	if invalid(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if !owns(c, d) {
		if ok, err := s.follows(ctx, d, to); err != nil || !ok {
			return false, err
		}
	}
	if _, err := s.repo.RatingOf(ctx, d.ID); err == nil {
		return false, nil
	} else if !errors.Is(err, domain.ErrNotFound) {
		return false, fmt.Errorf("rating: offer %d: %w", d.ID, err)
	}
	code := domain.CanonicalCode(d.Code)
	buttons := make([]domain.NoticeButton, 0, len(domain.Levels))
	for _, l := range domain.Levels {
		level := domain.Intent{Kind: domain.IntentRateLevel, Ref: code, Arg: strconv.Itoa(int(l))}
		if !level.Fits() {
			s.log.Warn("dossier code too long for rating buttons", "code", code)
			return false, nil
		}
		buttons = append(buttons, domain.NoticeButton{Key: LevelKey(l), Intent: level})
	}
	n := domain.Notice{
		Key: "rate-offer|" + code + "|" + to, To: to, Priority: domain.PriorityAlert,
		Lines: []domain.Line{
			domain.L("rating.offer", "code", d.Code, "procedure", d.ProcedureName),
			domain.L("rating.offer_private"),
		},
		Buttons: buttons,
	}
	fresh, err := s.notify.Notify(ctx, n)
	if err != nil {
		return false, fmt.Errorf("rating: offer %s: %w", code, err)
	}
	return fresh, nil
}

// Check returns the dossier with code if citizen may rate it. A chat
// without consent or a verified phone is rating.need_phone (said before the
// code is even looked up); a dossier whose phone is not the citizen's
// verified one, and an unknown code, are the same rating.not_yours, so
// nobody can probe dossiers; the citizen's own dossier before status 9 or
// 10 is rating.not_yet {code}. All are *domain.InvalidError.
func (s *Service) Check(ctx context.Context, citizen, code string) (domain.Dossier, error) {
	c, err := s.rater(ctx, citizen)
	if err != nil {
		return domain.Dossier{}, err
	}
	if strings.TrimSpace(code) == "" || len(code) > maxCode {
		return domain.Dossier{}, domain.Invalid("rating.not_yours")
	}
	// Not theirs, or unknown: one answer, which tells a citizen without a
	// verified phone how to verify it.
	notYours := domain.Invalid("rating.not_yours")
	if c.Phone == "" {
		notYours = domain.Invalid("rating.need_phone")
	}
	d, err := s.repo.DossierByCode(ctx, code)
	if errors.Is(err, domain.ErrNotFound) {
		return domain.Dossier{}, notYours
	}
	if err != nil {
		return domain.Dossier{}, fmt.Errorf("rating: check: %w", err)
	}
	if !owns(c, d) {
		if ok, err := s.follows(ctx, d, citizen); err != nil {
			return domain.Dossier{}, err
		} else if !ok {
			return domain.Dossier{}, notYours
		}
	}
	if !domain.Eligible(d) {
		return domain.Dossier{}, domain.Invalid("rating.not_yet", "code", d.Code)
	}
	return d, nil
}

// Rate records citizen's rating of the dossier with code at level, after
// Check. A rating at another level replaces the one before, criteria and
// comment included (Updated); the same level again changes nothing
// (Unchanged). A level out of 1–5 is rating.bad_level. At one of the two
// lowest levels the heads of the one-stop shop (else the chairman) are
// alerted with the dossier and the level, never the rater; once per
// (dossier, level, recipient), so repeating a rating does not repeat the
// alert, and calling again after a failed alert retries it (the rating is
// kept either way).
func (s *Service) Rate(ctx context.Context, citizen, code string, level domain.Level) (Result, error) {
	if !level.Valid() {
		return Result{}, domain.Invalid("rating.bad_level")
	}
	d, err := s.Check(ctx, citizen, code)
	if err != nil {
		return Result{}, err
	}
	prev, had, err := s.current(ctx, d)
	if err != nil {
		return Result{}, err
	}
	res := Result{Dossier: d, Rating: prev, Outcome: Unchanged}
	if !had || prev.Level != level {
		now := s.now()
		r := domain.Rating{DossierID: d.ID, Level: level, Rater: citizen, CreatedAt: now, UpdatedAt: now}
		if had {
			r.CreatedAt = prev.CreatedAt
		}
		created, err := s.repo.UpsertRating(ctx, r)
		if err != nil {
			return Result{}, fmt.Errorf("rating: rate %s: %w", d.Code, err)
		}
		res.Rating, res.Outcome = r, Updated
		if created {
			res.Outcome = Created
		}
		s.log.Info("dossier rated", "code", domain.CanonicalCode(d.Code), "level", int(level), "changed", had)
	}
	if domain.Low(level) {
		if err := s.alert(ctx, d, level); err != nil {
			return res, err
		}
	}
	return res, nil
}

// SetCriteria adds citizen's answers to the criteria of their rating of
// the dossier with code, keeping earlier answers to other criteria. After
// Check: no answer is rating.criteria_empty, an unknown criterion
// rating.bad_criterion, no rating yet rating.level_first {code}.
func (s *Service) SetCriteria(ctx context.Context, citizen, code string, answers map[domain.Criterion]bool) (domain.Rating, error) {
	d, err := s.Check(ctx, citizen, code)
	if err != nil {
		return domain.Rating{}, err
	}
	if err := domain.CheckCriteria(answers); err != nil {
		return domain.Rating{}, err
	}
	return s.amend(ctx, citizen, d, func(r *domain.Rating) {
		if r.Criteria == nil {
			r.Criteria = make(map[domain.Criterion]bool, len(answers))
		}
		maps.Copy(r.Criteria, answers)
	})
}

// Comment sets the comment of citizen's rating of the dossier with code,
// cleaned by domain.CleanComment. After Check: nothing left is
// rating.comment_empty, more than domain.MaxComment characters
// rating.comment_too_long {max}, no rating yet rating.level_first {code}.
func (s *Service) Comment(ctx context.Context, citizen, code, text string) (domain.Rating, error) {
	d, err := s.Check(ctx, citizen, code)
	if err != nil {
		return domain.Rating{}, err
	}
	clean, err := domain.CleanComment(text)
	if err != nil {
		return domain.Rating{}, err
	}
	return s.amend(ctx, citizen, d, func(r *domain.Rating) { r.Comment = clean })
}

// Forget erases citizen from every rating they gave (/xoadulieu); the
// anonymous ratings stay. It returns how many.
func (s *Service) Forget(ctx context.Context, citizen string) (int, error) {
	n, err := s.repo.AnonymizeRater(ctx, citizen)
	if err != nil {
		return 0, fmt.Errorf("rating: forget: %w", err)
	}
	return n, nil
}

// amend changes the existing rating of d with change and stores it.
func (s *Service) amend(ctx context.Context, citizen string, d domain.Dossier, change func(*domain.Rating)) (domain.Rating, error) {
	r, had, err := s.current(ctx, d)
	if err != nil {
		return domain.Rating{}, err
	}
	if !had {
		return domain.Rating{}, domain.Invalid("rating.level_first", "code", d.Code)
	}
	r.Criteria = maps.Clone(r.Criteria)
	change(&r)
	r.Rater, r.UpdatedAt = citizen, s.now()
	if _, err := s.repo.UpsertRating(ctx, r); err != nil {
		return domain.Rating{}, fmt.Errorf("rating: amend %s: %w", d.Code, err)
	}
	return r, nil
}

// current returns d's rating and whether it has one.
func (s *Service) current(ctx context.Context, d domain.Dossier) (domain.Rating, bool, error) {
	r, err := s.repo.RatingOf(ctx, d.ID)
	if errors.Is(err, domain.ErrNotFound) {
		return domain.Rating{}, false, nil
	}
	if err != nil {
		return domain.Rating{}, false, fmt.Errorf("rating: %s: %w", d.Code, err)
	}
	return r, true, nil
}

// rater returns the chat identity key if it may rate at all: consent given
// and a phone verified; else rating.need_phone.
func (s *Service) rater(ctx context.Context, key string) (domain.Citizen, error) {
	if key == "" {
		return domain.Citizen{}, domain.Invalid("rating.need_phone")
	}
	c, err := s.repo.Citizen(ctx, key)
	if errors.Is(err, domain.ErrNotFound) || (err == nil && !c.Consented()) {
		return domain.Citizen{}, domain.Invalid("rating.need_phone")
	}
	if err != nil {
		return domain.Citizen{}, fmt.Errorf("rating: citizen: %w", err)
	}
	return c, nil
}

// owns reports whether d is c's: its phone is c's verified phone.
func owns(c domain.Citizen, d domain.Dossier) bool { return d.Phone != "" && d.Phone == c.Phone }

func invalid(err error) bool {
	var inv *domain.InvalidError
	return errors.As(err, &inv)
}

func dash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}

// follows reports whether chat follows d: a citizen who proved the
// dossier's phone number in a lookup is its own citizen too.
func (s *Service) follows(ctx context.Context, d domain.Dossier, chat string) (bool, error) {
	subs, err := s.repo.Subscribers(ctx, d)
	if err != nil {
		return false, fmt.Errorf("rating: followers of %s: %w", d.Code, err)
	}
	return slices.Contains(subs, chat), nil
}
