package locales_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"xabot/internal/i18n"
	"xabot/locales"
)

// countArgs are the placeholders that carry a count of things.
var countArgs = []string{"count", "days", "created", "errors", "queued", "left", "received", "resolved", "within", "withdrawn", "limit"}

// uninflected are words that may follow a count in English unchanged.
var uninflected = []string{"more", "online", "in", "by", "with", "on", "late", "new"}

// TestEnglishPlurals renders every English text that counts things with
// 0, 1 and 2: one is singular, the others plural («1 dossier», «2
// dossiers», never «1 dossiers»), and no English text puts a noun after a
// count outside a plural block. Vietnamese has one form.
func TestEnglishPlurals(t *testing.T) {
	cat, err := i18n.Load(locales.FS, "vi")
	if err != nil {
		t.Fatal(err)
	}
	raw := map[string]string{}
	for _, k := range cat.Keys() {
		raw[k] = cat.T("en", k, nil) // without args: the text as written
	}
	block := regexp.MustCompile(`\{(\w+), plural, one \{([^{}]*)\} other \{([^{}]*)\}\}`)
	bare := regexp.MustCompile(`\{(` + strings.Join(countArgs, "|") + `)\} ([A-Za-z]+)`)
	plurals := 0
	for _, k := range cat.Keys() {
		text := raw[k]
		for _, m := range bare.FindAllStringSubmatch(text, -1) {
			if !slices.Contains(uninflected, m[2]) {
				t.Errorf("%s: «{%s} %s» counts without a plural form: %q", k, m[1], m[2], text)
			}
		}
		if !strings.Contains(text, ", plural,") {
			continue
		}
		plurals++
		render := func(n string) string {
			args := map[string]string{}
			for _, p := range cat.Placeholders(k) {
				args[p] = "X"
				if slices.Contains(countArgs, p) {
					args[p] = n
				}
			}
			return cat.T("en", k, args)
		}
		blocks := block.FindAllStringSubmatch(text, -1)
		if len(blocks) == 0 {
			t.Errorf("%s: a plural block not of the form {n, plural, one {…} other {…}}: %q", k, text)
		}
		for _, n := range []string{"0", "1", "2"} {
			got := render(n)
			if strings.Contains(got, "{") || strings.Contains(got, "#") {
				t.Errorf("%s: unrendered with %s: %s", k, n, got)
			}
			for _, b := range blocks {
				form := b[3] // other: 0 and 2
				if n == "1" {
					form = b[2]
				}
				if want := strings.ReplaceAll(form, "#", n); !strings.Contains(got, want) {
					t.Errorf("%s with %s: %q lacks %q", k, n, got, want)
				}
				if b[2] == b[3] {
					t.Errorf("%s: one and other forms are the same: %q", k, b[2])
				}
			}
		}
	}
	if plurals < 10 {
		t.Errorf("only %d English texts have plural forms", plurals)
	}
	// Two that everyone reads.
	if got := cat.T("en", "mine.head", map[string]string{"count": "1", "phone": "090****456"}); !strings.HasPrefix(got, "1 dossier carries") {
		t.Errorf("mine.head of 1: %q", got)
	}
	if got := cat.T("en", "inbox.head", map[string]string{"count": "2"}); got != "2 tickets:" {
		t.Errorf("inbox.head of 2: %q", got)
	}
	if got := cat.T("vi", "inbox.head", map[string]string{"count": "1"}); got != "1 phiếu:" {
		t.Errorf("vi inbox.head of 1: %q", got)
	}
}
