package domain

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"xabot/internal/fold"
)

// Procedure is an administrative procedure (thủ tục hành chính, TTHC) of
// the commune's catalogue, as the national portal's list describes it.
type Procedure struct {
	Code  string // mã TTHC, e.g. "1.001193.000.00.00.H55"
	Name  string
	Field string // lĩnh vực
	// Days is the processing time in working days: 0 the same day,
	// DaysUnknown when the catalogue does not say.
	Days int
	// Fee is the fee as the catalogue writes it ("Miễn lệ phí", "8.000
	// đồng/bản"); "" when it does not say.
	Fee       string
	Documents []string // what to bring (thành phần hồ sơ), one item each
	Online    Online
}

// DaysUnknown is Procedure.Days when the processing time is not known.
const DaysUnknown = -1

// Online is how far a procedure can be done online (mức độ dịch vụ công
// trực tuyến, Decree 42/2022: toàn trình or một phần; the older levels 1–4
// map onto them).
type Online int

// The online levels.
const (
	OnlineUnknown Online = iota // the catalogue does not say
	OnlineNone                  // in person only (old levels 1 and 2: information, forms)
	OnlinePartial               // một phần (old level 3): submitted online, the result collected
	OnlineFull                  // toàn trình (old level 4): wholly online
)

// ParseOnline reads an online level as catalogues write it: «Toàn trình»,
// «Một phần», «Mức độ 4», «DVC trực tuyến mức độ 2», a bare 1–4, «Không»,
// or the English names full, partial, none.
func ParseOnline(s string) (Online, bool) {
	f := fold.String(s)
	switch {
	case f == "":
		return OnlineUnknown, false
	case strings.Contains(f, "toan trinh") || f == "full":
		return OnlineFull, true
	case strings.Contains(f, "mot phan") || f == "partial":
		return OnlinePartial, true
	}
	if i := strings.IndexAny(f, "1234"); i >= 0 && (i+1 == len(f) || !unicode.IsDigit(rune(f[i+1]))) {
		return [...]Online{OnlineNone, OnlineNone, OnlinePartial, OnlineFull}[f[i]-'1'], true
	}
	switch f {
	case "khong", "none", "no", "chua", "truc tiep", "khong co", "khong ho tro":
		return OnlineNone, true
	}
	return OnlineUnknown, false
}

// ParseDays reads a processing time as catalogues write it into working
// days: «05 ngày làm việc», «3», «Trong ngày», «Ngay trong ngày làm việc;
// nếu nhận sau 15 giờ thì …» (the same day: what comes first counts),
// «08 giờ làm việc» (a working day is 8 hours; up to 8 hours is the same
// day), «24 giờ» (a day), «02 tuần» (5 working days each), «0,5 ngày».
func ParseDays(s string) (int, bool) {
	f := fold.String(s)
	num := strings.IndexFunc(f, unicode.IsDigit)
	if num < 0 {
		if strings.Contains(f, "trong ngay") || strings.HasPrefix(f, "ngay") {
			return 0, true
		}
		return 0, false
	}
	if strings.Contains(f[:num], "trong ngay") {
		return 0, true
	}
	end := num
	for end < len(f) && (unicode.IsDigit(rune(f[end])) || f[end] == ',' || f[end] == '.') {
		end++
	}
	n, err := strconv.ParseFloat(strings.ReplaceAll(strings.TrimRight(f[num:end], ",."), ",", "."), 64)
	if err != nil || n > 3650 {
		return 0, false
	}
	unit := strings.TrimSpace(f[end:])
	days := n
	switch {
	case strings.HasPrefix(unit, "gio lam viec"):
		days = n / 8
	case strings.HasPrefix(unit, "gio"):
		days = n / 24
	case strings.HasPrefix(unit, "tuan"):
		days = n * 5
	case strings.HasPrefix(unit, "thang"):
		days = n * 22
	}
	if n <= 8 && strings.HasPrefix(unit, "gio") || days < 1 {
		return 0, true
	}
	return int(math.Ceil(days - 1e-9)), true
}

// SplitDocuments reads a catalogue's list of documents to bring: items
// separated by «;» or line breaks, each without its bullet («-», «+», «•»)
// or number («1.», «a)»).
func SplitDocuments(s string) []string {
	var out []string
	for _, item := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == '\n' || r == '\r' }) {
		item = strings.TrimSpace(item)
		item = strings.TrimLeft(item, "-+•*–·● \t")
		if i := strings.IndexAny(item, ".)"); i > 0 && i <= 3 && isListMark(item[:i]) {
			item = strings.TrimSpace(item[i+1:])
		}
		if item != "" {
			out = append(out, item)
		}
	}
	return out
}

// isListMark reports whether s numbers an item: digits, or one letter.
func isListMark(s string) bool {
	if len(s) == 1 && s[0] >= 'a' && s[0] <= 'z' {
		return true
	}
	return strings.Trim(s, "0123456789") == ""
}

// FeeFree reports whether the fee text says there is none («Không»,
// «Miễn phí», «Miễn lệ phí», «0 đồng»).
func FeeFree(fee string) bool {
	f := fold.String(fee)
	f = strings.TrimSuffix(strings.TrimSuffix(f, " dong"), "d")
	switch strings.TrimSpace(f) {
	case "0", "khong", "mien", "mien phi", "mien le phi", "mien phi, le phi", "khong thu", "khong co",
		"khong thu phi", "khong thu le phi", "khong quy dinh":
		return true
	}
	return false
}

// ProcedureField is one field of a procedure an import row may carry, as
// a bit of a set.
type ProcedureField uint8

// The fields of a procedure a row may carry; the code always.
const (
	ProcName ProcedureField = 1 << iota
	ProcField
	ProcDays
	ProcFee
	ProcDocuments
	ProcOnline
)

// procClearable are the fields a row may clear on purpose («-»).
const procClearable = ProcField | ProcDays | ProcFee | ProcDocuments | ProcOnline

// ProcedurePatch is what one catalogue row says about a procedure: the
// fields it carries (Set, in Values), those it clears (Clear); the others
// stay as stored.
type ProcedurePatch struct {
	Values     Procedure
	Set, Clear ProcedureField
}

// MergeProcedure applies p to the stored procedure (nil: none under that
// code). A new procedure needs its name; the name cannot be cleared.
func MergeProcedure(stored *Procedure, p ProcedurePatch) (Procedure, UpsertOutcome, *InvalidError) {
	if p.Clear&ProcName != 0 {
		return Procedure{}, DossierRefused, Invalid("catalogue.cannot_clear")
	}
	var cur Procedure
	if stored != nil {
		cur = *stored
		cur.Documents = slices.Clone(stored.Documents)
	} else {
		if p.Set&ProcName == 0 {
			return Procedure{}, DossierRefused, Invalid("catalogue.new_incomplete", "code", p.Values.Code)
		}
		cur = Procedure{Code: p.Values.Code, Days: DaysUnknown}
	}
	v := p.Values
	set := func(f ProcedureField, apply func(), clear func()) {
		switch {
		case p.Set&f != 0:
			apply()
		case p.Clear&f != 0 && procClearable&f != 0:
			clear()
		}
	}
	set(ProcName, func() { cur.Name = v.Name }, nil)
	set(ProcField, func() { cur.Field = v.Field }, func() { cur.Field = "" })
	set(ProcDays, func() { cur.Days = v.Days }, func() { cur.Days = DaysUnknown })
	set(ProcFee, func() { cur.Fee = v.Fee }, func() { cur.Fee = "" })
	set(ProcDocuments, func() { cur.Documents = slices.Clone(v.Documents) }, func() { cur.Documents = nil })
	set(ProcOnline, func() { cur.Online = v.Online }, func() { cur.Online = OnlineUnknown })
	switch {
	case stored == nil:
		return cur, DossierCreated, nil
	case cur.Name == stored.Name && cur.Field == stored.Field && cur.Days == stored.Days && cur.Fee == stored.Fee &&
		slices.Equal(cur.Documents, stored.Documents) && cur.Online == stored.Online:
		return cur, DossierUnchanged, nil
	}
	return cur, DossierUpdated, nil
}

// ProcedureMerge is what writing one catalogue row did.
type ProcedureMerge struct {
	Procedure Procedure // as stored after it
	Outcome   UpsertOutcome
	Refused   *InvalidError // DossierRefused: why
}
