package intake

import (
	"strings"

	"xabot/internal/fold"
)

// column is one import column: its English name (DESIGN.md §3, the key of
// ParseRecord's map) and the headers one-door exports print for it.
type column struct {
	name     string
	required bool
	aliases  []string
}

// columns lists the import columns. procedure_code and procedure_name are
// required as a pair: one of them must be there.
func columns() []column {
	return []column{
		{"code", true, []string{"Mã hồ sơ", "Số hồ sơ", "Mã HS", "Số biên nhận"}},
		{"procedure_code", false, []string{"Mã thủ tục", "Mã TTHC", "Mã thủ tục hành chính"}},
		{"procedure_name", false, []string{"Tên thủ tục", "Tên TTHC", "Thủ tục", "Thủ tục hành chính",
			"Tên thủ tục hành chính", "procedure"}},
		{"field", true, []string{"Lĩnh vực", "Tên lĩnh vực"}},
		{"applicant_name", false, []string{"Người nộp", "Họ tên", "Họ và tên", "Chủ hồ sơ", "Tên người nộp",
			"Người nộp hồ sơ", "Tên chủ hồ sơ", "applicant"}},
		{"applicant_phone", true, []string{"Số điện thoại", "Điện thoại", "SĐT", "Số ĐT", "phone"}},
		{"applicant_id", false, []string{"CCCD", "Số CCCD", "Số định danh", "Số định danh cá nhân", "CMND",
			"Số CMND", "CCCD/CMND", "Số CCCD/CMND"}},
		{"village", false, []string{"Thôn", "Thôn/xóm", "Thôn, xóm", "Địa chỉ thôn", "Xóm"}},
		{"channel", true, []string{"Kênh", "Kênh tiếp nhận", "Hình thức nộp", "Hình thức tiếp nhận",
			"Hình thức nộp hồ sơ", "intake"}},
		{"received_at", true, []string{"Ngày tiếp nhận", "Ngày nhận", "Ngày nhận hồ sơ", "Thời gian tiếp nhận",
			"received"}},
		{"due_at", true, []string{"Ngày hẹn trả", "Hẹn trả", "Ngày hẹn trả kết quả", "Hạn xử lý", "due"}},
		{"finished_at", false, []string{"Ngày có kết quả", "Ngày kết thúc", "Ngày xử lý xong", "Ngày hoàn thành",
			"finished"}},
		{"returned_at", false, []string{"Ngày trả kết quả", "Ngày trả", "returned"}},
		{"status", true, []string{"Trạng thái", "Tình trạng", "Trạng thái hồ sơ"}},
		{"handler", false, []string{"Cán bộ xử lý", "Người xử lý", "Cán bộ thụ lý", "Cán bộ giải quyết"}},
		{"extended_due_at", false, []string{"Ngày gia hạn", "Hẹn trả mới", "Ngày hẹn trả mới", "Gia hạn đến"}},
		{"note", false, []string{"Ghi chú", "notes"}},
		{"extension_reason", false, []string{"Lý do gia hạn", "Lý do xin lỗi, gia hạn"}},
	}
}

// header says where each known column is in a file.
type header struct {
	index map[string]int    // column name → position in the row
	text  map[string]string // column name → the header as written, for messages
}

// matchHeader finds the known columns among cells, comparing with fold.Key
// (case, accents, spaces and punctuation do not matter). Unknown cells are
// ignored; when two cells name the same column the first wins.
func matchHeader(cells []string) header {
	byKey := map[string]string{}
	for _, c := range columns() {
		byKey[fold.Key(c.name)] = c.name
		for _, a := range c.aliases {
			byKey[fold.Key(a)] = c.name
		}
	}
	h := header{index: map[string]int{}, text: map[string]string{}}
	for i, cell := range cells {
		name, ok := byKey[fold.Key(cell)]
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

// missing lists the required columns the header lacks, by English name.
func (h header) missing() []string {
	var out []string
	for _, c := range columns() {
		if _, ok := h.index[c.name]; c.required && !ok {
			out = append(out, c.name)
		}
	}
	_, code := h.index["procedure_code"]
	_, name := h.index["procedure_name"]
	if !code && !name {
		out = append(out, "procedure_code/procedure_name")
	}
	return out
}
