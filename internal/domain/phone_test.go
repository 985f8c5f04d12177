package domain

import "testing"

func TestNormalizePhone(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" when rejected
	}{
		{"0905123456", "0905123456"},
		{"0905 123 456", "0905123456"},
		{"0905.123.456", "0905123456"},
		{"0905-123-456", "0905123456"},
		{"+84905123456", "0905123456"},
		{"+84 905 123 456", "0905123456"},
		{"84905123456", "0905123456"},
		{"84-905-123-456", "0905123456"},
		{"(+84) 905.123.456", "0905123456"},
		{"0084905123456", "0905123456"},
		{"00 84 905 123 456", "0905123456"},
		{"+84 (0) 905 123 456", "0905123456"}, // the trunk 0 kept after +84
		{"+840905123456", "0905123456"},
		{"00840905123456", "0905123456"},
		{"905123456", "0905123456"}, // the leading zero forgotten
		{"845123456", "0845123456"}, // 084 is a mobile prefix, not the country code
		{"0845123456", "0845123456"},
		{"02363 822 123", "02363822123"}, // old 11-digit landline
		{"+84 2363 822 123", "02363822123"},
		{"  0905123456\n", "0905123456"},
		{"0905/123456", "0905123456"},
		{"0905 123 45a", ""}, // letters
		{"tel: 0905123456", ""},
		{"O905123456", ""}, // capital o typed for zero
		{"090512345", ""},  // too short
		{"12345", ""},
		{"090512345678", ""}, // too long
		{"+1 415 555 0100", ""},
		{"9051234567", ""}, // ten digits without the zero
		{"", ""},
		{"+84", ""},
		{"00905123456", ""}, // an international prefix without the country code
		{"0000000000", ""},
		{"0123456789", "0123456789"}, // shape only: whether the number exists is not checked
	}
	for _, tc := range tests {
		got, ok := NormalizePhone(tc.in)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.want != "")
		}
	}
}

func TestMaskPhone(t *testing.T) {
	tests := []struct{ in, want string }{
		{"0905123456", "090****456"},
		{"02363822123", "023*****123"},
		{"1234567", "123*567"},
		{"123456", "******"},
		{"12", "**"},
		{"", ""},
	}
	for _, tc := range tests {
		if got := MaskPhone(tc.in); got != tc.want {
			t.Errorf("MaskPhone(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestMaskName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Nguyễn Văn An", "N*** V*** A***"},
		{"Đặng Thị Ánh Tuyết", "Đ*** T*** Á*** T***"},
		{"  lê   thị  ", "l*** t***"},
		{"Bình", "B***"},
		{"", ""},
	}
	for _, tc := range tests {
		if got := MaskName(tc.in); got != tc.want {
			t.Errorf("MaskName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
