package intake

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"xabot/internal/domain"
)

// Item outcomes of ImportRecords.
const (
	OutcomeCreated   = "created"
	OutcomeUpdated   = "updated"
	OutcomeUnchanged = "unchanged"
	OutcomeError     = "error"
)

// ItemResult is what became of one record given to ImportRecords.
type ItemResult struct {
	Index   int    // position in the records, from 0
	Code    string // the record's code as given, trimmed (clipped past MaxCodeRunes); may be empty
	Outcome string // OutcomeCreated, OutcomeUpdated, OutcomeUnchanged or OutcomeError
	Error   string // for OutcomeError: the locale key of the reason, e.g. "import.bad_phone"
	// Args fill Error's placeholders; like LineError.Args they never hold a
	// phone, a name or an ID number.
	Args map[string]string
	// Notices tell what else to know about a record written, e.g. that the
	// one-door system moved an extended appointment (Line is Index+1).
	Notices []Notice
}

// ImportRecords parses each record (column name → value, as ParseRecord
// takes: an absent key leaves the stored value) and merges the valid ones
// as the file imports do, in batches, recording source on the events. A
// record of a known code may carry only what changed; one of a new code
// must carry what a dossier needs. It answers one ItemResult per record, in
// order, and a Report whose Errors and Notices carry the item's position
// counting from 1 as Line. A code given twice is imported once, the later
// record is an "import.duplicate_item" error naming the first one's index.
// The error is a storage failure or a cancelled ctx: the batches before it
// are written, and the results of the records not reached have an empty
// Outcome.
func (im *Importer) ImportRecords(ctx context.Context, recs []map[string]string, source string) ([]ItemResult, Report, error) {
	var rep Report
	res := make([]ItemResult, len(recs))
	fail := func(i int, le *LineError) {
		res[i].Outcome, res[i].Error, res[i].Args = OutcomeError, le.Key, le.Args
	}
	seen := map[string]int{} // canonical code → index of its first record
	b := &batch{repo: im.repo, source: source, unit: "item", loc: im.loc,
		done: func(line int, o Outcome, refused *LineError, notices []Notice) {
			i := line - 1
			if refused != nil {
				fail(i, refused)
				return
			}
			res[i].Outcome, res[i].Notices = outcomeName(o), notices
		}}
	for i, rec := range recs {
		if err := ctx.Err(); err != nil {
			return res, rep, fmt.Errorf("intake: %w", err)
		}
		res[i] = ItemResult{Index: i, Code: strings.TrimSpace(rec["code"])}
		if res[i].Code == ClearMark { // a blank code, as the sync API passes it
			res[i].Code = ""
		}
		// A code over the bound is said back only as far as a code goes.
		res[i].Code, _ = domain.Clip(res[i].Code, MaxCodeRunes)
		p, le := ParseRecord(rec, im.loc)
		if le == nil {
			key := domain.CanonicalCode(p.Values.Code)
			if first, dup := seen[key]; dup {
				le = rowError("import.duplicate_item", "code", p.Values.Code, "index", strconv.Itoa(first))
			} else {
				seen[key] = i
			}
		}
		if le != nil {
			le.Line = i + 1
			rep.Errors = append(rep.Errors, *le)
			fail(i, le)
			continue
		}
		b.add(p, i+1)
		if len(b.ps) == batchSize {
			if err := b.flush(ctx, &rep); err != nil {
				return res, rep, err
			}
		}
	}
	err := b.flush(ctx, &rep)
	sortByLine(&rep)
	return res, rep, err
}

func outcomeName(o Outcome) string {
	switch o {
	case Created:
		return OutcomeCreated
	case Updated:
		return OutcomeUpdated
	default:
		return OutcomeUnchanged
	}
}
