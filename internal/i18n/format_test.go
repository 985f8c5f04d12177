package i18n

import (
	"math"
	"testing"
	"time"
	_ "time/tzdata" // Asia/Ho_Chi_Minh even where the system has no zoneinfo
)

func TestNumber(t *testing.T) {
	tests := []struct {
		lang string
		n    int64
		want string
	}{
		{"vi", 0, "0"},
		{"vi", 7, "7"},
		{"vi", 999, "999"},
		{"vi", 4080, "4.080"},
		{"vi", 12345, "12.345"},
		{"vi", 100000, "100.000"},
		{"vi", 1234567, "1.234.567"},
		{"vi", -12, "-12"},
		{"vi", -4080, "-4.080"},
		{"en", 4080, "4,080"},
		{"en", 1234567, "1,234,567"},
		{"en-GB", -1000, "-1,000"},
		{"fr", 4080, "4.080"}, // unknown: the commune's own format
		{"", 4080, "4.080"},
		{"vi", math.MaxInt64, "9.223.372.036.854.775.807"},
		{"vi", math.MinInt64, "-9.223.372.036.854.775.808"},
	}
	for _, tc := range tests {
		if got := Number(tc.lang, tc.n); got != tc.want {
			t.Errorf("Number(%q, %d) = %q, want %q", tc.lang, tc.n, got, tc.want)
		}
	}
}

func TestPercent(t *testing.T) {
	tests := []struct {
		lang     string
		num, den int64
		decimals int
		want     string
	}{
		{"vi", 3936, 4133, 1, "95,2%"}, // 95.237…
		{"en", 3936, 4133, 1, "95.2%"},
		{"vi", 1242, 4080, 1, "30,4%"},
		{"vi", 1, 3, 2, "33,33%"},
		{"vi", 2, 3, 1, "66,7%"},
		{"vi", 1, 8, 1, "12,5%"},
		{"vi", 1, 8, 0, "13%"}, // half away from zero
		{"vi", 1, 200, 0, "1%"},
		{"vi", 1, 201, 0, "0%"},
		{"vi", 0, 5, 1, "0,0%"},
		{"vi", 5, 5, 0, "100%"},
		{"vi", 5, 5, 1, "100,0%"},
		{"vi", 1, 1000, 2, "0,10%"},
		{"vi", 1, 100000, 3, "0,001%"},
		{"vi", 150, 10, 0, "1.500%"},
		{"en", 150, 10, 1, "1,500.0%"},
		{"vi", -1, 8, 1, "-12,5%"},
		{"vi", 1, -8, 0, "-13%"},
		{"vi", -1, 1000, 0, "0%"}, // no "-0%"
		{"vi", 7, 0, 1, "—"},
		{"en", 0, 0, 0, "—"},
		{"vi", 1, 3, -1, "33%"}, // negative decimals read as 0
		{"vi", math.MaxInt64, math.MaxInt64, 2, "100,00%"},
	}
	for _, tc := range tests {
		if got := Percent(tc.lang, tc.num, tc.den, tc.decimals); got != tc.want {
			t.Errorf("Percent(%q, %d, %d, %d) = %q, want %q", tc.lang, tc.num, tc.den, tc.decimals, got, tc.want)
		}
	}
}

func TestDate(t *testing.T) {
	hcm, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Fatalf("LoadLocation: %v", err)
	}
	tests := []struct {
		t            time.Time
		loc          *time.Location
		date, dateTm string
	}{
		{time.Date(2025, 4, 30, 7, 5, 0, 0, time.UTC), hcm, "30/04/2025", "30/04/2025 14:05"},
		// 17:30 UTC is already the next day in Vietnam (UTC+7).
		{time.Date(2025, 12, 31, 17, 30, 0, 0, time.UTC), hcm, "01/01/2026", "01/01/2026 00:30"},
		{time.Date(2025, 12, 31, 17, 30, 0, 0, time.UTC), time.UTC, "31/12/2025", "31/12/2025 17:30"},
		{time.Date(2026, 2, 3, 9, 0, 0, 0, hcm), nil, "03/02/2026", "03/02/2026 09:00"}, // nil keeps t's zone
	}
	for _, tc := range tests {
		if got := Date(tc.t, tc.loc); got != tc.date {
			t.Errorf("Date(%v, %v) = %q, want %q", tc.t, tc.loc, got, tc.date)
		}
		if got := DateTime(tc.t, tc.loc); got != tc.dateTm {
			t.Errorf("DateTime(%v, %v) = %q, want %q", tc.t, tc.loc, got, tc.dateTm)
		}
	}
}
