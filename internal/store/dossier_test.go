package store

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"xabot/internal/domain"
	"xabot/internal/service/intake"
)

// testDossier is a dossier in progress, received 2025-05-01 08:30 local.
func testDossier(code string) domain.Dossier {
	return domain.Dossier{
		Code:          code,
		ProcedureCode: "1.001193.000.00.00.H55",
		ProcedureName: "Đăng ký khai sinh",
		Field:         "Hộ tịch",
		ApplicantName: "Nguyễn Văn An",
		Phone:         "0905123456",
		IDLast4:       "1234",
		Village:       "An Hòa",
		Intake:        domain.IntakeDirect,
		Status:        domain.StatusInProgress,
		ReceivedAt:    time.Date(2025, 5, 1, 1, 30, 0, 0, time.UTC),
		DueAt:         time.Date(2025, 5, 5, 17, 0, 0, 0, time.UTC),
		Handler:       "Trần Thị Bình",
	}
}

func TestUpsertDossierRoundTrip(t *testing.T) {
	db, _, _ := newTestDB(t)
	ctx := t.Context()
	hcm := time.FixedZone("ICT", 7*3600)
	d := testDossier("H55.20-250501-0001")
	// Times in another zone and with nanoseconds come back UTC, to the second.
	d.ReceivedAt = time.Date(2025, 5, 1, 8, 30, 0, 123456789, hcm)
	d.FinishedAt = time.Date(2025, 5, 2, 10, 0, 0, 0, hcm)
	d.ExtendedDueAt = time.Date(2025, 5, 9, 0, 0, 0, 0, hcm)
	d.ExtensionReason = "cần xác minh thêm"
	d.Note = "ghi chú"
	if _, err := db.UpsertDossier(ctx, d, "test"); err != nil {
		t.Fatal(err)
	}
	got, err := db.DossierByCode(ctx, "h55.20 - 250501 - 1") // any spelling of the code
	if err != nil {
		t.Fatalf("DossierByCode: %v", err)
	}
	want := d
	want.ID = got.ID
	want.ReceivedAt = time.Date(2025, 5, 1, 1, 30, 0, 0, time.UTC)
	want.FinishedAt = time.Date(2025, 5, 2, 3, 0, 0, 0, time.UTC)
	want.ExtendedDueAt = time.Date(2025, 5, 8, 17, 0, 0, 0, time.UTC)
	want.ExtensionEvent = true // read from the "extended" event
	want.UpdatedAt = time.Date(2025, 5, 1, 9, 0, 0, 0, time.UTC)
	if got != want {
		t.Errorf("DossierByCode =\n%+v\nwant\n%+v", got, want)
	}
	for _, tm := range []time.Time{got.ReceivedAt, got.DueAt, got.UpdatedAt} {
		if tm.Location() != time.UTC {
			t.Errorf("time %v not UTC", tm)
		}
	}
	if !got.ReturnedAt.IsZero() {
		t.Errorf("ReturnedAt = %v, want zero", got.ReturnedAt)
	}
}

func TestUpsertDossierOutcomesAndEvents(t *testing.T) {
	db, clock, _ := newTestDB(t)
	ctx := t.Context()
	t0 := time.Date(2025, 5, 1, 9, 0, 0, 0, time.UTC)
	base := testDossier("H55.20-250501-0001")

	withStatus := func(s domain.Status, note string) domain.Dossier {
		d := base
		d.Status, d.Note = s, note
		if s.Ended() {
			d.FinishedAt = time.Date(2025, 5, 5, 3, 0, 0, 0, time.UTC)
		}
		return d
	}
	extended := withStatus(domain.StatusSupplementRequested, "bổ sung giấy chứng sinh")
	extended.ExtendedDueAt = time.Date(2025, 5, 12, 17, 0, 0, 0, time.UTC)
	extended.ExtensionReason = "chờ xác minh"
	nanos := extended
	nanos.ReceivedAt = nanos.ReceivedAt.Add(999 * time.Millisecond)

	steps := []struct {
		name      string
		d         domain.Dossier
		want      intake.Outcome
		newEvents []domain.Event // without DossierID and At
		updatedAt time.Time
	}{
		{"create", base, intake.Created,
			[]domain.Event{{Kind: "created", To: domain.StatusInProgress, Source: "import"}}, t0},
		{"same data", base, intake.Unchanged, nil, t0},
		{"code spelled differently is the same dossier, but the code as issued changes",
			func() domain.Dossier { d := base; d.Code = "h55.20-250501-1"; return d }(), intake.Updated, nil, t0.Add(2 * time.Hour)},
		{"handler changes", func() domain.Dossier { d := base; d.Handler = "Lê Văn Cường"; return d }(),
			intake.Updated, nil, t0.Add(3 * time.Hour)},
		{"status changes", withStatus(domain.StatusSupplementRequested, "bổ sung giấy chứng sinh"), intake.Updated,
			[]domain.Event{{Kind: "status", From: domain.StatusInProgress, To: domain.StatusSupplementRequested,
				Note: "bổ sung giấy chứng sinh", Source: "import"}}, t0.Add(4 * time.Hour)},
		{"extended", extended, intake.Updated,
			[]domain.Event{{Kind: "extended", Note: "chờ xác minh", Source: "import"}}, t0.Add(5 * time.Hour)},
		{"sub-second difference is no change", nanos, intake.Unchanged, nil, t0.Add(5 * time.Hour)},
		{"done", func() domain.Dossier {
			d := withStatus(domain.StatusDone, "nhận tại bộ phận một cửa")
			d.ExtendedDueAt, d.ExtensionReason = extended.ExtendedDueAt, extended.ExtensionReason
			return d
		}(), intake.Updated,
			[]domain.Event{{Kind: "status", From: domain.StatusSupplementRequested, To: domain.StatusDone,
				Note: "nhận tại bộ phận một cửa", Source: "import"}}, t0.Add(7 * time.Hour)},
	}
	var id int64
	var events int
	for i, st := range steps {
		clock.set(t0.Add(time.Duration(i) * time.Hour))
		got, err := db.UpsertDossier(ctx, st.d, "import")
		if err != nil {
			t.Fatalf("%s: UpsertDossier: %v", st.name, err)
		}
		if got != st.want {
			t.Errorf("%s: UpsertDossier = %d, want %d", st.name, got, st.want)
		}
		d, err := db.DossierByCode(ctx, base.Code)
		if err != nil {
			t.Fatalf("%s: DossierByCode: %v", st.name, err)
		}
		if id == 0 {
			id = d.ID
		}
		if d.ID != id {
			t.Errorf("%s: ID = %d, want %d (same dossier)", st.name, d.ID, id)
		}
		if !d.UpdatedAt.Equal(st.updatedAt) {
			t.Errorf("%s: UpdatedAt = %v, want %v", st.name, d.UpdatedAt, st.updatedAt)
		}
		if d.Code != st.d.Code {
			t.Errorf("%s: Code = %q, want %q", st.name, d.Code, st.d.Code)
		}
		all, err := db.DossierEvents(ctx, id)
		if err != nil {
			t.Fatalf("%s: DossierEvents: %v", st.name, err)
		}
		if len(all) != events+len(st.newEvents) {
			t.Fatalf("%s: %d events, want %d: %+v", st.name, len(all), events+len(st.newEvents), all)
		}
		for j, want := range st.newEvents {
			want.DossierID, want.At = id, clock.now()
			if got := all[events+j]; got != want {
				t.Errorf("%s: event %d = %+v, want %+v", st.name, j, got, want)
			}
		}
		events = len(all)
	}
	if n, err := db.CountDossiers(ctx); err != nil || n != 1 {
		t.Errorf("CountDossiers = %d, %v; want 1", n, err)
	}
}

func TestUpsertDossierCreatedExtended(t *testing.T) {
	db, _, _ := newTestDB(t)
	ctx := t.Context()
	d := testDossier("H55.20-250501-0001")
	d.ExtendedDueAt = d.DueAt.AddDate(0, 0, 3)
	d.ExtensionReason = "chờ xác minh"
	if _, err := db.UpsertDossier(ctx, d, "demo"); err != nil {
		t.Fatal(err)
	}
	got, _ := db.DossierByCode(ctx, d.Code)
	events, err := db.DossierEvents(ctx, got.ID)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range events {
		kinds = append(kinds, e.Kind)
	}
	if strings.Join(kinds, ",") != "created,extended" {
		t.Errorf("event kinds = %v, want created,extended", kinds)
	}
}

func TestUpsertDossierRejects(t *testing.T) {
	db, _, _ := newTestDB(t)
	ctx := t.Context()
	tests := []struct {
		name   string
		change func(*domain.Dossier)
	}{
		{"empty code", func(d *domain.Dossier) { d.Code = " " }},
		{"ended without finished_at", func(d *domain.Dossier) { d.Status = domain.StatusDone }},
		{"bad status", func(d *domain.Dossier) { d.Status = 11 }},
		{"bad intake", func(d *domain.Dossier) { d.Intake = 0 }},
		{"full ID number", func(d *domain.Dossier) { d.IDLast4 = "051234567890" }},
		{"no received_at", func(d *domain.Dossier) { d.ReceivedAt = time.Time{} }},
	}
	for i, tt := range tests {
		d := testDossier(fmt.Sprintf("H55.20-250501-%04d", i+1))
		tt.change(&d)
		if _, err := db.UpsertDossier(ctx, d, "test"); err == nil {
			t.Errorf("%s: UpsertDossier succeeded, want an error", tt.name)
		}
	}
	if n, _ := db.CountDossiers(ctx); n != 0 {
		t.Errorf("CountDossiers = %d after rejected upserts, want 0", n)
	}
}

func TestDossierByCodeNotFound(t *testing.T) {
	db, _, _ := newTestDB(t)
	_, err := db.DossierByCode(t.Context(), "H55.20-250501-0404")
	if !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("DossierByCode(unknown) error = %v, want ErrNotFound", err)
	}
	if want := `store: dossier "H55.20-250501-0404": not found`; err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}
}

func TestDossiersByPhone(t *testing.T) {
	db, _, _ := newTestDB(t)
	ctx := t.Context()
	for i, phone := range []string{"0905123456", "0905123456", "0987000111", "0905123456"} {
		d := testDossier(fmt.Sprintf("H55.20-2505%02d-0001", i+1))
		d.Phone = phone
		d.ReceivedAt = time.Date(2025, 5, i+1, 2, 0, 0, 0, time.UTC)
		if _, err := db.UpsertDossier(ctx, d, "test"); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		phone string
		limit int
		want  []string
	}{
		{"0905123456", 10, []string{"H55.20-250504-0001", "H55.20-250502-0001", "H55.20-250501-0001"}},
		{"0905123456", 2, []string{"H55.20-250504-0001", "H55.20-250502-0001"}},
		{"0905123456", 0, []string{"H55.20-250504-0001", "H55.20-250502-0001", "H55.20-250501-0001"}},
		{"0987000111", 10, []string{"H55.20-250503-0001"}},
		{"0911111111", 10, nil},
	}
	for _, tt := range tests {
		ds, err := db.DossiersByPhone(ctx, tt.phone, tt.limit)
		if err != nil {
			t.Fatalf("DossiersByPhone: %v", err)
		}
		var got []string
		for _, d := range ds {
			got = append(got, d.Code)
		}
		if strings.Join(got, " ") != strings.Join(tt.want, " ") {
			t.Errorf("DossiersByPhone(%s, %d) = %v, want %v", tt.phone, tt.limit, got, tt.want)
		}
	}
}

func TestProcedures(t *testing.T) {
	db, _, _ := newTestDB(t)
	ctx := t.Context()
	ps := []domain.Procedure{
		{Code: "2.000815.000.00.00.H55", Name: "Chứng thực bản sao từ bản chính", Field: "Chứng thực", Days: 0},
		{Code: "1.001193.000.00.00.H55", Name: "Đăng ký khai sinh", Field: "Hộ tịch", Days: 1},
		{Code: "1.000894.000.00.00.H55", Name: "Đăng ký kết hôn", Field: "Hộ tịch", Days: 3},
	}
	for _, p := range ps {
		if err := db.UpsertProcedure(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	changed := ps[2]
	changed.Days = 5
	if err := db.UpsertProcedure(ctx, changed); err != nil {
		t.Fatal(err)
	}
	got, err := db.Procedures(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []domain.Procedure{ps[0], ps[1], changed}
	if len(got) != len(want) {
		t.Fatalf("Procedures = %+v, want %+v", got, want)
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("Procedures[%d] = %+v, want %+v", i, got[i], want[i])
		}
	}
	if err := db.UpsertProcedure(ctx, domain.Procedure{Code: "1.1", Name: "x", Days: -2}); err == nil {
		t.Error("UpsertProcedure with negative days succeeded")
	}
}
