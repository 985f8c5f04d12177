package archtest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// Two kinds of string the Go code must not spell. Callback data: services
// and the domain offer intents (domain.Intent) and the bot alone maps them
// to dialog steps (internal/bot/intents.go), so a literal there that
// begins "flow/step/" of a dialog is a button built behind the table's
// back. Routing names: the fields (lĩnh vực) feedback goes to are the
// commune's vocabulary, kept in internal/commune/routing.yaml and the
// profile, so a product Go file that spells one has hard-coded a routing.

// dialogSteps returns "flow/step/" for every step of dialogs/*.yaml at root.
func dialogSteps(root string) (map[string]bool, error) {
	files, err := filepath.Glob(filepath.Join(root, "dialogs", "*.yaml"))
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		var f struct {
			ID    string `yaml:"id"`
			Steps []struct {
				ID string `yaml:"id"`
			} `yaml:"steps"`
		}
		if err := yaml.Unmarshal(b, &f); err != nil {
			return nil, err
		}
		if f.ID == "" {
			f.ID = strings.TrimSuffix(filepath.Base(name), ".yaml")
		}
		for _, s := range f.Steps {
			out[f.ID+"/"+s.ID+"/"] = true
		}
	}
	return out, nil
}

// routingNames returns the field names of internal/commune/routing.yaml
// at root.
func routingNames(root string) (map[string]bool, error) {
	b, err := os.ReadFile(filepath.Join(root, "internal", "commune", "routing.yaml"))
	if err != nil {
		return nil, err
	}
	var routes map[string]struct {
		Fields []string `yaml:"fields"`
	}
	if err := yaml.Unmarshal(b, &routes); err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, r := range routes {
		for _, f := range r.Fields {
			out[f] = true
		}
	}
	return out, nil
}

// stringLiterals calls f with each string literal of the Go files of the
// tree at root that want(rel) selects, outside testdata.
func stringLiterals(root string, want func(rel string) bool, f func(where, lit string)) error {
	fset := token.NewFileSet()
	return projectFiles(root, func(rel string, body []byte) error {
		if filepath.Ext(rel) != ".go" || strings.Contains("/"+rel, "/testdata/") || !want(rel) {
			return nil
		}
		file, err := parser.ParseFile(fset, rel, body, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		ast.Inspect(file, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			if s, err := strconv.Unquote(lit.Value); err == nil {
				f(rel+":"+strconv.Itoa(fset.Position(lit.Pos()).Line), s)
			}
			return true
		})
		return nil
	})
}

// spelt lists the literals of the tree at root that spell callback data
// (in internal/service and internal/domain, tests included) or a routing
// name (in product code: not tests, not the demo's seed data); checked
// counts the literals read.
func spelt(root string) (found []string, checked int, err error) {
	steps, err := dialogSteps(root)
	if err != nil {
		return nil, 0, err
	}
	names, err := routingNames(root)
	if err != nil {
		return nil, 0, err
	}
	inner := func(rel string) bool {
		return strings.HasPrefix(rel, "internal/service/") || strings.HasPrefix(rel, "internal/domain/")
	}
	err = stringLiterals(root, func(string) bool { return true }, func(where, lit string) {
		checked++
		rel := where[:strings.LastIndexByte(where, ':')]
		if inner(rel) {
			if i := strings.IndexByte(lit, '/'); i > 0 {
				if j := strings.IndexByte(lit[i+1:], '/'); j > 0 && steps[lit[:i+1+j+1]] {
					found = append(found, where+": callback data "+strconv.Quote(lit)+": offer a domain.Intent")
				}
			}
		}
		product := !strings.HasSuffix(rel, "_test.go") && !strings.HasPrefix(rel, "internal/demo/")
		if product && names[strings.TrimSpace(lit)] {
			found = append(found, where+": routing name "+strconv.Quote(lit)+": take it from the commune profile")
		}
	})
	return found, checked, err
}

func TestNoSpeltCallbacksOrRoutingNames(t *testing.T) {
	found, checked, err := spelt(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range found {
		t.Error(f)
	}
	if checked < 1000 {
		t.Fatalf("read %d string literals: is the walk rooted right?", checked)
	}
}

// TestSpeltCatchesBoth runs the check on a small tree with one of each
// fault, beside what it must let pass.
func TestSpeltCatchesBoth(t *testing.T) {
	root := t.TempDir()
	write := func(rel, body string) {
		t.Helper()
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("dialogs/unsub.yaml", "id: unsub\nsteps:\n  - id: confirm\n")
	write("internal/commune/routing.yaml", "land: {fields: [Đất đai]}\nother: {head: true}\n")
	write("internal/service/notify/push.go", "package notify\n\nfunc data(code string) string {\n"+
		"\treturn \"unsub/confirm/\" + code\n}\n\nvar fine = []string{\"unsub/other/x\", \"a/b\", \"push.unsubscribe\"}\n")
	write("internal/domain/route.go", "package domain\n\nvar land = []string{\"Đất đai\"}\n")
	// Allowed: the bot builds data; tests and the demo's data name fields.
	write("internal/bot/intents.go", "package bot\n\nconst d = \"unsub/confirm/\"\n")
	write("internal/domain/route_test.go", "package domain\n\nvar f = \"Đất đai\"\n")
	write("internal/demo/catalog.go", "package demo\n\nconst fDatDai = \"Đất đai\"\n")

	found, checked, err := spelt(root)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`internal/domain/route.go:3: routing name "Đất đai": take it from the commune profile`,
		`internal/service/notify/push.go:4: callback data "unsub/confirm/": offer a domain.Intent`,
	}
	if strings.Join(found, "\n") != strings.Join(want, "\n") {
		t.Errorf("spelt =\n%s\nwant\n%s", strings.Join(found, "\n"), strings.Join(want, "\n"))
	}
	if checked != 8 {
		t.Errorf("read %d literals, want 8", checked)
	}
}
