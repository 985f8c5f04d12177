package store

import (
	"errors"
	"maps"
	"strings"
	"testing"
	"time"

	"xabot/internal/domain"
	"xabot/internal/service/rating"
)

var _ rating.Repo = (*DB)(nil)

// ratedDossier stores a dossier received at received and returns its id.
func ratedDossier(t *testing.T, db *DB, code string, received time.Time) int64 {
	t.Helper()
	d := testDossier(code)
	d.ReceivedAt = received
	d.Status, d.FinishedAt = domain.StatusDone, received.Add(48*time.Hour)
	if _, err := db.UpsertDossier(t.Context(), d, "test"); err != nil {
		t.Fatalf("UpsertDossier(%s): %v", code, err)
	}
	got, err := db.DossierByCode(t.Context(), code)
	if err != nil {
		t.Fatalf("DossierByCode(%s): %v", code, err)
	}
	return got.ID
}

func countRatings(t *testing.T, db *DB) int {
	t.Helper()
	var n int
	if err := db.r.QueryRowContext(t.Context(), `SELECT count(*) FROM ratings`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestUpsertRating(t *testing.T) {
	db, clock, _ := newTestDB(t)
	ctx := t.Context()
	id := ratedDossier(t, db, "H55.20-250501-0001", clock.now())

	if _, err := db.RatingOf(ctx, id); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("RatingOf before rating: %v, want ErrNotFound", err)
	}
	first := domain.Rating{DossierID: id, Level: domain.LevelDissatisfied, Rater: "tg:1",
		Criteria: map[domain.Criterion]bool{domain.CriterionOnTime: false, domain.CriterionExtraFees: true},
		Comment:  "Phải đi lại ba lần."}
	created, err := db.UpsertRating(ctx, first)
	if err != nil || !created {
		t.Fatalf("UpsertRating = %t, %v; want created", created, err)
	}
	got, err := db.RatingOf(ctx, id)
	first.CreatedAt, first.UpdatedAt = clock.now(), clock.now()
	if err != nil || !sameRating(got, first) {
		t.Fatalf("RatingOf = %+v, %v; want %+v", got, err, first)
	}

	// Changing it replaces level, criteria and comment, keeps created_at.
	clock.set(clock.now().Add(time.Hour))
	second := domain.Rating{DossierID: id, Level: domain.LevelSatisfied, Rater: "tg:2",
		Criteria: map[domain.Criterion]bool{domain.CriterionStaffAttitude: true}, UpdatedAt: clock.now()}
	created, err = db.UpsertRating(ctx, second)
	if err != nil || created {
		t.Fatalf("second UpsertRating = %t, %v; want an update", created, err)
	}
	got, _ = db.RatingOf(ctx, id)
	second.CreatedAt = first.CreatedAt
	if !sameRating(got, second) {
		t.Errorf("after the change %+v, want %+v", got, second)
	}
	if n := countRatings(t, db); n != 1 {
		t.Errorf("%d rows, want 1 per dossier", n)
	}

	// No criteria at all reads back as none.
	third := domain.Rating{DossierID: id, Level: domain.LevelNeutral, Rater: "tg:2"}
	if _, err := db.UpsertRating(ctx, third); err != nil {
		t.Fatal(err)
	}
	if got, _ = db.RatingOf(ctx, id); got.Criteria != nil || got.Comment != "" || got.Level != domain.LevelNeutral {
		t.Errorf("after clearing: %+v", got)
	}
}

func sameRating(a, b domain.Rating) bool {
	return a.DossierID == b.DossierID && a.Level == b.Level && maps.Equal(a.Criteria, b.Criteria) &&
		a.Comment == b.Comment && a.Rater == b.Rater && a.CreatedAt.Equal(b.CreatedAt) && a.UpdatedAt.Equal(b.UpdatedAt)
}

func TestUpsertRatingRejects(t *testing.T) {
	db, clock, _ := newTestDB(t)
	id := ratedDossier(t, db, "H55.20-250501-0001", clock.now())
	tests := []struct {
		name string
		r    domain.Rating
	}{
		{"no level", domain.Rating{DossierID: id}},
		{"level 6", domain.Rating{DossierID: id, Level: 6}},
		{"unknown criterion", domain.Rating{DossierID: id, Level: 3, Criteria: map[domain.Criterion]bool{"bribe": true}}},
		{"comment over 500 characters", domain.Rating{DossierID: id, Level: 3, Comment: strings.Repeat("ạ", 501)}},
		{"unknown dossier", domain.Rating{DossierID: id + 100, Level: 3}},
	}
	for _, tt := range tests {
		if _, err := db.UpsertRating(t.Context(), tt.r); err == nil {
			t.Errorf("%s: stored", tt.name)
		}
	}
	if n := countRatings(t, db); n != 0 {
		t.Errorf("%d rows after refusals", n)
	}
	// 500 characters (not bytes) is fine.
	if _, err := db.UpsertRating(t.Context(), domain.Rating{DossierID: id, Level: 3, Comment: strings.Repeat("ạ", 500)}); err != nil {
		t.Errorf("500 characters: %v", err)
	}
}

func TestAnonymizeRater(t *testing.T) {
	db, clock, _ := newTestDB(t)
	ctx := t.Context()
	at := clock.now()
	ids := []int64{
		ratedDossier(t, db, "H55.20-250501-0001", at),
		ratedDossier(t, db, "H55.20-250501-0002", at),
		ratedDossier(t, db, "H55.20-250501-0003", at),
	}
	raters := []string{"tg:1", "tg:1", "tg:2"}
	for i, id := range ids {
		r := domain.Rating{DossierID: id, Level: domain.LevelVeryDissatisfied, Rater: raters[i], Comment: "Chậm",
			Criteria: map[domain.Criterion]bool{domain.CriterionTrips: true}}
		if _, err := db.UpsertRating(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	clock.set(at.Add(time.Hour))
	for _, tt := range []struct {
		key  string
		want int
	}{{"", 0}, {"tg:9", 0}, {"tg:1", 2}, {"tg:1", 0}} {
		if n, err := db.AnonymizeRater(ctx, tt.key); err != nil || n != tt.want {
			t.Errorf("AnonymizeRater(%q) = %d, %v; want %d", tt.key, n, err, tt.want)
		}
	}
	for i, id := range ids {
		got, err := db.RatingOf(ctx, id)
		want := raters[i]
		if want == "tg:1" {
			want = ""
		}
		if err != nil || got.Rater != want || got.Level != domain.LevelVeryDissatisfied || got.Comment != "Chậm" ||
			!got.Criteria[domain.CriterionTrips] || !got.UpdatedAt.Equal(at) {
			t.Errorf("rating %d after anonymising: %+v, %v; want rater %q, the rest kept", i, got, err, want)
		}
	}
}

func TestRatingStats(t *testing.T) {
	db, _, _ := newTestDB(t)
	ctx := t.Context()
	may := time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)
	june := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	rows := []struct {
		code     string
		received time.Time
		level    domain.Level
	}{
		{"H55.20-250501-0001", may, domain.LevelVerySatisfied},
		{"H55.20-250502-0001", may.Add(24 * time.Hour), domain.LevelVerySatisfied},
		{"H55.20-250503-0001", may.Add(48 * time.Hour), domain.LevelDissatisfied},
		{"H55.20-250531-0001", june.Add(-time.Second), domain.LevelVeryDissatisfied},
		{"H55.20-250601-0001", june, domain.LevelNeutral},  // next period
		{"H55.20-250430-0001", may.Add(-time.Second), 4},   // previous period
		{"H55.20-250504-0001", may.Add(72 * time.Hour), 0}, // not rated
	}
	for _, r := range rows {
		id := ratedDossier(t, db, r.code, r.received)
		if r.level == 0 {
			continue
		}
		if _, err := db.UpsertRating(ctx, domain.Rating{DossierID: id, Level: r.level, Rater: "tg:1"}); err != nil {
			t.Fatal(err)
		}
	}
	st, err := db.RatingStats(ctx, may, june)
	if err != nil {
		t.Fatal(err)
	}
	want := map[domain.Level]int{5: 2, 4: 0, 3: 0, 2: 1, 1: 1}
	if !maps.Equal(st.ByLevel, want) || st.Total != 4 || st.Low() != 2 {
		t.Errorf("May: %+v, want %v, total 4, low 2", st, want)
	}
	st, err = db.RatingStats(ctx, june.AddDate(1, 0, 0), june.AddDate(2, 0, 0))
	if err != nil || st.Total != 0 || len(st.ByLevel) != 5 {
		t.Errorf("empty period: %+v, %v", st, err)
	}
}
