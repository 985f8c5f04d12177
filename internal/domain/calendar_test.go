package domain

import (
	"testing"
	"time"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// testCalendar holds two real cases: 30/4–1/5 of 2025, where Friday 2 May
// was given off in exchange for working Saturday 26 April, and Tết 2026,
// off from Saturday 14 to Sunday 22 February.
func testCalendar() *Calendar {
	return NewCalendar(
		[]time.Time{
			day(2025, 4, 30), day(2025, 5, 1), day(2025, 5, 2),
			day(2026, 2, 16), day(2026, 2, 17), day(2026, 2, 18), day(2026, 2, 19), day(2026, 2, 20),
		},
		[]time.Time{day(2025, 4, 26)},
	)
}

func TestIsWorkingDay(t *testing.T) {
	c := testCalendar()
	tests := []struct {
		d    time.Time
		want bool
	}{
		{day(2025, 4, 21), true},  // Monday
		{day(2025, 4, 25), true},  // Friday
		{day(2025, 4, 19), false}, // Saturday
		{day(2025, 4, 20), false}, // Sunday
		{day(2025, 4, 26), true},  // swapped Saturday
		{day(2025, 4, 27), false}, // the Sunday after it stays off
		{day(2025, 4, 30), false}, // holiday on a Wednesday
		{day(2025, 5, 2), false},  // the Friday given in exchange
		{day(2025, 5, 5), true},
		{day(2026, 2, 13), true},
		{day(2026, 2, 14), false},
		{day(2026, 2, 17), false}, // Tết
		{day(2026, 2, 22), false},
		{day(2026, 2, 23), true},
		// Any time of the day counts as that date (dates are UTC midnights).
		{time.Date(2026, 2, 17, 23, 59, 0, 0, time.UTC), false},
		{time.Date(2026, 2, 23, 8, 0, 0, 0, time.UTC), true},
	}
	for _, tc := range tests {
		if got := c.IsWorkingDay(tc.d); got != tc.want {
			t.Errorf("IsWorkingDay(%s %s) = %v, want %v", tc.d.Format(time.DateOnly), tc.d.Weekday(), got, tc.want)
		}
	}
}

func TestAddWorkingDays(t *testing.T) {
	c := testCalendar()
	tests := []struct {
		from time.Time
		n    int
		want time.Time
	}{
		{day(2025, 4, 21), 0, day(2025, 4, 21)},
		{day(2025, 4, 21), 1, day(2025, 4, 22)},
		{day(2025, 4, 21), 4, day(2025, 4, 25)},
		{day(2025, 4, 18), 1, day(2025, 4, 21)},                              // Friday + 1 = Monday
		{day(2025, 4, 19), 0, day(2025, 4, 21)},                              // a Saturday moves to Monday
		{day(2025, 4, 19), 1, day(2025, 4, 22)},                              // counted from Monday
		{day(2025, 4, 25), 1, day(2025, 4, 26)},                              // the swapped Saturday works
		{day(2025, 4, 26), 1, day(2025, 4, 28)},                              // and counts
		{day(2025, 4, 29), 1, day(2025, 5, 5)},                               // over 30/4–4/5
		{day(2025, 4, 30), 0, day(2025, 5, 5)},                               // a holiday moves to the next working day
		{day(2026, 2, 13), 1, day(2026, 2, 23)},                              // Friday before Tết + 1
		{day(2026, 2, 12), 3, day(2026, 2, 24)},                              // 13, 23, 24
		{day(2026, 2, 17), 0, day(2026, 2, 23)},                              // Tết day itself
		{day(2026, 2, 17), 2, day(2026, 2, 25)},                              // counted from 23
		{day(2026, 2, 9), 15, day(2026, 3, 9)},                               // 15 working days spanning Tết
		{day(2025, 12, 31), 5, day(2026, 1, 7)},                              // year boundary, no holiday given
		{time.Date(2026, 2, 13, 16, 0, 0, 0, time.UTC), 1, day(2026, 2, 23)}, // time of day dropped
	}
	for _, tc := range tests {
		got := c.AddWorkingDays(tc.from, tc.n)
		if !got.Equal(tc.want) {
			t.Errorf("AddWorkingDays(%s, %d) = %s, want %s",
				tc.from.Format(time.DateOnly), tc.n, got.Format(time.DateOnly), tc.want.Format(time.DateOnly))
		}
		// Round trip: from a working day, n working days later are n apart.
		if c.IsWorkingDay(tc.from) {
			if back := c.WorkingDaysBetween(tc.from, got); back != tc.n {
				t.Errorf("WorkingDaysBetween(%s, AddWorkingDays(…, %d)) = %d",
					tc.from.Format(time.DateOnly), tc.n, back)
			}
		}
	}
}

func TestWorkingDaysBetween(t *testing.T) {
	c := testCalendar()
	tests := []struct {
		from, to time.Time
		want     int
	}{
		{day(2025, 4, 21), day(2025, 4, 21), 0},
		{day(2025, 4, 21), day(2025, 4, 22), 1},
		{day(2025, 4, 21), day(2025, 4, 25), 4},
		{day(2025, 4, 18), day(2025, 4, 21), 1},  // over a weekend
		{day(2025, 4, 19), day(2025, 4, 20), 0},  // weekend only
		{day(2025, 4, 25), day(2025, 4, 28), 2},  // swapped Saturday counts
		{day(2025, 4, 29), day(2025, 5, 5), 1},   // over 30/4–4/5
		{day(2026, 2, 13), day(2026, 2, 23), 1},  // over Tết
		{day(2026, 2, 13), day(2026, 2, 22), 0},  // inside Tết
		{day(2026, 2, 2), day(2026, 2, 27), 14},  // February 2026 minus Tết
		{day(2026, 2, 23), day(2026, 2, 13), -1}, // reversed
		{day(2025, 4, 28), day(2025, 4, 21), -6}, // reversed: minus the forward count, swapped Saturday included
	}
	for _, tc := range tests {
		if got := c.WorkingDaysBetween(tc.from, tc.to); got != tc.want {
			t.Errorf("WorkingDaysBetween(%s, %s) = %d, want %d",
				tc.from.Format(time.DateOnly), tc.to.Format(time.DateOnly), got, tc.want)
		}
	}
}

func TestEmptyCalendar(t *testing.T) {
	c := NewCalendar(nil, nil)
	if !c.IsWorkingDay(day(2026, 2, 17)) {
		t.Error("without holidays, Tuesday 17 Feb 2026 is a working day")
	}
	if got := c.AddWorkingDays(day(2026, 2, 13), 1); !got.Equal(day(2026, 2, 16)) {
		t.Errorf("AddWorkingDays = %s, want 2026-02-16", got.Format(time.DateOnly))
	}
}
