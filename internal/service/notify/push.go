package notify

import (
	"context"
	"fmt"
	"strconv"

	"xabot/internal/domain"
)

// pushCursor is the position of the push reader in dossier_events.
const pushCursor = "push"

// resumed names what a move back to work says happened: the fee was
// paid (6 → 4), the papers asked for came (5 → 2 or 4). The citizen did
// it, and hears that it counted.
func resumed(from, to domain.Status) string {
	switch {
	case from == domain.StatusPaymentRequired && to == domain.StatusInProgress:
		return "push.paid"
	case from == domain.StatusSupplementRequested && (to == domain.StatusInProgress || to == domain.StatusAccepted):
		return "push.supplemented"
	}
	return ""
}

// PushChanges reads the dossier events written since the last call
// (imports, the sync API, extensions) and queues a push for every
// subscriber of a dossier whose status changed (every change: the card
// promises «Tôi sẽ nhắn Anh/Chị khi hồ sơ có thay đổi»), whose official
// wrote a new note in the same status (what to supplement, the fee), whose
// appointment was extended (the apology of Mẫu 04), or whose extended
// appointment the one-door system moved. A dossier's creation is not a
// change of it.
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
	switch {
	case e.Kind == "status", e.Kind == "note" && e.Note != "":
	case e.Kind == domain.EventExtended, e.Kind == domain.EventExtensionMoved:
	default:
		return nil
	}
	d, err := s.repo.DossierByID(ctx, e.DossierID)
	if err != nil {
		return fmt.Errorf("notify: push event %d: %w", e.ID, err)
	}
	lines := s.pushLines(e, d)
	subs, err := s.repo.Subscribers(ctx, d)
	if err != nil {
		return err
	}
	// A code too long for a button's data gets none: the push still goes.
	var buttons []domain.NoticeButton
	if stop := (domain.Intent{Kind: domain.IntentUnsubscribe, Ref: domain.CanonicalCode(d.Code)}); stop.Fits() {
		buttons = []domain.NoticeButton{{Key: "push.unsubscribe", Intent: stop}}
	}
	for _, to := range subs {
		n := domain.Notice{
			Key: "push|" + strconv.FormatInt(e.ID, 10) + "|" + to, To: to, Priority: domain.PriorityAlert, Lines: lines,
			Buttons: buttons,
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

// pushLines is what the push of event e on dossier d says.
func (s *Service) pushLines(e domain.Event, d domain.Dossier) []domain.Line {
	switch e.Kind {
	case domain.EventExtensionMoved:
		return []domain.Line{domain.L("push.extension_moved", "code", d.Code, "procedure", d.ProcedureName,
			"new", s.date(d.Due()))}
	case domain.EventExtended:
		// The extension event's id numbers the letter: one per dossier.
		return domain.ApologyLetter(d, strconv.FormatInt(e.ID, 10), e.At, d.ExtendedDueAt, d.ExtensionReason, s.loc)
	case "note":
		st := strconv.Itoa(int(e.To))
		return []domain.Line{domain.L("push.note", "code", d.Code, "procedure", d.ProcedureName),
			domain.L("lookup.card.note", "note", e.Note), {Key: "status." + st + ".next"}}
	}
	st := strconv.Itoa(int(e.To))
	lines := []domain.Line{domain.L("push.status", "code", d.Code, "procedure", d.ProcedureName)}
	if key := resumed(e.From, e.To); key != "" {
		lines = append(lines, domain.Line{Key: key})
	}
	lines = append(lines, domain.Line{Key: "status." + st + ".explain"})
	if e.Note != "" {
		lines = append(lines, domain.L("lookup.card.note", "note", e.Note))
	}
	if e.To == domain.StatusDone && s.office != "" {
		lines = append(lines, domain.L("push.collect", "office", s.office))
	}
	return append(lines, domain.Line{Key: "status." + st + ".next"})
}

// Followers lists the chats that hear about d's changes.
func (s *Service) Followers(ctx context.Context, d domain.Dossier) ([]string, error) {
	return s.repo.Subscribers(ctx, d)
}
