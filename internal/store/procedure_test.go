package store

import (
	"slices"
	"testing"
	"time"

	"xabot/internal/domain"
)

// A catalogue row changes only what it carries, in one transaction, and
// every change moves the stamp a running bot watches — also two imports
// within one millisecond.
func TestMergeProcedures(t *testing.T) {
	db, _, _ := newTestDB(t)
	ctx := t.Context()
	db.SetClock(func() time.Time { return time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC) })
	stamp := func() string {
		s, err := db.ProceduresStamp(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	s0 := stamp()
	full := domain.Procedure{Code: "1.001193", Name: "Đăng ký khai sinh", Field: "Hộ tịch", Days: 1, Fee: "Miễn lệ phí",
		Documents: []string{"Tờ khai", "Giấy chứng sinh"}, Online: domain.OnlinePartial}
	ms, err := db.MergeProcedures(ctx, []domain.ProcedurePatch{
		{Values: full, Set: domain.ProcName | domain.ProcField | domain.ProcDays | domain.ProcFee | domain.ProcDocuments | domain.ProcOnline},
		{Values: domain.Procedure{Code: "2.000815", Fee: "2.000 đồng"}, Set: domain.ProcFee},
		{Values: domain.Procedure{Code: "2.000816", Name: "Chứng thực chữ ký"}, Set: domain.ProcName},
	})
	if err != nil {
		t.Fatal(err)
	}
	if o := []domain.UpsertOutcome{ms[0].Outcome, ms[1].Outcome, ms[2].Outcome}; !slices.Equal(o,
		[]domain.UpsertOutcome{domain.DossierCreated, domain.DossierRefused, domain.DossierCreated}) || ms[1].Refused.Key != "catalogue.new_incomplete" {
		t.Fatalf("outcomes %v, refused %v", o, ms[1].Refused)
	}
	s1 := stamp()
	if s1 == s0 {
		t.Fatal("stamp did not move on import")
	}
	// A thin row: the days change, the documents and fee stay.
	ms, err = db.MergeProcedures(ctx, []domain.ProcedurePatch{
		{Values: domain.Procedure{Code: "1.001193", Days: 2}, Set: domain.ProcDays},
		{Values: domain.Procedure{Code: "2.000816", Name: "Chứng thực chữ ký"}, Set: domain.ProcName},
	})
	if err != nil || ms[0].Outcome != domain.DossierUpdated || ms[1].Outcome != domain.DossierUnchanged {
		t.Fatalf("second import: %+v, %v", ms, err)
	}
	s2 := stamp()
	if s2 == s1 {
		t.Fatal("stamp did not move on an update within the same millisecond")
	}
	got, err := db.Procedures(ctx)
	if err != nil || len(got) != 2 {
		t.Fatalf("Procedures = %+v, %v", got, err)
	}
	want := full
	want.Days = 2
	if p := got[1]; p.Code != "1.001193" || p.Days != 2 || p.Fee != want.Fee || !slices.Equal(p.Documents, want.Documents) || p.Online != want.Online {
		t.Errorf("after a thin row: %+v, want %+v", p, want)
	}
	if p := got[0]; p.Days != domain.DaysUnknown || p.Documents != nil {
		t.Errorf("a procedure made from its name alone: %+v", p)
	}
	// Unchanged rows leave the stamp.
	if _, err := db.MergeProcedures(ctx, []domain.ProcedurePatch{{Values: domain.Procedure{Code: "1.001193", Days: 2}, Set: domain.ProcDays}}); err != nil {
		t.Fatal(err)
	}
	if stamp() != s2 {
		t.Error("stamp moved though nothing changed")
	}
}
