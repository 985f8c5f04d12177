package stats

import (
	"context"
	"errors"
	"testing"
	"time"

	"xabot/internal/domain"
	"xabot/internal/i18n"
)

var hcm = time.FixedZone("ICT", 7*3600)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, hcm) }

func TestPeriod(t *testing.T) {
	s := New(nil, hcm)
	now := time.Date(2025, 5, 14, 20, 0, 0, 0, time.UTC) // Thursday 15/05/2025 03:00 local
	end := func(y int, m time.Month, d int) time.Time { return day(y, m, d+1).Add(-time.Nanosecond) }
	tests := []struct {
		kind     string
		from, to time.Time
	}{
		{Week, day(2025, 5, 12), end(2025, 5, 15)},
		{LastWeek, day(2025, 5, 5), end(2025, 5, 11)},
		{Month, day(2025, 5, 1), end(2025, 5, 15)},
		{Quarter, day(2025, 4, 1), end(2025, 5, 15)},
		{Year, day(2025, 1, 1), end(2025, 5, 15)},
	}
	for _, tt := range tests {
		from, to, err := s.Period(tt.kind, now)
		if err != nil || !from.Equal(tt.from) || !to.Equal(tt.to) {
			t.Errorf("%s: got %v – %v, %v; want %v – %v", tt.kind, from, to, err, tt.from, tt.to)
		}
	}
	// On a Sunday the week is the one that ends that day; on a Monday, last
	// week is the one just ended.
	from, to, _ := s.Period(Week, day(2025, 5, 18).Add(23*time.Hour))
	if !from.Equal(day(2025, 5, 12)) || !to.Equal(end(2025, 5, 18)) {
		t.Errorf("Sunday's week: %v – %v", from, to)
	}
	from, to, _ = s.Period(LastWeek, day(2025, 5, 19))
	if !from.Equal(day(2025, 5, 12)) || !to.Equal(end(2025, 5, 18)) {
		t.Errorf("Monday's last week: %v – %v", from, to)
	}
	from, to, _ = s.Period(Quarter, day(2025, 12, 31))
	if !from.Equal(day(2025, 10, 1)) || !to.Equal(end(2025, 12, 31)) {
		t.Errorf("Q4: %v – %v", from, to)
	}
	if _, _, err := s.Period("decade", now); !isInvalid(err, "stats.bad_period") {
		t.Errorf("unknown kind: %v", err)
	}
}

func TestPrevious(t *testing.T) {
	s := New(nil, hcm)
	from, to := s.Previous(day(2025, 5, 12), day(2025, 5, 19).Add(-time.Nanosecond))
	if !from.Equal(day(2025, 5, 5)) || !to.Equal(day(2025, 5, 12).Add(-time.Nanosecond)) {
		t.Errorf("previous week: %v – %v", from, to)
	}
	from, to = s.Previous(day(2025, 3, 1), day(2025, 3, 2).Add(-time.Nanosecond))
	if !from.Equal(day(2025, 2, 28)) || !to.Equal(day(2025, 3, 1).Add(-time.Nanosecond)) {
		t.Errorf("previous day: %v – %v", from, to)
	}
}

func isInvalid(err error, key string) bool {
	var inv *domain.InvalidError
	return errors.As(err, &inv) && inv.Key == key
}

func TestParsePeriod(t *testing.T) {
	s := New(nil, hcm)
	now := day(2025, 5, 15)
	end := day(2025, 5, 1).Add(-time.Nanosecond)
	for _, in := range []string{"01/01/2021 30/04/2025", "1/1/2021 30/4/2025", "2021-01-01 2025-04-30",
		"  01/01/2021   2025-04-30 ", "01/01/2021 - 30/04/2025", "01.01.2021 30.04.2025", "01/01/2021–30/04/2025"} {
		from, to, err := s.ParsePeriod(in, now)
		if err != nil || !from.Equal(day(2021, 1, 1)) || !to.Equal(end) {
			t.Errorf("%q: %v – %v, %v", in, from, to, err)
		}
	}
	for in, key := range map[string]string{
		"":                        "stats.bad_period",
		"01/01/2025":              "stats.bad_period",
		"01/01/2025 02/01/2025 x": "stats.bad_period",
		"31/02/2025 01/03/2025":   "stats.bad_date",
		"2025-13-01 2025-12-31":   "stats.bad_date",
		"01/01/25 02/01/25":       "stats.bad_date",
		"homqua homnay":           "stats.bad_date",
		"30/04/2025 01/01/2025":   "stats.bad_order",
		"16/05/2025 20/05/2025":   "stats.future",
	} {
		if _, _, err := s.ParsePeriod(in, now); !isInvalid(err, key) {
			t.Errorf("%q: got %v, want %s", in, err, key)
		}
	}
	if _, _, err := s.ParsePeriod("15/05/2025 15/05/2025", now); err != nil {
		t.Errorf("today alone: %v", err)
	}
}

func TestNumberMatchesI18n(t *testing.T) {
	for _, n := range []int{0, 7, 97, 104, 999, 1000, 1242, 4080, 12345, 999999, 1000000, 1234567890, -1, -4080} {
		for _, lang := range []string{"vi", "en", "en-US", "fr"} {
			if got, want := number(lang, n), i18n.Number(lang, int64(n)); got != want {
				t.Errorf("number(%q, %d) = %q, i18n.Number gives %q", lang, n, got, want)
			}
		}
	}
}

// fakeRepo records the arguments of the last call.
type fakeRepo struct {
	from, to time.Time
	offset   time.Duration
	dim      string
}

func (f *fakeRepo) DossierCounts(_ context.Context, from, to time.Time, off time.Duration) (domain.Counts, error) {
	f.from, f.to, f.offset = from, to, off
	return domain.Counts{Received: 1}, nil
}

func (f *fakeRepo) DossierCountsBy(_ context.Context, from, to time.Time, off time.Duration, dim string) (map[string]domain.Counts, error) {
	f.from, f.to, f.offset, f.dim = from, to, off, dim
	return nil, nil
}

func (f *fakeRepo) DailyFlow(_ context.Context, from, to time.Time, off time.Duration) (map[string]map[int]int, map[string]map[int]int, error) {
	f.from, f.to, f.offset = from, to, off
	return nil, nil, nil
}

func (f *fakeRepo) FeedbackForStats(context.Context, time.Time, time.Time) ([]domain.Feedback, error) {
	return nil, nil
}

func (f *fakeRepo) RatingStatsBy(context.Context, time.Time, time.Time) (map[string]domain.RatingStats, error) {
	return nil, nil
}

func TestReportClampsToToday(t *testing.T) {
	repo := &fakeRepo{}
	s := New(repo, hcm)
	s.SetClock(func() time.Time { return day(2025, 5, 15).Add(10 * time.Hour) })
	endToday := day(2025, 5, 16).Add(-time.Nanosecond)
	if _, err := s.Report(t.Context(), day(2025, 5, 1), day(2025, 6, 1).Add(-time.Nanosecond)); err != nil {
		t.Fatal(err)
	}
	if !repo.to.Equal(endToday) || repo.offset != 7*time.Hour {
		t.Errorf("to %v offset %v; want %v, 7h", repo.to, repo.offset, endToday)
	}
	past := day(2025, 5, 1).Add(-time.Nanosecond)
	if _, err := s.ReportBy(t.Context(), day(2025, 4, 1), past, "village"); err != nil {
		t.Fatal(err)
	}
	if !repo.to.Equal(past) || repo.dim != "village" {
		t.Errorf("to %v dim %q; want %v, village", repo.to, repo.dim, past)
	}
	if _, err := s.ReportBy(t.Context(), day(2025, 4, 1), past, "handler"); !isInvalid(err, "stats.bad_dimension") {
		t.Errorf("bad dimension: %v", err)
	}
}
