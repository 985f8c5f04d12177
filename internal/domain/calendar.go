package domain

import "time"

// Calendar counts working days: Monday to Friday, minus public holidays,
// plus swapped working days (a Saturday made a working day). Dates are
// midnight UTC values, as DateOf returns.
type Calendar struct {
	holidays map[time.Time]bool
	workdays map[time.Time]bool
}

// NewCalendar returns a calendar with the given days off and extra working days.
func NewCalendar(holidays, workdays []time.Time) *Calendar {
	c := &Calendar{holidays: map[time.Time]bool{}, workdays: map[time.Time]bool{}}
	for _, d := range holidays {
		c.holidays[DateOf(d, time.UTC)] = true
	}
	for _, d := range workdays {
		c.workdays[DateOf(d, time.UTC)] = true
	}
	return c
}

// IsWorkingDay reports whether date is a working day.
func (c *Calendar) IsWorkingDay(date time.Time) bool {
	d := DateOf(date, time.UTC)
	if c.workdays[d] {
		return true
	}
	if c.holidays[d] {
		return false
	}
	wd := d.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// AddWorkingDays returns the date n working days after date (n ≥ 0). With
// n = 0 it returns date itself if that is a working day, else the next one.
func (c *Calendar) AddWorkingDays(date time.Time, n int) time.Time {
	d := DateOf(date, time.UTC)
	for !c.IsWorkingDay(d) {
		d = d.AddDate(0, 0, 1)
	}
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		if c.IsWorkingDay(d) {
			n--
		}
	}
	return d
}

// WorkingDaysBetween counts working days after from up to and including to;
// negative when to is before from.
func (c *Calendar) WorkingDaysBetween(from, to time.Time) int {
	a, b := DateOf(from, time.UTC), DateOf(to, time.UTC)
	sign := 1
	if b.Before(a) {
		a, b, sign = b, a, -1
	}
	n := 0
	for d := a.AddDate(0, 0, 1); !d.After(b); d = d.AddDate(0, 0, 1) {
		if c.IsWorkingDay(d) {
			n++
		}
	}
	return sign * n
}
