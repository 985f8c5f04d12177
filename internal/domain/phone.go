package domain

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// NormalizePhone reads a Vietnamese phone number in any common format
// ("0905 123 456", "+84905123456", "84-905-123-456", "(+84) 905.123.456",
// "0084905123456") and returns it as 0 followed by the national number.
func NormalizePhone(s string) (string, bool) {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' || r == '(' || r == ')' || r == '.' || r == '-' || r == '/' || unicode.IsSpace(r):
		default:
			return "", false // letters: not a phone number
		}
	}
	d := b.String()
	// A national number never starts with 0 after the country code; a 0
	// there is the trunk prefix people keep, as in "+84 (0) 905 123 456".
	switch {
	case strings.HasPrefix(d, "0084"):
		d = "0" + strings.TrimPrefix(d[4:], "0")
	case strings.HasPrefix(d, "84") && len(d) >= 11:
		d = "0" + strings.TrimPrefix(d[2:], "0")
	case !strings.HasPrefix(d, "0") && len(d) == 9:
		d = "0" + d // "905123456": the leading zero forgotten
	}
	// 10 digits for mobiles and today's landlines; 11 for old landlines.
	// "00…" is an international prefix left over, never a Vietnamese number.
	if !strings.HasPrefix(d, "0") || strings.HasPrefix(d, "00") || len(d) < 10 || len(d) > 11 {
		return "", false
	}
	return d, true
}

// MaskPhone shows only the first 3 and last 3 digits: "090****456".
func MaskPhone(p string) string {
	if len(p) < 7 {
		return strings.Repeat("*", len(p))
	}
	return p[:3] + strings.Repeat("*", len(p)-6) + p[len(p)-3:]
}

// MaskName keeps the first letter of each word and the whole last word's
// first letter only: "Nguyễn Văn An" becomes "N*** V*** A***". The length of
// the stars is fixed so the mask leaks nothing about the name.
func MaskName(n string) string {
	words := strings.Fields(n)
	for i, w := range words {
		r, _ := utf8.DecodeRuneInString(w)
		words[i] = string(r) + "***"
	}
	return strings.Join(words, " ")
}
