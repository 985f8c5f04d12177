package domain

import (
	"testing"
	"time"
	_ "time/tzdata" // Asia/Ho_Chi_Minh even where the system has no zoneinfo
)

func hcm(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Fatalf("LoadLocation: %v", err)
	}
	return loc
}

func TestParseIntake(t *testing.T) {
	tests := []struct {
		in   string
		want Intake // 0 when rejected
	}{
		{"1", IntakeDirect},
		{"direct", IntakeDirect},
		{"Trực tiếp", IntakeDirect},
		{"truc tiep", IntakeDirect},
		{"Tại quầy", IntakeDirect},
		{"2", IntakeOnline},
		{"ONLINE", IntakeOnline},
		{"Trực tuyến", IntakeOnline},
		{"Dịch vụ công", IntakeOnline},
		{"3", IntakePostal},
		{"postal", IntakePostal},
		{"Bưu chính công ích", IntakePostal},
		{"BCCI", IntakePostal},
		{" buu chinh ", IntakePostal},
		{"0", 0},
		{"4", 0},
		{"", 0},
		{"email", 0},
	}
	for _, tc := range tests {
		got, err := ParseIntake(tc.in)
		if tc.want == 0 {
			if err == nil {
				t.Errorf("ParseIntake(%q) = %v, want an error", tc.in, got)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseIntake(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, c := range []Intake{IntakeDirect, IntakeOnline, IntakePostal} {
		if got, err := ParseIntake(c.String()); err != nil || got != c {
			t.Errorf("ParseIntake(%q) = %v, %v; want %v", c.String(), got, err, c)
		}
	}
	if got := Intake(9).String(); got != "intake(9)" {
		t.Errorf("Intake(9).String() = %q", got)
	}
}

func TestOverdue(t *testing.T) {
	loc := hcm(t)
	local := func(y int, m time.Month, d, h, min int) time.Time {
		return time.Date(y, m, d, h, min, 0, 0, loc).UTC() // stored as UTC
	}
	// Due on 10 May 2025, at 17:00 local (10:00 UTC).
	due := local(2025, 5, 10, 17, 0)
	tests := []struct {
		name string
		d    Dossier
		now  time.Time
		want bool
	}{
		{"before the due day", Dossier{Status: StatusInProgress, DueAt: due}, local(2025, 5, 9, 12, 0), false},
		{"due today, morning", Dossier{Status: StatusInProgress, DueAt: due}, local(2025, 5, 10, 0, 0), false},
		{"due today, after the hour", Dossier{Status: StatusInProgress, DueAt: due}, local(2025, 5, 10, 23, 59), false},
		// 00:00 local on 11 May is still 10 May in UTC: the local date counts.
		{"tomorrow at midnight", Dossier{Status: StatusInProgress, DueAt: due}, local(2025, 5, 11, 0, 0), true},
		{"tomorrow", Dossier{Status: StatusSupplementRequested, DueAt: due}, local(2025, 5, 11, 9, 0), true},
		{"due at local midnight, same day", Dossier{Status: StatusNew, DueAt: local(2025, 5, 10, 0, 0)}, local(2025, 5, 10, 23, 0), false},
		{"due at 23:30 local is 16:30 UTC", Dossier{Status: StatusAccepted, DueAt: local(2025, 5, 10, 23, 30)}, local(2025, 5, 11, 0, 1), true},
		{"done is never overdue", Dossier{Status: StatusDone, DueAt: due}, local(2026, 1, 1, 0, 0), false},
		{"returned", Dossier{Status: StatusReturned, DueAt: due}, local(2026, 1, 1, 0, 0), false},
		{"withdrawn", Dossier{Status: StatusWithdrawn, DueAt: due}, local(2026, 1, 1, 0, 0), false},
		{"not accepted", Dossier{Status: StatusNotAccepted, DueAt: due}, local(2026, 1, 1, 0, 0), false},
		{"stopped", Dossier{Status: StatusStopped, DueAt: due}, local(2026, 1, 1, 0, 0), false},
		{"extended: new date used", Dossier{Status: StatusInProgress, DueAt: due, ExtendedDueAt: local(2025, 5, 15, 17, 0)}, local(2025, 5, 13, 9, 0), false},
		{"extended: due on the new date", Dossier{Status: StatusInProgress, DueAt: due, ExtendedDueAt: local(2025, 5, 15, 17, 0)}, local(2025, 5, 15, 23, 59), false},
		{"extended: after the new date", Dossier{Status: StatusInProgress, DueAt: due, ExtendedDueAt: local(2025, 5, 15, 17, 0)}, local(2025, 5, 16, 0, 0), true},
		{"no due date", Dossier{Status: StatusInProgress}, local(2026, 1, 1, 0, 0), false},
	}
	for _, tc := range tests {
		if got := tc.d.Overdue(tc.now, loc); got != tc.want {
			t.Errorf("%s: Overdue(%v) = %v, want %v", tc.name, tc.now.In(loc), got, tc.want)
		}
	}
}

func TestDueAndExtended(t *testing.T) {
	due := time.Date(2025, 5, 10, 10, 0, 0, 0, time.UTC)
	ext := time.Date(2025, 5, 15, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		d        Dossier
		due      time.Time
		extended bool
	}{
		{Dossier{DueAt: due}, due, false},
		{Dossier{DueAt: due, ExtendedDueAt: ext}, ext, true},
		{Dossier{}, time.Time{}, false},
	}
	for _, tc := range tests {
		if got := tc.d.Due(); !got.Equal(tc.due) {
			t.Errorf("Due() = %v, want %v", got, tc.due)
		}
		if got := tc.d.Extended(); got != tc.extended {
			t.Errorf("Extended() = %v, want %v", got, tc.extended)
		}
	}
}

func TestDateOf(t *testing.T) {
	loc := hcm(t)
	tests := []struct {
		t    time.Time
		loc  *time.Location
		want time.Time
	}{
		{time.Date(2025, 12, 31, 17, 0, 0, 0, time.UTC), loc, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)},
		{time.Date(2025, 12, 31, 16, 59, 59, 0, time.UTC), loc, time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)},
		{time.Date(2025, 12, 31, 17, 0, 0, 0, time.UTC), time.UTC, time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)},
		{time.Date(2025, 5, 1, 23, 0, 0, 0, loc), loc, time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)},
	}
	for _, tc := range tests {
		got := DateOf(tc.t, tc.loc)
		if !got.Equal(tc.want) || got.Location() != time.UTC {
			t.Errorf("DateOf(%v, %v) = %v, want %v", tc.t, tc.loc, got, tc.want)
		}
	}
}

func TestParseRole(t *testing.T) {
	tests := []struct {
		in   string
		want Role // "" when rejected
	}{
		{"citizen", RoleCitizen},
		{"Official", RoleOfficial},
		{" CHAIRMAN ", RoleChairman},
		{"admin", RoleAdmin},
		{"", ""},
		{"root", ""},
		{"cán bộ", ""},
	}
	for _, tc := range tests {
		got, err := ParseRole(tc.in)
		if got != tc.want || (err == nil) != (tc.want != "") {
			t.Errorf("ParseRole(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestConsented(t *testing.T) {
	if (Citizen{}).Consented() {
		t.Error("Citizen{}.Consented() = true")
	}
	if !(Citizen{ConsentAt: time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)}).Consented() {
		t.Error("Consented() = false with a consent time")
	}
}
