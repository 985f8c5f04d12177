package stats

import (
	"errors"
	"testing"
	"time"

	"xabot/internal/domain"
)

// /thongke takes the periods officials type, with or without accents; a
// month or quarter without a year is the last one up to today, and a
// running period ends today.
func TestNamedPeriod(t *testing.T) {
	s := New(nil, hcm)
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, hcm) // Wednesday
	jan := time.Date(2027, 1, 10, 9, 0, 0, 0, hcm)
	d := func(y int, m time.Month, day int) string {
		return time.Date(y, m, day, 0, 0, 0, 0, hcm).Format("02/01/2006")
	}
	tests := []struct {
		text     string
		now      time.Time
		from, to string
		err      string // the InvalidError key, if refused
	}{
		{"2025", now, d(2025, 1, 1), d(2025, 12, 31), ""},
		{"năm 2025", now, d(2025, 1, 1), d(2025, 12, 31), ""},
		{"2026", now, d(2026, 1, 1), d(2026, 11, 25), ""},
		{"tháng 11", now, d(2026, 11, 1), d(2026, 11, 25), ""},
		{"thang 10", now, d(2026, 10, 1), d(2026, 10, 31), ""},
		{"Tháng 11/2025", now, d(2025, 11, 1), d(2025, 11, 30), ""},
		{"11/2025", now, d(2025, 11, 1), d(2025, 11, 30), ""},
		{"tháng 11", jan, d(2026, 11, 1), d(2026, 11, 30), ""}, // last November
		{"quý 3", now, d(2026, 7, 1), d(2026, 9, 30), ""},
		{"quy 4", now, d(2026, 10, 1), d(2026, 11, 25), ""},
		{"Q1 2025", now, d(2025, 1, 1), d(2025, 3, 31), ""},
		{"quý 4", jan, d(2026, 10, 1), d(2026, 12, 31), ""},
		{"hôm qua", now, d(2026, 11, 24), d(2026, 11, 24), ""},
		{"HOM NAY", now, d(2026, 11, 25), d(2026, 11, 25), ""},
		{"tháng trước", now, d(2026, 10, 1), d(2026, 10, 31), ""},
		{"tháng trước", jan, d(2026, 12, 1), d(2026, 12, 31), ""},
		{"quý trước", now, d(2026, 7, 1), d(2026, 9, 30), ""},
		{"năm ngoái", now, d(2025, 1, 1), d(2025, 12, 31), ""},
		{"tuần trước", now, d(2026, 11, 16), d(2026, 11, 22), ""},
		{"2027", now, "", "", "stats.future"},
		{"tháng 13", now, "", "", "stats.bad_period"},
		{"quý 5", now, "", "", "stats.bad_period"},
		{"tháng 11/99", now, "", "", "stats.bad_period"},
	}
	for _, tc := range tests {
		from, to, ok, err := s.NamedPeriod(tc.text, tc.now)
		if !ok {
			t.Errorf("%q: not read as a period", tc.text)
			continue
		}
		var inv *domain.InvalidError
		if tc.err != "" {
			if !errors.As(err, &inv) || inv.Key != tc.err {
				t.Errorf("%q: err %v, want %s", tc.text, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.text, err)
			continue
		}
		if got := from.In(hcm).Format("02/01/2006"); got != tc.from {
			t.Errorf("%q: from %s, want %s", tc.text, got, tc.from)
		}
		if got := to.In(hcm).Format("02/01/2006"); got != tc.to || to.In(hcm).Hour() != 23 {
			t.Errorf("%q: to %s, want the end of %s", tc.text, to.In(hcm), tc.to)
		}
	}
	// Not periods: the caller reads them as "FROM TO".
	for _, text := range []string{"01/01/2025 30/06/2025", "2025-01-01 2025-06-30", "abc", "thang 11 abc"} {
		if _, _, ok, _ := s.NamedPeriod(text, now); ok {
			t.Errorf("%q read as a named period", text)
		}
	}
}
