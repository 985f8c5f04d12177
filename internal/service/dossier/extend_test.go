package dossier

import (
	"database/sql"
	"testing"
	"time"

	"xabot/internal/store"
)

// TestExtendOnce: the apology button extends a dossier once, whatever
// recorded the first extension: the button itself, an import carrying it,
// or an "extended" event whose date an old import blanked. An ended
// dossier is not extended.
func TestExtendOnce(t *testing.T) {
	first := time.Date(2025, 5, 7, 17, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		setup func(t *testing.T, s *Service, db *store.DB, path string)
		key   string
	}{
		{"by the button", func(t *testing.T, s *Service, _ *store.DB, _ string) {
			if _, err := s.Extend(t.Context(), "tg:7", codeA, first, "chờ xác minh"); err != nil {
				t.Fatal(err)
			}
		}, "apology.already_extended"},
		{"by an import", func(t *testing.T, _ *Service, db *store.DB, _ string) {
			d := testDossier(codeA, phoneA, "1234", time.Date(2025, 5, 1, 1, 30, 0, 0, time.UTC))
			d.ExtendedDueAt = first
			if _, err := db.UpsertDossier(t.Context(), d, "import"); err != nil {
				t.Fatal(err)
			}
		}, "apology.already_extended"},
		{"date blanked, event on record", func(t *testing.T, s *Service, _ *store.DB, path string) {
			if _, err := s.Extend(t.Context(), "tg:7", codeA, first, "chờ xác minh"); err != nil {
				t.Fatal(err)
			}
			raw, err := sql.Open("sqlite", path)
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			if _, err := raw.ExecContext(t.Context(), `UPDATE dossiers SET extended_due_at = NULL, extension_reason = ''`); err != nil {
				t.Fatal(err)
			}
		}, "apology.already_extended"},
		{"ended", func(t *testing.T, _ *Service, db *store.DB, _ string) {
			d := testDossier(codeA, phoneA, "1234", time.Date(2025, 5, 1, 1, 30, 0, 0, time.UTC))
			d.Status, d.FinishedAt = 9, first
			if _, err := db.UpsertDossier(t.Context(), d, "import"); err != nil {
				t.Fatal(err)
			}
		}, "apology.ended"},
	}
	for _, tt := range tests {
		s, _, db, path := newService(t)
		tt.setup(t, s, db, path)
		_, err := s.Extend(t.Context(), "tg:7", codeA, first.AddDate(0, 0, 3), "lần hai")
		if key, _ := invalidKey(err); key != tt.key {
			t.Errorf("%s: second Extend = %v, want %s", tt.name, err, tt.key)
		}
		d, err := db.DossierByCode(t.Context(), codeA)
		if err != nil {
			t.Fatal(err)
		}
		evs, _ := db.DossierEvents(t.Context(), d.ID)
		n := 0
		for _, e := range evs {
			if e.Kind == "extended" {
				n++
			}
		}
		if want := map[bool]int{true: 0, false: 1}[tt.key == "apology.ended"]; n != want {
			t.Errorf("%s: %d extended events, want %d", tt.name, n, want)
		}
	}
}
