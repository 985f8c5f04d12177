package bot

import (
	"context"
	"errors"
	"strings"
	"unicode"

	"xabot/internal/dialog"
	"xabot/internal/domain"
	"xabot/internal/i18n"
)

// maxTalkWords is the longest sentence read for its meaning: a longer text
// is a letter (feedback's text), not a question to route.
const maxTalkWords = 40

// pattern is one sentence pattern of a flow's talk keys: folded words,
// "*" for any words (none included).
type pattern struct {
	flow    *dialog.Flow
	words   []string
	literal int // words other than "*": the more, the more specific
}

// talkIndex reads every flow's talk patterns in every language, in the
// order of the flows' ids and then of the patterns.
func talkIndex(e *dialog.Engine, texts *i18n.Catalog) []pattern {
	var out []pattern
	for _, f := range e.Flows() {
		for _, k := range f.Talk {
			for _, p := range textsOf(texts, k) {
				pt := pattern{flow: f}
				for _, w := range strings.Fields(p) {
					if w == "*" {
						pt.words = append(pt.words, w)
						continue
					}
					for _, fw := range strings.Fields(foldWords(w)) {
						pt.words = append(pt.words, fw)
						pt.literal++
					}
				}
				if pt.literal > 0 {
					out = append(out, pt)
				}
			}
		}
	}
	return out
}

// textsOf is key's text in every language, split at "|".
func textsOf(texts *i18n.Catalog, key string) []string {
	var out []string
	for _, lang := range texts.Langs() {
		for _, w := range strings.Split(texts.T(lang, key, nil), "|") {
			if w = strings.TrimSpace(w); w != "" {
				out = append(out, w)
			}
		}
	}
	return out
}

// idleRoute is the flow a text said outside any step starts, with its
// slots: a menu word or phrase, then a sentence pattern, then a dossier
// code written anywhere in it (code: domain.FindCode's, "" for none).
// words is the text folded (foldWords), as the turn folded it once.
func (r *Router) idleRoute(text, words, code string) (*dialog.Flow, map[string]string, bool) {
	for _, id := range r.phrases[words] { // a citizen's: no staff flow
		if f, ok := r.engine.Flow(id); ok && len(f.Roles) == 0 {
			return f, nil, true
		}
	}
	if f, slots, ok := r.talkRoute(text, words, code); ok {
		return f, slots, true
	}
	cf, ok := r.engine.ByTrigger("code")
	if !ok {
		return nil, nil, false
	}
	if code == "" {
		var err error
		if code, err = domain.ParseCode(text); err != nil {
			return nil, nil, false
		}
	}
	start, _ := cf.Step(cf.Start)
	return cf, map[string]string{start.Save: code}, true
}

// answerOrTalk answers the waiting step with typed text; at a choice
// step, a text that chooses nothing but says something the talk patterns
// know («lịch tiếp dân của chủ tịch», «cảm ơn») starts that instead of
// «bấm một nút».
func (t *turn) answerOrTalk(ctx context.Context, text string) {
	st := t.state()
	out, err := t.r.engine.Answer(ctx, t, t.user, st, dialog.Input{Text: text})
	var bad *dialog.BadAnswer
	if errors.As(err, &bad) && bad.Key == "input.pick_one" {
		if f, slots, ok := t.r.talkRoute(text, foldWords(text), t.code); ok {
			t.start(ctx, f, slots)
			return
		}
	}
	t.apply(ctx, out, err)
}

// talkRoute reads a sentence said outside any step: the flow whose most
// specific pattern it matches, with what that flow takes from it (its
// code, or the sentence), or nothing. A dossier code in the sentence is
// taken out before matching («hồ sơ H55.20-261120-0001 đến đâu rồi» reads
// as «hồ sơ đến đâu rồi»); a flow that takes no code gives way to the
// code's own flow. code is the one written in it (domain.FindCode), "" for
// none; folded is the text folded (foldWords).
func (r *Router) talkRoute(text, folded, code string) (*dialog.Flow, map[string]string, bool) {
	hasCode := code != ""
	words := strings.Fields(folded)
	if hasCode { // the code's pieces, and any other number, say nothing here
		kept := words[:0:0]
		for _, w := range words {
			if !strings.ContainsFunc(w, unicode.IsDigit) {
				kept = append(kept, w)
			}
		}
		words = kept
	}
	if len(words) == 0 || len(words) > maxTalkWords {
		return nil, nil, false
	}
	var best *pattern
	for i := range r.talk {
		p := &r.talk[i]
		if (best == nil || p.literal > best.literal) && globWords(p.words, words) {
			best = p
		}
	}
	if best == nil {
		return nil, nil, false
	}
	f := best.flow
	switch {
	case hasCode && f.TalkArgs == "code":
		return f, map[string]string{"args": code}, true
	case hasCode:
		if start, _ := f.Step(f.Start); start != nil && start.Prefill && start.Save != "" {
			return f, map[string]string{start.Save: code}, true
		}
		cf, ok := r.engine.ByTrigger("code")
		if !ok {
			return nil, nil, false
		}
		start, _ := cf.Step(cf.Start)
		return cf, map[string]string{start.Save: code}, true
	case f.TalkArgs == "text":
		return f, map[string]string{"args": text}, true
	}
	return f, nil, true
}

// globWords matches words against a pattern whose "*" stands for any
// words, none included: the classic wildcard walk, linear in practice.
func globWords(pat, words []string) bool {
	p, w := 0, 0
	star, mark := -1, 0
	for w < len(words) {
		switch {
		case p < len(pat) && pat[p] != "*" && pat[p] == words[w]:
			p++
			w++
		case p < len(pat) && pat[p] == "*":
			star, mark = p, w
			p++
		case star >= 0:
			mark++
			p, w = star+1, mark
		default:
			return false
		}
	}
	for p < len(pat) && pat[p] == "*" {
		p++
	}
	return p == len(pat)
}
