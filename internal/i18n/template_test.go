package i18n

import (
	"math/rand/v2"
	"strings"
	"testing"

	"golang.org/x/text/language"

	"xabot/locales"
)

// rescanned is how T filled a text before messages were parsed at Load:
// plural blocks expanded, then the placeholder regexp over the result.
// The parsed messages must say exactly the same.
func rescanned(lang, text string, args map[string]string) string {
	if len(args) == 0 || !strings.Contains(text, "{") {
		return text
	}
	if blocks, err := pluralBlocks(text); err == nil {
		text = expandBlocks(language.Make(lang), text, blocks, args)
	}
	return placeholder.ReplaceAllStringFunc(text, func(m string) string {
		if v, ok := args[m[1:len(m)-1]]; ok {
			return v
		}
		return m
	})
}

// Texts written at random from pieces of placeholders and plural blocks,
// well formed or not, render as rescanning them did.
func TestMessageMatchesRescan(t *testing.T) {
	pieces := []string{"{", "}", "{", "}", "n", "a", "b1", "_", "#", " ", ",", "1", "é", "x y",
		"{n, plural, ", "{a,plural,", "one {", "other {", "=0 {", "few {", "{a}", "{n}", "{b1}", "{1a}", "{ a}"}
	counts := []string{"0", "1", "2", "4,080", "—", "{a}", "", "#"}
	r := rand.New(rand.NewPCG(13, 13))
	for i := range 200000 {
		var sb strings.Builder
		for range r.IntN(12) {
			sb.WriteString(pieces[r.IntN(len(pieces))])
		}
		text := sb.String()
		args := map[string]string{}
		for _, name := range []string{"n", "a", "b1", "x", "office"} {
			if r.IntN(3) > 0 {
				args[name] = counts[r.IntN(len(counts))]
			}
		}
		lang := []string{"en", "vi", "ru"}[i%3]
		m := parseMessage(text)
		if got, want := m.render(language.Make(lang), values{args: args}), rescanned(lang, text, args); got != want {
			t.Fatalf("%s %q %v: %q, rescanning gave %q", lang, text, args, got, want)
		}
		g := Globals{Commune: "C", Office: "O{a}", OfficeName: []string{"", "N"}[i%2]}
		if got, want := m.render(language.Make(lang), values{args: args, g: &g}), rescanned(lang, text, g.With(args)); got != want {
			t.Fatalf("%s %q %v with %+v: %q, rescanning gave %q", lang, text, args, g, got, want)
		}
	}
}

// Every shipped text renders as rescanning it did, with all its
// arguments, with none and with half of them; with the globals, as T with
// Globals.With.
func TestShippedMessagesMatchRescan(t *testing.T) {
	c, err := Load(locales.FS, "vi")
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range c.Keys() {
		names := c.Placeholders(key)
		for _, count := range []string{"0", "1", "2", "21", "{x}"} {
			all, half := map[string]string{}, map[string]string{}
			for i, n := range names {
				all[n] = count + "<" + n + ">"
				if i%2 == 0 {
					half[n] = count
				}
			}
			for _, lang := range c.Langs() {
				text := c.messages[lang][key].text
				for _, args := range []map[string]string{all, half, nil} {
					if got, want := c.T(lang, key, args), rescanned(lang, text, args); got != want {
						t.Errorf("%s %s %v: %q, rescanning gave %q", lang, key, args, got, want)
					}
					for _, g := range []Globals{{Commune: "Xã A", Office: "Một cửa, 0237"}, {Commune: "Xã A", Office: "Một cửa, 0237", OfficeName: "Một cửa"}} {
						if got, want := c.TWith(lang, key, g, args), c.T(lang, key, g.With(args)); got != want {
							t.Errorf("%s %s %v with %+v: %q, T with Globals.With %q", lang, key, args, g, got, want)
						}
					}
				}
			}
		}
	}
}

func TestMessageEdges(t *testing.T) {
	args := map[string]string{"n": "2", "a": "A", "b": "{a}"}
	for _, tc := range []struct{ text, want string }{
		{"{unknown} and {a}", "{unknown} and A"},             // an unknown placeholder stays
		{"{ a } {1a} {a b} {} {a", "{ a } {1a} {a b} {} {a"}, // braces that are no placeholder are text
		{"{{a}}", "{A}"},
		{"{b}", "{a}"}, // a value is never a template
		{"{n, plural, one {# day} other {# days of {a}}}", "2 days of A"},
		{"{m, plural, one {# day} other {# days of {a}}}", "{m, plural, one {# day} other {# days of A}}"}, // its arg missing: the block stays
		{"{n, plural, other {#}}{n, plural, other {#}}", "22"},
		{"{n, plural, =2 {two} other {#}}", "two"},
		{"{{n, plural, other {a}}}", "A"},              // expanded, the form completes a placeholder: as before
		{"{n, plural, one {x}", "{n, plural, one {x}"}, // not closed: text
	} {
		m := parseMessage(tc.text)
		if got := m.render(language.English, values{args: args}); got != tc.want {
			t.Errorf("%q: %q, want %q", tc.text, got, tc.want)
		}
	}
	if got := parseMessage("{a}").render(language.English, values{}); got != "{a}" {
		t.Errorf("without args: %q", got)
	}
}

// BenchmarkT is a card line: a few placeholders and the globals.
func BenchmarkT(b *testing.B) {
	c, err := Load(locales.FS, "vi")
	if err != nil {
		b.Fatal(err)
	}
	g := Globals{Commune: "Xã A", Office: "Bộ phận một cửa", OfficeName: "Một cửa"}
	args := map[string]string{"code": "H55.20-261118-0001"}
	for b.Loop() {
		c.TWith("vi", "lookup.card.head", g, args)
	}
}
