package commune

import (
	"bytes"
	_ "embed"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"xabot/internal/domain"
)

// Route says who first receives one category's feedback (profile key
// feedback_routing): the officials of fields (names from the profile's
// fields), the heads of the one-stop shop, the chairmen.
type Route struct {
	Fields   []string `yaml:"fields,omitempty"`
	Head     bool     `yaml:"head,omitempty"`
	Chairman bool     `yaml:"chairman,omitempty"`
}

// routingYAML is the default routing table, as data: the field names are
// the commune's vocabulary, not code.
//
//go:embed routing.yaml
var routingYAML []byte

// DefaultRouting is the routing of a profile that sets no table
// (routing.yaml). It panics if the embedded file is broken, which the
// package's tests rule out.
func DefaultRouting() domain.FeedbackRouting {
	dec := yaml.NewDecoder(bytes.NewReader(routingYAML))
	dec.KnownFields(true)
	var routes map[string]Route
	if err := dec.Decode(&routes); err != nil {
		panic("commune: embedded routing.yaml: " + err.Error())
	}
	return table(routes, domain.FeedbackRouting{})
}

// Routing returns the profile's feedback routing table: its routes, and the
// defaults (DefaultRouting, the behaviour of a profile without a table)
// for the categories it does not list.
func (p Profile) Routing() domain.FeedbackRouting {
	return table(p.FeedbackRouting, DefaultRouting())
}

// table sets routes over rt, by category.
func table(routes map[string]Route, rt domain.FeedbackRouting) domain.FeedbackRouting {
	for cat, r := range routes {
		rt[domain.Category(cat)] = domain.FeedbackRoute{Fields: r.Fields, Head: r.Head, Chairman: r.Chairman}
	}
	return rt
}

// routingErrors checks feedback_routing: known, routable categories, each
// naming somebody, with fields among the profile's.
func (p Profile) routingErrors(root *yaml.Node) []error {
	var errs []error
	at := func(line int, format string, args ...any) { errs = append(errs, atLine(line, format, args...)) }
	cats := make([]string, 0, len(p.FeedbackRouting))
	for c := range p.FeedbackRouting {
		cats = append(cats, c)
	}
	// In the file's order, so the errors read top to bottom.
	sort.Slice(cats, func(i, j int) bool {
		li, lj := keyLine(root, "feedback_routing", cats[i]), keyLine(root, "feedback_routing", cats[j])
		return li < lj || (li == lj && cats[i] < cats[j])
	})
	var routable []string
	for _, c := range domain.Categories() {
		if c.Routable() {
			routable = append(routable, string(c))
		}
	}
	for _, c := range cats {
		r := p.FeedbackRouting[c]
		line := keyLine(root, "feedback_routing", c)
		switch cat := domain.Category(c); {
		case cat == domain.CatStaffAttitude, domain.FeedbackKind(c).Legal():
			at(line, "feedback_routing.%s: complaints, denunciations and feedback about staff attitude go only to the head of the one-stop shop and the chairman; they cannot be routed", c)
			continue
		case !cat.Valid():
			at(line, "feedback_routing: unknown category %q (want one of %s)", c, strings.Join(routable, ", "))
			continue
		}
		if len(r.Fields) == 0 && !r.Head && !r.Chairman {
			at(line, "feedback_routing.%s names nobody: give fields, head: true or chairman: true", c)
		}
		for _, f := range domain.UnknownFields(r.Fields, p.Fields) {
			at(itemLine(root, f, "feedback_routing", c, "fields"), "feedback_routing.%s: field %q is not one of the profile's fields", c, f)
		}
	}
	return errs
}

// itemLine returns the line of the item value of the sequence at path, or
// the line of the sequence's key, or 0.
func itemLine(root *yaml.Node, value string, path ...string) int {
	k, seq := valueNode(root, path...)
	if seq != nil && seq.Kind == yaml.SequenceNode {
		for _, c := range seq.Content {
			if c.Value == value {
				return c.Line
			}
		}
	}
	if k != nil {
		return k.Line
	}
	return 0
}
