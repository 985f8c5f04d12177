package bot

import (
	"strconv"

	"xabot/internal/dialog"
	"xabot/internal/domain"
)

// card is the status of one dossier as a citizen reads it: what, where it
// is in plain words, the dates, an apology if it is late, and what to do
// next. Name and phone are masked. It takes at most two messages: a long
// note (or any long text of the one-door system) is clipped, with the
// pointer to the one-stop shop.
func (r *Router) card(c Call, d domain.Dossier) dialog.Prompt {
	now := c.Now
	st := strconv.Itoa(int(d.Status))
	lines := []domain.Line{domain.L("lookup.card.head", "code", d.Code)}
	line := func(key string, kv ...string) { lines = append(lines, domain.L(key, kv...)) }
	procedure := d.ProcedureName
	if procedure == "" {
		procedure = d.ProcedureCode
	}
	line("lookup.card.procedure", "procedure", procedure)
	if d.ApplicantName != "" || d.Phone != "" {
		line("lookup.card.applicant", "name", domain.MaskName(d.ApplicantName), "phone", domain.MaskPhone(d.Phone))
	}
	line("lookup.card.status", "status", r.statusName(c.Lang, d))
	line("lookup.card.explain", "explain", r.cfg.Texts.T(c.Lang, "status."+st+".explain", nil))
	line("lookup.card.received", "date", r.date(d.ReceivedAt))
	if !d.DueAt.IsZero() {
		line("lookup.card.due", "date", r.date(d.DueAt))
	}
	if !d.ExtendedDueAt.IsZero() { // an extension whose date an old import blanked shows no date
		line("lookup.card.extended", "date", r.date(d.ExtendedDueAt), "old", r.date(d.DueAt), "reason", d.ExtensionReason)
	}
	// A dossier waiting for the applicant's documents or fees is not late
	// on the commune's side: no apology then.
	next := "status." + st + ".next"
	if d.Overdue(now, r.cfg.TZ) && !d.WaitingOnApplicant() {
		next = "card.next_overdue" // not «wait for the appointment»: it has passed
		days := r.cfg.Calendar.WorkingDaysBetween(domain.DateOf(d.Due(), r.cfg.TZ), domain.DateOf(now, r.cfg.TZ))
		line("lookup.card.overdue", "days", strconv.Itoa(max(days, 1)))
	}
	if !d.FinishedAt.IsZero() && (d.Status == domain.StatusDone || d.Status == domain.StatusReturned) {
		line("lookup.card.finished", "date", r.date(d.FinishedAt))
	}
	if !d.ReturnedAt.IsZero() {
		line("lookup.card.returned", "date", r.date(d.ReturnedAt))
	}
	if d.Note != "" {
		line("lookup.card.note", "note", d.Note)
	}
	line("lookup.card.next", "next", r.t(c.Lang, next, nil))
	return r.bounded(c, lines)
}

// statusName is the status in the user's language, marked when overdue.
func (r *Router) statusName(lang string, d domain.Dossier) string {
	return r.cfg.Texts.T(lang, "status."+strconv.Itoa(int(d.Status)), nil)
}
