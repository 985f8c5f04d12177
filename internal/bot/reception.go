package bot

import (
	"context"
	"strings"
	"time"

	"xabot/internal/dialog"
	"xabot/internal/domain"
	"xabot/internal/i18n"
	"xabot/internal/service/reception"
)

// receptionActions bind /lichtiep (dialogs/reception.yaml): the schedule,
// the next sessions as buttons, and a citizen's registration for one —
// the consent notice first if not given, a topic, its text, the name and a
// phone to be received, a preview, the ticket. And the reception book
// (reception_book.go).
func (r *Router) receptionActions() Actions {
	return Actions{
		"reception.show":       r.receptionShow,
		"reception.pick":       r.receptionPick,
		"reception.topic":      r.receptionTopic,
		"reception.text":       r.receptionText,
		"reception.name":       r.receptionName,
		"reception.phone":      r.receptionPhone,
		"reception.preview":    r.receptionPreview,
		"reception.submit":     r.receptionSubmit,
		"reception.cancel":     r.receptionCancel,
		"reception.book":       r.bookEntry,
		"reception.book_day":   r.bookDay,
		"reception.book_visit": r.bookVisit,
		"reception.book_name":  r.bookName,
		"reception.book_check": r.bookCheck,
		"reception.record":     r.bookRecord,
	}
}

// receptionShow says the schedule as the profile writes it, the citizen's
// own registrations to come, and offers the next sessions. «/lichtiep huy
// TD-…» cancels one of them.
func (r *Router) receptionShow(ctx context.Context, c Call) (Result, error) {
	svc := r.cfg.Receptions
	text := dialog.Prompt{Key: "reception.text", Args: map[string]string{"reception": r.scheduleText(c.Lang), "office": r.cfg.Office}}
	if svc == nil || !svc.Open() {
		return Result{Branch: "none", Say: []dialog.Prompt{text}}, nil
	}
	if args := strings.TrimSpace(c.Slots["args"]); args != "" {
		return Result{Branch: "cancel", Slots: map[string]string{"ticket": args}}, nil
	}
	say := []dialog.Prompt{text}
	if mine, err := svc.Mine(ctx, c.User); err != nil {
		return Result{}, err
	} else if len(mine) > 0 {
		p := dialog.Prompt{Key: "reception.mine_head"}
		for _, m := range mine {
			p.Parts = append(p.Parts, dialog.Prompt{Key: "reception.mine_item", Args: map[string]string{
				"ticket": m.Ticket, "session": r.sessionText(c.Lang, sessionOf(m))}})
		}
		say = append(say, p)
	}
	next := svc.Next()
	if len(next) == 0 {
		return Result{Branch: "none", Say: append(say, dialog.Prompt{Key: "reception.no_sessions"})}, nil
	}
	p := dialog.Prompt{Key: "reception.next_head"}
	var choices []dialog.Button
	for _, ses := range next {
		p.Parts = append(p.Parts, dialog.Prompt{Key: "reception.next_item", Args: map[string]string{
			"session": r.sessionText(c.Lang, ses), "place": ses.Place}})
		choices = append(choices, dialog.Button{Text: r.sessionText(c.Lang, ses), Data: reception.SessionKey(ses)})
	}
	return Result{Say: append(say, p), Choices: choices}, nil
}

// scheduleText is the schedule as the profile writes it, or, when it
// writes none, as its reception days say.
func (r *Router) scheduleText(lang string) string {
	if r.cfg.Reception != "" || r.cfg.Receptions == nil {
		return r.cfg.Reception
	}
	var days []string
	for _, w := range r.cfg.Receptions.Schedule().Weekly {
		days = append(days, r.t(lang, "reception.weekly", map[string]string{
			"weekday": r.t(lang, "reception.weekday."+strings.ToLower(w.Weekday.String()[:3]), nil),
			"from":    w.From, "to": w.To, "place": w.Place}))
	}
	return strings.Join(days, "; ")
}

// sessionOf is the session a registration is for.
func sessionOf(reg domain.Registration) domain.ReceptionSession {
	return domain.ReceptionSession{Day: reg.Day, From: reg.From, To: reg.To, Place: reg.Place}
}

// sessionText is «Thứ Năm 26/11/2026, 07:30–11:00».
func (r *Router) sessionText(lang string, ses domain.ReceptionSession) string {
	return r.t(lang, "reception.session", map[string]string{
		"weekday": r.t(lang, "reception.weekday."+strings.ToLower(ses.Day.Weekday().String()[:3]), nil),
		"date":    ses.Day.Format("02/01/2006"), "from": ses.From, "to": ses.To})
}

// receptionPick takes the session chosen; the consent notice comes next
// for someone who has not agreed.
func (r *Router) receptionPick(ctx context.Context, c Call) (Result, error) {
	ses, err := r.cfg.Receptions.Session(c.Slots["session"])
	if err != nil {
		return Result{}, err
	}
	slots := map[string]string{"session_text": r.sessionText(c.Lang, ses), "place": ses.Place}
	if !c.Citizen.Consented() {
		return Result{Branch: "consent", Slots: slots}, nil
	}
	return Result{Slots: slots}, nil
}

func (r *Router) receptionTopic(ctx context.Context, c Call) (Result, error) {
	if !domain.ReceptionTopic(c.Slots["topic"]).Valid() {
		return Result{}, domain.Invalid("reception.bad_topic")
	}
	return Result{}, nil
}

// receptionText refuses a text too long with its length, keeping the
// citizen on the step.
func (r *Router) receptionText(ctx context.Context, c Call) (Result, error) {
	text, err := domain.ReceptionText(c.Slots["text"])
	if err != nil {
		return Result{}, err
	}
	return Result{Slots: map[string]string{"text": text}}, nil
}

// receptionName takes the name; a chat with a verified phone skips the
// phone question.
func (r *Router) receptionName(ctx context.Context, c Call) (Result, error) {
	name, err := domain.SenderName(c.Slots["name"])
	if err != nil {
		return Result{}, err
	}
	slots := map[string]string{"name": name}
	if phone := c.Citizen.Phone; phone != "" {
		slots["phone"] = phone
		return Result{Branch: "known_phone", Slots: slots}, nil
	}
	return Result{Slots: slots}, nil
}

func (r *Router) receptionPhone(ctx context.Context, c Call) (Result, error) {
	phone, ok := domain.NormalizePhone(c.Slots["phone"])
	if !ok {
		return Result{}, domain.Invalid("feedback.bad_phone")
	}
	return Result{Slots: map[string]string{"phone": phone, "phone_own": ""}}, nil
}

func (r *Router) receptionPreview(ctx context.Context, c Call) (Result, error) {
	p := dialog.Prompt{Key: "reception.preview", Args: map[string]string{
		"session": c.Slots["session_text"], "place": c.Slots["place"], "name": c.Slots["name"],
		"phone": domain.MaskPhone(c.Slots["phone"])},
		Parts: []dialog.Prompt{{Key: "reception.topic_line." + c.Slots["topic"], Args: map[string]string{"text": c.Slots["text"]}}}}
	return Result{Say: []dialog.Prompt{p}}, nil
}

// receptionSubmit files the registration and says its ticket.
func (r *Router) receptionSubmit(ctx context.Context, c Call) (Result, error) {
	reg, err := r.cfg.Receptions.Register(ctx, c.User, c.Slots["session"], domain.ReceptionTopic(c.Slots["topic"]),
		c.Slots["text"], domain.Sender{Name: c.Slots["name"], Phone: c.Slots["phone"]})
	if err != nil {
		return Result{}, err
	}
	return Result{Say: []dialog.Prompt{{Key: "reception.registered", Args: map[string]string{
		"ticket": reg.Ticket, "session": r.sessionText(c.Lang, sessionOf(reg)), "place": reg.Place}}},
		Slots: map[string]string{"text": "", "name": "", "phone": ""}}, nil
}

// receptionCancel is «/lichtiep huy TD-2612-0001»: the citizen's own
// registration is marked cancelled.
func (r *Router) receptionCancel(ctx context.Context, c Call) (Result, error) {
	words := strings.Fields(c.Slots["ticket"])
	if len(words) > 0 && (foldWords(words[0]) == "huy" || foldWords(words[0]) == "cancel") {
		words = words[1:]
	}
	reg, err := r.cfg.Receptions.Cancel(ctx, c.User, strings.Join(words, " "))
	if err != nil {
		return Result{}, err
	}
	return Result{Say: []dialog.Prompt{{Key: "reception.cancelled_ticket", Args: map[string]string{
		"ticket": reg.Ticket, "session": r.sessionText(c.Lang, sessionOf(reg))}}}}, nil
}

// forgetRegistrations is /xoadulieu's part: the registrations lose the
// chat, the name and the phone; the records stay for the legal report.
func (r *Router) forgetRegistrations(ctx context.Context, user string) error {
	if r.cfg.Receptions == nil {
		return nil
	}
	_, err := r.cfg.Receptions.Forget(ctx, user)
	return err
}

// withReception adds the report's sentence on citizen reception after the
// paragraph on dossiers (/baocao), from the reception book.
func (r *Router) withReception(ctx context.Context, say []dialog.Prompt, lang string, from, to time.Time) ([]dialog.Prompt, error) {
	if r.cfg.Receptions == nil {
		return say, nil
	}
	tally, err := r.cfg.Receptions.Tally(ctx, from, to)
	if err != nil {
		return nil, err
	}
	l := r.cfg.Receptions.Sentence(tally, from, to, func(n int64) string { return i18n.Number(lang, n) })
	return append(say, dialog.Prompt{Key: l.Key, Args: l.Args}), nil
}
