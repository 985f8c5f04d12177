package catalogue

import "xabot/internal/service/intake"

// table is the catalogue's columns, with the headers the national public
// service portal's lists and the provinces' one-door systems print.
var table = intake.NewTable([]intake.Column{
	{Name: "code", Aliases: []string{"Mã thủ tục", "Mã TTHC", "Mã thủ tục hành chính", "Mã số TTHC", "Mã số thủ tục", "Mã số", "Mã"}},
	{Name: "name", Aliases: []string{"Tên thủ tục", "Tên TTHC", "Tên thủ tục hành chính", "Thủ tục", "Thủ tục hành chính", "Tên"}},
	{Name: "field", Aliases: []string{"Lĩnh vực", "Tên lĩnh vực", "Lĩnh vực thực hiện"}},
	{Name: "processing_days", Aliases: []string{"Thời hạn giải quyết", "Thời gian giải quyết", "Thời hạn xử lý",
		"Thời gian xử lý", "Thời hạn", "Số ngày giải quyết", "days"}},
	{Name: "fee", Aliases: []string{"Phí, lệ phí", "Phí/lệ phí", "Lệ phí", "Phí", "Mức phí", "Phí và lệ phí", "Mức thu phí, lệ phí"}},
	{Name: "documents", Aliases: []string{"Thành phần hồ sơ", "Thành phần, số lượng hồ sơ", "Hồ sơ gồm", "Giấy tờ cần nộp",
		"Giấy tờ", "Hồ sơ cần nộp"}},
	{Name: "online_level", Aliases: []string{"Mức độ", "Mức độ DVC", "Mức độ dịch vụ công", "Mức độ DVCTT",
		"Mức độ DVC trực tuyến", "Dịch vụ công trực tuyến", "DVC trực tuyến", "Cung cấp DVC trực tuyến", "online"}},
}, "code")
