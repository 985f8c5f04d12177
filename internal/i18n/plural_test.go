package i18n

import (
	"strings"
	"testing"
)

// A plural block picks English's one and other by the number; Vietnamese
// has one form; "=0" wins over the rules; "#" is the number as formatted;
// other placeholders fill in inside a form; a value is never a template.
func TestPlural(t *testing.T) {
	c, err := Load(files(
		"vi.yaml", "n: \"{count} hồ sơ của {who}\"\nz: \"{count} phiếu\"\n",
		"en.yaml", "n: \"{count, plural, one {# dossier} other {# dossiers}} of {who}\"\n"+
			"z: \"{count, plural, =0 {no tickets} one {one ticket} other {# tickets}}\"\n",
	), "vi")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ lang, key, count, want string }{
		{"en", "n", "0", "0 dossiers of An"},
		{"en", "n", "1", "1 dossier of An"},
		{"en", "n", "2", "2 dossiers of An"},
		{"en", "n", "4,080", "4,080 dossiers of An"},
		{"en", "n", "—", "— dossiers of An"},
		{"en", "z", "0", "no tickets"},
		{"en", "z", "1", "one ticket"},
		{"en", "z", "21", "21 tickets"},
		{"vi", "n", "1", "1 hồ sơ của An"},
		{"vi", "n", "2", "2 hồ sơ của An"},
	} {
		if got := c.T(tc.lang, tc.key, map[string]string{"count": tc.count, "who": "An"}); got != tc.want {
			t.Errorf("%s %s count=%s: %q, want %q", tc.lang, tc.key, tc.count, got, tc.want)
		}
	}
	if got := c.T("en", "n", map[string]string{"count": "{who}", "who": "An"}); got != "{who} dossiers of An" {
		t.Errorf("a value read as a template: %q", got)
	}
	if got := c.T("en", "n", nil); !strings.Contains(got, "plural") {
		t.Errorf("without args the text stays as written: %q", got)
	}
}

// Load refuses a malformed block and checks its argument as a placeholder.
func TestPluralLoad(t *testing.T) {
	for name, en := range map[string]string{
		"no other":     `k: "{count, plural, one {# dossier}}"`,
		"unknown form": `k: "{count, plural, single {# dossier} other {# dossiers}}"`,
		"not closed":   `k: "{count, plural, one {# dossier} other {# dossiers}"`,
		"other arg":    `k: "{n, plural, one {# dossier} other {# dossiers}}"`,
	} {
		_, err := Load(files("vi.yaml", `k: "{count} hồ sơ"`, "en.yaml", en), "vi")
		if err == nil {
			t.Errorf("%s: loaded", name)
		}
	}
}
