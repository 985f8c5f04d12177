package commune

import (
	"strings"
	"testing"
	"time"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func isWeekend(t time.Time) bool { return t.Weekday() == time.Saturday || t.Weekday() == time.Sunday }

func TestNationalCalendarData(t *testing.T) {
	entries, err := National()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[time.Time]bool{}
	net := map[int]int{} // year → weekdays off minus weekend days worked
	for i, e := range entries {
		d := e.Date.Time
		if d != day(d.Year(), d.Month(), d.Day()) {
			t.Errorf("%s: not a midnight-UTC date: %v", e.Date, d)
		}
		if seen[d] {
			t.Errorf("%s listed twice", e.Date)
		}
		seen[d] = true
		if i > 0 && !entries[i-1].Date.Before(d) {
			t.Errorf("%s: not sorted after %s", e.Date, entries[i-1].Date)
		}
		if strings.TrimSpace(e.Name) == "" {
			t.Errorf("%s: no name", e.Date)
		}
		switch e.Kind {
		case Workday:
			if !isWeekend(d) {
				t.Errorf("%s (%s) is a workday entry but not a weekend day", e.Date, d.Weekday())
			}
			net[d.Year()]--
		case Holiday:
			// Weekend holidays are off anyway: the file lists their weekday in lieu.
			if isWeekend(d) {
				t.Errorf("%s (%s) is a holiday entry on a weekend", e.Date, d.Weekday())
			}
			net[d.Year()]++
		default:
			t.Errorf("%s: kind %q", e.Date, e.Kind)
		}
	}
	// Labour Code Art. 112(1): 11 paid days off; 12 from 2026 with 24 Nov.
	// A swap moves a day but adds none.
	for year, want := range map[int]int{2025: 11, 2026: 12, 2027: 12} {
		if net[year] != want {
			t.Errorf("%d: %d net weekdays off, want %d", year, net[year], want)
		}
	}
}

func TestParseEntriesRejects(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"unknown key", "- {date: 2025-01-01, kind: holiday, name: x, note: y}", "field note not found"},
		{"bad kind", "- {date: 2025-01-01, kind: off, name: x}", `kind "off"`},
		{"no name", "- {date: 2025-01-01, kind: holiday}", "no name"},
		{"duplicate", "- {date: 2025-01-01, kind: holiday, name: x}\n- {date: 01/01/2025, kind: holiday, name: y}", "listed twice"},
		{"bad date", "- {date: 2025-02-29, kind: holiday, name: x}", "line 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseEntries([]byte(tc.yaml))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestDefaultCalendarWorkingDays(t *testing.T) {
	cal, err := Default().Calendar()
	if err != nil {
		t.Fatal(err)
	}
	working := []struct {
		d    time.Time
		want bool
		why  string
	}{
		{day(2025, 1, 1), false, "Tết Dương lịch 2025"},
		{day(2025, 1, 24), true, "Friday before Tết 2025"},
		{day(2025, 1, 29), false, "mùng 1 Ất Tỵ"},
		{day(2025, 2, 3), true, "back after Tết 2025"},
		{day(2025, 4, 7), false, "Giỗ Tổ 2025"},
		{day(2025, 4, 26), true, "swapped Saturday"},
		{day(2025, 4, 27), false, "the Sunday after it"},
		{day(2025, 5, 2), false, "the Friday given in exchange"},
		{day(2025, 9, 1), false, "Quốc khánh 2025, adjacent day"},
		{day(2025, 9, 3), true, "after Quốc khánh 2025"},
		{day(2026, 1, 2), true, "the Tết Dương lịch 2026 swap is not in the national data"},
		{day(2026, 2, 13), true, "Friday before Tết 2026"},
		{day(2026, 2, 16), false, "Tết 2026"},
		{day(2026, 2, 20), false, "Tết 2026"},
		{day(2026, 2, 23), true, "back after Tết 2026"},
		{day(2026, 4, 26), false, "Giỗ Tổ 2026 on a Sunday"},
		{day(2026, 4, 27), false, "Giỗ Tổ 2026 in lieu"},
		{day(2026, 4, 28), true, ""},
		{day(2026, 11, 24), false, "Ngày Văn hóa Việt Nam"},
		{day(2027, 2, 4), false, "Tết 2027 (provisional)"},
		{day(2027, 2, 11), true, "after Tết 2027"},
		{day(2027, 5, 3), false, "1 May 2027 in lieu"},
		{day(2027, 11, 24), false, "Ngày Văn hóa Việt Nam 2027"},
		{time.Date(2026, 2, 17, 23, 59, 0, 0, time.UTC), false, "any time of a holiday"},
	}
	for _, tc := range working {
		if got := cal.IsWorkingDay(tc.d); got != tc.want {
			t.Errorf("IsWorkingDay(%s %s) = %v, want %v (%s)", tc.d.Format(time.DateOnly), tc.d.Weekday(), got, tc.want, tc.why)
		}
	}

	add := []struct {
		from time.Time
		n    int
		want time.Time
		why  string
	}{
		{day(2026, 2, 13), 1, day(2026, 2, 23), "across Tết 2026"},
		{day(2026, 2, 12), 2, day(2026, 2, 23), "across Tết 2026"},
		{day(2025, 1, 24), 1, day(2025, 2, 3), "across Tết 2025"},
		{day(2025, 4, 25), 1, day(2025, 4, 26), "onto the swapped Saturday"},
		{day(2025, 4, 26), 1, day(2025, 4, 28), "from the swapped Saturday: Mon 28 and Tue 29 Apr are worked"},
		{day(2025, 4, 29), 1, day(2025, 5, 5), "across 30/4–4/5/2025"},
		{day(2025, 4, 24), 2, day(2025, 4, 26), ""},
		{day(2026, 11, 23), 1, day(2026, 11, 25), "across 24 Nov"},
		{day(2026, 4, 24), 1, day(2026, 4, 28), "across Giỗ Tổ in lieu"},
		{day(2026, 4, 24), 2, day(2026, 4, 29), ""},
		{day(2026, 4, 29), 1, day(2026, 5, 4), "across 30/4–1/5 2026"},
		{day(2026, 9, 1), 1, day(2026, 9, 4), "across Quốc khánh 2026 (provisional)"},
		// A due date on a day off moves to the next working day.
		{day(2026, 2, 17), 0, day(2026, 2, 23), "due on mùng 1"},
		{day(2025, 4, 30), 0, day(2025, 5, 5), "due on 30/4/2025"},
		{day(2025, 4, 26), 0, day(2025, 4, 26), "due on the swapped Saturday stays"},
		{day(2025, 9, 2), 0, day(2025, 9, 3), "due on Quốc khánh"},
		{day(2026, 11, 24), 0, day(2026, 11, 25), "due on Ngày Văn hóa Việt Nam"},
		{day(2027, 1, 1), 0, day(2027, 1, 4), "due on Tết Dương lịch 2027 (a Friday)"},
		{day(2027, 2, 6), 0, day(2027, 2, 11), "due on mùng 1 Đinh Mùi"},
	}
	for _, tc := range add {
		if got := cal.AddWorkingDays(tc.from, tc.n); !got.Equal(tc.want) {
			t.Errorf("AddWorkingDays(%s, %d) = %s %s, want %s (%s)", tc.from.Format(time.DateOnly), tc.n,
				got.Format(time.DateOnly), got.Weekday(), tc.want.Format(time.DateOnly), tc.why)
		}
	}

	between := []struct {
		from, to time.Time
		want     int
	}{
		{day(2026, 2, 12), day(2026, 2, 24), 3}, // Fri 13, Mon 23, Tue 24
		{day(2026, 2, 24), day(2026, 2, 12), -3},
		{day(2025, 4, 25), day(2025, 5, 5), 4},             // Sat 26, Mon 28, Tue 29 Apr, Mon 5 May
		{day(2025, 1, 1), day(2025, 12, 31), 261 - 12 + 1}, // weekdays − weekday holidays + the swapped Saturday
		{day(2026, 11, 20), day(2026, 11, 27), 4},          // Mon 23, Wed 25, Thu 26, Fri 27
	}
	for _, tc := range between {
		if got := cal.WorkingDaysBetween(tc.from, tc.to); got != tc.want {
			t.Errorf("WorkingDaysBetween(%s, %s) = %d, want %d", tc.from.Format(time.DateOnly), tc.to.Format(time.DateOnly), got, tc.want)
		}
	}
}

func TestProfileOverridesNationalCalendar(t *testing.T) {
	p := Default()
	p.Holidays = []Day{DayOf(day(2026, 1, 2)), DayOf(day(2026, 9, 1)), DayOf(day(2025, 4, 26))}
	p.Workdays = []Day{DayOf(day(2026, 1, 10)), DayOf(day(2026, 9, 3))}
	cal, err := p.Calendar()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		d    time.Time
		want bool
		why  string
	}{
		{day(2026, 1, 2), false, "profile holiday on a Friday"},
		{day(2026, 1, 10), true, "profile workday on a Saturday"},
		{day(2026, 1, 11), false, "the Sunday after it"},
		{day(2026, 9, 1), false, "profile holiday"},
		{day(2026, 9, 2), false, "national holiday kept"},
		{day(2026, 9, 3), true, "profile workday over a national holiday"},
		{day(2025, 4, 26), false, "profile holiday over a national workday"},
		{day(2026, 2, 17), false, "national holidays still apply"},
	}
	for _, tc := range tests {
		if got := cal.IsWorkingDay(tc.d); got != tc.want {
			t.Errorf("IsWorkingDay(%s %s) = %v, want %v (%s)", tc.d.Format(time.DateOnly), tc.d.Weekday(), got, tc.want, tc.why)
		}
	}
	if got, want := cal.AddWorkingDays(day(2025, 12, 31), 1), day(2026, 1, 5); !got.Equal(want) {
		t.Errorf("AddWorkingDays(31/12/2025, 1) = %s, want %s", got.Format(time.DateOnly), want.Format(time.DateOnly))
	}
	if got, want := cal.AddWorkingDays(day(2026, 1, 9), 1), day(2026, 1, 10); !got.Equal(want) {
		t.Errorf("AddWorkingDays(9/1/2026, 1) = %s, want %s", got.Format(time.DateOnly), want.Format(time.DateOnly))
	}
	// Thu 1 Jan .. Mon 12 Jan 2026: Mon 5 – Fri 9, Sat 10, Mon 12.
	if got := cal.WorkingDaysBetween(day(2025, 12, 31), day(2026, 1, 12)); got != 7 {
		t.Errorf("WorkingDaysBetween(31/12/2025, 12/1/2026) = %d, want 7", got)
	}

	// The default profile leaves the same days to the national calendar.
	plain, err := Default().Calendar()
	if err != nil {
		t.Fatal(err)
	}
	if !plain.IsWorkingDay(day(2026, 1, 2)) || plain.IsWorkingDay(day(2026, 1, 10)) {
		t.Error("without overrides 2 Jan 2026 should be worked and 10 Jan off")
	}
}

func TestCalendarRefusesAConflict(t *testing.T) {
	p := Default()
	p.Holidays = []Day{DayOf(day(2026, 1, 2))}
	p.Workdays = []Day{DayOf(day(2026, 1, 2))}
	if _, err := p.Calendar(); err == nil || !strings.Contains(err.Error(), "2026-01-02") {
		t.Fatalf("Calendar() err = %v, want a conflict on 2026-01-02", err)
	}
}
