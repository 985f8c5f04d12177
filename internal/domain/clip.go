package domain

import (
	"math"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Clipping: the one place where text that comes from outside (a note of
// the one-door system, an official's answer, what a person typed) is cut
// to what a chat can carry. Lengths are in UTF-16 code units, as Telegram
// counts them; Vietnamese, composed or not, takes one unit per rune.
const (
	// EchoLimit is how much of what someone typed the bot says back
	// ("the code … was not found"): enough to recognise it, never a wall.
	EchoLimit = 40
	// ArgLimit bounds every value an error message carries, whatever it
	// is: the backstop where errors become messages.
	ArgLimit = 120
	// MinClip is the length below which Fit leaves a value alone: codes,
	// dates, counts and names stay whole.
	MinClip = 60
	// ClippedKey is the line Fit adds when it clipped: the full text is
	// at the one-stop shop ({office}: its name, phone and hours).
	ClippedKey = "notice.clipped"
)

// Clip cuts s to at most limit units: at a space near the end when there
// is one, never inside a character or before its combining marks, and
// ends it with "…". clipped is false when s fit as it was.
func Clip(s string, limit int) (out string, clipped bool) {
	if limit < 1 {
		return "", s != ""
	}
	units, cut := measure(s, limit-1) // room for the ellipsis
	if units <= limit {
		return s, false
	}
	for cut > 0 {
		r, _ := utf8.DecodeRuneInString(s[cut:])
		if !unicode.Is(unicode.Mn, r) && r != '\u200d' {
			break
		}
		_, size := utf8.DecodeLastRuneInString(s[:cut])
		cut -= size
	}
	if i := strings.LastIndexFunc(s[:cut], unicode.IsSpace); i > 0 && i >= cut*4/5 {
		cut = i
	}
	return strings.TrimRightFunc(s[:cut], unicode.IsSpace) + "…", true
}

// Echo is s as the bot may say it back: at most EchoLimit units.
func Echo(s string) string {
	out, _ := Clip(s, EchoLimit)
	return out
}

// ClipArgs is an error's values as they may be said back: each at most
// ArgLimit units, whatever a service or a file put in them.
func ClipArgs(args map[string]string) map[string]string {
	if args == nil {
		return nil
	}
	out := make(map[string]string, len(args))
	for k, v := range args {
		out[k], _ = Clip(v, ArgLimit)
	}
	return out
}

// NoticeBudget is the most units a notice, a lookup card or a ticket's
// status may take on an app whose messages hold maxText units: a message
// and a quarter. Split at line or word breaks (a part always ends past
// half the limit), that is at most two messages, with room to spare for
// the choices or the menu that may follow in the same message.
func NoticeBudget(maxText int) int { return maxText + maxText/4 }

// Fit returns lines whose rendering — render of each, joined by newlines —
// takes at most budget units. Lines that fit are returned as they are.
// Otherwise the placeholder values longer than MinClip (the notes, answers,
// reasons: text from outside) are clipped, all to the same largest length
// that fits, and the line ClippedKey points to the one-stop shop for the
// rest; clipped is then true. If even that cannot fit (the fixed text alone
// is too long), the values are clipped to MinClip, or left alone when none
// is longer, and the caller's hard cap (Clip on the rendered text) has the
// last word. The lines given are never changed.
func Fit(lines []Line, budget int, render func(Line) string) (out []Line, clipped bool) {
	size := func(ls []Line) int {
		n := len(ls) - 1
		for _, l := range ls {
			n += Units(render(l))
		}
		return n
	}
	if size(lines) <= budget {
		return lines, false
	}
	longest := 0
	for _, l := range lines {
		for _, v := range l.Args {
			longest = max(longest, Units(v))
		}
	}
	if longest <= MinClip {
		return lines, false // nothing from outside to clip: the caller's cap
	}
	at := func(limit int) []Line {
		ls := make([]Line, 0, len(lines)+1)
		for _, l := range lines {
			c := Line{Key: l.Key, Args: make(map[string]string, len(l.Args))}
			for k, v := range l.Args {
				c.Args[k], _ = Clip(v, limit)
			}
			ls = append(ls, c)
		}
		return append(ls, Line{Key: ClippedKey})
	}
	// The largest limit that fits: the size grows with the limit.
	lo, hi := MinClip, longest
	for lo < hi {
		mid := lo + (hi-lo+1)/2
		if size(at(mid)) <= budget {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return at(lo), true
}

// Units is the length of s in UTF-16 code units.
func Units(s string) int {
	n, _ := measure(s, math.MaxInt)
	return n
}

// measure walks s once: its length in UTF-16 units, and the byte length
// of its longest prefix that takes at most limit of them.
func measure(s string, limit int) (units, prefix int) {
	prefix = -1
	for i, r := range s {
		if units += utf16.RuneLen(r); units > limit && prefix < 0 {
			prefix = i
		}
	}
	if prefix < 0 {
		prefix = len(s)
	}
	return units, prefix
}

// Bounded renders lines, joined by newlines, in at most budget units: long
// values are clipped and the pointer to the one-stop shop added (Fit);
// should the text still be longer, the hard cap cuts it and the pointer
// ends it all the same. Every bounded text is made here: the notices, the
// lookup card, a ticket's status.
func Bounded(lines []Line, budget int, render func(Line) string) string {
	join := func(ls []Line) string {
		parts := make([]string, len(ls))
		for i, l := range ls {
			parts[i] = render(l)
		}
		return strings.Join(parts, "\n")
	}
	// Most texts fit as they are (Fit would keep them): rendered once.
	if text := join(lines); Units(text) <= budget {
		return text
	}
	lines, _ = Fit(lines, budget, render)
	text := join(lines)
	if Units(text) <= budget {
		return text
	}
	pointer := render(Line{Key: ClippedKey})
	text = strings.TrimSuffix(text, "\n"+pointer)
	text, _ = Clip(text, max(budget-Units(pointer)-1, 0))
	return text + "\n" + pointer
}
