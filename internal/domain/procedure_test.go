package domain

import (
	"slices"
	"testing"
)

func TestParseDays(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int
		ok   bool
	}{
		{"05 ngày làm việc", 5, true},
		{"3", 3, true},
		{"0", 0, true},
		{"Trong ngày", 0, true},
		{"Ngay trong ngày làm việc; trường hợp nhận sau 15 giờ thì trả trong ngày làm việc tiếp theo", 0, true},
		{"03 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ", 3, true},
		{"Không quá 20 ngày", 20, true},
		{"08 giờ làm việc", 0, true},
		{"16 giờ làm việc", 2, true},
		{"24 giờ", 1, true},
		{"02 tuần", 10, true},
		{"0,5 ngày", 0, true},
		{"1,5 ngày làm việc", 2, true},
		{"theo quy định", 0, false},
		{"", 0, false},
		{"99999 ngày", 0, false},
	} {
		got, ok := ParseDays(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseDays(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParseOnline(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Online
		ok   bool
	}{
		{"Toàn trình", OnlineFull, true},
		{"DVC trực tuyến toàn trình", OnlineFull, true},
		{"Một phần", OnlinePartial, true},
		{"Dịch vụ công trực tuyến một phần", OnlinePartial, true},
		{"Mức độ 4", OnlineFull, true},
		{"muc do 3", OnlinePartial, true},
		{"Mức độ 2", OnlineNone, true},
		{"1", OnlineNone, true},
		{"Không", OnlineNone, true},
		{"partial", OnlinePartial, true},
		{"12", OnlineUnknown, false},
		{"có lẽ", OnlineUnknown, false},
		{"", OnlineUnknown, false},
	} {
		got, ok := ParseOnline(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseOnline(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestSplitDocuments(t *testing.T) {
	got := SplitDocuments("- Tờ khai đăng ký khai sinh;\n+ Giấy chứng sinh; 3. Bản sao CCCD\r\n a) Sổ hộ khẩu ;;  ")
	want := []string{"Tờ khai đăng ký khai sinh", "Giấy chứng sinh", "Bản sao CCCD", "Sổ hộ khẩu"}
	if !slices.Equal(got, want) {
		t.Fatalf("SplitDocuments = %q, want %q", got, want)
	}
}

func TestFeeFree(t *testing.T) {
	for in, want := range map[string]bool{"Miễn lệ phí": true, "Không": true, "0 đồng": true, "0đ": true,
		"8.000 đồng/bản": false, "": false, "50.000 đồng": false} {
		if FeeFree(in) != want {
			t.Errorf("FeeFree(%q) = %v", in, !want)
		}
	}
}

// A row changes only what it carries: a thin re-import keeps the
// documents and the fee; «-» clears them; the name is needed and stays.
func TestMergeProcedure(t *testing.T) {
	stored := Procedure{Code: "1.001193", Name: "Đăng ký khai sinh", Field: "Hộ tịch", Days: 1,
		Fee: "Miễn lệ phí", Documents: []string{"Tờ khai", "Giấy chứng sinh"}, Online: OnlinePartial}
	got, o, err := MergeProcedure(&stored, ProcedurePatch{Values: Procedure{Code: "1.001193", Days: 2}, Set: ProcDays})
	if err != nil || o != DossierUpdated || got.Days != 2 || got.Fee != stored.Fee || !slices.Equal(got.Documents, stored.Documents) || got.Online != OnlinePartial {
		t.Fatalf("thin row: %+v %v %v", got, o, err)
	}
	if _, o, _ := MergeProcedure(&stored, ProcedurePatch{Values: stored, Set: ProcName | ProcDocuments}); o != DossierUnchanged {
		t.Fatalf("same values: %v", o)
	}
	got, _, _ = MergeProcedure(&stored, ProcedurePatch{Values: Procedure{Code: "1.001193"}, Clear: ProcFee | ProcDocuments})
	if got.Fee != "" || got.Documents != nil || got.Name != stored.Name {
		t.Fatalf("clear: %+v", got)
	}
	if _, o, err := MergeProcedure(&stored, ProcedurePatch{Clear: ProcName}); o != DossierRefused || err.Key != "catalogue.cannot_clear" {
		t.Fatalf("clear name: %v %v", o, err)
	}
	if _, o, err := MergeProcedure(nil, ProcedurePatch{Values: Procedure{Code: "x", Fee: "0"}, Set: ProcFee}); o != DossierRefused || err.Key != "catalogue.new_incomplete" {
		t.Fatalf("new without a name: %v %v", o, err)
	}
	got, o, _ = MergeProcedure(nil, ProcedurePatch{Values: Procedure{Code: "x", Name: "Tên"}, Set: ProcName})
	if o != DossierCreated || got.Days != DaysUnknown {
		t.Fatalf("new: %+v %v", got, o)
	}
}
