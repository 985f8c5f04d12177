package intake

import (
	"slices"
	"strings"
	"sync"

	"xabot/internal/domain"
	"xabot/internal/fold"
)

// column is one import column: its English name (the key of ParseRecord's
// map) and the headers one-door exports print for it, the usual one first.
type column struct {
	name    string
	aliases []string
}

// columns lists the import columns. A file needs only the code; what a new
// dossier needs is checked row by row (domain.MergeDossier).
func columns() []column {
	return []column{
		{"code", []string{"Mã hồ sơ", "Số hồ sơ", "Mã HS", "Số biên nhận"}},
		{"procedure_code", []string{"Mã thủ tục", "Mã TTHC", "Mã thủ tục hành chính"}},
		{"procedure_name", []string{"Tên thủ tục", "Tên TTHC", "Thủ tục", "Thủ tục hành chính",
			"Tên thủ tục hành chính", "procedure"}},
		{"field", []string{"Lĩnh vực", "Tên lĩnh vực"}},
		{"applicant_name", []string{"Người nộp", "Họ tên", "Họ và tên", "Chủ hồ sơ", "Tên người nộp",
			"Người nộp hồ sơ", "Tên chủ hồ sơ", "applicant"}},
		{"applicant_phone", []string{"Số điện thoại", "Điện thoại", "SĐT", "Số ĐT", "phone"}},
		{"applicant_id", []string{"CCCD", "Số CCCD", "Số định danh", "Số định danh cá nhân", "CMND",
			"Số CMND", "CCCD/CMND", "Số CCCD/CMND"}},
		{"village", []string{"Thôn", "Thôn/xóm", "Thôn, xóm", "Địa chỉ thôn", "Xóm"}},
		{"channel", []string{"Kênh", "Kênh tiếp nhận", "Hình thức nộp", "Hình thức tiếp nhận",
			"Hình thức nộp hồ sơ", "intake"}},
		{"received_at", []string{"Ngày tiếp nhận", "Ngày nhận", "Ngày nhận hồ sơ", "Thời gian tiếp nhận",
			"received"}},
		{"due_at", []string{"Ngày hẹn trả", "Hẹn trả", "Ngày hẹn trả kết quả", "Hạn xử lý", "due"}},
		{"finished_at", []string{"Ngày có kết quả", "Ngày kết thúc", "Ngày xử lý xong", "Ngày hoàn thành",
			"finished"}},
		{"returned_at", []string{"Ngày trả kết quả", "Ngày trả", "returned"}},
		{"status", []string{"Trạng thái", "Tình trạng", "Trạng thái hồ sơ"}},
		{"handler", []string{"Cán bộ xử lý", "Người xử lý", "Cán bộ thụ lý", "Cán bộ giải quyết"}},
		{"extended_due_at", []string{"Ngày gia hạn", "Hẹn trả mới", "Ngày hẹn trả mới", "Gia hạn đến"}},
		{"note", []string{"Ghi chú", "notes"}},
		{"extension_reason", []string{"Lý do gia hạn", "Lý do xin lỗi, gia hạn"}},
	}
}

// header says where each known column is in a file.
type header struct {
	index map[string]int    // column name → position in the row
	text  map[string]string // column name → the header as written, for messages
	cells []string          // the header row, to name a column by its place
	table *Table            // the columns the file was read by
}

// headerKeys maps the fold.Key of every header a column may have to the
// column's name.
type headerKeys map[string]string

// dossierTable is the dossier import's Table, a constant: folding the
// headers was most of the work of reading a small file when done per row
// looked at.
var dossierTable = sync.OnceValue(func() *Table { return newTable(columns(), "code") })

func newHeaderKeys(cols []column) headerKeys {
	byKey := headerKeys{}
	for _, c := range cols {
		byKey[fold.Key(c.name)] = c.name
		for _, a := range c.aliases {
			byKey[fold.Key(a)] = c.name
		}
	}
	return byKey
}

// match finds the known columns among cells, comparing with fold.Key
// (case, accents, spaces and punctuation do not matter). Unknown cells are
// ignored; when two cells name the same column the first wins.
func (t *Table) match(cells []string) header {
	h := header{index: map[string]int{}, text: map[string]string{}, cells: slices.Clone(cells), table: t}
	for i, cell := range cells {
		name, ok := t.keys[fold.Key(cell)]
		if !ok {
			continue
		}
		if _, dup := h.index[name]; !dup {
			h.index[name] = i
			h.text[name] = strings.TrimSpace(cell)
		}
	}
	return h
}

// complete reports whether the row h was read from is a header: it names
// headerMatches known columns, or the code and another.
func (h header) complete() bool {
	_, code := h.index["code"]
	return len(h.index) >= headerMatches || code && len(h.index) >= 2
}

// missing lists the columns a file must have that the header lacks.
func (h header) missing() []string {
	var out []string
	for _, name := range h.table.required {
		if _, ok := h.index[name]; !ok {
			out = append(out, name)
		}
	}
	return out
}

// english reports whether the file heads its columns by their English
// names: the columns it lacks are then named so too.
func (h header) english() bool {
	for name, text := range h.text {
		if fold.Key(text) != fold.Key(name) {
			return false
		}
	}
	return len(h.text) > 0
}

// missingError refuses a file without the columns it must have, naming
// each as exports write it and the other headers taken for it.
func (h header) missingError(missing []string) error {
	names := make([]string, len(missing))
	aliases := make([]string, len(missing))
	for i, name := range missing {
		names[i] = "«" + h.table.heading(name) + "»"
		aliases[i] = names[i] + ": " + strings.Join(append(slices.Clone(h.table.byName[name].aliases[1:]), name), ", ")
	}
	return domain.Invalid("import.missing_columns", "columns", strings.Join(names, ", "), "aliases", strings.Join(aliases, "; "))
}

// name rewrites the column names of a row's error as the file's author
// wrote them in the header; a column known by its place only is named by
// its header cell, or by its letters as a spreadsheet shows them when that
// cell is blank.
func (h header) name(le *LineError) {
	if le.col > 0 {
		name := columnLetters(le.col)
		if le.col <= len(h.cells) && strings.TrimSpace(h.cells[le.col-1]) != "" {
			name = strings.TrimSpace(h.cells[le.col-1])
		}
		if le.Args == nil {
			le.Args = map[string]string{}
		}
		le.Args["column"], le.col = name, 0
		return
	}
	if c, ok := le.Args["column"]; ok && h.text[c] != "" {
		le.Args["column"] = h.text[c]
	}
	if cs, ok := le.Args["columns"]; ok {
		// As the file writes them, or as exports usually do when the file
		// lacks them ("procedure_code/procedure_name": either will do).
		names := strings.Split(cs, ", ")
		for i, c := range names {
			either := strings.Split(c, "/")
			for j, n := range either {
				switch {
				case h.text[n] != "":
					either[j] = h.text[n]
				case !h.english():
					either[j] = h.table.heading(n)
				}
			}
			names[i] = strings.Join(either, "/")
		}
		le.Args["columns"] = strings.Join(names, ", ")
	}
}
