package intake

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The bounds of what one row may carry, the same for a CSV line, an XLSX
// row and a sync API item: a row over them is refused by its line (or
// item), the others imported. The CSV and XLSX readers also stop holding a
// row as soon as it passes MaxRowBytes or MaxColumns, so no file makes the
// import hold more than one bounded row.
const (
	// MaxFieldRunes is the most characters a value may have (a note, a
	// procedure's name): what the bot can show in a message or two.
	MaxFieldRunes = 2000
	// MaxCodeRunes is the most characters of a dossier code, which is
	// printed on a slip and typed back.
	MaxCodeRunes = 200
	// MaxColumns is the most columns a row may fill (an import has 18):
	// empty cells past the last filled one do not count, as spreadsheets
	// write them for a range wider than the data.
	MaxColumns = 100
	// maxRowBytes is the most bytes of one row as read from the file.
	maxRowBytes = 1 << 20
)

// columnOrder is the order in which a record's columns are checked, so
// that the reason given for a row with several faults is always the same.
var columnOrder = [...]string{"code", "procedure_code", "procedure_name", "field", "applicant_name",
	"applicant_phone", "applicant_id", "village", "channel", "received_at", "due_at", "finished_at",
	"returned_at", "status", "handler", "extended_due_at", "note", "extension_reason"}

// checkRecord refuses a record over the bounds: too many columns, a value
// not in UTF-8, too long, or holding a control character where none makes
// sense. It runs before any value is read, so what is stored is always
// valid text within the bounds.
func checkRecord(rec map[string]string) *LineError {
	if len(rec) > MaxColumns {
		return rowError("import.too_many_columns", "max", strconv.Itoa(MaxColumns))
	}
	for _, column := range columnOrder {
		if v, ok := rec[column]; ok {
			if le := checkValue(column, v); le != nil {
				return le
			}
		}
	}
	return nil
}

// checkValue checks one value of column. NUL and the other control
// characters (but tab and line breaks, which a note may hold) make no sense
// in any value; a code, which is typed back, takes none at all, nor the
// invisible format characters (zero-width spaces, direction marks).
func checkValue(column, v string) *LineError {
	limit := MaxFieldRunes
	if column == "code" {
		limit = MaxCodeRunes
	}
	return CheckCell(column, v, limit)
}

// CheckCell holds a value of another table's column (the procedure
// catalogue) to the import's bounds: valid UTF-8, at most limit
// characters, no control character but tab and line breaks — none at all,
// nor invisible format characters, in the column named "code". The refusal
// names column; ReadFile renames it as the file heads it.
func CheckCell(column, v string, limit int) *LineError {
	v = strings.TrimSpace(v) // as it would be stored
	if !utf8.ValidString(v) {
		return rowError("import.bad_encoding")
	}
	if utf8.RuneCountInString(v) > limit {
		return rowError("import.too_long", "column", column, "max", strconv.Itoa(limit))
	}
	for _, r := range v {
		bad := unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r'
		if column == "code" {
			bad = unicode.IsControl(r) || unicode.Is(unicode.Cf, r)
		}
		if bad {
			return rowError("import.control_char", "column", column)
		}
	}
	return nil
}
