package telegram

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// split cuts s into parts of at most limit UTF-16 code units: Telegram counts
// message length in UTF-16 units after entity parsing, so "&lt;" is one and
// an emoji outside the BMP is two. It measures the unescaped text, which is
// what Telegram counts once it has parsed our HTML.
//
// A part ends after the last paragraph break, else line break, else space in
// the second half of the window; separators stay at the end of the part so
// the parts concatenate back to s. A text without any falls back to a hard
// cut on a rune boundary, moved back so that combining marks, variation
// selectors and zero-width joiners stay with the character they modify.
// It never cuts inside a rune, so never inside a surrogate pair.
func split(s string, limit int) []string {
	var parts []string
	for s != "" {
		lim := prefixUnits(s, limit)
		if lim == len(s) {
			return append(parts, s)
		}
		cut := cutPoint(s, lim)
		if cut == 0 { // limit is below one rune: only in tests
			_, cut = utf8.DecodeRuneInString(s)
		}
		parts = append(parts, s[:cut])
		s = s[cut:]
	}
	return parts
}

// prefixUnits is the byte length of the longest prefix of s that fits in
// limit UTF-16 units.
func prefixUnits(s string, limit int) int {
	units := 0
	for i, r := range s {
		units += utf16Units(r)
		if units > limit {
			return i
		}
	}
	return len(s)
}

// cutPoint picks where to end the part that must fit in s[:lim].
func cutPoint(s string, lim int) int {
	w := s[:lim]
	half := lim / 2
	for _, sep := range []string{"\n\n", "\n", " "} {
		if i := strings.LastIndex(w, sep); i >= 0 && i+len(sep) > half {
			return i + len(sep)
		}
	}
	cut := lim
	for range 32 { // a longer run of marks is not text worth keeping whole
		next, _ := utf8.DecodeRuneInString(s[cut:])
		prev, size := utf8.DecodeLastRuneInString(s[:cut])
		if !clings(next) && prev != zwj || cut-size <= 0 {
			break
		}
		cut -= size
	}
	if cut <= 0 || cut > lim {
		return lim
	}
	return cut
}

const zwj = '\u200d'

// clings reports whether r attaches to the rune before it: combining marks
// (decomposed Vietnamese tones), variation selectors, emoji skin tones, ZWJ.
func clings(r rune) bool {
	return unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r) ||
		r == zwj || (r >= 0x1F3FB && r <= 0x1F3FF)
}
