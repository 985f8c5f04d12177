package domain

import "time"

// The appointment of a dossier may be moved once, after an apology (Decree
// 118/2025 Art. 19(6), form Mẫu 04). An extension is a fact: an "extended"
// event in the dossier's history, which no import undoes. This file is the
// one place that decides what an extension given for a dossier does,
// whoever gives it.

// Event kinds of an extension.
const (
	EventExtended       = "extended"        // the dossier's one extension
	EventExtensionMoved = "extension_moved" // the one-door system moved the extended date later
)

// ExtensionBy says who gives an extension.
type ExtensionBy int

const (
	// ByOfficial is an official's apology in xabot: a new extension, refused
	// when the dossier already has one or has ended.
	ByOfficial ExtensionBy = iota
	// ByRecord is the one-door system's record (import, sync API): it may
	// repeat the extension on record, or move its date later.
	ByRecord
)

// ExtensionChange is what an extension given for a dossier does to it.
type ExtensionChange int

const (
	// ExtensionNone: none given, or the date on record: nothing changes.
	ExtensionNone ExtensionChange = iota
	// ExtensionFirst: the dossier's one extension, recorded now.
	ExtensionFirst
	// ExtensionMoved: the one-door system set a later date than the
	// extension on record; the date is taken, the extension stays one.
	ExtensionMoved
	// ExtensionKept: an earlier date than the extension on record; the
	// stored one stays.
	ExtensionKept
)

// MayExtend says whether an official may extend d now: not when it was
// extended already (apology.already_extended) or its processing has ended
// (apology.ended).
func (d Dossier) MayExtend() error {
	if d.Extended() {
		return Invalid("apology.already_extended", "code", d.Code)
	}
	if d.Status.Ended() {
		return Invalid("apology.ended", "code", d.Code)
	}
	return nil
}

// JudgeExtension decides what an extension to due, given by by, does to d
// as stored. An official's extension is refused with MayExtend's errors;
// the one-door system's is never refused, only taken or left.
func JudgeExtension(d Dossier, due time.Time, by ExtensionBy) (ExtensionChange, error) {
	if by == ByOfficial {
		if err := d.MayExtend(); err != nil {
			return ExtensionNone, err
		}
		if due.IsZero() {
			return ExtensionNone, Invalid("errors.button_expired")
		}
		return ExtensionFirst, nil
	}
	switch {
	case due.IsZero():
		return ExtensionNone, nil
	case !d.Extended():
		return ExtensionFirst, nil
	case d.ExtendedDueAt.IsZero() || due.After(d.ExtendedDueAt):
		// An old import may have blanked the date of an extension on record:
		// the one-door system's date then comes back, as a move.
		return ExtensionMoved, nil
	case due.Before(d.ExtendedDueAt):
		return ExtensionKept, nil
	}
	return ExtensionNone, nil
}

// Extend is an official's extension of d to due for reason, at at: the
// extended dossier and the "extended" event to record (without DossierID).
// A second extension, or one of an ended dossier, is refused (MayExtend).
func (d Dossier) Extend(due time.Time, reason, source string, at time.Time) (Dossier, Event, error) {
	if _, err := JudgeExtension(d, due, ByOfficial); err != nil {
		return d, Event{}, err
	}
	d.ExtendedDueAt, d.ExtensionReason, d.ExtensionEvent = due, reason, true
	return d, Event{DossierID: d.ID, At: at, Kind: EventExtended, Note: reason, Source: source}, nil
}
