package i18n

import (
	"errors"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"xabot/locales"
)

// TestShippedCatalog loads the real locale files: a missing key, an extra
// key or a placeholder mismatch in locales/ fails here.
func TestShippedCatalog(t *testing.T) {
	c, err := Load(locales.FS, "vi")
	if err != nil {
		t.Fatalf("Load(locales.FS):\n%v", err)
	}
	if len(c.Langs()) < 1 {
		t.Fatalf("Langs() = %v, want at least one language", c.Langs())
	}
	t.Logf("%d keys in %v", len(c.Keys()), c.Langs())
}

func files(kv ...string) fstest.MapFS {
	m := fstest.MapFS{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = &fstest.MapFile{Data: []byte(kv[i+1])}
	}
	return m
}

func TestLoad(t *testing.T) {
	tests := []struct {
		name  string
		fsys  fstest.MapFS
		langs []string // on success
		keys  []string // on success
		// wantErrs are fragments that must each appear in one of the joined
		// errors; their count must equal the number of joined errors.
		wantErrs []string
	}{
		{
			name: "vi and en with feature files",
			fsys: files(
				"vi.yaml", "a: Xin chào {name}\nb: Tạm biệt\n",
				"import.vi.yaml", "import.done: 'Đã nhập {n} dòng'\n",
				"en.yaml", "b: Goodbye\na: Hello {name}\n",
				"import.en.yaml", "import.done: Imported {n} rows\n",
				"README.md", "not a locale file",
			),
			langs: []string{"en", "vi"},
			keys:  []string{"a", "b", "import.done"},
		},
		{
			name:  "reference alone",
			fsys:  files("vi.yaml", "a: Một\n"),
			langs: []string{"vi"},
			keys:  []string{"a"},
		},
		{
			name:  "keys may move between files of one language",
			fsys:  files("vi.yaml", "a: Một\nb: Hai\n", "en.yaml", "a: One\n", "x.en.yaml", "b: Two\n"),
			langs: []string{"en", "vi"},
			keys:  []string{"a", "b"},
		},
		{
			name:  "block text and placeholders reordered",
			fsys:  files("vi.yaml", "a: |-\n  Hồ sơ {code}\n  hẹn {due}\n", "en.yaml", "a: Due {due} for {code}, {code}\n"),
			langs: []string{"en", "vi"},
			keys:  []string{"a"},
		},
		{
			name:     "missing key",
			fsys:     files("vi.yaml", "a: Một\nb: Hai\n", "en.yaml", "a: One\n"),
			wantErrs: []string{`en: missing key "b" (defined at vi.yaml:2)`},
		},
		{
			name:     "extra key",
			fsys:     files("vi.yaml", "a: Một\n", "en.yaml", "a: One\nz: Extra\n"),
			wantErrs: []string{`en.yaml:2: key "z" is not in vi`},
		},
		{
			name:     "placeholder renamed",
			fsys:     files("vi.yaml", "a: Hồ sơ {code}\n", "en.yaml", "a: Dossier {id}\n"),
			wantErrs: []string{`en.yaml:1: key "a": placeholders {id}, want {code} as in vi`},
		},
		{
			name:     "placeholder dropped",
			fsys:     files("vi.yaml", "a: '{n} hồ sơ hẹn {due}'\n", "en.yaml", "a: '{n} dossiers'\n"),
			wantErrs: []string{`placeholders {n}, want {due}, {n}`},
		},
		{
			name:     "placeholder added",
			fsys:     files("vi.yaml", "a: Xin chào\n", "en.yaml", "a: Hello {name}\n"),
			wantErrs: []string{`placeholders {name}, want none`},
		},
		{
			name:     "duplicate key across files",
			fsys:     files("vi.yaml", "a: Một\nb: Hai\n", "import.vi.yaml", "x: X\nb: Hai nữa\n"),
			wantErrs: []string{`import.vi.yaml:2: key "b" already defined at vi.yaml:2`},
		},
		{
			name:     "duplicate key in one file",
			fsys:     files("vi.yaml", "a: Một\na: Hai\n"),
			wantErrs: []string{`vi.yaml:2: key "a" already defined at vi.yaml:1`},
		},
		{
			name:     "same key in two languages is fine, empty texts are not",
			fsys:     files("vi.yaml", "a: Một\nb: ''\nc:\nd: '   '\n", "en.yaml", "a: One\nb: B\nc: C\nd: D\n"),
			wantErrs: []string{`vi.yaml:2: key "b": empty text`, `vi.yaml:3: key "c": empty text`, `vi.yaml:4: key "d": empty text`},
		},
		{
			name:     "unparseable file",
			fsys:     files("vi.yaml", "a: Một\n", "en.yaml", "a: [One\n"),
			wantErrs: []string{"en.yaml: yaml:"},
		},
		{
			name: "nested map and list",
			fsys: files("vi.yaml", "a:\n  b: Một\nc:\n  - Hai\nd: Ba\n"),
			wantErrs: []string{
				`vi.yaml:1: key "a": want a text, found a list or map`,
				`vi.yaml:3: key "c": want a text, found a list or map`,
			},
		},
		{
			name:     "not a map",
			fsys:     files("vi.yaml", "- a\n- b\n"),
			wantErrs: []string{"vi.yaml:1: want a map of key: text"},
		},
		{
			name: "bad file names",
			fsys: files("vi.yaml", "a: Một\n", "vi_VN.yaml", "a: Một\n", "a.b.vi.yaml", "x: X\n", ".vi.yaml", "y: Y\n"),
			wantErrs: []string{
				".vi.yaml: want a name like vi.yaml",
				"a.b.vi.yaml: want a name like vi.yaml",
				"vi_VN.yaml: want a name like vi.yaml",
			},
		},
		{
			name:     "no reference",
			fsys:     files("en.yaml", "a: One\n"),
			wantErrs: []string{`reference language "vi": no vi.yaml`},
		},
		{
			name:     "empty directory",
			fsys:     fstest.MapFS{},
			wantErrs: []string{`reference language "vi"`},
		},
		{
			name: "every problem at once",
			fsys: files(
				"vi.yaml", "a: Một {n}\nb: Hai\nc: Ba\n",
				"feedback.vi.yaml", "c: Ba nữa\n",
				"en.yaml", "a: One {count}\nz: Extra\n",
			),
			wantErrs: []string{
				`feedback.vi.yaml:1: key "c" already defined at vi.yaml:3`,
				`en.yaml:1: key "a": placeholders {count}, want {n}`,
				`en: missing key "b"`,
				`en: missing key "c"`,
				`en.yaml:2: key "z" is not in vi`,
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load(tc.fsys, "vi")
			if len(tc.wantErrs) == 0 {
				if err != nil {
					t.Fatalf("Load: %v", err)
				}
				if got := c.Langs(); !slices.Equal(got, tc.langs) {
					t.Errorf("Langs() = %v, want %v", got, tc.langs)
				}
				if got := c.Keys(); !slices.Equal(got, tc.keys) {
					t.Errorf("Keys() = %v, want %v", got, tc.keys)
				}
				return
			}
			if err == nil {
				t.Fatalf("Load succeeded, want errors %q", tc.wantErrs)
			}
			if c != nil {
				t.Errorf("Load returned a catalogue with an error")
			}
			got := joined(err)
			for _, want := range tc.wantErrs {
				if !slices.ContainsFunc(got, func(e error) bool { return strings.Contains(e.Error(), want) }) {
					t.Errorf("no error contains %q; got:\n%v", want, err)
				}
			}
			if len(got) != len(tc.wantErrs) {
				t.Errorf("%d errors, want %d:\n%v", len(got), len(tc.wantErrs), err)
			}
			for _, e := range got {
				if !strings.HasPrefix(e.Error(), "i18n: ") {
					t.Errorf("error %q lacks the i18n: prefix", e)
				}
			}
		})
	}
}

// joined flattens errors.Join trees into their leaves.
func joined(err error) []error {
	if u, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range u.Unwrap() {
			out = append(out, joined(e)...)
		}
		return out
	}
	return []error{err}
}

func testCatalog(t *testing.T) *Catalog {
	t.Helper()
	c, err := Load(files(
		"vi.yaml", "greet: Xin chào {name}!\ncode: Hồ sơ {code} hẹn trả {due}.\nplain: Cảm ơn\n",
		"en.yaml", "greet: Hello {name}!\ncode: Dossier {code} is due {due}.\nplain: Thank you\n",
	), "vi")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return c
}

func TestT(t *testing.T) {
	c := testCatalog(t)
	tests := []struct {
		lang, key string
		args      map[string]string
		want      string
	}{
		{"vi", "greet", map[string]string{"name": "An"}, "Xin chào An!"},
		{"en", "greet", map[string]string{"name": "An"}, "Hello An!"},
		{"en-US", "greet", map[string]string{"name": "An"}, "Hello An!"},
		{"EN", "plain", nil, "Thank you"},
		{"vi_VN", "plain", nil, "Cảm ơn"},
		{"fr", "greet", map[string]string{"name": "An"}, "Xin chào An!"}, // unknown language: reference
		{"", "plain", nil, "Cảm ơn"},
		{"en", "no.such.key", map[string]string{"name": "An"}, "no.such.key"},
		{"vi", "greet", nil, "Xin chào {name}!"},                                              // missing arg stays visible
		{"en", "code", map[string]string{"code": "H1"}, "Dossier H1 is due {due}."},           // one of two missing
		{"vi", "greet", map[string]string{"name": "{code}", "code": "X"}, "Xin chào {code}!"}, // values are not expanded again
		{"vi", "plain", map[string]string{"unused": "x"}, "Cảm ơn"},
	}
	for _, tc := range tests {
		if got := c.T(tc.lang, tc.key, tc.args); got != tc.want {
			t.Errorf("T(%q, %q, %v) = %q, want %q", tc.lang, tc.key, tc.args, got, tc.want)
		}
	}
}

func TestCatalogQueries(t *testing.T) {
	c := testCatalog(t)
	if got, want := c.Keys(), []string{"code", "greet", "plain"}; !slices.Equal(got, want) {
		t.Errorf("Keys() = %v, want %v", got, want)
	}
	if got, want := c.Langs(), []string{"en", "vi"}; !slices.Equal(got, want) {
		t.Errorf("Langs() = %v, want %v", got, want)
	}
	if got := c.Reference(); got != "vi" {
		t.Errorf("Reference() = %q, want vi", got)
	}
	for _, tc := range []struct {
		key  string
		has  bool
		want []string
	}{
		{"code", true, []string{"code", "due"}},
		{"greet", true, []string{"name"}},
		{"plain", true, nil},
		{"nope", false, nil},
	} {
		if got := c.Has(tc.key); got != tc.has {
			t.Errorf("Has(%q) = %v, want %v", tc.key, got, tc.has)
		}
		if got := c.Placeholders(tc.key); !slices.Equal(got, tc.want) {
			t.Errorf("Placeholders(%q) = %v, want %v", tc.key, got, tc.want)
		}
	}
	// Callers may sort or append; the catalogue must not change.
	c.Keys()[0] = "mutated"
	c.Placeholders("code")[0] = "mutated"
	if c.Keys()[0] != "code" || c.Placeholders("code")[0] != "code" {
		t.Error("Keys or Placeholders return the catalogue's own slice")
	}
}

func TestLoadReadError(t *testing.T) {
	// A pattern error from fs.Glob cannot happen with "*.yaml"; a file
	// that cannot be read can.
	fsys := errFS{files("vi.yaml", "a: Một\n")}
	_, err := Load(fsys, "vi")
	if !errors.Is(err, errUnreadable) {
		t.Errorf("Load with an unreadable file: %v, want errUnreadable", err)
	}
}

var errUnreadable = errors.New("unreadable")

// errFS lists its files but fails to open any. It has only Open, so
// fs.ReadFile cannot take a MapFS shortcut around the failure.
type errFS struct{ m fstest.MapFS }

func (f errFS) Open(name string) (fs.File, error) {
	if name == "." {
		return f.m.Open(name)
	}
	return nil, errUnreadable
}
