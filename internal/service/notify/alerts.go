package notify

import (
	"context"
	"strconv"
	"strings"
	"time"

	"xabot/internal/collate"
	"xabot/internal/domain"
	"xabot/internal/fold"
)

// DueSoon alerts each dossier's handler (or, failing a match, the field's
// officials, then the head of the one-stop shop) about open dossiers due
// within DueSoonDays working days. Idempotent per (day, dossier, recipient).
func (s *Service) DueSoon(ctx context.Context, at time.Time) (int, error) {
	day, due, staff, err := s.dueWithin(ctx, at, DueSoonDays)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, dl := range due {
		d, left := dl.d, dl.left
		for _, o := range domain.Route(d, staff) {
			n := domain.Notice{
				Key: key(JobDueSoon, day, domain.CanonicalCode(d.Code), o.ChatKey), To: o.ChatKey, Priority: domain.PriorityAlert,
				Lines: []domain.Line{
					dueSoonLine(d, left, s),
					dossierLine(d, s),
				},
			}
			if err := s.deliver(ctx, n, &sent); err != nil {
				return sent, err
			}
		}
	}
	return sent, nil
}

// ApologyDuty sends the handler a draft of form Mẫu 04 for each open
// dossier due within ApologyDays working days that has not been extended:
// the law allows one extension, with an apology, at least a day before the
// due date. Buttons choose the new date; the bot's apology dialog sends it.
func (s *Service) ApologyDuty(ctx context.Context, at time.Time) (int, error) {
	day, due, staff, err := s.dueWithin(ctx, at, ApologyDays)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, dl := range due {
		d, left := dl.d, dl.left
		if d.Extended() {
			continue
		}
		// A code too long for a button's data gets none: the duty is
		// still told.
		var buttons []domain.NoticeButton
		for _, extra := range ExtensionChoices {
			due := s.cal.AddWorkingDays(domain.DateOf(d.Due(), s.loc), extra)
			pick := domain.Intent{Kind: domain.IntentExtend, Ref: domain.CanonicalCode(d.Code), Arg: strconv.Itoa(extra)}
			if !pick.Fits() {
				buttons = nil
				break
			}
			buttons = append(buttons, domain.NoticeButton{
				Key:    "apology.choose",
				Args:   map[string]string{"date": due.Format("02/01/2006"), "days": strconv.Itoa(extra)},
				Intent: pick,
			})
		}
		for _, o := range domain.Route(d, staff) {
			n := domain.Notice{
				Key: key(JobApologyDuty, day, domain.CanonicalCode(d.Code), o.ChatKey), To: o.ChatKey, Priority: domain.PriorityAlert,
				Lines:   apologyLines(d, left, s),
				Buttons: buttons,
			}
			if err := s.deliver(ctx, n, &sent); err != nil {
				return sent, err
			}
		}
	}
	return sent, nil
}

// apologyLines are the apology duty's text for d, due in left working
// days. The law wants the letter at least one working day before the due
// date: on the day before it is the last day to send it; on the due date
// the window has passed, and the alert says so and what remains — the
// result today, else the letter at once, the dossier counted late.
func apologyLines(d domain.Dossier, left int, s *Service) []domain.Line {
	if left <= 0 {
		return []domain.Line{
			domain.L("apology.duty_late", "code", d.Code, "due", s.date(d.Due())),
			dossierLine(d, s),
			domain.L("apology.draft_hint_late"),
		}
	}
	return []domain.Line{
		domain.L("apology.duty", "code", d.Code, "days", strconv.Itoa(left), "due", s.date(d.Due())),
		dossierLine(d, s),
		domain.L("apology.draft_hint"),
	}
}

// dueSoonLine says when d is due: «hạn hôm nay», not «còn 0 ngày».
func dueSoonLine(d domain.Dossier, left int, s *Service) domain.Line {
	if left <= 0 {
		return domain.L("alert.due_today", "code", d.Code, "due", s.date(d.Due()))
	}
	return domain.L("alert.due_soon", "code", d.Code, "days", strconv.Itoa(left), "due", s.date(d.Due()))
}

// ExtensionChoices are the working days an official may add with one tap.
var ExtensionChoices = []int{3, 5, 10}

// Overdue sends each field's officials the day's list of overdue dossiers
// of that field (the head of the one-stop shop when a field has no one),
// and the chairman a summary per field. Dossiers waiting for the
// applicant's documents or fees are not the commune's delay.
func (s *Service) Overdue(ctx context.Context, at time.Time) (int, error) {
	day, working := s.day(at)
	if !working {
		return 0, nil
	}
	ds, staff, err := s.load(ctx)
	if err != nil {
		return 0, err
	}
	byField := map[string][]domain.Dossier{}
	spelling := map[string]string{}
	var fields []string
	for _, d := range ds {
		if s.workingDaysLeft(day, d) >= 0 || d.WaitingOnApplicant() {
			continue
		}
		// One list per field however its name is spelt across imports.
		f, seen := spelling[fold.String(d.Field)]
		if !seen {
			f = d.Field
			spelling[fold.String(d.Field)] = f
			fields = append(fields, f)
		}
		byField[f] = append(byField[f], d)
	}
	collate.Strings(fields)
	sent, total := 0, 0
	var summary []domain.Line
	for _, f := range fields {
		list := byField[f]
		total += len(list)
		lines := []domain.Line{domain.L("alert.overdue_head", "field", f, "count", strconv.Itoa(len(list)), "date", day.Format("02/01/2006"))}
		for _, d := range list {
			lines = append(lines, domain.L(domain.OverdueItemKey(d), "code", d.Code, "procedure", d.ProcedureName,
				"days", strconv.Itoa(-s.workingDaysLeft(day, d)), "handler", d.Handler))
		}
		for _, o := range domain.FieldOfficials(f, staff) {
			n := domain.Notice{Key: key(JobOverdue, day, f, o.ChatKey), To: o.ChatKey, Priority: domain.PriorityAlert, Lines: lines}
			if err := s.deliver(ctx, n, &sent); err != nil {
				return sent, err
			}
		}
		summary = append(summary, domain.L("alert.summary_item", "field", f, "count", strconv.Itoa(len(list))))
	}
	if total == 0 {
		return sent, nil
	}
	head := domain.L("alert.summary_head", "count", strconv.Itoa(total), "date", day.Format("02/01/2006"))
	for _, o := range staff {
		if o.Role != domain.RoleChairman {
			continue
		}
		n := domain.Notice{Key: key(JobOverdue+"-summary", day, "all", o.ChatKey), To: o.ChatKey,
			Priority: domain.PriorityAlert, Lines: append([]domain.Line{head}, summary...)}
		if err := s.deliver(ctx, n, &sent); err != nil {
			return sent, err
		}
	}
	return sent, nil
}

// dueLeft is an open dossier and the working days left until it is due.
type dueLeft struct {
	d    domain.Dossier
	left int
}

// dueWithin returns at's day and the open dossiers due within days working
// days (not late, not waiting on the applicant), with the active officials;
// nothing on a day off, when the alerts wait for the next working morning.
func (s *Service) dueWithin(ctx context.Context, at time.Time, days int) (time.Time, []dueLeft, []domain.Official, error) {
	day, working := s.day(at)
	if !working {
		return day, nil, nil, nil
	}
	ds, staff, err := s.load(ctx)
	if err != nil {
		return day, nil, nil, err
	}
	var out []dueLeft
	for _, d := range ds {
		if left := s.workingDaysLeft(day, d); left >= 0 && left <= days && !d.WaitingOnApplicant() {
			out = append(out, dueLeft{d, left})
		}
	}
	return day, out, staff, nil
}

func (s *Service) load(ctx context.Context) ([]domain.Dossier, []domain.Official, error) {
	ds, err := s.repo.OpenDossiers(ctx)
	if err != nil {
		return nil, nil, err
	}
	staff, err := s.active(ctx)
	return ds, staff, err
}

// dossierLine describes a dossier to an official: procedure, field,
// received date, the masked applicant.
func dossierLine(d domain.Dossier, s *Service) domain.Line {
	return domain.L("alert.dossier", "procedure", d.ProcedureName, "field", d.Field,
		"received", s.date(d.ReceivedAt), "applicant", domain.MaskName(d.ApplicantName))
}

// key is a notice's idempotency key: job, local day, subject, recipient.
func key(job string, day time.Time, subject, to string) string {
	return strings.Join([]string{job, day.Format("2006-01-02"), subject, to}, "|")
}

// OverdueOf lists the open dossiers overdue at at (not those waiting on the
// applicant) for which keep is true, with their working days late: what
// /quahan shows an official.
func (s *Service) OverdueOf(ctx context.Context, at time.Time, keep func(domain.Dossier) bool) ([]domain.Dossier, []int, error) {
	ds, err := s.repo.OpenDossiers(ctx)
	if err != nil {
		return nil, nil, err
	}
	day := domain.DateOf(at, s.loc)
	var out []domain.Dossier
	var late []int
	for _, d := range ds {
		left := s.workingDaysLeft(day, d)
		if left >= 0 || d.WaitingOnApplicant() || !keep(d) {
			continue
		}
		out = append(out, d)
		late = append(late, -left)
	}
	return out, late, nil
}
