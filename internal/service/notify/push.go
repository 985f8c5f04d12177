package notify

import (
	"context"
	"fmt"
	"strconv"

	"xabot/internal/domain"
)

// pushCursor is the position of the push reader in dossier_events.
const pushCursor = "push"

// pushed are the statuses a citizen is told about when a dossier reaches
// them: each needs the citizen to act or to know.
var pushed = map[domain.Status]bool{
	domain.StatusNotAccepted: true, domain.StatusSupplementRequested: true, domain.StatusPaymentRequired: true,
	domain.StatusStopped: true, domain.StatusDone: true, domain.StatusReturned: true,
}

// PushChanges reads the dossier events written since the last call
// (imports, the sync API, extensions) and queues a push for every
// subscriber of a dossier whose status changed to one citizens must hear
// about, whose appointment was extended (the apology of Mẫu 04), or whose
// extended appointment the one-door system moved.
// Idempotent per (event, subscriber): the cursor moves only after queueing.
func (s *Service) PushChanges(ctx context.Context) (int, error) {
	after, err := s.repo.Cursor(ctx, pushCursor)
	if err != nil {
		return 0, err
	}
	sent := 0
	for {
		evs, err := s.repo.EventsAfter(ctx, after, 500)
		if err != nil {
			return sent, err
		}
		if len(evs) == 0 {
			return sent, nil
		}
		for _, e := range evs {
			if err := s.push(ctx, e, &sent); err != nil {
				return sent, err
			}
			after = e.ID
		}
		if err := s.repo.SetCursor(ctx, pushCursor, after); err != nil {
			return sent, err
		}
	}
}

func (s *Service) push(ctx context.Context, e domain.Event, sent *int) error {
	var lines []domain.Line
	switch {
	case e.Kind == "status" && pushed[e.To]:
	case e.Kind == domain.EventExtended, e.Kind == domain.EventExtensionMoved:
	default:
		return nil
	}
	d, err := s.repo.DossierByID(ctx, e.DossierID)
	if err != nil {
		return fmt.Errorf("notify: push event %d: %w", e.ID, err)
	}
	switch e.Kind {
	case domain.EventExtensionMoved:
		lines = []domain.Line{domain.L("push.extension_moved", "code", d.Code, "procedure", d.ProcedureName,
			"new", s.date(d.Due()))}
	case domain.EventExtended:
		// The extension event's id numbers the letter: one per dossier.
		lines = domain.ApologyLetter(d, strconv.FormatInt(e.ID, 10), e.At, d.ExtendedDueAt, d.ExtensionReason, s.loc)
	default:
		st := strconv.Itoa(int(e.To))
		lines = []domain.Line{domain.L("push.status", "code", d.Code, "procedure", d.ProcedureName), {Key: "status." + st + ".explain"}}
		if e.Note != "" {
			lines = append(lines, domain.L("lookup.card.note", "note", e.Note))
		}
		if e.To == domain.StatusDone && s.office != "" {
			lines = append(lines, domain.L("push.collect", "office", s.office))
		}
		lines = append(lines, domain.Line{Key: "status." + st + ".next"})
	}
	subs, err := s.repo.Subscribers(ctx, d)
	if err != nil {
		return err
	}
	for _, to := range subs {
		n := domain.Notice{
			Key: "push|" + strconv.FormatInt(e.ID, 10) + "|" + to, To: to, Priority: domain.PriorityAlert, Lines: lines,
			Buttons: []domain.NoticeButton{{Key: "push.unsubscribe", Data: "unsub/confirm/" + domain.CanonicalCode(d.Code)}},
			// However long the one-door system's note, at most two messages,
			// even to an official who follows a dossier as a citizen.
			Bounded: true,
		}
		if err := s.deliver(ctx, n, sent); err != nil {
			return err
		}
		// A result is there: ask how it went (Decree 118 Art. 31).
		if s.offer != nil && e.Kind == "status" && (e.To == domain.StatusDone || e.To == domain.StatusReturned) {
			if _, err := s.offer(ctx, d, to); err != nil {
				return fmt.Errorf("notify: offer rating %s: %w", d.Code, err)
			}
		}
	}
	return nil
}

// Followers lists the chats that hear about d's changes.
func (s *Service) Followers(ctx context.Context, d domain.Dossier) ([]string, error) {
	return s.repo.Subscribers(ctx, d)
}
