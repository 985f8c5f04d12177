package fold

import "testing"

func TestString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Tra cứu  HỒ SƠ", "tra cuu ho so"},
		{"tra cuu ho so", "tra cuu ho so"},
		{"  Đồng ý ", "dong y"},
		{"Góp ý, kiến nghị", "gop y, kien nghi"},
		{"Ngôn ngữ / Language", "ngon ngu / language"},
		{"", ""},
		{"Ủy ban\tnhân\ndân", "uy ban nhan dan"},
	}
	for _, tt := range tests {
		if got := String(tt.in); got != tt.want {
			t.Errorf("String(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Mã hồ sơ", "mahoso"},
		{"ma_ho_so", "mahoso"},
		{"Ngày hẹn trả", "ngayhentra"},
		{"applicant_phone", "applicantphone"},
	}
	for _, tt := range tests {
		if got := Key(tt.in); got != tt.want {
			t.Errorf("Key(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
