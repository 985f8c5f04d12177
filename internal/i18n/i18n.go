// Package i18n is the message catalogue: every text a user sees, by key and
// language, with named {placeholders}, plus the number, date and percent
// formats the commune uses. Texts come from flat YAML files (locales.FS in
// production, an fstest.MapFS in tests); Load refuses a catalogue in which a
// language lacks a key of the reference language, has an extra one, or uses
// other placeholders, so a missing text fails CI instead of reaching a
// citizen. It imports nothing from this module.
package i18n

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
	"golang.org/x/text/language"
)

var (
	// placeholder is a {name} in a text. Names are identifiers so that
	// other braces a translator might write are left alone.
	placeholder = regexp.MustCompile(`\{([A-Za-z_][A-Za-z0-9_]*)\}`)
	// langName is the language part of a file name: "vi", "en".
	langName = regexp.MustCompile(`^[a-z]{2,3}$`)
)

// Catalog holds the texts of every language. It is read-only after Load and
// safe for concurrent use.
type Catalog struct {
	ref          string
	keys         []string                       // the reference's keys, sorted
	langs        []string                       // sorted
	placeholders map[string][]string            // key → sorted names, from the reference
	messages     map[string]map[string]*message // lang → key → parsed text
	tags         map[string]language.Tag        // lang → its tag, for plural rules
}

// origin is where a key was defined, for error messages.
type origin struct {
	file string
	line int
}

func (o origin) String() string { return fmt.Sprintf("%s:%d", o.file, o.line) }

// Load reads every "<lang>.yaml" and "<feature>.<lang>.yaml" at the root of
// fsys. A language's catalogue is the union of its files. reference ("vi")
// is the language every other one is checked against and the fallback of T.
// Every problem found is reported, joined with errors.Join: unreadable
// files, a key defined twice in one language, empty texts, and per
// language missing keys, extra keys and placeholders that differ from the
// reference.
func Load(fsys fs.FS, reference string) (*Catalog, error) {
	names, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, fmt.Errorf("i18n: list files: %w", err)
	}
	// Main files ("vi.yaml") before feature files, so a duplicate is
	// reported in the feature file that repeats a main key.
	slices.SortStableFunc(names, func(a, b string) int {
		return strings.Count(a, ".") - strings.Count(b, ".")
	})
	var errs []error
	texts := map[string]map[string]string{}
	where := map[string]map[string]origin{} // lang → key → first definition
	broken := map[string]bool{}             // langs with a file that did not parse
	for _, name := range names {
		lang, ok := fileLang(name)
		if !ok {
			errs = append(errs, fmt.Errorf("i18n: %s: want a name like vi.yaml or import.vi.yaml", name))
			continue
		}
		entries, err := parseFile(fsys, name)
		if err != nil {
			// Comparing a language that lost part of a file would bury
			// this error under a list of "missing key" ones.
			errs = append(errs, err)
			broken[lang] = true
		}
		if texts[lang] == nil {
			texts[lang] = map[string]string{}
			where[lang] = map[string]origin{}
		}
		for _, e := range entries {
			if first, dup := where[lang][e.key]; dup {
				errs = append(errs, fmt.Errorf("i18n: %s: key %q already defined at %s", e.at, e.key, first))
				continue
			}
			if strings.TrimSpace(e.text) == "" {
				errs = append(errs, fmt.Errorf("i18n: %s: key %q: empty text", e.at, e.key))
			}
			if _, err := pluralBlocks(e.text); err != nil {
				errs = append(errs, fmt.Errorf("i18n: %s: key %q: %w", e.at, e.key, err))
			}
			texts[lang][e.key] = e.text
			where[lang][e.key] = e.at
		}
	}

	refTexts, ok := texts[reference]
	if !ok {
		errs = append(errs, fmt.Errorf("i18n: reference language %q: no %s.yaml or *.%s.yaml", reference, reference, reference))
		return nil, errors.Join(errs...)
	}
	c := &Catalog{
		ref:          reference,
		keys:         sortedKeys(refTexts),
		placeholders: make(map[string][]string, len(refTexts)),
	}
	for _, key := range c.keys {
		c.placeholders[key] = placeholdersOf(refTexts[key])
	}
	c.langs = sortedKeys(texts)
	c.messages = make(map[string]map[string]*message, len(texts))
	c.tags = make(map[string]language.Tag, len(texts))
	for lang, byKey := range texts {
		c.tags[lang] = language.Make(lang)
		c.messages[lang] = make(map[string]*message, len(byKey))
		for key, text := range byKey {
			c.messages[lang][key] = parseMessage(text)
		}
	}
	for _, lang := range c.langs {
		if lang == reference || broken[lang] || broken[reference] {
			continue
		}
		for _, key := range c.keys {
			text, ok := texts[lang][key]
			if !ok {
				errs = append(errs, fmt.Errorf("i18n: %s: missing key %q (defined at %s)", lang, key, where[reference][key]))
				continue
			}
			if got, want := placeholdersOf(text), c.placeholders[key]; !slices.Equal(got, want) {
				errs = append(errs, fmt.Errorf("i18n: %s: key %q: placeholders %s, want %s as in %s",
					where[lang][key], key, braces(got), braces(want), reference))
			}
		}
		for _, key := range sortedKeys(texts[lang]) {
			if _, ok := refTexts[key]; !ok {
				errs = append(errs, fmt.Errorf("i18n: %s: key %q is not in %s", where[lang][key], key, reference))
			}
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return c, nil
}

// fileLang returns the language of a locale file name: the last dotted part
// before ".yaml".
func fileLang(name string) (string, bool) {
	base := strings.TrimSuffix(path.Base(name), ".yaml")
	parts := strings.Split(base, ".")
	if len(parts) > 2 || slices.Contains(parts, "") {
		return "", false
	}
	lang := parts[len(parts)-1]
	return lang, langName.MatchString(lang)
}

type fileEntry struct {
	key, text string
	at        origin
}

// parseFile reads one flat "key: text" YAML map. It decodes to a yaml.Node
// rather than a map so duplicate keys are caught (a map would keep the
// last silently) and errors can name the line.
func parseFile(fsys fs.FS, name string) ([]fileEntry, error) {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("i18n: %s: %w", name, err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("i18n: %s: %w", name, err)
	}
	if len(doc.Content) == 0 {
		return nil, nil // an empty file defines nothing
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("i18n: %s:%d: want a map of key: text", name, root.Line)
	}
	var (
		errs    []error
		entries = make([]fileEntry, 0, len(root.Content)/2)
	)
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		at := origin{file: name, line: k.Line}
		if k.Kind != yaml.ScalarNode || k.Value == "" {
			errs = append(errs, fmt.Errorf("i18n: %s: want a text key", at))
			continue
		}
		if v.Kind != yaml.ScalarNode {
			// Flat files only: nesting would make keys depend on
			// indentation, and translators do get that wrong.
			errs = append(errs, fmt.Errorf("i18n: %s: key %q: want a text, found a list or map", at, k.Value))
			continue
		}
		text := v.Value
		if v.Tag == "!!null" {
			text = "" // "key:" with nothing after it
		}
		entries = append(entries, fileEntry{key: k.Value, text: text, at: at})
	}
	return entries, errors.Join(errs...)
}

func placeholdersOf(text string) []string {
	var names []string
	matches := append(placeholder.FindAllStringSubmatch(text, -1), pluralHead.FindAllStringSubmatch(text, -1)...)
	for _, m := range matches {
		if !slices.Contains(names, m[1]) {
			names = append(names, m[1])
		}
	}
	sort.Strings(names)
	return names
}

func braces(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return "{" + strings.Join(names, "}, {") + "}"
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// T returns the text of key in lang with args filled in. An unknown lang
// falls back to the reference language ("en-US" finds "en" first); an
// unknown key returns the key itself, visible in tests and transcripts
// rather than an empty message; a placeholder without an arg stays as
// "{name}". A plural block picks its form by its argument (plural.go).
// Arg values are inserted verbatim and never expanded again, so text a
// user typed cannot inject placeholders.
func (c *Catalog) T(lang, key string, args map[string]string) string {
	lang = c.match(lang)
	m, ok := c.messages[lang][key]
	if !ok {
		return key
	}
	return m.render(c.tags[lang], values{args: args})
}

// TWith is T with g.With(args), without building that map: a turn
// renders a dozen texts with the globals.
func (c *Catalog) TWith(lang, key string, g Globals, args map[string]string) string {
	lang = c.match(lang)
	m, ok := c.messages[lang][key]
	if !ok {
		return key
	}
	return m.render(c.tags[lang], values{args: args, g: &g})
}

// match picks the catalogue language for a platform's hint: exact, then
// lower case, then the base of a tag ("en" for "en-US", "vi" for "vi_VN"),
// else the reference.
func (c *Catalog) match(lang string) string {
	if _, ok := c.messages[lang]; ok {
		return lang
	}
	l := strings.ToLower(lang)
	if i := strings.IndexAny(l, "-_"); i >= 0 {
		l = l[:i]
	}
	if _, ok := c.messages[l]; ok {
		return l
	}
	return c.ref
}

// Has reports whether key exists (in the reference, hence in every language).
func (c *Catalog) Has(key string) bool {
	_, ok := c.messages[c.ref][key]
	return ok
}

// Keys returns every key, sorted.
func (c *Catalog) Keys() []string { return slices.Clone(c.keys) }

// Langs returns the languages, sorted.
func (c *Catalog) Langs() []string { return slices.Clone(c.langs) }

// Reference returns the reference language, the fallback of T.
func (c *Catalog) Reference() string { return c.ref }

// Placeholders returns the sorted placeholder names of key ("code", "due"),
// nil for an unknown key or a text without any. Dialog linting uses it to
// check that a step passes every argument its text needs.
func (c *Catalog) Placeholders(key string) []string {
	return slices.Clone(c.placeholders[key])
}

// Globals are the arguments every text may use: {commune}, {office} (the
// one-stop shop with its phone and hours) and {office_name} (its name
// alone; Office when no name is set), from the commune profile.
type Globals struct {
	Commune, Office, OfficeName string
}

// With is a with the globals added; a's own values win, and a itself is
// not changed.
func (g Globals) With(a map[string]string) map[string]string {
	out := make(map[string]string, len(a)+3)
	for _, name := range globalNames {
		out[name], _ = g.value(name)
	}
	maps.Copy(out, a)
	return out
}

var globalNames = [...]string{"commune", "office", "office_name"}

// value is the global called name.
func (g Globals) value(name string) (string, bool) {
	switch name {
	case "commune":
		return g.Commune, true
	case "office":
		return g.Office, true
	case "office_name":
		if g.OfficeName == "" {
			return g.Office, true
		}
		return g.OfficeName, true
	}
	return "", false
}
