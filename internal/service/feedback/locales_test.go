package feedback_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"xabot/internal/domain"
)

var (
	literalKey = regexp.MustCompile(`"(feedback\.[a-z_.]+)"`)
	// {name}, or the head of a plural block, {name, plural, …}.
	placeholder = regexp.MustCompile(`\{([a-z_]+)(?:\}|\s*,\s*plural\s*,)`)
)

func loadLocale(t *testing.T, lang string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "locales", "feedback."+lang+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	if err := yaml.Unmarshal(b, &m); err != nil {
		t.Fatalf("feedback.%s.yaml: %v", lang, err)
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

// usedKeys are the locale keys the package and domain/feedback*.go emit:
// the literal ones, and those built from a kind, a category, a status, an
// action or a clock.
func usedKeys(t *testing.T) map[string]bool {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	more, _ := filepath.Glob(filepath.Join("..", "..", "domain", "feedback*.go"))
	for _, f := range more {
		if !strings.HasSuffix(f, "_test.go") {
			files = append(files, f)
		}
	}
	used := map[string]bool{}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range literalKey.FindAllStringSubmatch(string(b), -1) {
			if k := m[1]; k[len(k)-1] != '.' && k[len(k)-1] != '_' {
				used[k] = true
			}
		}
	}
	for _, k := range domain.FeedbackKinds() {
		used["feedback.kind."+string(k)] = true
		used["feedback.ack."+string(k)] = true
		if k.Legal() {
			used["feedback.new_"+string(k)] = true
		}
	}
	for _, c := range domain.Categories() {
		used["feedback.cat."+string(c)] = true
	}
	for _, s := range domain.FeedbackStatuses() {
		used["feedback.not_now."+string(s)] = true
	}
	for _, a := range domain.FeedbackActions() {
		used["feedback.btn."+a] = true
	}
	for _, c := range []string{domain.ClockRefuse, domain.ClockMore, domain.ClockAnswer} {
		used["feedback.sla.warn_"+c] = true
	}
	for _, c := range []string{domain.ClockRefuse, domain.ClockAnswer} { // the escalating ones
		used["feedback.sla.late_"+c] = true
		used["feedback.sla.late_"+c+"_nobody"] = true
	}
	return used
}

// TestLocales: every key the code emits has a text in both languages with
// the same placeholders, and the files hold no other key.
func TestLocales(t *testing.T) {
	vi, en := loadLocale(t, "vi"), loadLocale(t, "en")
	used := usedKeys(t)
	for k := range used {
		if vi[k] == "" || en[k] == "" {
			t.Errorf("%s: used, missing in vi or en", k)
		}
	}
	for k, v := range vi {
		if !used[k] {
			t.Errorf("%s: in the locale files, never emitted", k)
		}
		if e, ok := en[k]; !ok {
			t.Errorf("%s: in vi, not in en", k)
		} else if !slices.Equal(placeholders(v), placeholders(e)) {
			t.Errorf("%s: placeholders vi %v, en %v", k, placeholders(v), placeholders(e))
		}
	}
	for k := range en {
		if _, ok := vi[k]; !ok {
			t.Errorf("%s: in en, not in vi", k)
		}
	}
}
