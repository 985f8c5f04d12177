package catalogue

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"xabot/internal/domain"
	"xabot/internal/service/intake"
)

// Report is what an import did: procedures created, updated or left as
// they were, and the rows not imported, by line.
type Report struct {
	Created, Updated, Unchanged int
	Errors                      []intake.LineError
}

// maxDocumentsRunes bounds the documents cell, longer than other values:
// a land procedure lists a dozen papers.
const maxDocumentsRunes = 8000

// batchSize is how many rows go in one transaction.
const batchSize = 2000

// Import reads the catalogue at path (CSV or XLSX, see intake.ReadFile) and
// merges every valid row into the procedure with its code: a column the
// file lacks, or a blank cell, leaves the stored value, «-» clears it (not
// the name); a new code needs its name. Bad rows are reported by line and
// the rest imported; importing a file twice changes nothing. The error is
// for the file as a whole (intake.ReadFile) or a storage failure.
func (s *Service) Import(ctx context.Context, path string) (Report, error) {
	var rep Report
	var ps []domain.ProcedurePatch
	var lines []int
	seen := map[string]int{} // code → line of its first row
	flush := func() error {
		if len(ps) == 0 {
			return nil
		}
		ms, err := s.repo.MergeProcedures(ctx, ps)
		if err != nil {
			return fmt.Errorf("catalogue: lines %d-%d: %w", lines[0], lines[len(lines)-1], err)
		}
		for i, m := range ms {
			switch m.Outcome {
			case domain.DossierCreated:
				rep.Created++
			case domain.DossierUpdated:
				rep.Updated++
			case domain.DossierRefused:
				rep.Errors = append(rep.Errors, intake.LineError{Line: lines[i], Key: m.Refused.Key, Args: m.Refused.Args})
			default:
				rep.Unchanged++
			}
		}
		ps, lines = ps[:0], lines[:0]
		return nil
	}
	var flushErr error
	errs, err := intake.ReadFile(ctx, path, table, func(line int, rec map[string]string) *intake.LineError {
		if flushErr != nil {
			return nil
		}
		p, le := parseRow(rec)
		if le != nil {
			return le
		}
		if first, dup := seen[p.Values.Code]; dup {
			return &intake.LineError{Key: "catalogue.duplicate_code", Args: map[string]string{
				"code": p.Values.Code, "line": strconv.Itoa(first)}}
		}
		seen[p.Values.Code] = line
		ps, lines = append(ps, p), append(lines, line)
		if len(ps) == batchSize {
			flushErr = flush()
		}
		return nil
	})
	rep.Errors = append(rep.Errors, errs...)
	if err == nil {
		err = flushErr
	}
	if err == nil {
		err = flush()
	}
	sortErrors(rep.Errors)
	return rep, err
}

// parseRow reads one row into the patch of the fields it carries.
func parseRow(rec map[string]string) (domain.ProcedurePatch, *intake.LineError) {
	var p domain.ProcedurePatch
	for _, c := range []string{"code", "name", "field", "processing_days", "fee", "documents", "online_level"} {
		v, ok := rec[c]
		if !ok {
			continue
		}
		limit := intake.MaxFieldRunes
		switch c {
		case "code":
			limit = intake.MaxCodeRunes
		case "documents":
			limit = maxDocumentsRunes
		}
		if le := intake.CheckCell(c, v, limit); le != nil {
			return p, le
		}
	}
	p.Values.Code = strings.TrimSpace(rec["code"])
	if p.Values.Code == "" || p.Values.Code == intake.ClearMark {
		return p, &intake.LineError{Key: "import.missing", Args: map[string]string{"column": "code"}}
	}
	cell := func(column string, f domain.ProcedureField) (string, bool) {
		switch v := strings.TrimSpace(rec[column]); v {
		case "":
			return "", false
		case intake.ClearMark:
			p.Clear |= f
			return "", false
		default:
			p.Set |= f
			return v, true
		}
	}
	if v, ok := cell("name", domain.ProcName); ok {
		p.Values.Name = oneLine(v)
	}
	if v, ok := cell("field", domain.ProcField); ok {
		p.Values.Field = oneLine(v)
	}
	if v, ok := cell("fee", domain.ProcFee); ok {
		p.Values.Fee = v
	}
	if v, ok := cell("documents", domain.ProcDocuments); ok {
		p.Values.Documents = domain.SplitDocuments(v)
	}
	if v, ok := cell("processing_days", domain.ProcDays); ok {
		days, ok := domain.ParseDays(v)
		if !ok {
			return p, &intake.LineError{Key: "catalogue.bad_days", Args: map[string]string{"column": "processing_days", "value": v}}
		}
		p.Values.Days = days
	}
	if v, ok := cell("online_level", domain.ProcOnline); ok {
		level, ok := domain.ParseOnline(v)
		if !ok {
			return p, &intake.LineError{Key: "catalogue.bad_online", Args: map[string]string{"column": "online_level", "value": v}}
		}
		p.Values.Online = level
	}
	return p, nil
}

// oneLine joins a name's lines (a wrapped cell) with spaces.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// sortErrors puts the refusals in line order: rows are refused when read
// and when merged.
func sortErrors(es []intake.LineError) {
	slices.SortStableFunc(es, func(a, b intake.LineError) int { return cmp.Compare(a.Line, b.Line) })
}
