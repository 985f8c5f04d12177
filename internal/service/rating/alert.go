package rating

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

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
	_, err := s.tellHeads(ctx, d, "rate-low|"+domain.CanonicalCode(d.Code)+"|"+n, lines)
	return err
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
	_, err = s.tellHeads(ctx, d, whyKey(d, r), whyLines(d, r))
	return err
}

// Quiet is how long after a low rating's last change its details go to
// the heads though the rater never finished; Lookback bounds how far back
// Explain looks.
const (
	Quiet    = 30 * time.Minute
	Lookback = 48 * time.Hour
)

// JobExplain is the job that runs Explain.
const JobExplain = "rating-details"

// Explain sends the heads the details (answers, comment) of the low
// ratings whose raters left before finishing: those last changed between
// Lookback and Quiet before at. A version already told (by Finish or an
// earlier run) is not told again. It returns how many notices it queued.
func (s *Service) Explain(ctx context.Context, at time.Time) (int, error) {
	rs, err := s.repo.LowRatingsWithDetails(ctx, at.Add(-Lookback), at.Add(-Quiet))
	if err != nil {
		return 0, fmt.Errorf("rating: explain: %w", err)
	}
	n := 0
	for _, r := range rs {
		d, err := s.repo.DossierByID(ctx, r.DossierID)
		if errors.Is(err, domain.ErrNotFound) {
			continue
		}
		if err != nil {
			return n, fmt.Errorf("rating: explain: %w", err)
		}
		queued, err := s.tellHeads(ctx, d, whyKey(d, r), whyLines(d, r))
		n += queued
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// whyKey names one version of a low rating's details: a rater who comes
// back to change them is heard again, the same version once.
func whyKey(d domain.Dossier, r domain.Rating) string {
	return "rate-low-why|" + domain.CanonicalCode(d.Code) + "|" + strconv.FormatInt(r.UpdatedAt.UnixNano(), 36)
}

// whyLines are a low rating's details as the heads read them.
func whyLines(d domain.Dossier, r domain.Rating) []domain.Line {
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
	return append(lines, domain.L("rating.low_private"))
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
// chairmen), each once under key; it returns how many it queued now.
func (s *Service) tellHeads(ctx context.Context, d domain.Dossier, key string, lines []domain.Line) (int, error) {
	all, err := s.staff.List(ctx)
	if err != nil {
		return 0, fmt.Errorf("rating: alert %s: %w", d.Code, err)
	}
	to := domain.LowRatingRecipients(all)
	if len(to) == 0 {
		s.log.Warn("low rating: no head of the one-stop shop or chairman to alert", "code", domain.CanonicalCode(d.Code))
		return 0, nil
	}
	n := 0
	for _, o := range to {
		no := domain.Notice{Key: key + "|" + o.ChatKey, To: o.ChatKey, Priority: domain.PriorityAlert, Lines: lines}
		queued, err := s.notify.Notify(ctx, no)
		if err != nil {
			return n, fmt.Errorf("rating: alert %s: %w", d.Code, err)
		}
		if queued {
			n++
		}
	}
	return n, nil
}
