package zalo

import (
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func TestSplit(t *testing.T) {
	tests := []struct {
		name  string
		s     string
		limit int
		want  []string
	}{
		{"fits", "Xin chào", 8, []string{"Xin chào"}},
		{"paragraph first", "aaaa bbb\n\ncc dd", 12, []string{"aaaa bbb\n\n", "cc dd"}},
		{"line before space", "aaaa\nbbb cc dd", 10, []string{"aaaa\nbbb ", "cc dd"}},
		{"a separator too early is not used", "a bbbbbbbbbbbbb", 10, []string{"a bbbbbbbb", "bbbbb"}},
		{"hard cut keeps decomposed tones", "aaaaaaa" + norm.NFD.String("ệ") + "xyz", 8, []string{"aaaaaaa", norm.NFD.String("ệ") + "xyz"}},
		{"emoji count two", "ab😀😀", 4, []string{"ab😀", "😀"}},
		{"flags and ZWJ stay whole", "aaaaaaaa👩\u200d💻", 10, []string{"aaaaaaaa", "👩\u200d💻"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := split(tt.s, tt.limit)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("split(%q, %d) = %q, want %q", tt.s, tt.limit, got, tt.want)
			}
		})
	}
}

// Whatever the text, parts fit, are valid UTF-8 and rejoin to the input.
func TestSplitProperties(t *testing.T) {
	inputs := []string{
		strings.Repeat("Thủ tục hành chính một cửa ", 300),
		norm.NFD.String(strings.Repeat("Đề nghị sửa đường ở thôn Hành Thịnh\n", 200)),
		strings.Repeat("😀", 3000),
		strings.Repeat("x", 4001),
		strings.Repeat("e\u0301", 2500), // every other rune a combining mark
	}
	for i, s := range inputs {
		parts := split(s, maxText)
		if strings.Join(parts, "") != s {
			t.Errorf("input %d: parts do not rejoin", i)
		}
		for j, p := range parts {
			if units(p) > maxText || utf8.RuneCountInString(p) > maxText {
				t.Errorf("input %d part %d: %d units", i, j, units(p))
			}
			if !utf8.ValidString(p) || p == "" {
				t.Errorf("input %d part %d is empty or not valid UTF-8", i, j)
			}
		}
	}
}
