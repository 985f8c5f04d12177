package commune

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"sort"
	"time"

	"go.yaml.in/yaml/v3"

	"xabot/internal/domain"
)

//go:embed holidays.yaml
var holidaysYAML []byte

// Kind says whether an Entry is a day off or a working day.
type Kind string

const (
	Holiday Kind = "holiday" // a weekday off
	Workday Kind = "workday" // a weekend day made a working day (làm bù)
)

// Entry is one line of the national calendar.
type Entry struct {
	Date Day    `yaml:"date"`
	Kind Kind   `yaml:"kind"`
	Name string `yaml:"name"` // Vietnamese, e.g. "Tết Nguyên đán"
}

// National returns the embedded national calendar for civil servants
// (holidays.yaml, 2025–2027), sorted by date. Some of its years are
// provisional; the file says which.
func National() ([]Entry, error) {
	return parseEntries(holidaysYAML)
}

func parseEntries(b []byte) ([]Entry, error) {
	var entries []Entry
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&entries); err != nil {
		return nil, fmt.Errorf("holidays.yaml: %w", err)
	}
	var errs []error
	seen := map[time.Time]bool{}
	for _, e := range entries {
		switch {
		case e.Date.IsZero():
			errs = append(errs, fmt.Errorf("entry %q: no date", e.Name))
			continue
		case e.Kind != Holiday && e.Kind != Workday:
			errs = append(errs, fmt.Errorf("%s: kind %q: want %q or %q", e.Date, e.Kind, Holiday, Workday))
		case e.Name == "":
			errs = append(errs, fmt.Errorf("%s: no name", e.Date))
		}
		if seen[e.Date.Time] {
			errs = append(errs, fmt.Errorf("%s: listed twice", e.Date))
		}
		seen[e.Date.Time] = true
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("holidays.yaml: %w", err)
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Date.Before(entries[j].Date.Time) })
	return entries, nil
}

// Calendar returns the working-day calendar of the commune: the national
// calendar with the profile's Holidays (extra days off) and Workdays (extra
// working days) on top. Where they disagree the profile wins.
func (p Profile) Calendar() (*domain.Calendar, error) {
	entries, err := National()
	if err != nil {
		return nil, err
	}
	if err := errors.Join(p.conflicts(nil)...); err != nil {
		return nil, err
	}
	off := map[time.Time]bool{} // date → day off (false: working day)
	for _, e := range entries {
		off[e.Date.Time] = e.Kind == Holiday
	}
	for _, d := range p.Holidays {
		off[DayOf(d.Time).Time] = true
	}
	for _, d := range p.Workdays {
		off[DayOf(d.Time).Time] = false
	}
	var holidays, workdays []time.Time
	for d, isOff := range off {
		if isOff {
			holidays = append(holidays, d)
		} else {
			workdays = append(workdays, d)
		}
	}
	return domain.NewCalendar(holidays, workdays), nil
}
