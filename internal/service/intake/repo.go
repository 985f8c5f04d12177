package intake

import (
	"context"

	"xabot/internal/domain"
)

// Outcome says what an upsert did.
type Outcome int

// Upsert outcomes.
const (
	Unchanged Outcome = iota
	Created
	Updated
)

// Repo is the storage the importer needs; *store.DB satisfies it.
type Repo interface {
	// UpsertDossier inserts d or updates the dossier with the same canonical
	// code, in one transaction. It records a "created" event for a new
	// dossier and a "status" event (From, To, d.Note, source) when the status
	// changed. Writing identical data again changes nothing and returns
	// Unchanged.
	UpsertDossier(ctx context.Context, d domain.Dossier, source string) (Outcome, error)
	// UpsertProcedure inserts or updates a procedure by code.
	UpsertProcedure(ctx context.Context, p domain.Procedure) error
}
