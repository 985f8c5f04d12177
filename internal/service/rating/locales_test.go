package rating

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"xabot/internal/domain"
)

var (
	usedKey = regexp.MustCompile(`"(rating\.[a-z_]+)"`)
	// {name}, or the head of a plural block, {name, plural, …}.
	placeholder = regexp.MustCompile(`\{([a-z_]+)(?:\}|\s*,\s*plural\s*,)`)
)

func loadLocale(t *testing.T, lang string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "locales", "rating."+lang+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	if err := yaml.Unmarshal(b, &m); err != nil {
		t.Fatalf("rating.%s.yaml: %v", lang, err)
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

// TestLocales checks that the keys the rating code emits (in this package
// and in domain/rating.go) are exactly those of locales/rating.*.yaml, in
// both languages, with the same placeholders.
func TestLocales(t *testing.T) {
	used := map[string]bool{}
	files, _ := filepath.Glob("*.go")
	files = slices.DeleteFunc(files, func(f string) bool { return strings.HasSuffix(f, "_test.go") })
	for _, f := range append(files, filepath.Join("..", "..", "domain", "rating.go")) {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range usedKey.FindAllStringSubmatch(string(src), -1) {
			used[m[1]] = true
		}
	}
	for _, l := range domain.Levels {
		used[LevelKey(l)] = true
	}
	for _, c := range domain.Criteria {
		used[Question(c).Key] = true
		used[criterionAnswerKey(c, true)] = true
		used[criterionAnswerKey(c, false)] = true
	}
	delete(used, "rating.level") // the prefix of LevelKey
	delete(used, "rating.criterion")

	vi, en := loadLocale(t, "vi"), loadLocale(t, "en")
	var missing, unused []string
	for k := range used {
		if _, ok := vi[k]; !ok {
			missing = append(missing, k)
		}
	}
	for k, v := range vi {
		if !used[k] {
			unused = append(unused, k)
		}
		e, ok := en[k]
		if !ok {
			t.Errorf("%s: in vi, not in en", k)
			continue
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
	sort.Strings(missing)
	sort.Strings(unused)
	if len(missing) > 0 || len(unused) > 0 {
		t.Errorf("keys used but without text: %v; texts never used: %v", missing, unused)
	}
}
