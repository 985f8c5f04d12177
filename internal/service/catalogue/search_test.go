package catalogue

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// loaded is the service over the 48 procedures of testdata/catalogue.csv.
func loaded(t *testing.T) *Service {
	t.Helper()
	s, _ := newService(t)
	if _, err := s.Import(t.Context(), filepath.Join("testdata", "catalogue.csv")); err != nil {
		t.Fatal(err)
	}
	return s
}

// Questions as people type them, with accents or without, and the
// procedure that must come first; the results are a handful at most.
func TestSearchRanks(t *testing.T) {
	s := loaded(t)
	for _, tt := range []struct{ query, first string }{
		{"khai sinh", "Đăng ký khai sinh"},
		{"thu tuc khai sinh", "Đăng ký khai sinh"},
		{"Thủ tục đăng ký khai sinh cần giấy tờ gì?", "Đăng ký khai sinh"},
		{"lam giay khai sinh cho con", "Đăng ký khai sinh"},
		{"dang ky ket hon", "Đăng ký kết hôn"},
		{"kết hôn cần những gì", "Đăng ký kết hôn"},
		{"khai tu", "Đăng ký khai tử"},
		{"xac nhan tinh trang hon nhan", "Xác nhận tình trạng hôn nhân"},
		{"giấy xác nhận độc thân tình trạng hôn nhân", "Xác nhận tình trạng hôn nhân"},
		{"chung thuc ban sao", "Chứng thực bản sao từ bản chính giấy tờ, văn bản"},
		{"chứng thực chữ ký", "Chứng thực chữ ký trong các giấy tờ, văn bản"},
		{"giay phep xay dung", "Cấp giấy phép xây dựng nhà ở riêng lẻ"},
		{"xin phép sửa nhà", "Cấp giấy phép sửa chữa, cải tạo nhà ở riêng lẻ"},
		{"ho ngheo", "Công nhận hộ nghèo, hộ cận nghèo phát sinh trong năm"},
		{"mai táng phí người có công", "Hỗ trợ chi phí mai táng đối với người có công với cách mạng"},
		{"hoa giai tranh chap dat dai", "Hòa giải tranh chấp đất đai"},
		{"trich luc ho tich", "Cấp bản sao trích lục hộ tịch"},
		{"khia sinh", "Đăng ký khai sinh"},      // two letters swapped
		{"dang ky khai s", "Đăng ký khai sinh"}, // still typing
		{"1.001193", "Đăng ký khai sinh"},       // its code
		{"giam ho", "Đăng ký giám hộ"},
		{"làm giấy chứng tử", "Đăng ký khai tử"},                                   // everyday words
		{"công chứng bản sao", "Chứng thực bản sao từ bản chính giấy tờ, văn bản"}, // what the commune does
		{"giấy xác nhận độc thân", "Xác nhận tình trạng hôn nhân"},
		{"KHUYẾT TẬT", "Xác định, xác định lại mức độ khuyết tật và cấp Giấy xác nhận khuyết tật"},
	} {
		res, err := s.Search(t.Context(), tt.query, 5)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Hits) == 0 || res.Hits[0].Procedure.Name != tt.first || len(res.Hits) > 5 {
			t.Errorf("Search(%q) = %s; want %q first, at most 5", tt.query, names(res), tt.first)
		}
	}
}

// Free text that is not about a procedure finds nothing sure: routing it
// to the catalogue would be wrong.
func TestSearchNotConfident(t *testing.T) {
	s := loaded(t)
	for _, q := range []string{"cảm ơn", "xin chào", "hồ sơ của tôi đến đâu rồi", "ok", "thủ tục", "???", ""} {
		res, err := s.Search(t.Context(), q, 5)
		if err != nil {
			t.Fatal(err)
		}
		if res.Confident {
			t.Errorf("Search(%q) confident: %s", q, names(res))
		}
	}
	for _, q := range []string{"khai sinh", "dang ky ket hon", "chung thuc"} {
		if res, _ := s.Search(t.Context(), q, 5); !res.Confident {
			t.Errorf("Search(%q) not confident: %s", q, names(res))
		}
	}
}

func names(r Result) string {
	var out []string
	for _, h := range r.Hits {
		out = append(out, fmt.Sprintf("%s (%.2f, %.2f)", h.Procedure.Name, h.Score, h.Coverage))
	}
	return "[" + strings.Join(out, "; ") + "]"
}

// The index follows the store: an import by another process (another
// Service over the same database) is seen at the next search.
func TestSearchSeesAnotherImport(t *testing.T) {
	s, db := newService(t)
	if res, _ := s.Search(t.Context(), "khai sinh", 5); len(res.Hits) != 0 {
		t.Fatalf("empty catalogue found %s", names(res))
	}
	if _, err := New(db).Import(t.Context(), filepath.Join("testdata", "catalogue.csv")); err != nil {
		t.Fatal(err)
	}
	if res, _ := s.Search(t.Context(), "khai sinh", 5); len(res.Hits) == 0 {
		t.Fatal("the import was not seen")
	}
	in, _ := s.InField(t.Context(), "ho tich")
	var ns []string
	for _, p := range in {
		ns = append(ns, p.Name)
	}
	if len(ns) != 15 || ns[0] != "Cấp bản sao trích lục hộ tịch" || !slices.Contains(ns, "Đăng ký khai sinh") {
		t.Errorf("InField(ho tich) = %q", ns)
	}
}
