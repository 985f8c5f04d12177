package locales_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"xabot/internal/i18n"
	"xabot/locales"
)

// literal finds string literals shaped like locale keys: "feature.name…".
// A literal followed by ":" is a map key (the names of dialog actions share
// the dotted shape); one ending in "_" or "." is a prefix completed at run
// time.
var literal = regexp.MustCompile(`"([a-z][a-z0-9_]*\.[a-z0-9_.]*[a-z0-9])"(\s*:)?`)

// TestEveryKeyInCodeExists walks the Go code (tests aside) and checks that
// every literal that names a key of a known feature ("lookup.bad_code",
// "fb.took", …) exists in the catalogue, so a typo in Go shows here and not
// as a raw key on a citizen's phone. Keys built at run time ("status." + n)
// are checked by the packages that build them.
func TestEveryKeyInCodeExists(t *testing.T) {
	cat, err := i18n.Load(locales.FS, "vi")
	if err != nil {
		t.Fatal(err)
	}
	features := map[string]bool{}
	for _, k := range cat.Keys() {
		features[strings.SplitN(k, ".", 2)[0]] = true
	}
	checked := 0
	err = filepath.WalkDir(filepath.Join("..", "internal"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range literal.FindAllStringSubmatch(string(src), -1) {
			key := m[1]
			if m[2] != "" {
				continue
			}
			feature := strings.SplitN(key, ".", 2)[0]
			if !features[feature] || strings.Contains(key, "..") {
				continue // not a key (a file name, a host) or not a feature of ours
			}
			checked++
			if !cat.Has(key) {
				t.Errorf("%s: locale key %q is not in locales/", path, key)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 100 {
		t.Fatalf("checked only %d keys: is the walk rooted right?", checked)
	}
}
