package domain

import (
	"strconv"
	"strings"
	"time"
)

// DossierField is one field of a dossier that an import row or a sync item
// may carry, as a bit of a set.
type DossierField uint32

// The fields a record may carry; the code is always carried.
const (
	FieldProcedureCode DossierField = 1 << iota
	FieldProcedureName
	FieldField
	FieldApplicantName
	FieldPhone
	FieldIDLast4
	FieldVillage
	FieldIntake
	FieldStatus
	FieldReceivedAt
	FieldDueAt
	FieldFinishedAt
	FieldReturnedAt
	FieldExtendedDueAt
	FieldExtensionReason
	FieldHandler
	FieldNote
	allFields = FieldNote<<1 - 1
)

// fieldColumns are the import columns (and sync API keys) of the fields,
// in the order of the constants.
var fieldColumns = [...]string{"procedure_code", "procedure_name", "field", "applicant_name",
	"applicant_phone", "applicant_id", "village", "channel", "status", "received_at", "due_at",
	"finished_at", "returned_at", "extended_due_at", "extension_reason", "handler", "note"}

// Column is the import column of a single field, "" for a set of several.
func (f DossierField) Column() string {
	for i, c := range fieldColumns {
		if f == 1<<i {
			return c
		}
	}
	return ""
}

// clearable are the fields a record may clear on purpose. The others are
// needed by every dossier, and the extension is a fact no record undoes.
const clearable = FieldProcedureCode | FieldProcedureName | FieldApplicantName | FieldIDLast4 |
	FieldVillage | FieldFinishedAt | FieldReturnedAt | FieldHandler | FieldNote

// DossierPatch is what one import row or sync item says about a dossier:
// the fields it carries (Set, their values in Values), those it clears on
// purpose (Clear), and nothing about the others, which stay as stored.
type DossierPatch struct {
	Values     Dossier // Code always; the fields in Set
	Set, Clear DossierField
	// Loc is the zone whose calendar days the dates are compared in (the
	// commune's). Nil: the dates are not checked against each other, for
	// whole records xabot writes itself (the demo, tests).
	Loc *time.Location
}

// WholePatch is d as a record carrying every field, empty ones as empty
// values, for whole dossiers xabot writes itself (the demo, tests): the
// store's constraints, not the import's, say what a dossier needs. Only
// the extension is not carried when empty: no record undoes it.
func WholePatch(d Dossier) DossierPatch {
	set := allFields
	if d.ExtendedDueAt.IsZero() {
		set &^= FieldExtendedDueAt
	}
	if d.ExtensionReason == "" {
		set &^= FieldExtensionReason
	}
	return DossierPatch{Values: d, Set: set}
}

// UpsertOutcome says what writing a record did to the stored dossiers.
type UpsertOutcome int

// Upsert outcomes.
const (
	DossierUnchanged UpsertOutcome = iota
	DossierCreated
	DossierUpdated
	DossierRefused // a rule refused the record (Merge.Refused); nothing was written
)

// Merge is what a record does to the dossier stored under its code.
type Merge struct {
	Outcome UpsertOutcome
	Refused *InvalidError // DossierRefused: why
	Dossier Dossier       // as it is to be stored
	Events  []Event       // to record, in order; DossierID and At are the store's
	// Extension is what the record's extension did; Previous is the
	// extended date on record before it (zero when none was known).
	Extension ExtensionChange
	Previous  time.Time
}

// MergeDossier applies p to the stored dossier (nil: none has its code
// yet). Only the fields p carries change; p creates a dossier only when it
// carries everything a dossier needs. The cross-field rules are checked on
// the result. A status change without a note clears the note: it was the
// note of the former status, and stays in that status's event. The
// extension follows JudgeExtension (ByRecord); its reason comes with it.
func MergeDossier(stored *Dossier, p DossierPatch) Merge {
	if bad := p.Clear &^ clearable &^ FieldExtendedDueAt &^ FieldExtensionReason; bad != 0 {
		return refused(Invalid("import.cannot_clear", "column", lowest(bad).Column()))
	}
	var d Dossier
	if stored != nil {
		d = *stored
	} else if missing := p.missingToCreate(); missing != "" {
		return refused(Invalid("import.new_incomplete", "code", p.Values.Code, "columns", missing))
	}
	old := d
	v := p.Values
	d.Code = v.Code // the code as issued this time
	take(p, FieldProcedureCode, &d.ProcedureCode, v.ProcedureCode)
	take(p, FieldProcedureName, &d.ProcedureName, v.ProcedureName)
	take(p, FieldField, &d.Field, v.Field)
	take(p, FieldApplicantName, &d.ApplicantName, v.ApplicantName)
	take(p, FieldPhone, &d.Phone, v.Phone)
	take(p, FieldIDLast4, &d.IDLast4, v.IDLast4)
	take(p, FieldVillage, &d.Village, v.Village)
	take(p, FieldIntake, &d.Intake, v.Intake)
	take(p, FieldStatus, &d.Status, v.Status)
	take(p, FieldReceivedAt, &d.ReceivedAt, v.ReceivedAt)
	take(p, FieldDueAt, &d.DueAt, v.DueAt)
	take(p, FieldFinishedAt, &d.FinishedAt, v.FinishedAt)
	take(p, FieldReturnedAt, &d.ReturnedAt, v.ReturnedAt)
	take(p, FieldHandler, &d.Handler, v.Handler)
	take(p, FieldNote, &d.Note, v.Note)
	statusChanged := stored != nil && d.Status != old.Status
	if statusChanged && (p.Set|p.Clear)&FieldNote == 0 {
		d.Note = ""
	}

	m := Merge{Previous: old.ExtendedDueAt}
	if p.Set&FieldExtendedDueAt != 0 {
		m.Extension, _ = JudgeExtension(old, v.ExtendedDueAt, ByRecord) // never refused
	}
	reason := p.Set&FieldExtensionReason != 0
	switch m.Extension {
	case ExtensionFirst, ExtensionMoved:
		d.ExtendedDueAt, d.ExtensionEvent = v.ExtendedDueAt, true
		if reason || m.Extension == ExtensionFirst {
			d.ExtensionReason = v.ExtensionReason
		}
	case ExtensionNone:
		// The reason of the extension on record may be filled, not replaced.
		if reason && d.Extended() && d.ExtensionReason == "" {
			d.ExtensionReason = v.ExtensionReason
		}
	}

	if err := checkMerged(d, p.Loc); err != nil {
		return refused(err)
	}
	m.Dossier = d
	switch {
	case stored == nil:
		m.Outcome = DossierCreated
		m.Events = append(m.Events, Event{Kind: "created", To: d.Status, Note: d.Note})
	case d == old:
		return Merge{Outcome: DossierUnchanged, Dossier: d, Extension: m.Extension, Previous: m.Previous}
	default:
		m.Outcome = DossierUpdated
		if statusChanged {
			m.Events = append(m.Events, Event{Kind: "status", From: old.Status, To: d.Status, Note: d.Note})
		} else if d.Note != old.Note {
			// Every note the dossier had stays in its history.
			m.Events = append(m.Events, Event{Kind: "note", To: d.Status, Note: d.Note})
		}
	}
	switch m.Extension {
	case ExtensionFirst:
		m.Events = append(m.Events, Event{Kind: EventExtended, Note: d.ExtensionReason})
	case ExtensionMoved:
		m.Events = append(m.Events, Event{Kind: EventExtensionMoved, Note: d.ExtensionReason})
	}
	return m
}

func refused(err *InvalidError) Merge { return Merge{Outcome: DossierRefused, Refused: err} }

// take sets *dst to the patch's value of f if p carries one, to the zero
// value if p clears f.
func take[T any](p DossierPatch, f DossierField, dst *T, v T) {
	switch {
	case p.Set&f != 0:
		*dst = v
	case p.Clear&f != 0:
		var zero T
		*dst = zero
	}
}

// lowest is the first field of a non-empty set.
func lowest(s DossierField) DossierField { return s & -s }

// missingToCreate lists, by import column, what p lacks to create a
// dossier: "" when nothing.
func (p DossierPatch) missingToCreate() string {
	var out []string
	if p.Set&(FieldProcedureCode|FieldProcedureName) == 0 {
		out = append(out, "procedure_code/procedure_name")
	}
	for _, f := range []DossierField{FieldField, FieldPhone, FieldIntake, FieldReceivedAt, FieldDueAt, FieldStatus} {
		if p.Set&f == 0 {
			out = append(out, f.Column())
		}
	}
	return strings.Join(out, ", ")
}

// checkMerged checks the rules between fields on a merged dossier.
// Appointments are dates, and a date-only value is midnight: dates compare
// as calendar days in loc, or a same-day appointment would come before its
// reception at 08:30.
func checkMerged(d Dossier, loc *time.Location) *InvalidError {
	if d.ProcedureCode == "" && d.ProcedureName == "" {
		return Invalid("import.procedure_required")
	}
	if d.Status.Ended() && d.FinishedAt.IsZero() {
		return Invalid("import.finished_required", "status", strconv.Itoa(int(d.Status)))
	}
	if loc == nil {
		return nil
	}
	received := DateOf(d.ReceivedAt, loc)
	if !d.DueAt.IsZero() && DateOf(d.DueAt, loc).Before(received) {
		return Invalid("import.due_before_received")
	}
	if !d.FinishedAt.IsZero() && DateOf(d.FinishedAt, loc).Before(received) {
		return Invalid("import.finished_before_received")
	}
	return nil
}
