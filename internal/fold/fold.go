// Package fold reduces text for matching what people type: lower case, no
// Vietnamese diacritics (đ becomes d), single spaces. "Tra cứu  HỒ SƠ" and
// "tra cuu ho so" fold to the same string. It imports nothing from this module.
package fold

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// String folds s for comparison.
func String(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue // combining accent marks
		case r == 'đ' || r == 'Đ':
			r = 'd'
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// Key folds s and keeps only letters and digits: "Mã hồ sơ" and
// "ma_ho_so" both become "mahoso". Import headers are matched this way.
func Key(s string) string {
	var b strings.Builder
	for _, r := range String(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}
