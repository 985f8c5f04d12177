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
	Code    string // the record's code as given, trimmed; may be empty
	Outcome string // OutcomeCreated, OutcomeUpdated, OutcomeUnchanged or OutcomeError
	Error   string // for OutcomeError: the locale key of the reason, e.g. "import.bad_phone"
	// Args fill Error's placeholders; like LineError.Args they never hold a
	// phone, a name or an ID number.
	Args map[string]string
}

// ImportRecords validates each record (column name → value, as ParseRecord
// takes) and upserts the valid ones as the file imports do, in batches,
// recording source on the events. It answers one ItemResult per record, in
// order, and a Report whose Errors carry the item's position counting from
// 1 as Line. A code given twice is imported once, the later record is an
// "import.duplicate_item" error naming the first one's index. The error is
// a storage failure or a cancelled ctx: the batches before it are written,
// and the results of the records not reached have an empty Outcome.
func (im *Importer) ImportRecords(ctx context.Context, recs []map[string]string, source string) ([]ItemResult, Report, error) {
	var rep Report
	res := make([]ItemResult, len(recs))
	seen := map[string]int{} // canonical code → index of its first record
	b := &batch{repo: im.repo, source: source, unit: "item", done: func(i int, o Outcome) {
		res[i].Outcome = outcomeName(o)
	}}
	for i, rec := range recs {
		if err := ctx.Err(); err != nil {
			return res, rep, fmt.Errorf("intake: %w", err)
		}
		res[i] = ItemResult{Index: i, Code: strings.TrimSpace(rec["code"])}
		d, le := ParseRecord(rec, im.loc)
		if le == nil {
			key := domain.CanonicalCode(d.Code)
			if first, dup := seen[key]; dup {
				le = rowError("import.duplicate_item", "code", d.Code, "index", strconv.Itoa(first))
			} else {
				seen[key] = i
			}
		}
		if le != nil {
			le.Line = i + 1
			rep.Errors = append(rep.Errors, *le)
			res[i].Outcome, res[i].Error, res[i].Args = OutcomeError, le.Key, le.Args
			continue
		}
		b.add(d, i)
		if len(b.ds) == batchSize {
			if err := b.flush(ctx, &rep); err != nil {
				return res, rep, err
			}
		}
	}
	if err := b.flush(ctx, &rep); err != nil {
		return res, rep, err
	}
	return res, rep, nil
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
