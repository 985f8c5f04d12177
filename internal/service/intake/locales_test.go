package intake

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

var (
	usedKey = regexp.MustCompile(`"(import\.[a-z_]+)"`)
	// {name}, or the head of a plural block, {name, plural, …}.
	placeholder = regexp.MustCompile(`\{([a-z_]+)(?:\}|\s*,\s*plural\s*,)`)
)

func loadLocale(t *testing.T, lang string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "locales", "import."+lang+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	if err := yaml.Unmarshal(b, &m); err != nil {
		t.Fatalf("import.%s.yaml: %v", lang, err)
	}
	return m
}

func placeholders(s string) []string {
	var out []string
	for _, m := range placeholder.FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// TestLocales checks that every key the package uses has a text in both
// languages, with the same placeholders.
func TestLocales(t *testing.T) {
	vi, en := loadLocale(t, "vi"), loadLocale(t, "en")
	for k, v := range vi {
		e, ok := en[k]
		if !ok {
			t.Errorf("%s: in vi, not in en", k)
			continue
		}
		if strings.TrimSpace(v) == "" || strings.TrimSpace(e) == "" {
			t.Errorf("%s: empty text", k)
		}
		if p, q := placeholders(v), placeholders(e); !slices.Equal(p, q) {
			t.Errorf("%s: placeholders vi %v, en %v", k, p, q)
		}
	}
	for k := range en {
		if _, ok := vi[k]; !ok {
			t.Errorf("%s: in en, not in vi", k)
		}
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range usedKey.FindAllStringSubmatch(string(b), -1) {
			if _, ok := vi[m[1]]; !ok {
				t.Errorf("%s uses %s, which has no text", f, m[1])
			}
		}
	}
}
