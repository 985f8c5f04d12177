// Package commune holds the commune profile (XABOT_COMMUNE): name, villages,
// fields, office and reception schedule, feedback clocks and routing, job
// schedules and the commune's changes to the embedded national holiday
// calendar, from which it builds the working-day calendar. It imports only
// internal/domain.
package commune

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

//go:embed demo.yaml
var demoYAML []byte

// Names of the scheduled jobs whose schedules a profile sets by default.
const (
	JobDueSoon     = "due-soon"
	JobApologyDuty = "apology-duty"
	JobOverdue     = "overdue"
)

// DefaultJobSpec is the default schedule of the daily jobs: 7:30 every day
// (the jobs skip non-working days themselves).
const DefaultJobSpec = "30 7 * * *"

// Profile describes one commune.
type Profile struct {
	Name        string   `yaml:"name"`        // "xã Hành Dũng"
	Province    string   `yaml:"province"`    // "Quảng Ngãi"
	AgencyCode  string   `yaml:"agency_code"` // "H55.20", the first part of dossier codes
	Villages    []string `yaml:"villages"`    // thôn
	Fields      []string `yaml:"fields"`      // lĩnh vực of the one-stop shop
	Office      string   `yaml:"office"`      // where results are collected
	OfficeHours string   `yaml:"office_hours"`
	Reception   string   `yaml:"reception"` // the chairman's citizen-reception schedule, as said to citizens
	// ReceptionDays are the weekly reception sessions and ReceptionDates
	// extra dated ones (reception.go): citizens register for them.
	ReceptionDays  []ReceptionDay  `yaml:"reception_days"`
	ReceptionDates []ReceptionDate `yaml:"reception_dates"`
	SLA            SLA             `yaml:"sla"`
	// Jobs maps a job name to its 5-field cron schedule.
	Jobs map[string]string `yaml:"jobs"`
	// FeedbackRouting maps a category of feedback (admin_procedure,
	// roads_lighting, environment_waste, security_order, land, other) to
	// who first receives it; see Routing.
	FeedbackRouting map[string]Route `yaml:"feedback_routing"`
	// Holidays are days off beyond the national calendar; Workdays are
	// working days beyond it (a swapped Saturday). Both win over it.
	Holidays []Day `yaml:"holidays"`
	Workdays []Day `yaml:"workdays"`

	// OfficePhone is the one-stop shop's phone: a clipped notice points
	// there for the full text.
	OfficePhone string `yaml:"office_phone"`
}

// SLA holds the feedback (PAKN) clocks in working days.
type SLA struct {
	RefuseDays     int `yaml:"refuse_days"`     // to refuse a petition
	SupplementDays int `yaml:"supplement_days"` // to ask for more information
	AnswerDays     int `yaml:"answer_days"`     // to answer
	PublishDays    int `yaml:"publish_days"`    // to publish the answer
}

// DefaultSLA is the clocks a profile gets when it does not set them.
func DefaultSLA() SLA { return SLA{RefuseDays: 2, SupplementDays: 5, AnswerDays: 15, PublishDays: 2} }

// Default returns the embedded demo profile (xã Hành Dũng). It panics if the
// embedded file is broken, which the package's tests rule out.
func Default() Profile {
	p, err := Parse(demoYAML)
	if err != nil {
		panic("commune: embedded demo.yaml: " + err.Error())
	}
	return p
}

// Load reads and validates the profile file at path. Every problem is
// reported at once (errors.Join), each with the file and, where known, the
// line.
func Load(path string) (Profile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Profile{}, fmt.Errorf("commune profile: %w", err)
	}
	p, errs := parse(b)
	for i, e := range errs {
		errs[i] = fmt.Errorf("%s: %w", path, e)
	}
	return p, errors.Join(errs...)
}

// Parse reads and validates a profile. Keys it does not know are errors;
// SLA and the default job schedules are filled in where absent. Every
// problem is reported at once (errors.Join).
func Parse(b []byte) (Profile, error) {
	p, errs := parse(b)
	return p, errors.Join(errs...)
}

func parse(b []byte) (Profile, []error) {
	p := Profile{
		SLA:  DefaultSLA(),
		Jobs: map[string]string{JobDueSoon: DefaultJobSpec, JobApologyDuty: DefaultJobSpec, JobOverdue: DefaultJobSpec},
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var errs []error
	if err := dec.Decode(&p); err != nil && !errors.Is(err, io.EOF) {
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			return p, []error{err} // syntax: nothing more can be said
		}
		for _, msg := range te.Errors {
			errs = append(errs, errors.New(msg))
		}
	}
	var root yaml.Node
	if err := yaml.Unmarshal(b, &root); err != nil {
		return p, append(errs, err)
	}
	return p, append(errs, p.validate(&root)...)
}

// validate checks what the types do not; root, if not nil, is the parsed
// document, used to name lines.
func (p Profile) validate(root *yaml.Node) []error {
	var errs []error
	at := func(line int, format string, args ...any) { errs = append(errs, atLine(line, format, args...)) }
	if strings.TrimSpace(p.Name) == "" {
		at(keyLine(root, "name"), "name is required")
	}
	for _, c := range []struct {
		key string
		v   int
	}{
		{"refuse_days", p.SLA.RefuseDays},
		{"supplement_days", p.SLA.SupplementDays},
		{"answer_days", p.SLA.AnswerDays},
		{"publish_days", p.SLA.PublishDays},
	} {
		if c.v < 0 {
			at(keyLine(root, "sla", c.key), "sla.%s is %d: want 0 or more working days", c.key, c.v)
		}
	}
	names := make([]string, 0, len(p.Jobs))
	for name := range p.Jobs {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		spec := p.Jobs[name]
		if strings.TrimSpace(name) == "" {
			at(keyLine(root, "jobs"), "jobs: empty job name")
		}
		if n := len(strings.Fields(spec)); n != 5 {
			at(keyLine(root, "jobs", name), "jobs.%s: %q has %d fields: want a 5-field cron schedule (minute hour day month weekday)", name, spec, n)
		}
	}
	errs = append(errs, p.routingErrors(root)...)
	errs = append(errs, p.receptionErrors(root)...)
	return append(errs, p.conflicts(root)...)
}

// conflicts reports the days listed both as holidays and as workdays.
func (p Profile) conflicts(root *yaml.Node) []error {
	holiday := map[time.Time]bool{}
	for _, d := range p.Holidays {
		holiday[DayOf(d.Time).Time] = true
	}
	lines := dayLines(root, "workdays")
	var errs []error
	for _, d := range p.Workdays {
		d = DayOf(d.Time)
		if holiday[d.Time] {
			errs = append(errs, atLine(lines[d.Time], "%s is listed both in holidays and in workdays", d))
		}
	}
	return errs
}

// atLine is a problem of the profile, prefixed with its line when known
// (line > 0).
func atLine(line int, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if line > 0 {
		msg = fmt.Sprintf("line %d: %s", line, msg)
	}
	return errors.New(msg)
}

// JobSpec returns the cron schedule of the job name, or def if the profile
// does not set one.
func (p Profile) JobSpec(name, def string) string {
	if s, ok := p.Jobs[name]; ok && strings.TrimSpace(s) != "" {
		return s
	}
	return def
}

// valueNode follows the mapping keys path from the document root and returns
// the value node, or nil.
func valueNode(root *yaml.Node, path ...string) (key, value *yaml.Node) {
	if root == nil {
		return nil, nil
	}
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	for _, k := range path {
		if n == nil || n.Kind != yaml.MappingNode {
			return nil, nil
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == k {
				key, next = n.Content[i], n.Content[i+1]
				break
			}
		}
		n = next
	}
	return key, n
}

// keyLine returns the line of the key at path, or 0.
func keyLine(root *yaml.Node, path ...string) int {
	if k, _ := valueNode(root, path...); k != nil {
		return k.Line
	}
	return 0
}

// dayLines maps each date of the sequence at key to its line.
func dayLines(root *yaml.Node, key string) map[time.Time]int {
	lines := map[time.Time]int{}
	if _, seq := valueNode(root, key); seq != nil && seq.Kind == yaml.SequenceNode {
		for _, c := range seq.Content {
			if d, err := ParseDay(c.Value); err == nil && lines[d.Time] == 0 {
				lines[d.Time] = c.Line
			}
		}
	}
	return lines
}
