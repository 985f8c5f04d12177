package telegram

import (
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"
)

// words is n characters (runes) of word repeated, space separated.
func words(n int, word string) string {
	var r []rune
	for len(r) < n {
		r = append(r, []rune(word+" ")...)
	}
	return string(r[:n])
}

func units(s string) int { return len(utf16.Encode([]rune(s))) }

func TestSplit(t *testing.T) {
	tests := []struct {
		name  string
		text  string
		parts int
		check func(t *testing.T, parts []string)
	}{
		{name: "short", text: "Xin chào", parts: 1},
		{name: "exactly the limit", text: strings.Repeat("a", maxText), parts: 1},
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
			parts := split(tt.text, maxText)
			if len(parts) != tt.parts {
				t.Fatalf("%d parts, want %d", len(parts), tt.parts)
			}
			for i, p := range parts {
				if n := units(p); n > maxText || n == 0 {
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
