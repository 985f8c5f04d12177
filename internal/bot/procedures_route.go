package bot

import (
	"context"
	"slices"
	"strings"
	"unicode"

	"xabot/internal/dialog"
)

// phraseWithWords starts the flow one of whose phrases begins text and
// which takes the words after it ("words" trigger: «thủ tục khai sinh» is
// /thutuc khai sinh), with those words as its args. It reports whether it
// did.
func (t *turn) phraseWithWords(ctx context.Context, text string) bool {
	folded := strings.Fields(foldWords(text))
	typed := strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	for k := len(folded) - 1; k >= 1; k-- {
		ids, ok := t.r.phrases[strings.Join(folded[:k], " ")]
		if !ok {
			continue
		}
		var f *dialog.Flow
		for _, id := range ids {
			if g, ok := t.r.engine.Flow(id); ok && t.allowed(g) && slices.Contains(g.Triggers, "words") {
				f = g
				break
			}
		}
		if f == nil {
			return false
		}
		rest := folded[k:]
		if len(typed) == len(folded) {
			rest = typed[k:] // as typed, accents and all
		}
		t.start(ctx, f, map[string]string{"args": strings.Join(rest, " ")})
		return true
	}
	return false
}

// askCatalogue is where free text that may be a question about a
// procedure goes («khai sinh cần giấy tờ gì»): when the catalogue is sure
// of what it is about, /thutuc starts with the text as its words and
// answers it; it reports whether it did. Text it is not sure of is left
// to the caller (the hint, or the small talk).
func (t *turn) askCatalogue(ctx context.Context, text string) bool {
	if t.r.cfg.Procedures == nil {
		return false
	}
	res, err := t.r.cfg.Procedures.Search(ctx, text, searchLimit)
	if err != nil {
		t.log.Warn("catalogue search", "err", err)
		return false
	}
	if !res.Confident {
		return false
	}
	f, ok := t.r.engine.ByCommand("thutuc")
	if !ok {
		return false
	}
	t.start(ctx, f, map[string]string{"args": text})
	return true
}
