package domain

import "testing"

func TestParseStatus(t *testing.T) {
	tests := []struct {
		in   string
		want Status // 0 when rejected
	}{
		{"1", StatusNew},
		{" 9 ", StatusDone},
		{"10", StatusReturned},
		{"0", 0},
		{"11", 0},
		{"-1", 0},
		{"new", StatusNew},
		{"DONE", StatusDone},
		{"in_progress", StatusInProgress},
		{"In Progress", StatusInProgress},
		{"supplement_requested", StatusSupplementRequested},
		{"payment required", StatusPaymentRequired},
		{"not_accepted", StatusNotAccepted},
		{"withdrawn", StatusWithdrawn},
		{"stopped", StatusStopped},
		{"returned", StatusReturned},
		{"accepted", StatusAccepted},
		{"Mới đăng ký", StatusNew},
		{"Được tiếp nhận", StatusAccepted},
		{"Không được tiếp nhận", StatusNotAccepted},
		{"khong duoc tiep nhan", StatusNotAccepted},
		{"Đang xử lý", StatusInProgress},
		{"dang xu ly", StatusInProgress},
		{"ĐANG GIẢI QUYẾT", StatusInProgress},
		{"Yêu cầu bổ sung giấy tờ", StatusSupplementRequested},
		{"Yêu cầu thực hiện nghĩa vụ tài chính", StatusPaymentRequired},
		{"Công dân yêu cầu rút hồ sơ", StatusWithdrawn},
		{"Dừng xử lý", StatusStopped},
		{"Đã xử lý xong", StatusDone},
		{"da co ket qua", StatusDone},
		{"Đã trả kết quả", StatusReturned},
		{"  đã   trả  kết quả ", StatusReturned},
		{"da tra ket qua", StatusReturned},
		{"", 0},
		{"xong", 0},
		{"in-progress", 0},
		{"done!", 0},
	}
	for _, tc := range tests {
		got, err := ParseStatus(tc.in)
		if tc.want == 0 {
			if err == nil {
				t.Errorf("ParseStatus(%q) = %v, want an error", tc.in, got)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseStatus(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

func TestStatusRoundTrip(t *testing.T) {
	// Every status's name parses back to it, so exports and imports agree.
	for s := StatusNew; s <= StatusReturned; s++ {
		if got, err := ParseStatus(s.String()); err != nil || got != s {
			t.Errorf("ParseStatus(%v.String()) = %v, %v", int(s), got, err)
		}
	}
}

func TestStatusPredicates(t *testing.T) {
	tests := []struct {
		s                      Status
		name                   string
		valid, ended, resolved bool
	}{
		{0, "status(0)", false, false, false},
		{StatusNew, "new", true, false, false},
		{StatusAccepted, "accepted", true, false, false},
		{StatusNotAccepted, "not_accepted", true, true, true},
		{StatusInProgress, "in_progress", true, false, false},
		{StatusSupplementRequested, "supplement_requested", true, false, false},
		{StatusPaymentRequired, "payment_required", true, false, false},
		{StatusWithdrawn, "withdrawn", true, true, false}, // ended, but reported apart
		{StatusStopped, "stopped", true, true, true},
		{StatusDone, "done", true, true, true},
		{StatusReturned, "returned", true, true, true},
		{11, "status(11)", false, false, false},
		{-3, "status(-3)", false, false, false},
	}
	for _, tc := range tests {
		if got := tc.s.String(); got != tc.name {
			t.Errorf("Status(%d).String() = %q, want %q", int(tc.s), got, tc.name)
		}
		if got := tc.s.Valid(); got != tc.valid {
			t.Errorf("Status(%d).Valid() = %v, want %v", int(tc.s), got, tc.valid)
		}
		if got := tc.s.Ended(); got != tc.ended {
			t.Errorf("Status(%d).Ended() = %v, want %v", int(tc.s), got, tc.ended)
		}
		if got := tc.s.Resolved(); got != tc.resolved {
			t.Errorf("Status(%d).Resolved() = %v, want %v", int(tc.s), got, tc.resolved)
		}
	}
}
