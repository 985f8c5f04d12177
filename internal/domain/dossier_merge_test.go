package domain

import (
	"reflect"
	"testing"
	"time"
)

// storedDossier is a dossier in progress with everything filled in, its
// appointment moved once by an official's apology.
func storedDossier(t *testing.T) Dossier {
	loc := hcm(t)
	return Dossier{ID: 3, Code: "H55.20-250501-0001", ProcedureCode: "1.001193.000.00.00.H55",
		ProcedureName: "Đăng ký khai sinh", Field: "Hộ tịch", ApplicantName: "Nguyễn Văn An",
		Phone: "0905123456", IDLast4: "7890", Village: "An Hòa", Intake: IntakeDirect, Status: StatusInProgress,
		ReceivedAt: time.Date(2025, 5, 1, 8, 30, 0, 0, loc).UTC(), DueAt: time.Date(2025, 5, 6, 0, 0, 0, 0, loc).UTC(),
		ExtendedDueAt: time.Date(2025, 5, 9, 0, 0, 0, 0, loc).UTC(), ExtensionReason: "chờ xác minh",
		Handler: "Trần Thị Bình", Note: "chờ bổ sung tờ khai", ExtensionEvent: true,
		UpdatedAt: time.Date(2025, 5, 4, 2, 0, 0, 0, time.UTC)}
}

func TestMergeDossier(t *testing.T) {
	loc := hcm(t)
	day := func(d int) time.Time { return time.Date(2025, 5, d, 0, 0, 0, 0, loc).UTC() }
	stored := storedDossier(t)
	code := stored.Code
	// patch builds a record of code carrying the fields set by change.
	patch := func(set, clear DossierField, change func(*Dossier)) DossierPatch {
		v := Dossier{Code: code}
		if change != nil {
			change(&v)
		}
		return DossierPatch{Values: v, Set: set, Clear: clear, Loc: loc}
	}
	with := func(change func(*Dossier)) Dossier {
		d := stored
		change(&d)
		return d
	}
	complete := FieldProcedureName | FieldField | FieldPhone | FieldIntake | FieldReceivedAt | FieldDueAt | FieldStatus
	newValues := func(d *Dossier) {
		d.ProcedureName, d.Field, d.Phone, d.Intake, d.Status = "Đăng ký khai sinh", "Hộ tịch", "0905123456", IntakeOnline, StatusNew
		d.ReceivedAt, d.DueAt = day(2).Add(90*time.Minute), day(2)
	}

	tests := []struct {
		name      string
		stored    *Dossier
		p         DossierPatch
		outcome   UpsertOutcome
		key       string // DossierRefused: the reason
		args      map[string]string
		want      Dossier // the merged dossier, when not refused
		events    []Event
		extension ExtensionChange
	}{
		{"nothing carried: nothing changes", &stored, patch(0, 0, nil), DossierUnchanged, "", nil, stored, nil, ExtensionNone},
		{"status and its time: the rest stays, the old note goes with the old status", &stored,
			patch(FieldStatus|FieldFinishedAt, 0, func(d *Dossier) { d.Status, d.FinishedAt = StatusDone, day(7) }),
			DossierUpdated, "", nil,
			with(func(d *Dossier) { d.Status, d.FinishedAt, d.Note = StatusDone, day(7), "" }),
			[]Event{{Kind: "status", From: StatusInProgress, To: StatusDone}}, ExtensionNone},
		{"status with its note", &stored,
			patch(FieldStatus|FieldNote, 0, func(d *Dossier) { d.Status, d.Note = StatusPaymentRequired, "nộp lệ phí 8.000 đồng" }),
			DossierUpdated, "", nil,
			with(func(d *Dossier) { d.Status, d.Note = StatusPaymentRequired, "nộp lệ phí 8.000 đồng" }),
			[]Event{{Kind: "status", From: StatusInProgress, To: StatusPaymentRequired, Note: "nộp lệ phí 8.000 đồng"}}, ExtensionNone},
		{"a new note, same status: kept in the history", &stored,
			patch(FieldNote|FieldStatus, 0, func(d *Dossier) { d.Status, d.Note = StatusInProgress, "đã đủ giấy tờ" }),
			DossierUpdated, "", nil, with(func(d *Dossier) { d.Note = "đã đủ giấy tờ" }),
			[]Event{{Kind: "note", To: StatusInProgress, Note: "đã đủ giấy tờ"}}, ExtensionNone},
		{"the handler changes, nothing else", &stored,
			patch(FieldHandler, 0, func(d *Dossier) { d.Handler = "Lê Văn Cường" }),
			DossierUpdated, "", nil, with(func(d *Dossier) { d.Handler = "Lê Văn Cường" }), nil, ExtensionNone},
		{"the code spelled otherwise is the same dossier", &stored,
			patch(0, 0, func(d *Dossier) { d.Code = "h55.20-250501-1" }),
			DossierUpdated, "", nil, with(func(d *Dossier) { d.Code = "h55.20-250501-1" }), nil, ExtensionNone},
		{"clearing optional fields on purpose", &stored,
			patch(0, FieldApplicantName|FieldVillage|FieldIDLast4|FieldNote, nil),
			DossierUpdated, "", nil,
			with(func(d *Dossier) { d.ApplicantName, d.Village, d.IDLast4, d.Note = "", "", "", "" }),
			[]Event{{Kind: "note", To: StatusInProgress}}, ExtensionNone},
		{"a required field cannot be cleared", &stored, patch(FieldHandler, FieldPhone, nil),
			DossierRefused, "import.cannot_clear", map[string]string{"column": "applicant_phone"}, Dossier{}, nil, ExtensionNone},
		{"the extension cannot be cleared", &stored, patch(0, FieldExtendedDueAt|FieldExtensionReason, nil),
			DossierUnchanged, "", nil, stored, nil, ExtensionNone},
		{"an earlier extension leaves the one on record", &stored,
			patch(FieldExtendedDueAt|FieldExtensionReason, 0, func(d *Dossier) { d.ExtendedDueAt, d.ExtensionReason = day(7), "khác" }),
			DossierUnchanged, "", nil, stored, nil, ExtensionKept},
		{"the same extension changes nothing", &stored,
			patch(FieldExtendedDueAt, 0, func(d *Dossier) { d.ExtendedDueAt = stored.ExtendedDueAt }),
			DossierUnchanged, "", nil, stored, nil, ExtensionNone},
		{"a later extension is taken as a move, with its reason", &stored,
			patch(FieldExtendedDueAt|FieldExtensionReason, 0, func(d *Dossier) { d.ExtendedDueAt, d.ExtensionReason = day(14), "chờ ý kiến huyện" }),
			DossierUpdated, "", nil,
			with(func(d *Dossier) { d.ExtendedDueAt, d.ExtensionReason = day(14), "chờ ý kiến huyện" }),
			[]Event{{Kind: EventExtensionMoved, Note: "chờ ý kiến huyện"}}, ExtensionMoved},
		{"a later extension without a reason keeps the reason", &stored,
			patch(FieldExtendedDueAt, 0, func(d *Dossier) { d.ExtendedDueAt = day(14) }),
			DossierUpdated, "", nil, with(func(d *Dossier) { d.ExtendedDueAt = day(14) }),
			[]Event{{Kind: EventExtensionMoved, Note: "chờ xác minh"}}, ExtensionMoved},
		{"the first extension", ptr(with(func(d *Dossier) { d.ExtendedDueAt, d.ExtensionReason, d.ExtensionEvent = time.Time{}, "", false })),
			patch(FieldExtendedDueAt|FieldExtensionReason, 0, func(d *Dossier) { d.ExtendedDueAt, d.ExtensionReason = day(9), "chờ xác minh" }),
			DossierUpdated, "", nil, stored, []Event{{Kind: EventExtended, Note: "chờ xác minh"}}, ExtensionFirst},
		{"a reason alone fills an empty one", ptr(with(func(d *Dossier) { d.ExtensionReason = "" })),
			patch(FieldExtensionReason, 0, func(d *Dossier) { d.ExtensionReason = "chờ xác minh" }),
			DossierUpdated, "", nil, stored, nil, ExtensionNone},
		{"a reason alone replaces none", &stored,
			patch(FieldExtensionReason, 0, func(d *Dossier) { d.ExtensionReason = "khác" }),
			DossierUnchanged, "", nil, stored, nil, ExtensionNone},
		{"an ended status needs finished_at, on the merged dossier", &stored,
			patch(FieldStatus, 0, func(d *Dossier) { d.Status = StatusDone }),
			DossierRefused, "import.finished_required", map[string]string{"status": "9"}, Dossier{}, nil, ExtensionNone},
		{"clearing finished_at of an ended dossier", ptr(with(func(d *Dossier) { d.Status, d.FinishedAt = StatusDone, day(7) })),
			patch(0, FieldFinishedAt, nil),
			DossierRefused, "import.finished_required", map[string]string{"status": "9"}, Dossier{}, nil, ExtensionNone},
		{"finished before the stored reception", &stored,
			patch(FieldStatus|FieldFinishedAt, 0, func(d *Dossier) { d.Status, d.FinishedAt = StatusDone, day(1).Add(-time.Hour) }),
			DossierRefused, "import.finished_before_received", nil, Dossier{}, nil, ExtensionNone},
		{"a same-day finish is not before", &stored,
			patch(FieldStatus|FieldFinishedAt|FieldNote, 0, func(d *Dossier) { d.Status, d.FinishedAt = StatusDone, day(1) }),
			DossierUpdated, "", nil, with(func(d *Dossier) { d.Status, d.FinishedAt, d.Note = StatusDone, day(1), "" }),
			[]Event{{Kind: "status", From: StatusInProgress, To: StatusDone}}, ExtensionNone},
		{"a reception moved after the appointment", &stored,
			patch(FieldReceivedAt, 0, func(d *Dossier) { d.ReceivedAt = day(8) }),
			DossierRefused, "import.due_before_received", nil, Dossier{}, nil, ExtensionNone},
		{"both procedure fields cleared", &stored, patch(0, FieldProcedureCode|FieldProcedureName, nil),
			DossierRefused, "import.procedure_required", nil, Dossier{}, nil, ExtensionNone},
		{"a new code with too little", nil,
			patch(FieldStatus|FieldFinishedAt, 0, func(d *Dossier) { d.Status, d.FinishedAt = StatusDone, day(7) }),
			DossierRefused, "import.new_incomplete", map[string]string{"code": code,
				"columns": "procedure_code/procedure_name, field, applicant_phone, channel, received_at, due_at"},
			Dossier{}, nil, ExtensionNone},
		{"a new code, complete", nil, patch(complete, 0, newValues), DossierCreated, "", nil,
			func() Dossier { d := Dossier{Code: code}; newValues(&d); return d }(),
			[]Event{{Kind: "created", To: StatusNew}}, ExtensionNone},
		{"a new code, complete and extended", nil,
			patch(complete|FieldExtendedDueAt, 0, func(d *Dossier) { newValues(d); d.ExtendedDueAt = day(9) }),
			DossierCreated, "", nil,
			func() Dossier {
				d := Dossier{Code: code, ExtendedDueAt: day(9), ExtensionEvent: true}
				newValues(&d)
				return d
			}(),
			[]Event{{Kind: "created", To: StatusNew}, {Kind: EventExtended}}, ExtensionFirst},
	}
	for _, tt := range tests {
		m := MergeDossier(tt.stored, tt.p)
		if m.Outcome != tt.outcome {
			t.Errorf("%s: outcome %v (%+v), want %v", tt.name, m.Outcome, m.Refused, tt.outcome)
			continue
		}
		if tt.outcome == DossierRefused {
			if m.Refused == nil || m.Refused.Key != tt.key || !reflect.DeepEqual(m.Refused.Args, tt.args) {
				t.Errorf("%s: refused %+v, want %s %v", tt.name, m.Refused, tt.key, tt.args)
			}
			continue
		}
		if m.Dossier != tt.want {
			t.Errorf("%s: merged\n%+v\nwant\n%+v", tt.name, m.Dossier, tt.want)
		}
		if !reflect.DeepEqual(m.Events, tt.events) {
			t.Errorf("%s: events %+v, want %+v", tt.name, m.Events, tt.events)
		}
		if m.Extension != tt.extension {
			t.Errorf("%s: extension %v, want %v", tt.name, m.Extension, tt.extension)
		}
		if tt.stored != nil && !m.Previous.Equal(tt.stored.ExtendedDueAt) {
			t.Errorf("%s: previous extension %v, want %v", tt.name, m.Previous, tt.stored.ExtendedDueAt)
		}
	}
}

func ptr[T any](v T) *T { return &v }

// TestWholePatch: a whole dossier carries every field but an empty
// extension, so writing it again never undoes an extension on record.
func TestWholePatch(t *testing.T) {
	stored := storedDossier(t)
	d := stored
	d.ExtendedDueAt, d.ExtensionReason, d.ExtensionEvent, d.Village = time.Time{}, "", false, ""
	m := MergeDossier(&stored, WholePatch(d))
	want := stored
	want.Village = ""
	if m.Outcome != DossierUpdated || m.Dossier != want {
		t.Errorf("merge = %v %+v, want the village cleared and the extension kept", m.Outcome, m.Dossier)
	}
	// Without a zone the dates are not checked against each other: a
	// same-day appointment at local midnight is before 08:30 in UTC.
	d = stored
	d.DueAt = d.ReceivedAt.Add(-time.Hour)
	if m := MergeDossier(nil, WholePatch(d)); m.Outcome != DossierCreated {
		t.Errorf("whole new dossier = %v %+v, want created", m.Outcome, m.Refused)
	}
}

func TestDossierFieldColumn(t *testing.T) {
	seen := map[string]bool{}
	for f := DossierField(1); f <= FieldNote; f <<= 1 {
		c := f.Column()
		if c == "" || seen[c] {
			t.Errorf("field %b: column %q", f, c)
		}
		seen[c] = true
	}
	if c := (FieldPhone | FieldNote).Column(); c != "" {
		t.Errorf("a set of two fields has the column %q", c)
	}
}
