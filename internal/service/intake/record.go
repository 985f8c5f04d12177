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

// ParseRecord validates one dossier given as column name → value, the
// names being the English import columns ("code", "applicant_phone", ...),
// and returns it ready to upsert. The CSV import and the sync API share it.
// Of the applicant's ID number only the last four digits are kept.
func ParseRecord(rec map[string]string, loc *time.Location) (domain.Dossier, *LineError) {
	if loc == nil {
		loc = time.UTC
	}
	get := func(name string) string { return strings.TrimSpace(rec[name]) }
	var d domain.Dossier

	d.Code = get("code")
	if d.Code == "" {
		return d, rowError("import.missing", "column", "code")
	}
	var ce *domain.CodeError
	if _, err := domain.ParseCode(d.Code); errors.As(err, &ce) && ce.Procedure {
		return d, rowError("import.bad_code", "value", d.Code)
	}
	// A code of another shape is kept as issued: the agency part has no
	// fixed layout (research/domain.md §3.3).

	d.ProcedureCode, d.ProcedureName = get("procedure_code"), get("procedure_name")
	if d.ProcedureCode == "" && d.ProcedureName == "" {
		return d, rowError("import.procedure_required")
	}
	if d.Field = get("field"); d.Field == "" {
		return d, rowError("import.missing", "column", "field")
	}
	d.ApplicantName = get("applicant_name")

	phone := get("applicant_phone")
	if phone == "" {
		return d, rowError("import.missing", "column", "applicant_phone")
	}
	var ok bool
	if d.Phone, ok = domain.NormalizePhone(phone); !ok {
		return d, rowError("import.bad_phone", "column", "applicant_phone") // never the number itself
	}
	if id := get("applicant_id"); id != "" {
		if d.IDLast4, ok = last4(id); !ok {
			return d, rowError("import.bad_id", "column", "applicant_id")
		}
	}
	d.Village = get("village")

	channel := get("channel")
	if channel == "" {
		return d, rowError("import.missing", "column", "channel")
	}
	in, err := domain.ParseIntake(channel)
	if err != nil {
		return d, rowError("import.bad_channel", "value", channel)
	}
	d.Intake = in

	status := get("status")
	if status == "" {
		return d, rowError("import.missing", "column", "status")
	}
	st, err := domain.ParseStatus(status)
	if err != nil {
		return d, rowError("import.bad_status", "value", status)
	}
	d.Status = st

	dates := []struct {
		column   string
		required bool
		to       *time.Time
	}{
		{"received_at", true, &d.ReceivedAt},
		{"due_at", true, &d.DueAt},
		{"finished_at", false, &d.FinishedAt},
		{"returned_at", false, &d.ReturnedAt},
		{"extended_due_at", false, &d.ExtendedDueAt},
	}
	for _, c := range dates {
		v := get(c.column)
		if v == "" {
			if c.required {
				return d, rowError("import.missing", "column", c.column)
			}
			continue
		}
		t, ok := parseTime(v, loc)
		if !ok {
			return d, rowError("import.bad_date", "column", c.column, "value", v)
		}
		*c.to = t
	}
	if d.Status.Ended() && d.FinishedAt.IsZero() {
		return d, rowError("import.finished_required", "status", status)
	}
	// Appointments are dates, and a date-only value is midnight: compare
	// calendar days, or a same-day appointment would come before its
	// reception at 08:30.
	received := domain.DateOf(d.ReceivedAt, loc)
	if domain.DateOf(d.DueAt, loc).Before(received) {
		return d, rowError("import.due_before_received")
	}
	if !d.FinishedAt.IsZero() && domain.DateOf(d.FinishedAt, loc).Before(received) {
		return d, rowError("import.finished_before_received")
	}

	d.Handler = get("handler")
	d.Note = get("note")
	d.ExtensionReason = get("extension_reason")
	return d, nil
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
