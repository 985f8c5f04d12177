package i18n

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
)

// A text may choose its words by a number, in the ICU message format's
// plural form: "{count, plural, one {# dossier} other {# dossiers}}". The
// form is picked by the language's CLDR plural rules (x/text's
// plural.Cardinal: English has one and other, Vietnamese only other, so
// its texts need no such block); "=N" matches the number N exactly and
// wins; "#" in the form is the number as given. Forms may hold other
// {placeholders}. Load checks each block: known forms, "other" present.

// pluralHead starts a plural block: "{name, plural,".
var pluralHead = regexp.MustCompile(`\{([A-Za-z_][A-Za-z0-9_]*)\s*,\s*plural\s*,`)

// pluralForms are the CLDR forms, by plural.Form.
var pluralForms = map[plural.Form]string{
	plural.Other: "other", plural.Zero: "zero", plural.One: "one", plural.Two: "two", plural.Few: "few", plural.Many: "many",
}

// pluralBlock is one parsed block: the argument and its forms, in order.
type pluralBlock struct {
	arg        string
	start, end int // the block's bytes in the text, end exclusive
	forms      []pluralForm
}

type pluralForm struct{ selector, text string }

// pluralBlocks finds and parses the plural blocks of text.
func pluralBlocks(text string) ([]pluralBlock, error) {
	var out []pluralBlock
	for _, m := range pluralHead.FindAllStringSubmatchIndex(text, -1) {
		if len(out) > 0 && m[0] < out[len(out)-1].end {
			continue // a head inside a form of the block before: not supported, left as text
		}
		b := pluralBlock{arg: text[m[2]:m[3]], start: m[0]}
		i := m[1]
		for {
			for i < len(text) && text[i] == ' ' {
				i++
			}
			if i >= len(text) {
				return nil, fmt.Errorf("plural {%s}: not closed", b.arg)
			}
			if text[i] == '}' {
				b.end = i + 1
				break
			}
			j := strings.IndexByte(text[i:], '{')
			if j < 0 {
				return nil, fmt.Errorf("plural {%s}: form without a text", b.arg)
			}
			sel := strings.TrimSpace(text[i : i+j])
			if !validSelector(sel) {
				return nil, fmt.Errorf("plural {%s}: unknown form %q (want zero, one, two, few, many, other or =N)", b.arg, sel)
			}
			body, next, ok := braced(text, i+j)
			if !ok {
				return nil, fmt.Errorf("plural {%s}: form %s not closed", b.arg, sel)
			}
			b.forms = append(b.forms, pluralForm{sel, body})
			i = next
		}
		if !b.has("other") {
			return nil, fmt.Errorf("plural {%s}: no «other» form", b.arg)
		}
		out = append(out, b)
	}
	return out, nil
}

func validSelector(s string) bool {
	if n, ok := strings.CutPrefix(s, "="); ok {
		_, err := strconv.Atoi(n)
		return err == nil
	}
	switch s {
	case "zero", "one", "two", "few", "many", "other":
		return true
	}
	return false
}

// braced returns what the brace at text[open] holds, nested braces
// included, and the index after its closing brace.
func braced(text string, open int) (string, int, bool) {
	depth := 0
	for i := open; i < len(text); i++ {
		switch text[i] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return text[open+1 : i], i + 1, true
			}
		}
	}
	return "", 0, false
}

func (b pluralBlock) has(sel string) bool {
	for _, f := range b.forms {
		if f.selector == sel {
			return true
		}
	}
	return false
}

// pick is the index of the form for value in the language tag: "=N"
// first, then the CLDR form, else "other"; -1 when there is no form to
// take. A value that is not a whole number ("—") takes "other".
func (b pluralBlock) pick(tag language.Tag, value string) int {
	n, ok := wholeNumber(value)
	if ok {
		for i, f := range b.forms {
			if f.selector == "="+strconv.Itoa(n) {
				return i
			}
		}
		want := pluralForms[plural.Cardinal.MatchPlural(tag, n, 0, 0, 0, 0)]
		for i, f := range b.forms {
			if f.selector == want {
				return i
			}
		}
	}
	for i, f := range b.forms {
		if f.selector == "other" {
			return i
		}
	}
	return -1
}

// wholeNumber reads a count as the catalogue formats it ("4,080", "4.080").
func wholeNumber(s string) (int, bool) {
	digits := strings.Map(func(r rune) rune {
		if r == ',' || r == '.' || r == ' ' || r == '\u00a0' {
			return -1
		}
		return r
	}, strings.TrimSpace(s))
	n, err := strconv.Atoi(digits)
	return n, err == nil && digits != ""
}

// expandBlocks replaces each plural block of text (blocks, parsed from
// it) by its form for args, "#" by the block's placeholder; a block whose
// argument is missing stays.
func expandBlocks(tag language.Tag, text string, blocks []pluralBlock, args map[string]string) string {
	var b strings.Builder
	last := 0
	for _, bl := range blocks {
		v, ok := args[bl.arg]
		if !ok {
			continue
		}
		b.WriteString(text[last:bl.start])
		// "#" becomes the placeholder itself, filled with the others: a
		// value is never read as a template.
		if i := bl.pick(tag, v); i >= 0 {
			b.WriteString(strings.ReplaceAll(bl.forms[i].text, "#", "{"+bl.arg+"}"))
		}
		last = bl.end
	}
	b.WriteString(text[last:])
	return b.String()
}
