package commune

import (
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"xabot/internal/domain"
)

// Jobs of citizen reception, with their default schedules (local time): the
// reminder to registered citizens the day before, and the list of
// registrations to the chairman and the book-keeper the evening before.
const (
	JobReceptionRemind = "reception-remind"
	JobReceptionList   = "reception-list"

	DefaultReceptionRemindSpec = "0 8 * * *"
	DefaultReceptionListSpec   = "0 17 * * *"
)

// ReceptionDay is a weekly reception session in the profile:
//
//	reception_days:
//	  - {weekday: thursday, from: "07:30", to: "11:00", place: Trụ sở UBND xã, chairman: true}
//
// weekday is an English day name or «thu 2» … «thu 7», «chu nhat» (also
// with diacritics); chairman: true marks the chairman's own session.
type ReceptionDay struct {
	Weekday  string `yaml:"weekday"`
	From     string `yaml:"from"`
	To       string `yaml:"to"`
	Place    string `yaml:"place"`
	Chairman bool   `yaml:"chairman"`
}

// ReceptionDate is an extra session on a date.
type ReceptionDate struct {
	Date     Day    `yaml:"date"`
	From     string `yaml:"from"`
	To       string `yaml:"to"`
	Place    string `yaml:"place"`
	Chairman bool   `yaml:"chairman"`
}

var weekdays = map[string]time.Weekday{
	"monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday, "thursday": time.Thursday,
	"friday": time.Friday, "saturday": time.Saturday, "sunday": time.Sunday,
	"thu 2": time.Monday, "thu hai": time.Monday, "thu 3": time.Tuesday, "thu ba": time.Tuesday,
	"thu 4": time.Wednesday, "thu tu": time.Wednesday, "thu 5": time.Thursday, "thu nam": time.Thursday,
	"thu 6": time.Friday, "thu sau": time.Friday, "thu 7": time.Saturday, "thu bay": time.Saturday,
	"chu nhat": time.Sunday, "cn": time.Sunday,
}

// weekdayOf reads a weekday name; the Vietnamese ones with or without
// diacritics.
func weekdayOf(s string) (time.Weekday, bool) {
	r := strings.NewReplacer("ứ", "u", "ủ", "u", "ư", "u", "ă", "a", "ả", "a", "á", "a", "ậ", "a")
	w, ok := weekdays[strings.Join(strings.Fields(strings.ToLower(r.Replace(s))), " ")]
	return w, ok
}

// ReceptionSchedule is the profile's reception days as the domain reads
// them. It assumes a validated profile: a bad weekday is left out.
func (p Profile) ReceptionSchedule() domain.ReceptionSchedule {
	var s domain.ReceptionSchedule
	for _, d := range p.ReceptionDays {
		if w, ok := weekdayOf(d.Weekday); ok {
			s.Weekly = append(s.Weekly, domain.ReceptionSlot{Weekday: w, From: d.From, To: d.To, Place: d.Place, Chairman: d.Chairman})
		}
	}
	for _, d := range p.ReceptionDates {
		s.Extra = append(s.Extra, domain.ReceptionSession{Day: DayOf(d.Date.Time).Time, From: d.From, To: d.To,
			Place: d.Place, Chairman: d.Chairman})
	}
	return s
}

// receptionErrors checks the reception days: a known weekday, times
// HH:MM with from before to, a place; and, when there are weekly days, the
// chairman on at least one of them (Law on Citizen Reception 2013, art. 15).
func (p Profile) receptionErrors(root *yaml.Node) []error {
	var errs []error
	at := func(line int, format string, args ...any) { errs = append(errs, atLine(line, format, args...)) }
	_, daysNode := valueNode(root, "reception_days")
	_, datesNode := valueNode(root, "reception_dates")
	lineOf := func(n *yaml.Node, i int) int {
		if n != nil && n.Kind == yaml.SequenceNode && i < len(n.Content) {
			return n.Content[i].Line
		}
		return keyLine(root, "reception_days")
	}
	checkTimes := func(line int, what, from, to, place string) {
		fh, fm, ok1 := domain.ClockOf(from)
		th, tm, ok2 := domain.ClockOf(to)
		switch {
		case !ok1 || !ok2:
			at(line, "%s: from %q, to %q: want times HH:MM", what, from, to)
		case fh*60+fm >= th*60+tm:
			at(line, "%s: from %s is not before to %s", what, from, to)
		}
		if strings.TrimSpace(place) == "" {
			at(line, "%s: place is required", what)
		}
	}
	chairman := false
	for i, d := range p.ReceptionDays {
		line := lineOf(daysNode, i)
		if _, ok := weekdayOf(d.Weekday); !ok {
			at(line, "reception_days: weekday %q: want monday … sunday or thu 2 … thu 7, chu nhat", d.Weekday)
		}
		checkTimes(line, "reception_days", d.From, d.To, d.Place)
		chairman = chairman || d.Chairman
	}
	if len(p.ReceptionDays) > 0 && !chairman {
		at(keyLine(root, "reception_days"), "reception_days: the chairman must receive citizens at least one day a week (chairman: true on one of them)")
	}
	for i, d := range p.ReceptionDates {
		line := lineOf(datesNode, i)
		if d.Date.IsZero() {
			at(line, "reception_dates: date is required")
		}
		checkTimes(line, "reception_dates", d.From, d.To, d.Place)
	}
	return errs
}
