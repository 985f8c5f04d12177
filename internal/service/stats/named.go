package stats

import (
	"strconv"
	"strings"
	"time"
	"unicode"

	"xabot/internal/domain"
	"xabot/internal/fold"
)

// NamedPeriod reads a period as officials type it after /thongke, with or
// without accents: «tuần này», «tuần trước», «tháng này», «tháng trước»,
// «quý này», «năm nay», «năm ngoái», «hôm nay», «hôm qua», a year («2025»,
// «năm 2025»), a month («tháng 11», «tháng 11/2025», «11/2025»), a quarter
// («quý 3», «quý 3 2025», «q3»), and their English words. A month or
// quarter without a year is the last one of that name up to today (in
// January, «tháng 11» is last November). A period still running ends
// today, as Period's do. ok is false for words that are no period (the
// caller tries "FROM TO"); a period that starts after today is
// stats.future, a month or quarter that does not exist stats.bad_period.
func (s *Service) NamedPeriod(text string, now time.Time) (from, to time.Time, ok bool, err error) {
	words := strings.FieldsFunc(fold.String(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	t := now.In(s.loc)
	today := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, s.loc)
	span := func(first, last time.Time) (time.Time, time.Time, bool, error) {
		if first.After(today) {
			return time.Time{}, time.Time{}, true, domain.Invalid("stats.future")
		}
		if last.After(today) {
			last = today
		}
		return first, endOf(last), true, nil
	}
	kind := func(k string) (time.Time, time.Time, bool, error) {
		f, l, err := s.Period(k, now)
		return f, l, true, err
	}
	switch strings.Join(words, " ") {
	case "tuan", "tuan nay", "week", "this week":
		return kind(Week)
	case "tuan truoc", "tuantruoc", "last week":
		return kind(LastWeek)
	case "thang", "thang nay", "month", "this month":
		return kind(Month)
	case "quy", "quy nay", "quarter", "this quarter":
		return kind(Quarter)
	case "nam", "nam nay", "year", "this year":
		return kind(Year)
	case "hom nay", "today":
		return span(today, today)
	case "hom qua", "yesterday":
		y := today.AddDate(0, 0, -1)
		return span(y, y)
	case "thang truoc", "last month":
		first := time.Date(t.Year(), t.Month()-1, 1, 0, 0, 0, 0, s.loc)
		return span(first, first.AddDate(0, 1, -1))
	case "quy truoc", "last quarter":
		first := time.Date(t.Year(), (t.Month()-1)/3*3+1, 1, 0, 0, 0, 0, s.loc).AddDate(0, -3, 0)
		return span(first, first.AddDate(0, 3, -1))
	case "nam truoc", "nam ngoai", "last year":
		first := time.Date(t.Year()-1, 1, 1, 0, 0, 0, 0, s.loc)
		return span(first, first.AddDate(1, 0, -1))
	}
	unit, nums := "", []int{}
	for _, w := range words {
		switch w {
		case "nam", "year":
			unit = orUnit(unit, "year")
		case "thang", "month":
			unit = orUnit(unit, "month")
		case "quy", "quarter":
			unit = orUnit(unit, "quarter")
		default:
			if q, found := strings.CutPrefix(w, "q"); found && len(q) == 1 {
				w, unit = q, orUnit(unit, "quarter")
			}
			n, err := strconv.Atoi(w)
			if err != nil {
				return time.Time{}, time.Time{}, false, nil
			}
			nums = append(nums, n)
		}
	}
	year := func(i int) (int, bool) { // the year in nums[i], if any
		if i >= len(nums) {
			return 0, false
		}
		return nums[i], nums[i] >= 1970 && nums[i] <= 9999
	}
	switch {
	case len(nums) == 1 && (unit == "" || unit == "year") && nums[0] >= 1970 && nums[0] <= 9999:
		first := time.Date(nums[0], 1, 1, 0, 0, 0, 0, s.loc)
		return span(first, first.AddDate(1, 0, -1))
	case (unit == "month" || unit == "") && len(nums) >= 1 && len(nums) <= 2 && (unit != "" || len(nums) == 2):
		return s.named(nums, year, 12, 1, today, span)
	case unit == "quarter" && len(nums) >= 1 && len(nums) <= 2:
		return s.named(nums, year, 4, 3, today, span)
	}
	return time.Time{}, time.Time{}, false, nil
}

// named is the nums[0]-th month (months = 1) or quarter (months = 3) of
// count in the year nums[1], or the last one up to today.
func (s *Service) named(nums []int, year func(int) (int, bool), count, months int, today time.Time,
	span func(time.Time, time.Time) (time.Time, time.Time, bool, error)) (time.Time, time.Time, bool, error) {
	n := nums[0]
	if n < 1 || n > count {
		return time.Time{}, time.Time{}, true, domain.Invalid("stats.bad_period")
	}
	y, given := year(1)
	if len(nums) == 2 && !given {
		return time.Time{}, time.Time{}, true, domain.Invalid("stats.bad_period")
	}
	first := func(y int) time.Time { return time.Date(y, time.Month((n-1)*months+1), 1, 0, 0, 0, 0, s.loc) }
	if !given {
		y = today.Year()
		if first(y).After(today) {
			y--
		}
	}
	f := first(y)
	return span(f, f.AddDate(0, months, -1))
}

func orUnit(unit, u string) string {
	if unit == "" {
		return u
	}
	return unit
}
