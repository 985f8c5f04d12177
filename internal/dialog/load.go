package dialog

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

var (
	commandName = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)
	ident       = regexp.MustCompile(`^[a-z][a-z0-9_]{0,23}$`)
	valueName   = regexp.MustCompile(`^[A-Za-z0-9_.:-]{1,20}$`)
)

// defaultMax is the longest answer a step takes unless it says otherwise.
const defaultMax = 500

// Engine runs the loaded flows.
type Engine struct {
	flows    map[string]*Flow
	commands map[string]string // command → flow id
	triggers map[string]string // trigger → flow id
	bound    func(action string) bool
	menu     string              // id of the flow that declares the main menu
	fold     func(string) string // how typed words are compared with labels
	words    func(string) []string
}

// Option changes how an Engine works.
type Option func(*Engine)

// WithFold compares a typed answer with the labels of dynamic choices
// after fold (say, without case or accents); by default only case and
// spacing are ignored.
func WithFold(fold func(string) string) Option { return func(e *Engine) { e.fold = fold } }

// WithWords lets a typed label choose its choice: words returns a locale
// key's texts in every language, "a|b" split, so a label (or a choice's
// Words) typed in any of them, folded, picks it. Without it only a
// choice's number does.
func WithWords(words func(key string) []string) Option {
	return func(e *Engine) { e.words = words }
}

// New loads every *.yaml in fsys and validates the whole set: unknown locale
// keys (hasKey), dangling steps, unbound actions, duplicate ids or commands.
// All problems are reported at once, so a broken file stops a deploy and
// never a citizen's conversation. bound says which action names the Actor
// given to Start and Answer runs.
func New(fsys fs.FS, hasKey func(string) bool, bound func(action string) bool, opts ...Option) (*Engine, error) {
	if bound == nil {
		bound = func(string) bool { return false }
	}
	e := &Engine{flows: map[string]*Flow{}, commands: map[string]string{}, triggers: map[string]string{}, bound: bound,
		fold: func(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }}
	for _, o := range opts {
		o(e)
	}
	var errs []error
	files, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, fmt.Errorf("dialog: list: %w", err)
	}
	if len(files) == 0 {
		return nil, errors.New("dialog: no *.yaml dialogs found")
	}
	for _, name := range files {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			continue
		}
		dec := yaml.NewDecoder(bytes.NewReader(b))
		dec.KnownFields(true) // a misspelt field is an error, not silence
		var f Flow
		if err := dec.Decode(&f); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			continue
		}
		if f.ID == "" {
			f.ID = strings.TrimSuffix(path.Base(name), ".yaml")
		}
		if _, dup := e.flows[f.ID]; dup {
			errs = append(errs, fmt.Errorf("%s: flow %q declared twice", name, f.ID))
			continue
		}
		f.steps = map[string]*Step{}
		for _, s := range f.Steps {
			if _, dup := f.steps[s.ID]; dup {
				errs = append(errs, fmt.Errorf("%s: step %q declared twice", name, s.ID))
			}
			if s.Max == 0 {
				s.Max = defaultMax
			}
			f.steps[s.ID] = s
		}
		e.flows[f.ID] = &f
	}
	for _, id := range e.sortedIDs() {
		errs = append(errs, e.check(e.flows[id], hasKey)...)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	for _, f := range e.flows {
		for _, s := range f.Steps {
			for i := range s.Choices {
				c := &s.Choices[i]
				c.typed = e.typed(c.Label, c.Words)
			}
		}
	}
	return e, nil
}

// typed is what typing chooses a choice labelled label with more words:
// each text of both keys, folded; nothing without WithWords.
func (e *Engine) typed(label, words string) []string {
	if e.words == nil {
		return nil
	}
	var out []string
	for _, k := range []string{label, words} {
		if k == "" {
			continue
		}
		for _, w := range e.words(k) {
			if w = e.fold(w); w != "" {
				out = append(out, w)
			}
		}
	}
	return out
}

func (e *Engine) sortedIDs() []string {
	ids := make([]string, 0, len(e.flows))
	for id := range e.flows {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// check validates one flow against the others, the locale keys and the
// bound actions.
func (e *Engine) check(f *Flow, hasKey func(string) bool) []error {
	var errs []error
	bad := func(format string, a ...any) {
		errs = append(errs, fmt.Errorf("dialog %s: "+format, append([]any{f.ID}, a...)...))
	}
	key := func(where, k string) {
		if k != "" && !hasKey(k) {
			bad("%s: unknown locale key %q", where, k)
		}
	}
	target := func(where, to string) {
		switch {
		case to == "" || to == End:
		case strings.HasPrefix(to, "@"):
			if _, ok := e.flows[to[1:]]; !ok {
				bad("%s: goes to unknown flow %q", where, to)
			}
		default:
			if _, ok := f.steps[to]; !ok {
				bad("%s: goes to unknown step %q", where, to)
			}
		}
	}
	if !ident.MatchString(f.ID) {
		bad("id must be a–z, 0–9, _ (at most 24)")
	}
	if _, ok := f.steps[f.Start]; !ok {
		bad("start step %q does not exist", f.Start)
	}
	key("label", f.Label)
	for _, p := range f.Phrases {
		key("phrases", p)
	}
	for _, p := range f.Talk {
		key("talk", p)
	}
	if a := f.TalkArgs; a != "" && a != "text" && a != "code" {
		bad("talk_args: %q (want text or code)", a)
	}
	for _, c := range f.Commands {
		if !commandName.MatchString(c) {
			bad("command %q: Telegram takes only a–z, 0–9 and _", c)
		} else if other, dup := e.commands[c]; dup && other != f.ID {
			bad("command /%s is also declared by %s", c, other)
		} else {
			e.commands[c] = f.ID
		}
	}
	for _, t := range f.Triggers {
		if t != "code" && t != "contact" && t != "words" {
			bad("unknown trigger %q (want code, contact or words)", t)
		} else if other, dup := e.triggers[t]; dup && other != f.ID {
			bad("trigger %q is also declared by %s", t, other)
		} else {
			e.triggers[t] = f.ID
		}
	}
	for _, r := range f.Roles {
		switch r {
		case "citizen", "official", "chairman", "admin":
		default:
			bad("unknown role %q", r)
		}
	}
	if len(f.Menu) > 0 {
		if e.menu != "" && e.menu != f.ID {
			bad("only one flow may declare the menu (also %s)", e.menu)
		}
		e.menu = f.ID
		for _, m := range f.Menu {
			if mf, ok := e.flows[m]; !ok {
				bad("menu: unknown flow %q", m)
			} else if mf.Label == "" {
				bad("menu: flow %q has no label", m)
			}
		}
	}
	for _, s := range f.Steps {
		where := "step " + s.ID
		if !ident.MatchString(s.ID) {
			bad("%s: id must be a–z, 0–9, _ (at most 24)", where)
		}
		for _, k := range s.Say {
			key(where+" say", k)
		}
		if s.Action != "" {
			if !e.bound(s.Action) {
				bad("%s: action %q is not bound", where, s.Action)
			}
		} else if len(s.Branches) > 0 {
			bad("%s: branches without an action", where)
		}
		for _, c := range s.Choices {
			key(where+" choice", c.Label)
			key(where+" choice words", c.Words)
			if !valueName.MatchString(c.Value) {
				bad("%s: choice value %q must be short ASCII", where, c.Value)
			}
			target(where+" choice "+c.Value, c.Next)
		}
		if len(Data(f.ID, s.ID, strings.Repeat("x", 20))) > 64 {
			bad("%s: callback data would pass Telegram's 64 bytes", where)
		}
		if s.Only != "" && s.Only != "contact" {
			bad("%s: only: %q (want contact)", where, s.Only)
		}
		if s.Dynamic && s.Action == "" {
			bad("%s: dynamic choices need an action to read them", where)
		}
		if s.Typed != "" && (!s.Dynamic || !ident.MatchString(s.Typed) || s.Typed == s.Save) {
			bad("%s: typed: %q needs a dynamic step and a slot name of its own", where, s.Typed)
		}
		if s.Min > s.Max {
			bad("%s: min %d > max %d", where, s.Min, s.Max)
		}
		for b, to := range s.Branches {
			target(where+" branch "+b, to)
		}
		target(where+" next", s.Next)
		if !s.waits() && s.Next == "" && s.Action == "" && len(s.Say) == 0 {
			bad("%s: does nothing", where)
		}
	}
	return errs
}

// Flow returns a flow by id.
func (e *Engine) Flow(id string) (*Flow, bool) {
	f, ok := e.flows[id]
	return f, ok
}

// ByCommand returns the flow a chat command starts.
func (e *Engine) ByCommand(cmd string) (*Flow, bool) {
	id, ok := e.commands[cmd]
	if !ok {
		return nil, false
	}
	return e.flows[id], true
}

// ByTrigger returns the flow started by a trigger ("code", "contact").
func (e *Engine) ByTrigger(t string) (*Flow, bool) {
	id, ok := e.triggers[t]
	if !ok {
		return nil, false
	}
	return e.flows[id], true
}

// Flows returns every flow, sorted by id.
func (e *Engine) Flows() []*Flow {
	out := make([]*Flow, 0, len(e.flows))
	for _, id := range e.sortedIDs() {
		out = append(out, e.flows[id])
	}
	return out
}

// Menu returns the flows of the main menu, in order; nil if none declared.
func (e *Engine) Menu() []*Flow {
	m, ok := e.flows[e.menu]
	if !ok {
		return nil
	}
	out := make([]*Flow, 0, len(m.Menu))
	for _, id := range m.Menu {
		out = append(out, e.flows[id])
	}
	return out
}
