package store

import (
	"errors"
	"testing"
	"time"

	"xabot/internal/domain"
)

// extendedDossier stores testDossier(code) and extends it by an official's
// apology, as the bot does: 2025-05-09 local, "chờ xác minh".
func extendedDossier(t *testing.T, db *DB, code string) domain.Dossier {
	t.Helper()
	ctx := t.Context()
	d := testDossier(code)
	d.Note = "chờ bổ sung tờ khai"
	if _, err := db.UpsertDossier(ctx, d, "import"); err != nil {
		t.Fatal(err)
	}
	got, err := db.ExtendDossier(ctx, code, time.Date(2025, 5, 9, 0, 0, 0, 0, ict), "chờ xác minh", "bot:tg:1",
		time.Date(2025, 5, 4, 2, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatalf("ExtendDossier: %v", err)
	}
	return got
}

// kinds counts a dossier's events by kind.
func kinds(t *testing.T, db *DB, id int64) map[string]int {
	t.Helper()
	evs, err := db.DossierEvents(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	n := map[string]int{}
	for _, e := range evs {
		n[e.Kind]++
	}
	return n
}

func merge(t *testing.T, db *DB, ps ...domain.DossierPatch) []domain.Merge {
	t.Helper()
	ms, err := db.MergeDossiers(t.Context(), ps, "import")
	if err != nil {
		t.Fatalf("MergeDossiers: %v", err)
	}
	return ms
}

// TestMergeDossiersPerColumn: a record carrying one field changes that
// field only; the name, village, note and extension it does not carry stay.
func TestMergeDossiersPerColumn(t *testing.T) {
	db, _, _ := newTestDB(t)
	const code = "H55.20-250501-0001"
	base := extendedDossier(t, db, code)
	day := func(d int) time.Time { return time.Date(2025, 5, d, 0, 0, 0, 0, ict).UTC() }
	tests := []struct {
		f      domain.DossierField
		change func(*domain.Dossier)
	}{
		{domain.FieldProcedureCode, func(d *domain.Dossier) { d.ProcedureCode = "1.000894.000.00.00.H55" }},
		{domain.FieldProcedureName, func(d *domain.Dossier) { d.ProcedureName = "Đăng ký kết hôn" }},
		{domain.FieldField, func(d *domain.Dossier) { d.Field = "Chứng thực" }},
		{domain.FieldApplicantName, func(d *domain.Dossier) { d.ApplicantName = "Lê Thị Bình" }},
		{domain.FieldPhone, func(d *domain.Dossier) { d.Phone = "0987000111" }},
		{domain.FieldIDLast4, func(d *domain.Dossier) { d.IDLast4 = "4321" }},
		{domain.FieldVillage, func(d *domain.Dossier) { d.Village = "Phước Hòa" }},
		{domain.FieldIntake, func(d *domain.Dossier) { d.Intake = domain.IntakePostal }},
		{domain.FieldReceivedAt, func(d *domain.Dossier) { d.ReceivedAt = day(2).Add(8 * time.Hour) }},
		{domain.FieldDueAt, func(d *domain.Dossier) { d.DueAt = day(7) }},
		{domain.FieldReturnedAt, func(d *domain.Dossier) { d.ReturnedAt = day(8) }},
		{domain.FieldHandler, func(d *domain.Dossier) { d.Handler = "Lê Văn Cường" }},
		{domain.FieldNote, func(d *domain.Dossier) { d.Note = "đã đủ giấy tờ" }},
	}
	for _, tt := range tests {
		before, err := db.DossierByCode(t.Context(), code)
		if err != nil {
			t.Fatal(err)
		}
		v := domain.Dossier{Code: code}
		tt.change(&v)
		m := merge(t, db, domain.DossierPatch{Values: v, Set: tt.f, Loc: ict})[0]
		if m.Outcome != domain.DossierUpdated {
			t.Errorf("%s: outcome %v %+v, want updated", tt.f.Column(), m.Outcome, m.Refused)
			continue
		}
		got, err := db.DossierByCode(t.Context(), code)
		if err != nil {
			t.Fatal(err)
		}
		want := before
		tt.change(&want)
		want.UpdatedAt = got.UpdatedAt
		if got != want {
			t.Errorf("%s: stored\n%+v\nwant\n%+v", tt.f.Column(), got, want)
		}
	}
	got, _ := db.DossierByCode(t.Context(), code)
	if got.ExtendedDueAt != base.ExtendedDueAt || got.ExtensionReason != "chờ xác minh" {
		t.Errorf("extension = %v %q, want the official's", got.ExtendedDueAt, got.ExtensionReason)
	}
	if n := kinds(t, db, got.ID); n["extended"] != 1 || n["note"] != 1 || n["status"] != 0 {
		t.Errorf("events = %v, want one extension and one note change", n)
	}
}

// TestMergeDossiersExtension: the extension on record stays against none,
// the same or an earlier date, and moves (one extension still) on a later.
func TestMergeDossiersExtension(t *testing.T) {
	db, _, _ := newTestDB(t)
	const code = "H55.20-250501-0001"
	base := extendedDossier(t, db, code)
	ext := func(day int, reason string) domain.DossierPatch {
		p := domain.DossierPatch{Values: domain.Dossier{Code: code}, Loc: ict}
		if day > 0 {
			p.Values.ExtendedDueAt, p.Set = time.Date(2025, 5, day, 0, 0, 0, 0, ict), domain.FieldExtendedDueAt
		}
		if reason != "" {
			p.Values.ExtensionReason, p.Set = reason, p.Set|domain.FieldExtensionReason
		}
		return p
	}
	cleared := ext(0, "")
	cleared.Clear = domain.FieldExtendedDueAt | domain.FieldExtensionReason
	steps := []struct {
		name    string
		p       domain.DossierPatch
		outcome domain.UpsertOutcome
		change  domain.ExtensionChange
		due     int // the extended day in force after
		reason  string
	}{
		{"empty", ext(0, ""), domain.DossierUnchanged, domain.ExtensionNone, 9, "chờ xác minh"},
		{"cleared", cleared, domain.DossierUnchanged, domain.ExtensionNone, 9, "chờ xác minh"},
		{"the same", ext(9, ""), domain.DossierUnchanged, domain.ExtensionNone, 9, "chờ xác minh"},
		{"earlier", ext(7, "theo một cửa"), domain.DossierUnchanged, domain.ExtensionKept, 9, "chờ xác minh"},
		{"later", ext(14, "chờ ý kiến huyện"), domain.DossierUpdated, domain.ExtensionMoved, 14, "chờ ý kiến huyện"},
		{"earlier than the move", ext(12, ""), domain.DossierUnchanged, domain.ExtensionKept, 14, "chờ ý kiến huyện"},
	}
	for _, st := range steps {
		m := merge(t, db, st.p)[0]
		if m.Outcome != st.outcome || m.Extension != st.change {
			t.Errorf("%s: %v %v, want %v %v", st.name, m.Outcome, m.Extension, st.outcome, st.change)
		}
		got, err := db.DossierByCode(t.Context(), code)
		if err != nil {
			t.Fatal(err)
		}
		if want := time.Date(2025, 5, st.due, 0, 0, 0, 0, ict); !got.ExtendedDueAt.Equal(want) || got.ExtensionReason != st.reason {
			t.Errorf("%s: extension %v %q, want %v %q", st.name, got.ExtendedDueAt, got.ExtensionReason, want, st.reason)
		}
	}
	if n := kinds(t, db, base.ID); n["extended"] != 1 || n["extension_moved"] != 1 {
		t.Errorf("events = %v, want one extension, moved once", n)
	}
}

// TestExtensionOutlivesWholeRewrite: writing a dossier again without its
// extension (the old thin re-import) keeps the extension, and the bot's
// button cannot extend it a second time.
func TestExtensionOutlivesWholeRewrite(t *testing.T) {
	db, _, _ := newTestDB(t)
	ctx := t.Context()
	const code = "H55.20-250501-0001"
	base := extendedDossier(t, db, code)
	thin := testDossier(code)
	thin.ApplicantName, thin.Village = "Nguyễn Văn An", "An Hòa"
	if _, err := db.UpsertDossier(ctx, thin, "import"); err != nil {
		t.Fatal(err)
	}
	got, err := db.DossierByCode(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	if !got.ExtendedDueAt.Equal(base.ExtendedDueAt) || got.ExtensionReason != "chờ xác minh" {
		t.Errorf("after a rewrite without it, extension = %v %q", got.ExtendedDueAt, got.ExtensionReason)
	}
	_, err = db.ExtendDossier(ctx, code, base.ExtendedDueAt.AddDate(0, 0, 3), "lần hai", "bot:tg:1", time.Now())
	var inv *domain.InvalidError
	if !errors.As(err, &inv) || inv.Key != "apology.already_extended" {
		t.Errorf("second ExtendDossier = %v, want apology.already_extended", err)
	}
	if n := kinds(t, db, base.ID); n["extended"] != 1 {
		t.Errorf("extended events = %d, want 1", n["extended"])
	}
}

// TestExtensionEventOnRecord: in a database where an old import blanked the
// extension's date, the "extended" event still makes the dossier extended:
// the button is refused, and an import bringing the date back is a move.
func TestExtensionEventOnRecord(t *testing.T) {
	db, _, _ := newTestDB(t)
	ctx := t.Context()
	const code = "H55.20-250501-0001"
	base := extendedDossier(t, db, code)
	if _, err := db.w.ExecContext(ctx, `UPDATE dossiers SET extended_due_at = NULL, extension_reason = ''`); err != nil {
		t.Fatal(err)
	}
	d, err := db.DossierByCode(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	if !d.Extended() || !d.ExtendedDueAt.IsZero() || !d.Due().Equal(d.DueAt) {
		t.Fatalf("blanked dossier: Extended %v, date %v", d.Extended(), d.ExtendedDueAt)
	}
	open, err := db.OpenDossiers(ctx)
	if err != nil || len(open) != 1 || !open[0].Extended() {
		t.Errorf("OpenDossiers = %+v, %v; want the dossier, extended", open, err)
	}
	if _, err := db.ExtendDossier(ctx, code, d.DueAt.AddDate(0, 0, 3), "lần hai", "bot:tg:1", time.Now()); err == nil {
		t.Error("ExtendDossier of a dossier with an extension on record succeeded")
	}
	p := domain.DossierPatch{Values: domain.Dossier{Code: code, ExtendedDueAt: base.ExtendedDueAt},
		Set: domain.FieldExtendedDueAt, Loc: ict}
	if m := merge(t, db, p)[0]; m.Extension != domain.ExtensionMoved {
		t.Errorf("import of the date = %v, want a move", m.Extension)
	}
	if got, _ := db.DossierByCode(ctx, code); !got.ExtendedDueAt.Equal(base.ExtendedDueAt) {
		t.Errorf("date = %v, want %v back", got.ExtendedDueAt, base.ExtendedDueAt)
	}
	if n := kinds(t, db, base.ID); n["extended"] != 1 {
		t.Errorf("extended events = %d, want 1", n["extended"])
	}
}

// TestMergeDossiersRefusedRow: a refused record writes nothing, the others
// of its batch are written.
func TestMergeDossiersRefusedRow(t *testing.T) {
	db, _, _ := newTestDB(t)
	ctx := t.Context()
	extendedDossier(t, db, "H55.20-250501-0001")
	ms := merge(t, db,
		domain.DossierPatch{Values: domain.Dossier{Code: "H55.20-250501-0001", Status: domain.StatusDone},
			Set: domain.FieldStatus, Loc: ict},
		domain.DossierPatch{Values: domain.Dossier{Code: "H55.20-250501-0002", Status: domain.StatusInProgress},
			Set: domain.FieldStatus, Loc: ict},
		domain.DossierPatch{Values: domain.Dossier{Code: "H55.20-250501-0001", Handler: "Lê Văn Cường"},
			Set: domain.FieldHandler, Loc: ict},
	)
	want := []struct {
		outcome domain.UpsertOutcome
		key     string
	}{{domain.DossierRefused, "import.finished_required"}, {domain.DossierRefused, "import.new_incomplete"},
		{domain.DossierUpdated, ""}}
	for i, w := range want {
		if ms[i].Outcome != w.outcome || (w.key != "" && (ms[i].Refused == nil || ms[i].Refused.Key != w.key)) {
			t.Errorf("merge %d = %v %+v, want %v %s", i, ms[i].Outcome, ms[i].Refused, w.outcome, w.key)
		}
	}
	d, _ := db.DossierByCode(ctx, "H55.20-250501-0001")
	if d.Status != domain.StatusInProgress || d.Handler != "Lê Văn Cường" {
		t.Errorf("dossier = %v %q, want in progress, the new handler", d.Status, d.Handler)
	}
	if n, _ := db.CountDossiers(ctx); n != 1 {
		t.Errorf("CountDossiers = %d, want 1", n)
	}
}
