package domain

import (
	"errors"
	"testing"
	"time"
)

func TestJudgeExtension(t *testing.T) {
	may5 := time.Date(2025, 5, 5, 17, 0, 0, 0, time.UTC)
	may8, may12 := may5.AddDate(0, 0, 3), may5.AddDate(0, 0, 7)
	open := Dossier{Code: "H55.20-250501-0001", Status: StatusInProgress, DueAt: may5}
	extended := open
	extended.ExtendedDueAt = may8
	extended.ExtensionEvent = true
	// An old import blanked the date; the event is still on record.
	blanked := open
	blanked.ExtensionEvent = true
	ended := open
	ended.Status, ended.FinishedAt = StatusDone, may5

	tests := []struct {
		name string
		d    Dossier
		due  time.Time
		by   ExtensionBy
		want ExtensionChange
		key  string // the refusal's locale key
	}{
		{"official, first", open, may8, ByOfficial, ExtensionFirst, ""},
		{"official, second", extended, may12, ByOfficial, ExtensionNone, "apology.already_extended"},
		{"official, the date blanked, the event on record", blanked, may12, ByOfficial, ExtensionNone, "apology.already_extended"},
		{"official, ended", ended, may8, ByOfficial, ExtensionNone, "apology.ended"},
		{"official, no date", open, time.Time{}, ByOfficial, ExtensionNone, "errors.button_expired"},
		{"record, none given", extended, time.Time{}, ByRecord, ExtensionNone, ""},
		{"record, none given, none stored", open, time.Time{}, ByRecord, ExtensionNone, ""},
		{"record, first", open, may8, ByRecord, ExtensionFirst, ""},
		{"record, first of an ended dossier", ended, may8, ByRecord, ExtensionFirst, ""},
		{"record, the same date", extended, may8, ByRecord, ExtensionNone, ""},
		{"record, later", extended, may12, ByRecord, ExtensionMoved, ""},
		{"record, earlier", extended, may5.AddDate(0, 0, 1), ByRecord, ExtensionKept, ""},
		{"record, the date blanked", blanked, may8, ByRecord, ExtensionMoved, ""},
	}
	for _, tt := range tests {
		got, err := JudgeExtension(tt.d, tt.due, tt.by)
		var inv *InvalidError
		switch {
		case tt.key == "" && err != nil:
			t.Errorf("%s: error %v, want none", tt.name, err)
		case tt.key != "" && (!errors.As(err, &inv) || inv.Key != tt.key):
			t.Errorf("%s: error %v, want %s", tt.name, err, tt.key)
		case got != tt.want:
			t.Errorf("%s: = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestDossierExtend(t *testing.T) {
	at := time.Date(2025, 5, 4, 2, 0, 0, 0, time.UTC)
	d := Dossier{ID: 7, Code: "H55.20-250501-0001", Status: StatusInProgress,
		DueAt: time.Date(2025, 5, 5, 17, 0, 0, 0, time.UTC)}
	due := d.DueAt.AddDate(0, 0, 3)
	got, e, err := d.Extend(due, "chờ xác minh", "bot:tg:1", at)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Extended() || !got.ExtendedDueAt.Equal(due) || got.ExtensionReason != "chờ xác minh" || !got.Due().Equal(due) {
		t.Errorf("extended dossier = %+v", got)
	}
	if want := (Event{DossierID: 7, At: at, Kind: EventExtended, Note: "chờ xác minh", Source: "bot:tg:1"}); e != want {
		t.Errorf("event = %+v, want %+v", e, want)
	}
	if _, _, err := got.Extend(due.AddDate(0, 0, 2), "lần hai", "bot:tg:1", at); err == nil {
		t.Error("a second Extend succeeded")
	}
	if err := got.MayExtend(); err == nil {
		t.Error("MayExtend of an extended dossier = nil")
	}
}
