package store

import (
	"testing"
	"time"

	"xabot/internal/domain"
)

func TestFailedLookups(t *testing.T) {
	db, _, _ := newTestDB(t)
	ctx := t.Context()
	t0 := time.Date(2025, 5, 1, 9, 0, 0, 0, time.UTC)
	code := "H55.20-250501-0001"
	attempts := []domain.LookupAttempt{
		{User: "tg:1", Code: code, OK: false, At: t0.Add(-2 * time.Hour)},
		{User: "tg:1", Code: code, OK: false, At: t0.Add(-30 * time.Minute)},
		{User: "tg:1", Code: code, OK: true, At: t0.Add(-20 * time.Minute)},
		{User: "tg:1", Code: "H55.20-250501-0002", OK: false, At: t0.Add(-10 * time.Minute)},
		{User: "tg:2", Code: code, OK: false, At: t0.Add(-5 * time.Minute)},
		{User: "tg:2", Code: code, OK: false, At: t0.Add(-61 * time.Minute)},
	}
	for _, a := range attempts {
		if err := db.RecordLookup(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	since := t0.Add(-time.Hour)
	userTests := []struct {
		user string
		want []time.Time
	}{
		{"tg:1", []time.Time{t0.Add(-30 * time.Minute), t0.Add(-10 * time.Minute)}},
		{"tg:2", []time.Time{t0.Add(-5 * time.Minute)}},
		{"tg:3", nil},
	}
	for _, tt := range userTests {
		got, err := db.FailedLookups(ctx, tt.user, since)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(tt.want) {
			t.Errorf("FailedLookups(%s) = %v, want %v", tt.user, got, tt.want)
			continue
		}
		for i := range got {
			if !got[i].Equal(tt.want[i]) || got[i].Location() != time.UTC {
				t.Errorf("FailedLookups(%s)[%d] = %v, want %v UTC", tt.user, i, got[i], tt.want[i])
			}
		}
	}
	codeTests := []struct {
		code  string
		since time.Time
		want  int
	}{
		{code, since, 2},
		{code, t0.Add(-3 * time.Hour), 4},
		{"H55.20-250501-0002", since, 1},
		{"H55.20-250501-0003", since, 0},
	}
	for _, tt := range codeTests {
		got, err := db.FailedLookupsOnCode(ctx, tt.code, tt.since)
		if err != nil {
			t.Fatal(err)
		}
		if got != tt.want {
			t.Errorf("FailedLookupsOnCode(%s, %v) = %d, want %d", tt.code, tt.since, got, tt.want)
		}
	}
}
