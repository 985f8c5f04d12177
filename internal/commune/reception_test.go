package commune

import (
	"strings"
	"testing"
	"time"
)

func TestReceptionDays(t *testing.T) {
	p, err := Parse([]byte(`name: xã X
reception_days:
  - {weekday: "Thứ Năm", from: "7:30", to: "11:00", place: Trụ sở, chairman: true}
  - {weekday: thu 3, from: "14:00", to: "16:30", place: Nhà văn hóa}
reception_dates:
  - {date: 20/12/2026, from: "08:00", to: "10:00", place: Thôn An Hòa}
`))
	if err != nil {
		t.Fatal(err)
	}
	s := p.ReceptionSchedule()
	if len(s.Weekly) != 2 || s.Weekly[0].Weekday != time.Thursday || s.Weekly[1].Weekday != time.Tuesday || !s.Weekly[0].Chairman {
		t.Errorf("weekly = %+v", s.Weekly)
	}
	if len(s.Extra) != 1 || !s.Extra[0].Day.Equal(day(2026, 12, 20)) {
		t.Errorf("extra = %+v", s.Extra)
	}
	if got := p.JobSpec(JobReceptionList, DefaultReceptionListSpec); got != DefaultReceptionListSpec {
		t.Errorf("the list's default spec = %q", got)
	}
}

func TestReceptionDaysRefused(t *testing.T) {
	cases := []struct{ name, yaml, want string }{
		{"no chairman day", `reception_days: [{weekday: monday, from: "07:30", to: "11:00", place: P}]`,
			"line 2: reception_days: the chairman must receive citizens at least one day a week"},
		{"unknown weekday", `reception_days: [{weekday: funday, from: "07:30", to: "11:00", place: P, chairman: true}]`,
			`weekday "funday"`},
		{"times reversed", `reception_days: [{weekday: friday, from: "11:00", to: "07:30", place: P, chairman: true}]`,
			"from 11:00 is not before to 07:30"},
		{"bad time", `reception_days: [{weekday: friday, from: "7h30", to: "11:00", place: P, chairman: true}]`,
			"want times HH:MM"},
		{"no place", `reception_days: [{weekday: friday, from: "07:30", to: "11:00", chairman: true}]`,
			"place is required"},
		{"extra date without a date", `reception_dates: [{from: "07:30", to: "11:00", place: P}]`,
			"reception_dates: date is required"},
	}
	for _, tc := range cases {
		_, err := Parse([]byte("name: xã X\n" + tc.yaml + "\n"))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}
}
