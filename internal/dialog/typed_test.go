package dialog

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"
	"unicode"
)

// A consent-like question whose choices say yes and no, and a step where
// two choices share a word (an ambiguous «có»).
const typedYAML = `
id: typed
commands: [typed]
start: ask
steps:
  - id: ask
    say: hello
    choices:
      - {label: label.agree, value: "yes", words: words.yes, next: good}
      - {label: label.decline, value: "no", words: words.no, next: bad}
  - id: good
    say: bye
  - id: bad
    say: done
  - id: twice
    say: hello
    choices:
      - {label: label.agree, value: "a", words: words.yes, next: good}
      - {label: label.again, value: "b", words: words.yes, next: bad}
`

// texts are the locale texts of the keys above in two languages.
var texts = map[string][]string{
	"label.agree":   {"✅ Đồng ý", "✅ I agree"},
	"label.decline": {"Không đồng ý", "I do not agree"},
	"label.again":   {"Lại", "Again"},
	"words.yes":     {"có|ok|đồng ý", "yes|ok"},
	"words.no":      {"không|khong dong y", "no"},
}

func typedEngine(t *testing.T) testEngine {
	t.Helper()
	has := func(k string) bool { _, ok := texts[k]; return ok || hasKey(k) }
	words := func(k string) []string {
		var out []string
		for _, s := range texts[k] {
			out = append(out, strings.Split(s, "|")...)
		}
		return out
	}
	actions := Actions{
		"list": func(context.Context, Call) (Result, error) {
			return Result{Choices: []Button{{Text: "Đất đai", Data: "0"}, {Key: "label.agree", Words: "words.yes", Data: "H55:5"},
				{Key: "label.decline", Words: "words.no", Data: "H55:1"}}}, nil
		},
		"chosen": func(context.Context, Call) (Result, error) { return Result{}, nil },
		"again":  func(context.Context, Call) (Result, error) { return Result{}, nil },
		"old":    func(context.Context, Call) (Result, error) { return Result{}, nil },
	}
	e, err := New(fstest.MapFS{"typed.yaml": {Data: []byte(typedYAML)}, "pick.yaml": {Data: []byte(pickYAML)}}, has,
		actions.Bound, WithFold(testFold), WithWords(words))
	if err != nil {
		t.Fatal(err)
	}
	return testEngine{e, actions}
}

// testFold drops accents the test uses, case, emoji and punctuation.
func testFold(s string) string {
	s = strings.NewReplacer("đ", "d", "Đ", "d", "ồ", "o", "ý", "y", "ô", "o", "ó", "o", "ạ", "a").Replace(s)
	var b []rune
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == ' ' {
			b = append(b, r)
		}
	}
	return strings.Join(strings.Fields(string(b)), " ")
}

// At a fixed choice step a typed label (any case, accents, emoji or not),
// its number, or a word of its Words chooses it; anything else, or a word
// two choices share, is not an answer.
func TestTypedAnswersChooseFixedChoices(t *testing.T) {
	e := typedEngine(t)
	ctx := context.Background()
	out, err := e.Start(ctx, "u", "typed", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ in, want string }{
		{"Đồng ý", "bye"}, {"đồng ý", "bye"}, {"DONG Y", "bye"}, {"✅ Đồng ý", "bye"}, {"dong y.", "bye"},
		{"có", "bye"}, {"OK", "bye"}, {"yes", "bye"}, {"i agree", "bye"}, {"1", "bye"},
		{"không", "done"}, {"Khong dong y", "done"}, {"không đồng ý", "done"}, {"no", "done"}, {"2", "done"},
		{"3", ""}, {"có lẽ", ""}, {"", ""}, {"đồng", ""},
	} {
		got, err := e.Answer(ctx, "u", out.State, Input{Text: tc.in})
		if tc.want == "" {
			if err == nil {
				t.Errorf("%q was taken as an answer: %+v", tc.in, got)
			}
			continue
		}
		if err != nil || keysOf(got.Say) != tc.want {
			t.Errorf("%q = %+v, %v; want %s", tc.in, got.Say, err, tc.want)
		}
	}
	amb := State{Flow: "typed", Step: "twice", Slots: map[string]string{}}
	if got, err := e.Answer(ctx, "u", amb, Input{Text: "có"}); err == nil {
		t.Errorf("«có» chose one of two choices that both mean yes: %+v", got)
	}
	if got, err := e.Answer(ctx, "u", amb, Input{Text: "lại"}); err != nil || keysOf(got.Say) != "done" {
		t.Errorf("a label still chooses where a word is shared: %+v, %v", got, err)
	}
}

// A dynamic choice offered by key (a rating level, «Có» / «Không») is
// chosen by its label in any language and by its words, as a fixed one.
func TestTypedAnswersChooseDynamicChoices(t *testing.T) {
	e := typedEngine(t)
	ctx := context.Background()
	out, err := e.Start(ctx, "u", "pick", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ in, want string }{
		{"đất đai", "0"}, {"ĐẤT ĐAI", "0"}, {"2", "H55:5"}, {"đồng ý", "H55:5"}, {"ok", "H55:5"}, {"I do not agree", "H55:1"},
		{"khong", "H55:1"}, {"H55:1", "H55:1"}, {"4", ""}, {"maybe", ""},
	} {
		got, err := e.Answer(ctx, "u", out.State, Input{Text: tc.in})
		if tc.want == "" {
			if err == nil {
				t.Errorf("%q was taken: %+v", tc.in, got.State)
			}
			continue
		}
		if err != nil || got.State.Slots["item"] != tc.want {
			t.Errorf("%q chose %q (%v), want %q", tc.in, got.State.Slots["item"], err, tc.want)
		}
	}
}
