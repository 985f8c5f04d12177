package textsplit

import (
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

const telegramMax = 4096

// utf16Len measures independently of Units.
func utf16Len(s string) int { return len(utf16.Encode([]rune(s))) }

// words is n characters (runes) of word repeated, space separated.
func words(n int, word string) string {
	var r []rune
	for len(r) < n {
		r = append(r, []rune(word+" ")...)
	}
	return string(r[:n])
}

// At Telegram's 4,096: breaks preferred, runes, marks and emoji kept whole.
func TestSplitAtTelegramLimit(t *testing.T) {
	tests := []struct {
		name  string
		text  string
		parts int
		check func(t *testing.T, parts []string)
	}{
		{name: "short", text: "Xin chào", parts: 1},
		{name: "exactly the limit", text: strings.Repeat("a", telegramMax), parts: 1},
		{name: "10,000 characters", text: words(10000, "hồsơ"), parts: 3},
		{
			name: "prefers a paragraph break", parts: 2,
			text: words(3000, "đất") + "\n\n" + words(1000, "nhà") + "\n" + words(2000, "xã"),
			check: func(t *testing.T, p []string) {
				if !strings.HasSuffix(p[0], "\n\n") {
					t.Errorf("first part does not end at the paragraph break: %q", p[0][len(p[0])-10:])
				}
			},
		},
		{
			name: "then a line break", parts: 2,
			text: words(3000, "đất") + "\n" + words(3000, "xã"),
			check: func(t *testing.T, p []string) {
				if !strings.HasSuffix(p[0], "\n") {
					t.Errorf("first part does not end at the line break")
				}
			},
		},
		{
			name: "Vietnamese at the boundary", parts: 2,
			text: strings.Repeat("ệ", 4094) + " Đường làng",
			check: func(t *testing.T, p []string) {
				if p[1] != "Đường làng" {
					t.Errorf("second part %q", p[1])
				}
			},
		},
		{
			name: "emoji straddling the boundary", parts: 2,
			text: strings.Repeat("a", 4095) + "😀b",
			check: func(t *testing.T, p []string) {
				if p[1] != "😀b" {
					t.Errorf("second part %q", p[1])
				}
			},
		},
		{
			name: "emoji only", parts: 3,
			text: strings.Repeat("🏠", 5000),
		},
		{
			name: "decomposed tone marks stay on their letter", parts: 2,
			text: strings.Repeat("e\u0302\u0323", 1500), // 4500 units, no spaces
			check: func(t *testing.T, p []string) {
				if !strings.HasPrefix(p[1], "e") {
					t.Errorf("second part starts with a mark: %U", []rune(p[1])[0])
				}
			},
		},
		{
			name: "zero-width joiner sequence kept whole", parts: 2,
			text: strings.Repeat("a", 4093) + "👨\u200d👩\u200d👧",
			check: func(t *testing.T, p []string) {
				if p[1] != "👨\u200d👩\u200d👧" {
					t.Errorf("second part %q", p[1])
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parts := Split(tt.text, telegramMax)
			if len(parts) != tt.parts {
				t.Fatalf("%d parts, want %d", len(parts), tt.parts)
			}
			for i, p := range parts {
				if n := utf16Len(p); n > telegramMax || n == 0 {
					t.Errorf("part %d has %d UTF-16 units", i, n)
				}
				if !utf8.ValidString(p) {
					t.Errorf("part %d is not valid UTF-8", i)
				}
			}
			if strings.Join(parts, "") != tt.text {
				t.Error("parts do not rejoin to the text")
			}
			if tt.check != nil {
				tt.check(t, parts)
			}
		})
	}
}

func TestSplitSmallLimits(t *testing.T) {
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
			got := Split(tt.s, tt.limit)
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
	for _, limit := range []int{2000, telegramMax} {
		for i, s := range inputs {
			parts := Split(s, limit)
			if strings.Join(parts, "") != s {
				t.Errorf("input %d: parts do not rejoin", i)
			}
			for j, p := range parts {
				if Units(p) != utf16Len(p) || Units(p) > limit || utf8.RuneCountInString(p) > limit {
					t.Errorf("limit %d input %d part %d: %d units", limit, i, j, Units(p))
				}
				if !utf8.ValidString(p) || p == "" {
					t.Errorf("input %d part %d is empty or not valid UTF-8", i, j)
				}
			}
		}
	}
}
