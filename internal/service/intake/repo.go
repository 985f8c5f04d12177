package intake

import (
	"context"

	"xabot/internal/domain"
)

// Outcome says what writing a record did.
type Outcome = domain.UpsertOutcome

// Outcomes of a record.
const (
	Unchanged = domain.DossierUnchanged
	Created   = domain.DossierCreated
	Updated   = domain.DossierUpdated
	Refused   = domain.DossierRefused
)

// Repo is the storage the importer needs; *store.DB satisfies it.
type Repo interface {
	// MergeDossiers applies each record to the dossier stored under its
	// code by domain.MergeDossier, all in one transaction: only the fields
	// a record carries change, a complete record of a new code creates the
	// dossier, a refused record writes nothing and says why. It records the
	// merges' events (a "status" event, From, To and the note, when the
	// status changed; "extended" for the dossier's one extension) with
	// source. Writing identical data again changes nothing. On error
	// nothing of the batch is written. The merges are in the order of ps.
	MergeDossiers(ctx context.Context, ps []domain.DossierPatch, source string) ([]domain.Merge, error)
}
