package store

import (
	"testing"
	"time"

	"xabot/internal/demo"
	"xabot/internal/domain"
	"xabot/internal/service/intake"
)

// TestDemoCommuneLoads writes the whole demo commune: its data must pass
// the schema's constraints, and loading it twice changes nothing.
func TestDemoCommuneLoads(t *testing.T) {
	db, _, _ := newTestDB(t)
	ctx := t.Context()
	loc := time.FixedZone("ICT", 7*3600)
	c := demo.Generate(time.Date(2025, 11, 24, 10, 0, 0, 0, loc), loc, domain.NewCalendar(nil, nil))
	for _, p := range c.Procedures {
		if err := db.UpsertProcedure(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	for run, want := range []intake.Outcome{intake.Created, intake.Unchanged} {
		outcomes, err := db.UpsertDossiers(ctx, c.Dossiers, "demo")
		if err != nil {
			t.Fatalf("run %d: UpsertDossiers: %v", run, err)
		}
		for i, o := range outcomes {
			if o != want {
				t.Fatalf("run %d: dossier %s: outcome %d, want %d", run, c.Dossiers[i].Code, o, want)
			}
		}
	}
	if n, err := db.CountDossiers(ctx); err != nil || n != len(c.Dossiers) {
		t.Errorf("CountDossiers = %d, %v; want %d", n, err, len(c.Dossiers))
	}
	ps, err := db.Procedures(ctx)
	if err != nil || len(ps) != len(c.Procedures) {
		t.Errorf("Procedures = %d, %v; want %d", len(ps), err, len(c.Procedures))
	}
	s := demo.Samples(c, time.Date(2025, 11, 24, 10, 0, 0, 0, loc), loc)[0]
	d, err := db.DossierByCode(ctx, s.Code)
	if err != nil || d.Phone != s.Phone {
		t.Errorf("DossierByCode(sample %s) = %+v, %v", s.Code, d, err)
	}
}
