// Package textsplit cuts a reply into messages a platform accepts. Lengths
// are UTF-16 code units: Telegram counts them after entity parsing, and
// for Zalo ("1 to 2000 characters", unit unsaid) they are never fewer than
// the runes, so a part fits whichever way it counts. Vietnamese, composed
// or decomposed, is all in the BMP: one unit per rune. It imports only the
// standard library.
package textsplit

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Split cuts s into parts of at most limit UTF-16 units.
//
// A part ends after the last paragraph break, else line break, else space in
// the second half of the window; separators stay at the end of the part so
// the parts concatenate back to s. A text without any falls back to a hard
// cut on a rune boundary, moved back so that combining marks (decomposed
// tones), variation selectors and zero-width joiners stay with the
// character they modify. It never cuts inside a rune, so never inside a
// surrogate pair.
func Split(s string, limit int) []string {
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

// Units is the length of s in UTF-16 code units.
func Units(s string) int {
	n := 0
	for _, r := range s {
		n += RuneUnits(r)
	}
	return n
}

// RuneUnits is r's length in UTF-16 code units: two outside the BMP.
func RuneUnits(r rune) int {
	if r >= 0x10000 && r <= utf8.MaxRune {
		return 2
	}
	return 1
}

// prefixUnits is the byte length of the longest prefix of s that fits in
// limit units.
func prefixUnits(s string, limit int) int {
	n := 0
	for i, r := range s {
		n += RuneUnits(r)
		if n > limit {
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

// clings reports whether r attaches to the rune before it: combining marks,
// variation selectors, emoji skin tones, ZWJ.
func clings(r rune) bool {
	return unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r) ||
		r == zwj || (r >= 0x1F3FB && r <= 0x1F3FF)
}
