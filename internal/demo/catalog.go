package demo

import (
	"strconv"

	"xabot/internal/domain"
)

// The demo commune's fixed data. They are functions, not package
// variables, so nothing is global; Generate calls each once.

func communeName() string { return "Xã Hành Dũng" }

// villages are the commune's seven thôn (the seed report: "Toàn xã có 07 thôn").
func villages() []string {
	return []string{"An Hòa", "Phú Lâm Tây", "Phú Lâm Đông", "Đại An", "Xuân Vinh", "Thế Lợi", "Trung Hà"}
}

// Fields of the one-stop shop (lĩnh vực), and the official who handles each:
// the seed's Bộ phận Một cửa has one civil servant per group of fields.
const (
	fHoTich      = "Hộ tịch"
	fChungThuc   = "Chứng thực"
	fTuPhap      = "Tư pháp"
	fDatDai      = "Đất đai"
	fXayDung     = "Xây dựng"
	fMoiTruong   = "Tài nguyên - Môi trường"
	fNongNghiep  = "Nông nghiệp"
	fBaoTro      = "Bảo trợ xã hội"
	fNguoiCoCong = "Người có công"
	fVanHoa      = "Văn hóa - Xã hội"
	fThiDua      = "Thi đua - Khen thưởng"
)

func fields() []string {
	return []string{fHoTich, fChungThuc, fTuPhap, fDatDai, fXayDung, fMoiTruong, fNongNghiep,
		fBaoTro, fNguoiCoCong, fVanHoa, fThiDua}
}

// handler is the official who handles dossiers of field.
func handler(field string) string {
	switch field {
	case fHoTich, fTuPhap:
		return "Nguyễn Thị Thanh Tâm" // công chức Tư pháp - Hộ tịch
	case fChungThuc:
		return "Đặng Thị Kim Oanh"
	case fDatDai, fXayDung, fMoiTruong, fNongNghiep:
		return "Trần Quốc Huy" // công chức Địa chính - Nông nghiệp - Xây dựng - Môi trường
	case fBaoTro, fNguoiCoCong, fVanHoa:
		return "Lê Thị Mỹ Hạnh" // công chức Văn hóa - Xã hội
	}
	return "Võ Văn Thành" // công chức Văn phòng - Thống kê
}

// proc is a procedure with how often the commune sees it and its fee.
type proc struct {
	domain.Procedure
	weight int // relative frequency
	fee    int // đồng; 0 = free
}

// entry is the procedure as the catalogue lists it: its fee in words,
// and for the common ones what to bring and how far it can be done online.
func (p proc) entry() domain.Procedure {
	e := p.Procedure
	e.Fee = "Miễn lệ phí"
	if p.fee > 0 {
		e.Fee = strconv.Itoa(p.fee/1000) + ".000 đồng"
	}
	e.Online = domain.OnlinePartial
	switch p.Code[:8] {
	case "1.001193":
		e.Documents = []string{"Tờ khai đăng ký khai sinh theo mẫu", "Bản chính Giấy chứng sinh (hoặc văn bản của người làm chứng)",
			"Giấy tờ tùy thân của người đi đăng ký"}
		e.Online = domain.OnlineFull
	case "1.000894":
		e.Documents = []string{"Tờ khai đăng ký kết hôn theo mẫu", "Giấy tờ tùy thân của hai bên nam, nữ",
			"Giấy xác nhận tình trạng hôn nhân (nếu đăng ký thường trú ở nơi khác)"}
	case "1.000656":
		e.Documents = []string{"Tờ khai đăng ký khai tử theo mẫu", "Giấy báo tử hoặc giấy tờ thay thế Giấy báo tử"}
		e.Online = domain.OnlineFull
	case "2.000815":
		e.Documents = []string{"Bản chính giấy tờ, văn bản làm cơ sở để chứng thực bản sao", "Bản sao cần chứng thực"}
		e.Online = domain.OnlineNone
	case "1.009794":
		e.Documents = []string{"Đơn đề nghị cấp giấy phép xây dựng theo mẫu", "Bản sao giấy tờ về quyền sử dụng đất",
			"02 bộ bản vẽ thiết kế xây dựng"}
	}
	return e
}

// procedures are commune-level procedures of the national catalogue with
// Quảng Ngãi (H55) codes; days are the processing time in working days.
func procedures() []proc {
	p := func(code, name, field string, days, weight, fee int) proc {
		return proc{domain.Procedure{Code: code + ".000.00.00.H55", Name: name, Field: field, Days: days}, weight, fee}
	}
	return []proc{
		p("1.001193", "Đăng ký khai sinh", fHoTich, 1, 40, 0),
		p("1.000894", "Đăng ký kết hôn", fHoTich, 3, 10, 0),
		p("1.000656", "Đăng ký khai tử", fHoTich, 1, 12, 0),
		p("1.004873", "Xác nhận tình trạng hôn nhân", fHoTich, 3, 25, 0),
		p("2.000635", "Cấp bản sao trích lục hộ tịch", fHoTich, 1, 20, 8000),
		p("1.001022", "Đăng ký nhận cha, mẹ, con", fHoTich, 3, 2, 0),
		p("1.000689", "Đăng ký khai sinh kết hợp nhận cha, mẹ, con", fHoTich, 3, 2, 0),
		p("1.004884", "Đăng ký lại khai sinh", fHoTich, 5, 3, 0),
		p("1.004746", "Đăng ký lại kết hôn", fHoTich, 5, 1, 0),
		p("1.005461", "Đăng ký lại khai tử", fHoTich, 5, 1, 0),
		p("1.004859", "Thay đổi, cải chính, bổ sung thông tin hộ tịch", fHoTich, 3, 6, 15000),
		p("1.004837", "Đăng ký giám hộ", fHoTich, 3, 1, 0),
		p("1.004845", "Đăng ký chấm dứt giám hộ", fHoTich, 2, 1, 0),
		p("1.000593", "Liên thông đăng ký khai sinh, đăng ký thường trú, cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi", fHoTich, 5, 6, 0),
		p("1.003583", "Liên thông đăng ký khai tử, xóa đăng ký thường trú, hưởng chế độ tử tuất", fHoTich, 5, 2, 0),
		p("2.000815", "Chứng thực bản sao từ bản chính giấy tờ, văn bản", fChungThuc, 0, 80, 2000),
		p("2.000884", "Chứng thực chữ ký trong các giấy tờ, văn bản", fChungThuc, 0, 15, 10000),
		p("2.001035", "Chứng thực hợp đồng, giao dịch liên quan đến tài sản là động sản, quyền sử dụng đất và nhà ở", fChungThuc, 2, 8, 50000),
		p("2.001019", "Chứng thực di chúc", fChungThuc, 2, 1, 50000),
		p("2.001016", "Chứng thực văn bản thỏa thuận phân chia di sản", fChungThuc, 2, 2, 50000),
		p("2.001008", "Chứng thực văn bản khai nhận di sản", fChungThuc, 2, 1, 50000),
		p("2.001044", "Chứng thực việc sửa đổi, bổ sung, hủy bỏ hợp đồng, giao dịch", fChungThuc, 2, 1, 30000),
		p("2.000930", "Công nhận hòa giải viên", fTuPhap, 5, 1, 0),
		p("2.000335", "Thanh toán thù lao cho hòa giải viên", fTuPhap, 5, 1, 0),
		p("2.001457", "Công nhận tuyên truyền viên pháp luật", fTuPhap, 5, 1, 0),
		p("1.003554", "Hòa giải tranh chấp đất đai", fDatDai, 15, 3, 0),
		p("1.000798", "Xác nhận hộ gia đình, cá nhân trực tiếp sản xuất nông nghiệp", fDatDai, 5, 3, 0),
		p("1.004991", "Đăng ký đất đai, tài sản gắn liền với đất lần đầu", fDatDai, 15, 4, 0),
		p("1.009794", "Cấp giấy phép xây dựng nhà ở riêng lẻ", fXayDung, 15, 2, 75000),
		p("1.009795", "Cấp giấy phép sửa chữa, cải tạo nhà ở riêng lẻ", fXayDung, 15, 1, 75000),
		p("1.010727", "Tham vấn ý kiến cộng đồng trong đánh giá tác động môi trường", fMoiTruong, 10, 1, 0),
		p("1.004232", "Đăng ký khai thác nước dưới đất của hộ gia đình", fMoiTruong, 10, 1, 0),
		p("2.002162", "Hỗ trợ khôi phục sản xuất vùng bị thiệt hại do thiên tai", fNongNghiep, 10, 2, 0),
		p("1.003605", "Hỗ trợ khắc phục hậu quả dịch bệnh động vật", fNongNghiep, 10, 1, 0),
		p("1.001776", "Thực hiện, điều chỉnh, thôi hưởng trợ cấp xã hội hàng tháng", fBaoTro, 15, 6, 0),
		p("1.001731", "Hỗ trợ chi phí mai táng cho đối tượng bảo trợ xã hội", fBaoTro, 3, 3, 0),
		p("1.001653", "Xác định, xác định lại mức độ khuyết tật và cấp Giấy xác nhận khuyết tật", fBaoTro, 15, 3, 0),
		p("1.000489", "Công nhận hộ nghèo, hộ cận nghèo phát sinh trong năm", fBaoTro, 10, 2, 0),
		p("1.000502", "Xác nhận hộ gia đình làm nông nghiệp có mức sống trung bình", fBaoTro, 5, 2, 0),
		p("2.000286", "Trợ giúp xã hội khẩn cấp về hỗ trợ làm nhà ở, sửa chữa nhà ở", fBaoTro, 10, 1, 0),
		p("1.010831", "Giải quyết chế độ trợ cấp thờ cúng liệt sĩ", fNguoiCoCong, 12, 1, 0),
		p("1.010822", "Hỗ trợ chi phí mai táng đối với người có công với cách mạng", fNguoiCoCong, 5, 1, 0),
		p("1.010834", "Xác nhận hưởng chế độ ưu đãi trong giáo dục đối với người có công và con của họ", fNguoiCoCong, 3, 2, 0),
		p("1.000954", "Xét tặng danh hiệu Gia đình văn hóa hằng năm", fVanHoa, 5, 2, 0),
		p("1.001809", "Thông báo tổ chức lễ hội cấp xã", fVanHoa, 5, 1, 0),
		p("1.001055", "Đăng ký hoạt động tín ngưỡng", fVanHoa, 10, 1, 0),
		p("2.000346", "Tặng giấy khen của Chủ tịch UBND xã về thực hiện nhiệm vụ chính trị", fThiDua, 10, 1, 0),
		p("2.000374", "Tặng giấy khen của Chủ tịch UBND xã cho gia đình", fThiDua, 10, 1, 0),
	}
}

// supplementNote says what a dossier of field is missing (status 5).
func supplementNote(field string) string {
	switch field {
	case fHoTich:
		return "Đề nghị bổ sung bản chính Giấy chứng sinh hoặc văn bản của người làm chứng."
	case fChungThuc:
		return "Đề nghị bổ sung bản chính giấy tờ để đối chiếu."
	case fDatDai:
		return "Đề nghị bổ sung bản sao Giấy chứng nhận quyền sử dụng đất và sơ đồ thửa đất."
	case fXayDung:
		return "Đề nghị bổ sung 02 bộ bản vẽ thiết kế xây dựng."
	case fMoiTruong:
		return "Đề nghị bổ sung sơ đồ vị trí công trình khai thác."
	case fNongNghiep:
		return "Đề nghị bổ sung bảng kê diện tích bị thiệt hại có xác nhận của trưởng thôn."
	case fBaoTro:
		return "Đề nghị bổ sung bản sao giấy tờ chứng minh thuộc đối tượng bảo trợ xã hội."
	case fNguoiCoCong:
		return "Đề nghị bổ sung bản sao Giấy chứng nhận gia đình liệt sĩ."
	}
	return "Đề nghị bổ sung giấy tờ theo hướng dẫn của công chức Một cửa."
}

// The notes of the other statuses that tell the citizen what to do.
const (
	noteCollect      = "Kết quả đã sẵn sàng. Mời anh/chị đến nhận tại Trung tâm Phục vụ hành chính công xã (giờ hành chính, thứ Hai đến thứ Sáu), mang theo giấy tiếp nhận hồ sơ và CCCD."
	noteNotAccepted  = "Hồ sơ chưa đủ thành phần theo quy định; đã hướng dẫn công dân hoàn thiện và nộp lại."
	noteWithdrawn    = "Công dân có văn bản đề nghị rút hồ sơ."
	noteStopped      = "Dừng xử lý do công dân không bổ sung hồ sơ trong thời hạn."
	notePostReturned = "Đã gửi kết quả qua dịch vụ bưu chính công ích."
	payNoteFormat    = "Lệ phí %s đồng. Anh/chị nộp tại Trung tâm Phục vụ hành chính công xã hoặc thanh toán trực tuyến (quét mã QR) trên Cổng Dịch vụ công quốc gia."
)

func extensionReasons() []string {
	return []string{
		"Cần xác minh thêm thông tin tại thôn.",
		"Chờ kết quả xác minh của cơ quan cấp trên.",
		"Cần lấy ý kiến các hộ liền kề về ranh giới.",
	}
}

// Vietnamese names, common in Quảng Ngãi.
func familyNames() []string {
	return []string{"Nguyễn", "Nguyễn", "Nguyễn", "Trần", "Trần", "Lê", "Lê", "Phạm", "Võ", "Võ", "Huỳnh",
		"Phan", "Bùi", "Đỗ", "Trương", "Đinh", "Hồ", "Lương", "Đặng", "Ngô"}
}

func middleNames(female bool) []string {
	if female {
		return []string{"Thị", "Thị", "Thị", "Ngọc", "Thu", "Kim", "Mỹ", "Thanh"}
	}
	return []string{"Văn", "Văn", "Văn", "Đức", "Minh", "Quốc", "Hữu", "Công", "Thành"}
}

func givenNames(female bool) []string {
	if female {
		return []string{"Anh", "Cúc", "Dung", "Hà", "Hạnh", "Hoa", "Hương", "Lan", "Linh", "Mai", "Nga",
			"Nhung", "Oanh", "Phương", "Thảo", "Thủy", "Trang", "Tuyết", "Vân", "Yến"}
	}
	return []string{"An", "Bình", "Cường", "Dũng", "Hùng", "Hải", "Khánh", "Long", "Minh", "Nam", "Phúc",
		"Quang", "Sơn", "Tài", "Thắng", "Trung", "Tuấn", "Vinh", "Hòa", "Lực"}
}

// mobilePrefixes are Vietnamese mobile prefixes (09x, 03x, 07x, 08x).
func mobilePrefixes() []string {
	return []string{"090", "091", "093", "094", "096", "097", "098", "086", "088", "089", "032", "033",
		"034", "035", "036", "037", "038", "039", "070", "076", "077", "078", "079", "081", "082", "083",
		"084", "085"}
}

// Member is one of the demo commune's officials.
type Member struct {
	Name   string
	Role   string // official, chairman
	Fields []string
	Head   bool // head of the one-stop shop
}

// Staff is the demo commune's one-stop shop as the seed report lists it:
// a vice-chairman heading it, the civil servants of the fields, and the
// chairman.
func Staff() []Member {
	byName := map[string][]string{}
	var names []string
	for _, f := range fields() {
		h := handler(f)
		if _, ok := byName[h]; !ok {
			names = append(names, h)
		}
		byName[h] = append(byName[h], f)
	}
	out := []Member{{Name: "Lương Thị Hồng", Role: "official", Head: true}}
	for _, n := range names {
		out = append(out, Member{Name: n, Role: "official", Fields: byName[n]})
	}
	return append(out, Member{Name: "Phạm Minh Trung", Role: "chairman"})
}
