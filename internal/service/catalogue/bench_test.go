package catalogue

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"xabot/internal/domain"
)

// provinceCatalogue is a catalogue of n procedures (a province's list is
// about 2,000): the 48 of testdata/catalogue.csv and names made the way
// the national list makes them (an act, an object, for whom or when), in
// a dozen fields.
func provinceCatalogue(tb testing.TB, real []domain.Procedure, n int) []domain.Procedure {
	acts := []string{"Cấp", "Cấp lại", "Cấp đổi", "Điều chỉnh", "Gia hạn", "Thu hồi", "Xác nhận", "Đăng ký",
		"Đăng ký thay đổi", "Công nhận", "Hỗ trợ", "Thẩm định", "Phê duyệt", "Chấp thuận", "Thông báo", "Giải quyết"}
	objects := []struct{ name, field string }{
		{"giấy phép kinh doanh", "Thương mại"}, {"giấy chứng nhận quyền sử dụng đất", "Đất đai"},
		{"giấy phép khai thác khoáng sản", "Khoáng sản"}, {"chứng chỉ hành nghề", "Y tế"},
		{"hộ kinh doanh", "Thành lập và hoạt động doanh nghiệp"}, {"hợp tác xã", "Kinh tế hợp tác"},
		{"nhà văn hóa thôn", "Văn hóa"}, {"trang trại", "Nông nghiệp"}, {"thẻ bảo hiểm y tế", "Bảo hiểm"},
		{"sổ hộ nghèo", "Bảo trợ xã hội"}, {"giấy phép xây dựng công trình", "Xây dựng"},
		{"phương án phòng chống thiên tai", "Phòng chống thiên tai"}, {"kế hoạch bảo vệ môi trường", "Môi trường"},
		{"giấy phép lưu hành phương tiện", "Giao thông"}, {"trợ cấp thất nghiệp", "Việc làm"},
		{"học bổng chính sách", "Giáo dục"}, {"chế độ thai sản", "Bảo hiểm"}, {"giấy phép biểu diễn", "Văn hóa"},
		{"cơ sở tín ngưỡng", "Tôn giáo"}, {"giấy phép vận chuyển hàng hóa", "Giao thông"},
		{"chứng nhận an toàn thực phẩm", "An toàn thực phẩm"}, {"giấy phép nuôi trồng thủy sản", "Thủy sản"},
		{"giấy chứng nhận kiểm dịch động vật", "Thú y"}, {"điểm bán lẻ thuốc", "Dược"},
		{"hồ sơ nhận con nuôi", "Nuôi con nuôi"}, {"hạn mức giao đất", "Đất đai"}, {"quyền khai thác nước mặt", "Tài nguyên nước"},
		{"giấy phép quảng cáo", "Văn hóa"}, {"chi trả bồi thường", "Đất đai"}, {"danh hiệu lao động tiên tiến", "Thi đua, khen thưởng"},
	}
	whom := []string{"", " cấp xã", " cho hộ gia đình", " cho cá nhân", " cho tổ chức", " trong trường hợp bị mất", " do thay đổi thông tin"}
	out := slices.Clone(real)
	seen := map[string]bool{}
	for _, p := range real {
		seen[p.Name] = true
	}
	rng := rand.New(rand.NewPCG(7, 11))
	for i := 0; len(out) < n; i++ {
		if i > 100*n {
			tb.Fatalf("made only %d names", len(out))
		}
		o := objects[rng.IntN(len(objects))]
		name := acts[rng.IntN(len(acts))] + " " + o.name + whom[rng.IntN(len(whom))]
		if seen[name] {
			continue
		}
		seen[name] = true
		out = append(out, domain.Procedure{Code: fmt.Sprintf("3.%06d.000.00.00.H55", len(out)), Name: name, Field: o.field,
			Days: rng.IntN(20), Online: domain.Online(rng.IntN(4))})
	}
	return out
}

// benchQueries are 50 questions as typed, with and without accents, some
// with a slip, some cut short, some about no procedure.
var benchQueries = []string{
	"khai sinh", "thu tuc khai sinh", "Thủ tục đăng ký khai sinh cần giấy tờ gì?", "dang ky ket hon",
	"kết hôn cần những gì", "khai tu", "xac nhan tinh trang hon nhan", "chung thuc ban sao", "chứng thực chữ ký",
	"giay phep xay dung", "xin phép sửa nhà", "ho ngheo", "mai táng phí người có công", "hoa giai tranh chap dat dai",
	"trich luc ho tich", "khia sinh", "dang ky khai s", "1.001193", "giam ho", "KHUYẾT TẬT",
	"cap giay phep kinh doanh", "gia hạn giấy phép khai thác khoáng sản", "thu hoi giay chung nhan quyen su dung dat",
	"đăng ký hộ kinh doanh", "hop tac xa", "the bao hiem y te cho tre em", "che do thai san", "tro cap that nghiep",
	"giấy phép quảng cáo", "an toan thuc pham", "kiem dich dong vat", "nuoi con nuoi", "nuoc mat", "hoc bong",
	"cấp lại sổ hộ nghèo bị mất", "phuong an phong chong thien tai", "ke hoach bao ve moi truong", "diem ban le thuoc",
	"lao dong tien tien", "giay phep bieu dien", "co so tin nguong", "van chuyen hang hoa", "thuy san",
	"cảm ơn", "xin chào", "hồ sơ của tôi đến đâu rồi", "làm sao để đăng ký thường trú", "đất đai", "cấp đổi", "bồi thường",
}

// BenchmarkSearch2000 searches a catalogue of 2,000 procedures with the 50
// questions, through the Service as the bot calls it (the store's stamp
// read on SQLite, then the index), and reports the time of one question:
// the median and the 99th percentile (the goal is at most 5 ms).
func BenchmarkSearch2000(b *testing.B) {
	s, db := newService(b)
	if _, err := s.Import(b.Context(), filepath.Join("testdata", "catalogue.csv")); err != nil {
		b.Fatal(err)
	}
	real, err := db.Procedures(b.Context())
	if err != nil {
		b.Fatal(err)
	}
	for _, p := range provinceCatalogue(b, real, 2000)[len(real):] {
		if err := db.UpsertProcedure(b.Context(), p); err != nil {
			b.Fatal(err)
		}
	}
	if ps, _ := db.Procedures(b.Context()); len(ps) != 2000 {
		b.Fatalf("%d procedures", len(ps))
	}
	if _, err := s.Search(b.Context(), "warm", 5); err != nil { // builds the index
		b.Fatal(err)
	}
	timed(b, func(q string) {
		if _, err := s.Search(b.Context(), q, 5); err != nil {
			b.Fatal(err)
		}
	})
}

// timed runs search over benchQueries in turn and reports the median, the
// 99th percentile and the longest time of one.
func timed(b *testing.B, search func(q string)) {
	var times []time.Duration
	i := 0
	for b.Loop() {
		q := benchQueries[i%len(benchQueries)]
		i++
		start := time.Now()
		search(q)
		times = append(times, time.Since(start))
	}
	slices.Sort(times)
	pct := func(p float64) float64 { return float64(times[int(p*float64(len(times)-1))].Nanoseconds()) / 1e3 }
	b.ReportMetric(pct(0.5), "p50-µs/query")
	b.ReportMetric(pct(0.99), "p99-µs/query")
	b.ReportMetric(float64(times[len(times)-1].Nanoseconds())/1e3, "max-µs/query")
}

// BenchmarkIndex2000 is the index alone (no store): what a search costs
// once the stamp is read, and what rebuilding the index after an import
// costs.
func BenchmarkIndex2000(b *testing.B) {
	s, db := newService(b)
	if _, err := s.Import(b.Context(), filepath.Join("testdata", "catalogue.csv")); err != nil {
		b.Fatal(err)
	}
	real, _ := db.Procedures(b.Context())
	ps := provinceCatalogue(b, real, 2000)
	b.Run("search", func(b *testing.B) {
		idx := newIndex(ps)
		timed(b, func(q string) { idx.search(q, 5) })
	})
	b.Run("build", func(b *testing.B) {
		for b.Loop() {
			newIndex(ps)
		}
	})
}
