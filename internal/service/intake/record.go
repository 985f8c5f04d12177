package intake

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"xabot/internal/domain"
)

// LineError says why one row was not imported.
type LineError struct {
	// Line is where the row is: the physical line of a CSV file, the row
	// number of a sheet as Excel shows it, or for ImportRecords the item's
	// position counting from 1.
	Line int
	Key  string // locale key of the reason, e.g. "import.bad_date"
	// Args fill Key's placeholders. They never hold a phone, a name or an ID
	// number; dates, statuses and codes may be echoed.
	Args map[string]string
	// col is the column the reason is about (from 1) when a reader knows
	// only its place: the header names it, as Args["column"].
	col int
}

// Error names the line and the reason's key, never a cell's value.
func (e *LineError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("intake: line %d: %s", e.Line, e.Key)
	}
	return "intake: " + e.Key
}

func rowError(key string, kv ...string) *LineError {
	inv := domain.Invalid(key, kv...)
	return &LineError{Key: inv.Key, Args: inv.Args}
}

// ClearMark is the cell value that clears an optional field on purpose
// (a name, the ID, the village, the handler, the note, the procedure's
// code or name while the other remains, finished_at, returned_at). A blank
// cell, or a column the file does not have, leaves the stored value.
const ClearMark = "-"

// ParseRecord reads one record given as column name → value, the names
// being the English import columns ("code", "applicant_phone", ...), into
// the patch of the fields it carries; the CSV and XLSX imports and the sync
// API share it. A cell is checked on its own here (a phone, a date, a
// status); what a dossier needs and the rules between fields are checked
// on the merged dossier (domain.MergeDossier); first the record as a whole
// is held to the row bounds (checkRecord). Of the applicant's ID number
// only the last four digits are kept. Dates are read in loc.
func ParseRecord(rec map[string]string, loc *time.Location) (domain.DossierPatch, *LineError) {
	if loc == nil {
		loc = time.UTC
	}
	p := domain.DossierPatch{Loc: loc}
	d := &p.Values
	// cell returns the value of column when the record carries one, and
	// notes a clear.
	cell := func(column string, f domain.DossierField) (string, bool) {
		switch v := strings.TrimSpace(rec[column]); v {
		case "":
			return "", false
		case ClearMark:
			p.Clear |= f
			return "", false
		default:
			p.Set |= f
			return v, true
		}
	}

	if le := checkRecord(rec); le != nil {
		return p, le
	}
	d.Code = strings.TrimSpace(rec["code"])
	if d.Code == "" || d.Code == ClearMark {
		return p, rowError("import.missing", "column", "code")
	}
	var ce *domain.CodeError
	if _, err := domain.ParseCode(d.Code); errors.As(err, &ce) && ce.Procedure {
		return p, rowError("import.bad_code", "value", d.Code)
	}
	// A code of another shape is kept as issued: the agency part has no
	// fixed layout.

	for _, c := range []struct {
		column string
		f      domain.DossierField
		to     *string
	}{
		{"procedure_code", domain.FieldProcedureCode, &d.ProcedureCode},
		{"procedure_name", domain.FieldProcedureName, &d.ProcedureName},
		{"field", domain.FieldField, &d.Field},
		{"applicant_name", domain.FieldApplicantName, &d.ApplicantName},
		{"village", domain.FieldVillage, &d.Village},
		{"handler", domain.FieldHandler, &d.Handler},
		{"note", domain.FieldNote, &d.Note},
		{"extension_reason", domain.FieldExtensionReason, &d.ExtensionReason},
	} {
		if v, ok := cell(c.column, c.f); ok {
			*c.to = v
		}
	}

	var ok bool
	if phone, given := cell("applicant_phone", domain.FieldPhone); given {
		if d.Phone, ok = domain.NormalizePhone(phone); !ok {
			return p, rowError("import.bad_phone", "column", "applicant_phone") // never the number itself
		}
	}
	if id, given := cell("applicant_id", domain.FieldIDLast4); given {
		if d.IDLast4, ok = last4(id); !ok {
			return p, rowError("import.bad_id", "column", "applicant_id")
		}
	}
	if channel, given := cell("channel", domain.FieldIntake); given {
		in, err := domain.ParseIntake(channel)
		if err != nil {
			return p, rowError("import.bad_channel", "value", channel)
		}
		d.Intake = in
	}
	if status, given := cell("status", domain.FieldStatus); given {
		st, err := domain.ParseStatus(status)
		if err != nil {
			return p, rowError("import.bad_status", "value", status)
		}
		d.Status = st
	}
	for _, c := range []struct {
		column string
		f      domain.DossierField
		to     *time.Time
	}{
		{"received_at", domain.FieldReceivedAt, &d.ReceivedAt},
		{"due_at", domain.FieldDueAt, &d.DueAt},
		{"finished_at", domain.FieldFinishedAt, &d.FinishedAt},
		{"returned_at", domain.FieldReturnedAt, &d.ReturnedAt},
		{"extended_due_at", domain.FieldExtendedDueAt, &d.ExtendedDueAt},
	} {
		v, given := cell(c.column, c.f)
		if !given {
			continue
		}
		t, ok := parseTime(v, loc)
		if !ok {
			return p, rowError("import.bad_date", "column", c.column, "value", v)
		}
		*c.to = t
	}
	return p, nil
}

// last4 returns the last four digits of an ID number (CCCD has 12, the old
// CMND 9), ignoring spaces and other separators.
func last4(id string) (string, bool) {
	var digits []byte
	for _, r := range id {
		if r >= '0' && r <= '9' {
			digits = append(digits, byte(r))
		}
	}
	if len(digits) < 4 {
		return "", false
	}
	return string(digits[len(digits)-4:]), true
}

// parseTime reads a local date or date and time in loc and returns it in
// UTC. Accepted: YYYY-MM-DD, DD/MM/YYYY, D/M/YYYY, DD-MM-YYYY (also with
// dots), each optionally followed by " HH:MM[:SS]" or "THH:MM[:SS]";
// RFC 3339 with its own offset (sync API clients). A date alone means
// 00:00 local that day. It parses by hand because trying a dozen layouts per
// cell is most of a 100,000-row import's time.
func parseTime(s string, loc *time.Location) (time.Time, bool) {
	datePart, clock := s, ""
	if i := strings.IndexAny(s, " T"); i >= 0 {
		datePart, clock = s[:i], strings.TrimSpace(s[i+1:])
	}
	if strings.HasSuffix(clock, "Z") || strings.ContainsAny(clock, "+-") {
		t, err := time.Parse(time.RFC3339, s)
		return t.UTC(), err == nil
	}
	sep := strings.IndexAny(datePart, "-/.")
	if sep <= 0 {
		return time.Time{}, false
	}
	parts := strings.Split(datePart, datePart[sep:sep+1])
	if len(parts) != 3 {
		return time.Time{}, false
	}
	if len(parts[0]) != 4 { // day first
		if len(parts[2]) != 4 || len(parts[0]) > 2 || len(parts[1]) > 2 {
			return time.Time{}, false
		}
		parts[0], parts[2] = parts[2], parts[0]
	} else if len(parts[1]) > 2 || len(parts[2]) > 2 {
		return time.Time{}, false
	}
	ymd, ok := numbers(parts)
	if !ok {
		return time.Time{}, false
	}
	hms := []int{0, 0, 0}
	if clock != "" {
		c := strings.Split(clock, ":")
		if len(c) == 3 {
			c[2], _, _ = strings.Cut(c[2], ".") // fractions of a second
		}
		n, ok := numbers(c)
		if !ok || len(n) < 2 || len(n) > 3 || n[0] > 23 || n[1] > 59 || (len(n) == 3 && n[2] > 59) {
			return time.Time{}, false
		}
		copy(hms, n)
	}
	t := time.Date(ymd[0], time.Month(ymd[1]), ymd[2], hms[0], hms[1], hms[2], 0, loc)
	// time.Date normalises 31/02 into March: such a date is not one.
	if y, m, d := t.Date(); y != ymd[0] || int(m) != ymd[1] || d != ymd[2] {
		return time.Time{}, false
	}
	return t.UTC(), true
}

// numbers parses each part as a short unsigned decimal.
func numbers(parts []string) ([]int, bool) {
	out := make([]int, len(parts))
	for i, p := range parts {
		if p == "" || len(p) > 4 || strings.IndexFunc(p, func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
			return nil, false
		}
		n, err := strconv.Atoi(p)
		if err != nil {
			return nil, false
		}
		out[i] = n
	}
	return out, true
}
