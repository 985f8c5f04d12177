package domain

import (
	"testing"
	"time"
)

func TestParseLocalTime(t *testing.T) {
	hcm, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, hcm)
	at := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, hcm).UTC() }
	for _, c := range []struct {
		in   string
		want time.Time
	}{
		{"17:30 05/12", at(2026, 12, 5, 17, 30)},
		{"05/12 17:30", at(2026, 12, 5, 17, 30)},
		{"7h30 06/12/2026", at(2026, 12, 6, 7, 30)},
		{"17h 26/11", at(2026, 11, 26, 17, 0)},
		{"16:00", at(2026, 11, 25, 16, 0)},
		{"9:00 20/11", at(2026, 11, 20, 9, 0)}, // passed this year: said so, not moved to next year
		{"8:00 05/01", at(2027, 1, 5, 8, 0)},   // January typed in November: the next one
		{" 07:05   01/12/2026 ", at(2026, 12, 1, 7, 5)},
	} {
		got, ok := ParseLocalTime(c.in, now, hcm)
		if !ok || !got.Equal(c.want) || got.Location() != time.UTC {
			t.Errorf("%q: %v %v, want %v (UTC)", c.in, got, ok, c.want)
		}
	}
	for _, bad := range []string{"", "mai", "25:00 26/11", "17:60", "31/02 8:00", "8:00 1/13", "8:00 1/2/1999", "8:00 9:00", "1/2 3/4 8:00", "17:30 05/12/26/1"} {
		if got, ok := ParseLocalTime(bad, now, hcm); ok {
			t.Errorf("%q read as %v", bad, got)
		}
	}
}
