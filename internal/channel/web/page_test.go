package web

import (
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestPageAndFilesAreServed(t *testing.T) {
	_, _, srv := newTest(t, Config{})
	for _, c := range []struct{ path, ctype, contains string }{
		{"/", "text/html", `src="static/app.js"`},
		{"/static/app.js", "javascript", "EventSource"},
		{"/static/app.css", "text/css", "@media (max-width: 760px)"},
	} {
		res, err := http.Get(srv.URL + c.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Type"), c.ctype) || !strings.Contains(string(body), c.contains) {
			t.Errorf("GET %s = %d %q, want %s containing %q", c.path, res.StatusCode, res.Header.Get("Content-Type"), c.ctype, c.contains)
		}
		if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
			t.Errorf("GET %s: CSP %q", c.path, csp)
		}
	}
}

// TestPageHasNoOutsideOrInlineCode keeps the page self-contained: no CDN,
// no inline script the CSP would block anyway.
func TestPageHasNoOutsideOrInlineCode(t *testing.T) {
	err := fs.WalkDir(static, "static", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(static, path)
		if err != nil {
			return err
		}
		s := string(b)
		for _, bad := range []string{"http://", "https://", "<script>", "onclick=", "innerHTML"} {
			if strings.Contains(s, bad) {
				t.Errorf("%s contains %q", path, bad)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestPageKeysExist checks that every text key the page names is in the
// reference catalogue (locales/web.vi.yaml), so a typo shows here rather
// than as a raw key on the page. Keys the page builds from a panel's label
// or a job's name are checked where those are chosen (internal/app).
func TestPageKeysExist(t *testing.T) {
	cat, err := os.ReadFile(filepath.Join("..", "..", "..", "locales", "web.vi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	defined := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^(web\.[a-z0-9_.]+):`).FindAllStringSubmatch(string(cat), -1) {
		defined[m[1]] = true
	}
	used := regexp.MustCompile(`['"](web\.page\.[a-z0-9_.]*[a-z0-9])['"]`)
	checked := 0
	for _, name := range []string{"static/index.html", "static/app.js"} {
		b, err := fs.ReadFile(static, name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range used.FindAllStringSubmatch(string(b), -1) {
			checked++
			if !defined[m[1]] {
				t.Errorf("%s names %q, which locales/web.vi.yaml lacks", name, m[1])
			}
		}
	}
	if checked < 20 {
		t.Fatalf("checked only %d keys: did the pattern break?", checked)
	}
}
