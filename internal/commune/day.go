package commune

import (
	"fmt"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Day is a calendar date, a midnight-UTC time as domain.DateOf returns. In
// YAML it is written "YYYY-MM-DD" or "DD/MM/YYYY".
type Day struct{ time.Time }

// DayOf returns the day of date in UTC (dates here are midnight-UTC values).
func DayOf(date time.Time) Day {
	y, m, d := date.Date()
	return Day{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

// ParseDay reads "YYYY-MM-DD" or "DD/MM/YYYY" (one-digit day and month
// accepted in the second form).
func ParseDay(s string) (Day, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.DateOnly, "2/1/2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return Day{t}, nil
		}
	}
	return Day{}, fmt.Errorf("%q is not a date: want YYYY-MM-DD or DD/MM/YYYY", s)
}

// String returns the date as YYYY-MM-DD.
func (d Day) String() string { return d.Format(time.DateOnly) }

// UnmarshalYAML reads a scalar date. A bad date is reported as a
// *yaml.TypeError with its line, so decoding goes on and every bad date of
// a file is reported at once.
func (d *Day) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: want a date (YYYY-MM-DD or DD/MM/YYYY)", n.Line)}}
	}
	v, err := ParseDay(n.Value)
	if err != nil {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: %v", n.Line, err)}}
	}
	*d = v
	return nil
}

// MarshalYAML writes the date as YYYY-MM-DD.
func (d Day) MarshalYAML() (any, error) { return d.String(), nil }
