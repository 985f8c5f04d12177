package archtest

import (
	"bufio"
	"bytes"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// outside names documents that are not part of the project, which its
// files once cited. Built by concatenation so this file does not cite them.
var outside = []string{"DESIGN" + ".md", "research/" + "domain.md"}

// textExt are the kinds of file a citation could hide in: code, docs,
// dialogs and texts, migrations, scripts and test data.
var textExt = map[string]bool{".go": true, ".md": true, ".yaml": true, ".yml": true, ".sql": true,
	".sh": true, ".js": true, ".mjs": true, ".json": true, ".txt": true, ".tsv": true, ".csv": true,
	".html": true, ".css": true, ".golden": true, ".mod": true}

// skipDir says which directories hold nothing of the project's own text:
// git's, the npm packages, the fuzz corpora (generated inputs) and what
// runs leave behind (the demo's database, test artifacts).
func skipDir(rel, name string) bool {
	switch name {
	case ".git", "node_modules", "artifacts", "xabot-demo":
		return true
	}
	return name == "fuzz" && filepath.Base(filepath.Dir(rel)) == "testdata"
}

// projectFiles calls f with each text file of the tree at root.
func projectFiles(root string, f func(rel string, body []byte) error) error {
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if path != root && skipDir(rel, d.Name()) {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || d.Name() == ".git" {
			return nil
		}
		if !textExt[filepath.Ext(d.Name())] && d.Name() != "Dockerfile" && !strings.HasPrefix(rel, ".ci/") {
			return nil
		}
		body, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return f(rel, body)
	})
}

// outsideCitations lists "file:line: cites NAME" for every mention of an
// outside document in the tree at root.
func outsideCitations(root string) ([]string, error) {
	var found []string
	err := projectFiles(root, func(rel string, body []byte) error {
		sc := bufio.NewScanner(bytes.NewReader(body))
		sc.Buffer(nil, len(body)+1)
		for n := 1; sc.Scan(); n++ {
			for _, name := range outside {
				if strings.Contains(sc.Text(), name) {
					found = append(found, rel+":"+strconv.Itoa(n)+": cites "+name)
				}
			}
		}
		return sc.Err()
	})
	return found, err
}

// docRef is a project document named in a comment, with the section quoted
// after it: docs/STATISTICS.md «Report categories», README «How it is built».
var docRef = regexp.MustCompile(`(docs/[A-Za-z0-9_.-]+\.md|README)(?:\s*«([^»]+)»)?`)

// brokenDocRefs lists the Go comments (outside testdata) of the tree at
// root that name a docs/*.md file that does not exist, or a section its
// file (or README.md) has no heading for; checked counts the names met.
func brokenDocRefs(root string) (found []string, checked int, err error) {
	fset := token.NewFileSet()
	err = projectFiles(root, func(rel string, body []byte) error {
		if filepath.Ext(rel) != ".go" || strings.Contains("/"+rel, "/testdata/") {
			return nil
		}
		f, err := parser.ParseFile(fset, rel, body, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		for _, g := range f.Comments {
			text := strings.Join(strings.Fields(g.Text()), " ")
			for _, m := range docRef.FindAllStringSubmatch(text, -1) {
				checked++
				doc := m[1]
				if doc == "README" {
					doc = "README.md"
				}
				where := rel + ":" + strconv.Itoa(fset.Position(g.Pos()).Line)
				headings, err := headingsOf(filepath.Join(root, filepath.FromSlash(doc)))
				if err != nil {
					found = append(found, where+": "+doc+" does not exist")
					continue
				}
				if m[2] != "" && !headings[m[2]] {
					found = append(found, where+": "+doc+" has no section «"+m[2]+"»")
				}
			}
		}
		return nil
	})
	return found, checked, err
}

// headingsOf returns the Markdown headings of the file at path, as written
// after the #s.
func headingsOf(path string) (map[string]bool, error) {
	body, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	h := map[string]bool{}
	for line := range strings.SplitSeq(string(body), "\n") {
		if strings.HasPrefix(line, "#") {
			h[strings.TrimSpace(strings.TrimLeft(line, "#"))] = true
		}
	}
	return h, nil
}

func TestNoOutsideCitations(t *testing.T) {
	found, err := outsideCitations(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range found {
		t.Errorf("%s: the project stands alone; cite docs/ or README instead", f)
	}
}

func TestDocRefsExist(t *testing.T) {
	found, checked, err := brokenDocRefs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range found {
		t.Error(f)
	}
	// The walk must have met the citations it guards.
	if checked < 10 {
		t.Fatalf("checked %d names of docs/ and README in Go comments: is the walk rooted right?", checked)
	}
	t.Logf("%d names of docs/ and README in Go comments checked", checked)
}

// TestStandaloneChecksCatchBreakage runs both checks on a small tree with
// one of each fault, and on the same tree mended.
func TestStandaloneChecksCatchBreakage(t *testing.T) {
	root := t.TempDir()
	write := func(rel, body string) {
		t.Helper()
		path := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("README.md", "# x\n\n## Configuration\n")
	write("docs/A.md", "# A\n\n## Report categories\n")
	write("internal/p/p.go", "// Package p: see docs/A.md «Report\n// categories» and README «Configuration».\npackage p\n\n"+
		"// Gone: docs/GONE.md; a section that is not there: docs/A.md «Scoring».\nvar X = 1\n")
	write("dialogs/d.yaml", "# as in "+outside[0]+" §2\nid: d\n")
	write(".ci/run", "#!/bin/sh\n# "+outside[1]+"\n")
	write("node_modules/m/README.md", outside[0]+"\n")                           // not ours
	write("internal/p/testdata/fuzz/FuzzX/seed", "go test fuzz v1\n"+outside[0]) // generated
	write("internal/p/testdata/q.go", "// docs/GONE.md\npackage q\n")            // not built

	cited, err := outsideCitations(root)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{".ci/run:2: cites " + outside[1], "dialogs/d.yaml:1: cites " + outside[0]}
	if strings.Join(cited, "|") != strings.Join(want, "|") {
		t.Errorf("outsideCitations = %q, want %q", cited, want)
	}
	broken, checked, err := brokenDocRefs(root)
	if err != nil {
		t.Fatal(err)
	}
	want = []string{"internal/p/p.go:5: docs/GONE.md does not exist", "internal/p/p.go:5: docs/A.md has no section «Scoring»"}
	if strings.Join(broken, "|") != strings.Join(want, "|") || checked != 4 {
		t.Errorf("brokenDocRefs = %q (%d checked), want %q (4 checked)", broken, checked, want)
	}

	write("dialogs/d.yaml", "id: d\n")
	write(".ci/run", "#!/bin/sh\n")
	write("docs/GONE.md", "# Gone\n")
	write("docs/A.md", "# A\n\n## Report categories\n\n### Scoring\n")
	if cited, err = outsideCitations(root); err != nil || len(cited) > 0 {
		t.Errorf("mended tree: outsideCitations = %q, %v", cited, err)
	}
	if broken, _, err = brokenDocRefs(root); err != nil || len(broken) > 0 {
		t.Errorf("mended tree: brokenDocRefs = %q, %v", broken, err)
	}
}
