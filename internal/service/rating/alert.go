package rating

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"xabot/internal/domain"
)

// alert tells the heads of the one-stop shop (else the chairman) about a
// low rating: the dossier's code, procedure, field, handler and the level.
// Nothing about the rater, not even the dossier's applicant name or phone,
// which would name them.
func (s *Service) alert(ctx context.Context, d domain.Dossier, level domain.Level) error {
	n := strconv.Itoa(int(level))
	lines := []domain.Line{
		domain.L("rating.low_alert", "code", d.Code, "level", n),
		{Key: LevelKey(level)},
		dossierLine(d),
		domain.L("rating.low_private"),
	}
	return s.tellHeads(ctx, d, "rate-low|"+domain.CanonicalCode(d.Code)+"|"+n, lines)
}

// Finish is the rater's end of the rating of the dossier with code (the
// questions answered or skipped, the comment given): a low rating's
// alert is followed by why — the answers to the questions of Decree 118
// Art. 33 and the comment, never the rater. A rating that is not low, or
// not citizen's, sends nothing.
func (s *Service) Finish(ctx context.Context, citizen, code string) error {
	d, err := s.Check(ctx, citizen, code)
	if err != nil {
		return err
	}
	r, had, err := s.current(ctx, d)
	if err != nil || !had || !domain.Low(r.Level) || r.Rater != citizen {
		return err
	}
	lines := []domain.Line{domain.L("rating.low_details", "code", d.Code, "level", strconv.Itoa(int(r.Level))), dossierLine(d)}
	for _, c := range domain.Criteria {
		if yes, ok := r.Criteria[c]; ok {
			lines = append(lines, domain.Line{Key: criterionAnswerKey(c, yes)})
		}
	}
	if r.Comment != "" {
		lines = append(lines, domain.L("rating.low_comment", "comment", r.Comment))
	}
	if len(lines) == 2 {
		lines = append(lines, domain.L("rating.low_no_details"))
	}
	lines = append(lines, domain.L("rating.low_private"))
	// Each version of the answers once: a rater who comes back to change
	// them is heard again.
	version := strconv.FormatInt(r.UpdatedAt.UnixNano(), 36)
	return s.tellHeads(ctx, d, "rate-low-why|"+domain.CanonicalCode(d.Code)+"|"+version, lines)
}

// criterionAnswerKey is the line saying how the rater answered c: a
// statement, marked ⚠️ when the answer is the bad one.
func criterionAnswerKey(c domain.Criterion, yes bool) string {
	if yes {
		return "rating.low_answer." + string(c) + ".yes"
	}
	return "rating.low_answer." + string(c) + ".no"
}

// dossierLine is the dossier as the heads read it: no applicant.
func dossierLine(d domain.Dossier) domain.Line {
	if strings.TrimSpace(d.Handler) == "" { // «chưa giao ai», not «cán bộ xử lý: —»
		return domain.L("rating.low_dossier_nobody", "procedure", dash(d.ProcedureName), "field", dash(d.Field))
	}
	return domain.L("rating.low_dossier", "procedure", dash(d.ProcedureName), "field", dash(d.Field), "handler", d.Handler)
}

// tellHeads sends lines to the heads of the one-stop shop (else the
// chairmen), each once under key.
func (s *Service) tellHeads(ctx context.Context, d domain.Dossier, key string, lines []domain.Line) error {
	all, err := s.staff.List(ctx)
	if err != nil {
		return fmt.Errorf("rating: alert %s: %w", d.Code, err)
	}
	to := domain.LowRatingRecipients(all)
	if len(to) == 0 {
		s.log.Warn("low rating: no head of the one-stop shop or chairman to alert", "code", domain.CanonicalCode(d.Code))
		return nil
	}
	for _, o := range to {
		no := domain.Notice{Key: key + "|" + o.ChatKey, To: o.ChatKey, Priority: domain.PriorityAlert, Lines: lines}
		if _, err := s.notify.Notify(ctx, no); err != nil {
			return fmt.Errorf("rating: alert %s: %w", d.Code, err)
		}
	}
	return nil
}
