package archtest

import (
	"errors"
	"go/build"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

const module = "xabot/"

// rules says which packages of this module each package (or "prefix/"
// family) may import. A package without a rule fails the test, so a new
// package needs a decision here.
var rules = map[string][]string{
	"cmd/xabot":         {"internal/app", "internal/config"},
	"internal/app":      {"*"},
	"internal/config":   nil,
	"internal/chat":     nil,
	"internal/fold":     nil,
	"internal/collate":  nil,
	"internal/domain":   {"internal/fold"},
	"internal/i18n":     nil,
	"internal/dialog":   nil,
	"internal/schedule": nil,
	"internal/session":  {"internal/chat"},
	"internal/outbox":   {"internal/chat", "internal/domain", "internal/channel/pace"},
	"internal/store":    {"internal/domain", "internal/fold"},
	"internal/service/": {"internal/domain", "internal/fold", "internal/collate"},
	// The catalogue reads its files with the dossier import's readers and bounds.
	"internal/service/catalogue": {"internal/domain", "internal/fold", "internal/collate", "internal/service/intake"},
	"internal/syncapi":           {"internal/domain", "internal/service/intake"},
	"internal/webhook":           {"internal/domain"},
	"internal/statuspage":        {"internal/domain", "internal/service/slip"},
	"internal/ratelimit":         nil,
	"internal/media":             nil,
	"internal/metrics":           nil,
	"internal/channel":           {"internal/chat", "internal/channel/pace"},
	"internal/channel/":          {"internal/chat", "internal/channel", "internal/channel/pace", "internal/channel/textsplit"},
	"internal/demo":              {"internal/domain"},
	"internal/commune":           {"internal/domain"},
	"internal/bot":               {"internal/chat", "internal/dialog", "internal/domain", "internal/fold", "internal/collate", "internal/i18n", "internal/session", "internal/service/"},
	"internal/notifier":          {"internal/chat", "internal/domain", "internal/i18n"},
	"internal/digest":            {"internal/chart", "internal/chat", "internal/domain", "internal/i18n", "internal/service/stats"},
	"internal/archtest":          nil,
	"internal/chart":             nil,
	"dialogs":                    nil,
	"locales":                    nil,
	"test/e2e":                   {"internal/channel/zalo/zalofake"},
	"test/browser":               nil,
	"test/chaos":                 {"test/chaos/tgstand"},
	"test/chaos/tgstand":         nil,
}

func TestImportRules(t *testing.T) {
	root := filepath.Join("..", "..")
	var checked int
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		name := d.Name()
		if path != root && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "testdata") {
			return filepath.SkipDir
		}
		pkg, err := build.ImportDir(path, 0)
		if err != nil {
			var noGo *build.NoGoError
			if errors.As(err, &noGo) {
				return nil
			}
			t.Errorf("%s: %v", path, err)
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		allowed, ok := ruleFor(rel)
		if !ok {
			t.Errorf("package %s has no import rule: add one to rules", rel)
			return nil
		}
		checked++
		for _, imp := range pkg.Imports {
			if !strings.HasPrefix(imp, module) {
				continue
			}
			target := strings.TrimPrefix(imp, module)
			if !permitted(target, allowed) {
				t.Errorf("%s imports %s: not allowed (allowed: %v)", rel, target, allowed)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 10 {
		t.Fatalf("checked only %d packages: is the walk rooted right?", checked)
	}
}

// TestRulesCatchAViolation proves the checker can fail: a store importing
// a service is refused.
func TestRulesCatchAViolation(t *testing.T) {
	allowed, _ := ruleFor("internal/store")
	if permitted("internal/service/dossier", allowed) {
		t.Fatal("store may import service/dossier: the rules lost their point")
	}
	allowed, _ = ruleFor("internal/channel/telegram")
	if permitted("internal/bot", allowed) {
		t.Fatal("an adapter may import the bot")
	}
	// The adapters' shared plumbing knows no platform, router or service.
	allowed, _ = ruleFor("internal/channel")
	for _, up := range []string{"internal/bot", "internal/app", "internal/service/dossier", "internal/channel/telegram"} {
		if permitted(up, allowed) {
			t.Fatalf("the channels' shared plumbing may import %s", up)
		}
	}
	// The router core stays a router: the jobs beside it do not hang off
	// it, nor it off them, and it reaches data only through services.
	for pkg, refused := range map[string][]string{
		"internal/bot":      {"internal/digest", "internal/notifier", "internal/store", "internal/outbox", "internal/chart"},
		"internal/digest":   {"internal/bot", "internal/store", "internal/notifier"},
		"internal/notifier": {"internal/bot", "internal/store", "internal/service/citizen"},
	} {
		allowed, _ = ruleFor(pkg)
		for _, imp := range refused {
			if permitted(imp, allowed) {
				t.Errorf("%s may import %s", pkg, imp)
			}
		}
	}
}

func ruleFor(pkg string) ([]string, bool) {
	if r, ok := rules[pkg]; ok {
		return r, true
	}
	var keys []string
	for k := range rules {
		if strings.HasSuffix(k, "/") && strings.HasPrefix(pkg, k) {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil, false
	}
	sort.Slice(keys, func(i, j int) bool { return len(keys[i]) > len(keys[j]) })
	return rules[keys[0]], true
}

func permitted(target string, allowed []string) bool {
	for _, a := range allowed {
		if a == "*" || a == target || (strings.HasSuffix(a, "/") && strings.HasPrefix(target, a)) {
			return true
		}
	}
	return false
}
