package reception

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"xabot/internal/domain"
)

// listText is how much of a registration's text the evening list shows:
// the chairman reads the topic there, the whole text at the session.
const listText = 200

// Remind tells each citizen registered for a session of the day after at
// (local) when and where it is: once, under the key of their ticket, so a
// second run, by hand or by another replica, queues nothing. It returns
// how many reminders it queued.
func (s *Service) Remind(ctx context.Context, at time.Time) (int, error) {
	tomorrow := domain.DateOf(at, s.loc).AddDate(0, 0, 1)
	n := 0
	for _, ses := range s.sched.On(tomorrow, s.cal) {
		regs, err := s.registrationsFor(ctx, ses)
		if err != nil {
			return n, err
		}
		for _, r := range regs {
			if r.Citizen == "" {
				continue // forgotten: no chat to remind
			}
			queued, err := s.notify.Notify(ctx, domain.Notice{Key: "reception|" + r.Ticket + "|remind", To: r.Citizen,
				Priority: domain.PriorityAlert, Bounded: true, Lines: []domain.Line{domain.L("reception.remind",
					"ticket", r.Ticket, "date", date(r.Day), "from", r.From, "to", r.To, "place", r.Place)}})
			if err != nil {
				return n, fmt.Errorf("reception: remind %s: %w", r.Ticket, err)
			}
			if queued {
				n++
			}
		}
	}
	return n, nil
}

// List sends the chairmen and the book-keepers the registrations for the
// sessions of the day after at (local): names in full (they receive the
// person), phones masked, the topic and the start of the text. A session
// without registrations is said too, so silence never means a lost list.
// Once per session and keeper, under its key.
func (s *Service) List(ctx context.Context, at time.Time) (int, error) {
	tomorrow := domain.DateOf(at, s.loc).AddDate(0, 0, 1)
	sessions := s.sched.On(tomorrow, s.cal)
	if len(sessions) == 0 {
		return 0, nil
	}
	keepers, err := s.Keepers(ctx)
	if err != nil {
		return 0, err
	}
	if len(keepers) == 0 {
		s.log.Error("reception list without a recipient: no active chairman or book-keeper")
		return 0, nil
	}
	n := 0
	for _, ses := range sessions {
		regs, err := s.registrationsFor(ctx, ses)
		if err != nil {
			return n, err
		}
		lines := []domain.Line{domain.L("reception.list.head", "date", date(ses.Day), "from", ses.From, "to", ses.To,
			"place", ses.Place, "count", fmt.Sprint(len(regs)))}
		for i, r := range regs {
			lines = append(lines, ItemLines(i+1, r)...)
		}
		if len(regs) == 0 {
			lines = append(lines, domain.L("reception.list.none"))
		}
		lines = append(lines, domain.L("reception.list.foot"))
		for _, o := range keepers {
			queued, err := s.notify.Notify(ctx, domain.Notice{Key: "reception|list|" + SessionKey(ses) + "|" + o.ChatKey,
				To: o.ChatKey, Priority: domain.PriorityAlert, Lines: lines})
			if err != nil {
				return n, fmt.Errorf("reception: list: %w", err)
			}
			if queued {
				n++
			}
		}
	}
	return n, nil
}

// ItemLines are a registration as a keeper sees it in a list: the name in
// full (the chairman receives the person), the phone masked, then the
// topic and the text's start.
func ItemLines(i int, r domain.Registration) []domain.Line {
	name, phone := r.Sender.Name, domain.MaskPhone(r.Sender.Phone)
	if name == "" {
		name = "—" // forgotten (/xoadulieu)
	}
	if phone == "" {
		phone = "—"
	}
	return []domain.Line{
		domain.L("reception.list.item", "n", fmt.Sprint(i), "ticket", r.Ticket, "name", name,
			"phone", phone),
		domain.L("reception.topic_line."+string(r.Topic), "text", clip(r.Text, listText)),
	}
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return strings.TrimSpace(string([]rune(s)[:n-1])) + "…"
}

// date writes a day as the commune writes dates.
func date(d time.Time) string { return d.UTC().Format("02/01/2006") }
